"""Start-up of a single-photo check (issue 26): what it no longer imports, and the stand-ins
for the library calls it dropped give the same values (CIEDE2000 to the last bits numpy's SIMD
loops leave to chance, the FFT bit for bit)."""

from __future__ import annotations

import numpy as np
import pytest


def _lab_pairs(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    lab1 = np.column_stack([rng.uniform(0, 100, n), rng.uniform(-128, 127, n), rng.uniform(-128, 127, n)])
    lab2 = lab1 + rng.normal(0, 8, (n, 3))
    lab1[:20, 1:] = 0.0  # greys: zero chroma, the hue special cases
    lab2[10:30, 1:] = 0.0
    lab2[30:40] = lab1[30:40]  # identical colours
    lab2[40:60, 1:] = -lab1[40:60, 1:]  # opposite hues: |h2 - h1| near pi
    return lab1, lab2


#: How far two float64 CIEDE2000 values of the same steps may differ: numpy's SIMD loops for
#: the trigonometric functions round an element by one ulp differently depending on where it
#: falls in the array's memory (its alignment), which changes from run to run; seen up to
#: 5.7e-14 on values up to ~150 (the suite failed on it once in CI). Any real divergence from
#: scikit-image's formula is many orders larger.
_ULPS = 1e-12


def _same(ours: np.ndarray, theirs: np.ndarray) -> None:
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=_ULPS)


def test_ciede2000_matches_scikit_image_to_the_last_bits():
    from skimage.color import deltaE_ciede2000

    from headshot_lint import color

    rng = np.random.default_rng(26)
    lab1, lab2 = _lab_pairs(rng, 5000)
    _same(color._ciede2000(lab1, lab2), deltaE_ciede2000(lab1, lab2))
    np.testing.assert_allclose(color.delta_e(lab1.astype(np.float32), lab2),
                               np.asarray(deltaE_ciede2000(lab1.astype(np.float32).astype(np.float64), lab2),
                                          np.float32), rtol=2.0 ** -23, atol=_ULPS)
    for a, b in zip(lab1[:80], lab2[:80]):  # single colours (1-D), as the measures pass medians
        _same(color._ciede2000(a, b), deltaE_ciede2000(a, b))
    image = lab1[:4800].reshape(60, 80, 3)  # an image against one colour, broadcast
    one = np.broadcast_to(lab2[0], image.shape)
    _same(color._ciede2000(image, one), deltaE_ciede2000(image, one))


def test_pocketfft_without_scipy_fft_is_bit_identical_to_it():
    from scipy import fft

    from headshot_lint.measures import _fft

    assert _fft._pocketfft() is not None, "SciPy's pocketfft extension was not found: the fallback imports scipy.fft"
    rng = np.random.default_rng(26)
    for n, p, r in ((7, 64, 20), (1, 64, 20), (3, 32, 20), (2, 50, 9)):
        x = rng.normal(0, 30, (n, p, p)).astype(np.float32)
        size = _fft.next_fast_len(p + r)
        assert size == fft.next_fast_len(p + r, real=True)
        f = _fft.rfft2(x, size)
        ref = fft.rfft2(x, s=(size, size), workers=1)
        assert f.dtype == ref.dtype and np.array_equal(f, ref)
        spectrum = f * np.conj(f)
        ac = _fft.irfft2(spectrum, size)
        ref_ac = fft.irfft2(spectrum, s=(size, size), workers=1)
        assert ac.dtype == ref_ac.dtype and np.array_equal(ac, ref_ac)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_3x3_is_scipys_maximum_filter(dtype):
    from scipy.ndimage import maximum_filter

    from headshot_lint.measures.periodicity import _max_3x3

    rng = np.random.default_rng(26)
    a = rng.normal(0, 1, (5, 41, 41)).astype(dtype)
    a[0] = np.round(a[0])  # ties
    a[1, :, 0] = 9.0  # maxima on the edges
    a[2, 0, :] = -9.0
    assert np.array_equal(_max_3x3(a), maximum_filter(a, size=(1, 3, 3)))
    assert _max_3x3(a).dtype == a.dtype


def test_the_cli_ends_without_teardown_but_runs_atexit_and_flushes(tmp_path):
    """main() ends the process with os._exit once the command is done: exit codes, the
    whole of stdout and the atexit handlers are as a normal exit gives them."""
    import json
    import os
    import subprocess
    import sys

    marker = tmp_path / "atexit-ran"
    src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
    script = ("import atexit, sys\n"
              f"atexit.register(lambda: open({str(marker)!r}, 'w').close())\n"
              "from headshot_lint.cli import main\n"
              "sys.argv = ['headshot-lint'] + sys.argv[1:]\n"
              "main()\n")
    env = {**os.environ, "PYTHONPATH": src}
    out = subprocess.run([sys.executable, "-c", script, "rules", "--format", "json"], capture_output=True,
                         text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert len(json.loads(out.stdout)) > 5 and marker.exists()
    marker.unlink()
    out = subprocess.run([sys.executable, "-c", script, "check", str(tmp_path / "missing.jpg")], capture_output=True,
                         text=True, env=env, timeout=120)
    assert out.returncode == 2 and "no such file" in out.stderr and marker.exists()


def test_lab_tables_built_ahead_give_the_same_values(tmp_path):
    """prepare_lab() builds OpenCV's CIELAB tables in a thread; a conversion right after it
    waits for them and gives the values a process without it gives."""
    import os
    import subprocess
    import sys

    src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
    code = ("import sys, numpy as np\nfrom headshot_lint import color\n"
            "if sys.argv[1] == 'ahead':\n    color.prepare_lab(); color.prepare_lab()\n"
            "rgb = np.random.default_rng(26).integers(0, 256, (64, 48, 3), np.uint8)\n"
            "lab = color.rgb_to_lab(rgb)\nback = color.lab_to_rgb(lab[:4, 0])\n"
            "sys.stdout.write(lab.tobytes().hex() + back.tobytes().hex())\n")
    out = [subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": src}) for mode in ("ahead", "plain")]
    assert all(o.returncode == 0 for o in out), out[0].stderr[-2000:]
    assert out[0].stdout == out[1].stdout and len(out[0].stdout) > 1000


def test_the_pattern_measure_without_the_pocketfft_file_falls_back_to_scipy_fft(monkeypatch):
    """Another SciPy layout (no loadable pypocketfft file): scipy.fft itself, the same values."""
    from headshot_lint.measures import _fft
    from headshot_lint.measures.periodicity import patch_periodicity

    rng = np.random.default_rng(26)
    patches = rng.normal(0, 20, (6, 64, 64)).astype(np.float32)
    patches[:3] += 40 * np.sin(np.arange(64) * 2 * np.pi / 9)[None, None, :].astype(np.float32)
    fast = patch_periodicity(patches)
    monkeypatch.setattr(_fft, "_pocketfft", lambda: None)
    slow = patch_periodicity(patches)
    assert all(np.array_equal(a, b) for a, b in zip(fast, slow)) and fast[0][:3].min() > 0.2


def test_a_single_photo_check_imports_no_scipy_scikit_image_pydantic_or_unused_mediapipe_parts(tmp_path):
    import os
    import subprocess
    import sys

    from skimage import data
    from PIL import Image

    photo = tmp_path / "astronaut.jpg"
    Image.fromarray(data.astronaut()).save(photo, quality=90)
    src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
    code = ("import sys, atexit\n"
            "atexit.register(lambda: sys.stderr.write('MODULES ' + ' '.join(sorted(sys.modules)) + '\\n'))\n"
            "from headshot_lint.cli import main\n"
            f"sys.argv = ['headshot-lint', 'check', '--no-cache', '--format', 'json', {str(photo)!r}]\n"
            "main()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": src})
    assert out.returncode in (0, 1), out.stderr[-2000:]
    modules = set(out.stderr.split("MODULES ", 1)[1].split())
    unwanted = [m for m in ("scipy", "skimage", "matplotlib", "mediapipe.python.solutions.hands",
                            "mediapipe.tasks.python", "headshot_lint.fix", "absl", "pydantic") if m in modules]
    assert not unwanted, unwanted
