"""Hostile inputs (made by tests/hostile/_make.py): each gives a specific error or loads
correctly, and a batch of all of them still reports every file and judges the good one."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from headshot_lint import _imageio
from headshot_lint.engine import audit
from headshot_lint.errors import LoadError
from headshot_lint.load import load
from headshot_lint.rules import load_pack

from tests.hostile import _make

SRC = str(Path(__file__).resolve().parents[2] / "src")


@functools.lru_cache(maxsize=None)
def _payloads() -> dict:
    return {h.name: h for h in _make.payloads()}


@functools.lru_cache(maxsize=None)
def _load_rules() -> tuple:
    """Only HL001: the audit tests here are about reading, not judging (and stay fast)."""
    return tuple(load_pack("default").select(["HL001"], None))


NAMES = sorted(_payloads())


@pytest.mark.parametrize("name", NAMES)
def test_hostile_payload_loads_or_fails_with_a_specific_message(name):
    """Every hostile payload either loads to upright uint8 RGB or raises the documented LoadError saying what is wrong."""
    h = _payloads()[name]
    if h.error is None:
        photo = load(h.data)
        assert photo.rgb.dtype == np.uint8 and photo.rgb.ndim == 3 and photo.rgb.shape[2] == 3
        return
    with pytest.raises(h.error) as info:
        load(h.data)
    assert re.search(h.match, str(info.value)), f"{name}: {info.value}"


@pytest.mark.parametrize("name", [n for n in NAMES if _payloads()[n].error is not None])
def test_hostile_payload_audit_never_raises_and_reports_why(name):
    """audit() of a hostile payload returns an unreadable-image (HL001) finding carrying the load message."""
    h = _payloads()[name]
    report = audit(h.data, rules=_load_rules())
    (finding,) = report.findings
    assert finding.code == "HL001" and finding.severity == "error"
    assert re.search(h.match, finding.detail), finding.detail  # the technical reason; the message says it in words


def _mad(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).mean())


@pytest.mark.parametrize("thumb", [False, True], ids=["no-thumbnail", "thumbnail"])
@pytest.mark.parametrize("k", range(1, 9))
def test_exif_orientation_with_and_without_thumbnail_is_upright(k, thumb):
    """Orientation 1-8 (with an IFD1 JPEG thumbnail inside the EXIF too) loads upright at the upright size."""
    upright = np.asarray(_make.photo(), np.uint8)  # 96x72, asymmetric scene
    photo = load(_make.oriented_jpeg(k, thumb))
    assert photo.original_size == (96, 72)
    assert photo.rgb.shape == upright.shape
    assert _mad(photo.rgb, upright) < 4.0, f"orientation {k}: not upright"


def test_exif_thumbnail_is_not_what_gets_analysed():
    """The photo, not the small EXIF thumbnail, is decoded (size and pixels match the main image)."""
    with_thumb = load(_make.oriented_jpeg(6, True))
    without = load(_make.oriented_jpeg(6, False))
    assert with_thumb.rgb.shape == without.rgb.shape and _mad(with_thumb.rgb, without.rgb) < 1.0


def test_animated_gif_and_webp_and_multipage_tiff_use_the_first_frame():
    """Animated GIF/WebP give their first (red) frame; a multi-page TIFF its first page's size."""
    for name in ("animated.gif", "animated.webp"):
        rgb = load(_payloads()[name].data).rgb
        r, g, b = rgb.reshape(-1, 3).mean(axis=0)
        assert r > 150 and g < 80 and b < 80, (name, r, g, b)
    assert load(_payloads()["multipage.tiff"].data).original_size == (64, 48)


def test_wrong_extension_is_judged_by_content(tmp_path):
    """A PNG named .jpg and a JPEG named .png load by their content, not their name."""
    for name, fmt in (("png-named.jpg", "PNG"), ("jpeg-named.png", "JPEG")):
        path = tmp_path / name
        path.write_bytes(_payloads()[name].data)
        assert load(path).format == fmt


def test_cmyk_and_ycck_jpegs_load_as_rgb():
    """CMYK and YCCK (Adobe transform 2) JPEGs decode to RGB at full size."""
    for name in ("cmyk.jpg", "ycck.jpg"):
        photo = load(_payloads()[name].data)
        assert photo.rgb.shape == (72, 96, 3) and photo.rgb.std() > 5, name


def test_file_cut_inside_its_signature_names_the_format():
    """Two bytes of JPEG or four of PNG are a truncated JPEG/PNG, not 'unrecognised binary data'."""
    for data, fmt in ((b"\xff\xd8", "JPEG"), (b"\x89PNG", "PNG")):
        with pytest.raises(LoadError, match=f"truncated or corrupt {fmt}"):
            load(data)


# ---------------------------------------------------------------- file-system oddities


def test_directory_named_like_an_image(tmp_path):
    """A directory called photo.jpg is a read error that says it is a directory."""
    d = tmp_path / "photo.jpg"
    d.mkdir()
    with pytest.raises(LoadError, match="Is a directory"):
        load(d)


def test_symlink_loop_and_dangling_symlink(tmp_path):
    """A symlink pointing at itself and one pointing nowhere give specific read errors."""
    loop = tmp_path / "loop.jpg"
    os.symlink("loop.jpg", loop)
    with pytest.raises(LoadError, match="Too many levels of symbolic links"):
        load(loop)
    dangling = tmp_path / "dangling.jpg"
    os.symlink("nowhere.jpg", dangling)
    with pytest.raises(LoadError, match="No such file"):
        load(dangling)


def test_unreadable_file_via_failing_open(tmp_path, monkeypatch):
    """When opening is refused (as for a file without read permission) the error says so; audit reports it."""
    path = tmp_path / "locked.jpg"
    path.write_bytes(_payloads()["png-named.jpg"].data)
    real_open = os.open

    def refuse(file, *args, **kwargs):
        if os.fspath(file) == str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(_imageio.os, "open", refuse)
    with pytest.raises(LoadError, match="Permission denied"):
        load(path)
    (finding,) = audit(path, rules=_load_rules()).findings
    assert "Permission denied" in finding.detail


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_file_via_permissions(tmp_path):
    """A chmod 000 file gives 'Permission denied'."""
    path = tmp_path / "locked.jpg"
    path.write_bytes(_payloads()["png-named.jpg"].data)
    os.chmod(path, 0)
    with pytest.raises(LoadError, match="Permission denied"):
        load(path)


@pytest.mark.parametrize("name", _make.ODD_NAMES, ids=["space", "newline", "non-utf8", "emoji"])
def test_awkward_file_names_load(tmp_path, name):
    """Names with a space, a newline, non-UTF-8 bytes or an emoji open like any other."""
    path = os.path.join(str(tmp_path), name)
    with open(path, "wb") as fh:
        fh.write(_payloads()["png-named.jpg"].data)
    assert load(path).rgb.shape == (72, 96, 3)


def test_fifo_named_like_an_image_does_not_block(tmp_path):
    """A named pipe called .jpg that nobody writes to is refused as not a regular file at once
    (opening it for reading used to wait for a writer for ever); a device likewise. In a
    subprocess with a timeout, so a regression fails instead of hanging the suite."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    code = ("import sys; from headshot_lint.load import load; from headshot_lint.errors import NotAFileError\n"
            "for p in sys.argv[1:]:\n"
            "    try:\n        load(p)\n    except NotAFileError as e:\n        print(e)\n")
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    r = subprocess.run([sys.executable, "-c", code, str(fifo), "/dev/zero"], capture_output=True, text=True,
                       env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "not a regular file (a pipe)" in r.stdout and "not a regular file (a device)" in r.stdout, r.stdout


# ---------------------------------------------------------------- the whole batch, through the CLI


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("hostile") / "batch")
    return folder, _make.write_folder(folder, list(_payloads().values()))


def _run_cli(args, cwd):
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "headshot_lint", "check", *args, "--format", "json",
                           "--select", "HL0"], capture_output=True, env=env, cwd=cwd, timeout=240)


def _check_batch(proc, expected):
    assert b"Traceback" not in proc.stderr, proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 1, proc.stderr.decode("utf-8", "replace")
    doc = json.loads(proc.stdout.decode("utf-8"))  # valid UTF-8 JSON, whatever the file names
    reports = {p["path"]: p for p in doc["photos"]}
    by_name = {os.path.basename(p): r for p, r in reports.items()}
    good = by_name[_make.GOOD_NAME]
    assert not any(f["code"] == "HL001" for f in good["findings"]) and good["score"] > 0
    assert "no-face" in good["scores"]  # judged: face detection ran on it
    for path, h in expected.items():
        name = os.path.basename(path)
        key = name if name in by_name else name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        assert key in by_name or any(name in p or key in p for p in reports), f"{name!r} missing from the report"
    return by_name


def test_batch_of_every_hostile_file_reports_each_and_judges_the_good_one(hostile_folder, tmp_path):
    """check <folder> plus the non-image files by name: exit 1 not 2, no traceback, every file reported, good.jpg judged."""
    from headshot_lint.discover import is_image

    folder, written = hostile_folder
    # A folder walk reports the files whose content is an image; files that are not images
    # (empty, text, symlink loop, dangling link...) are named explicitly, so every one is reported.
    explicit = [os.fsencode(p) for p in written if not is_image(p)]
    by_name = _check_batch(_run_cli([folder, *explicit], cwd=str(tmp_path)), written)
    checks = [(h.name, h.match) for h in _payloads().values() if h.error is not None]
    checks += [*_make.FS_OBJECTS.items(), ("empty.jpg", r"empty file")]
    for name, pattern in checks:
        (finding,) = [f for f in by_name[name]["findings"] if f["code"] == "HL001"]
        assert re.search(pattern, finding["detail"]), (name, finding["detail"])  # the technical reason
