"""Worker processes keep freed image buffers instead of faulting them in again for every photo."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

_PROBE = """
import json, resource, sys
import numpy as np
from headshot_lint import _worker_setup
tuned = _worker_setup.keep_freed_memory() if sys.argv[1] == "tuned" else None
def cycle():
    for _ in range(40):  # like an audit: a few float images made, used together and freed, again and again
        arrays = [np.ones((480, 640, 3), np.float32) for _ in range(4)]
        del arrays
cycle()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
cycle()
print(json.dumps({"tuned": tuned, "faults": resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before}))
"""


def _faults(mode: str) -> dict:
    out = subprocess.run([sys.executable, "-c", _PROBE, mode], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's")
def test_kept_buffers_are_not_faulted_in_again():
    """With the thresholds set, re-allocating freed 3.7 MB buffers costs (almost) no page faults; by default
    glibc trims them off the heap and the next photo faults every page in again."""
    default, tuned = _faults("default"), _faults("tuned")
    if tuned["tuned"] is False:
        pytest.skip("this C library has no mallopt")
    assert default["faults"] > 40 * 4 * 500  # each 3.7 MB buffer (900 pages) is mapped and zeroed again
    assert tuned["faults"] < default["faults"] / 20


def test_prepare_sets_one_opencv_thread_in_its_process():
    """prepare() leaves OpenCV with one thread: the pool's processes are the parallelism."""
    code = ("import cv2; from headshot_lint import _worker_setup; _worker_setup.prepare(); "
            "print(cv2.getNumThreads())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_prepare_leaves_every_loaded_openblas_with_one_thread():
    """numpy's (and SciPy's) OpenBLAS start a thread per core for a product and let it spin:
    in a worker each is limited to one, read back through the library's own getter."""
    code = """
import ctypes, json
import numpy as np, scipy.linalg
np.ones((64, 64)) @ np.ones((64, 64))
from headshot_lint import _worker_setup
limited = _worker_setup.one_blas_thread()
counts = []
for path in sorted({l.split()[-1] for l in open('/proc/self/maps') if 'openblas' in l.lower() and '/' in l}):
    lib = ctypes.CDLL(path)
    for name in ('openblas_get_num_threads64_', 'openblas_get_num_threads', 'scipy_openblas_get_num_threads64_',
                 'scipy_openblas_get_num_threads'):
        if hasattr(lib, name):
            counts.append(getattr(lib, name)())
            break
print(json.dumps({"limited": limited, "threads": counts}))
"""
    out = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    if not out["threads"]:
        pytest.skip("numpy here is not built on OpenBLAS")
    assert out["limited"] >= 1 and set(out["threads"]) == {1}, out
