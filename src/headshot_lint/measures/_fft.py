"""The batched real 2-D FFTs of the pattern measure, through SciPy's pocketfft without ``scipy.fft``.

Importing ``scipy.fft`` pulls in ``scipy.special`` and SciPy's array-API layers: 0.15-0.25 s
of every single-photo check's start-up, for two calls. The work is done by one extension
module, ``scipy/fft/_pocketfft/pypocketfft``, which is loaded here from its file and called
exactly as ``scipy.fft.rfft2`` / ``irfft2`` call it for a NumPy array (zero padding to ``s``,
norm "backward", one worker), so the values are bit-identical (tested against SciPy). When
that file cannot be loaded (another SciPy layout) ``scipy.fft`` itself is used.
"""

from __future__ import annotations

import functools
import importlib.machinery
import importlib.util
import os
from typing import Any

import numpy as np

#: The extension's name inside SciPy (its init function is found by the last part).
_NAME = "scipy.fft._pocketfft.pypocketfft"


@functools.lru_cache(maxsize=1)
def _pocketfft() -> Any:
    """SciPy's ``pypocketfft`` extension module, or None when it cannot be loaded."""
    try:
        spec = importlib.util.find_spec("scipy")  # locates SciPy without importing it
        if spec is None or not spec.submodule_search_locations:
            return None
        folder = os.path.join(list(spec.submodule_search_locations)[0], "fft", "_pocketfft")
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(folder, "pypocketfft" + suffix)
            if os.path.isfile(path):
                loader = importlib.machinery.ExtensionFileLoader(_NAME, path)
                module = importlib.util.module_from_spec(importlib.util.spec_from_loader(_NAME, loader))
                loader.exec_module(module)
                if all(hasattr(module, f) for f in ("r2c", "c2r", "good_size")):
                    return module
    except (ImportError, OSError, AttributeError, TypeError, ValueError):
        pass
    return None


def next_fast_len(n: int) -> int:
    """``scipy.fft.next_fast_len(n, real=True)``: the smallest fast real-FFT size >= n."""
    pf = _pocketfft()
    if pf is None:
        from scipy import fft

        return int(fft.next_fast_len(n, real=True))
    return int(pf.good_size(n, True))


def rfft2(x: np.ndarray, size: int) -> np.ndarray:
    """``scipy.fft.rfft2(x, s=(size, size), workers=1)`` of float32 (N, P, P) with P <= size:
    complex64 (N, size, size // 2 + 1)."""
    pf = _pocketfft()
    if pf is None:
        from scipy import fft

        return fft.rfft2(x, s=(size, size), workers=1)
    padded = np.zeros(x.shape[:-2] + (size, size), x.dtype)
    padded[..., :x.shape[-2], :x.shape[-1]] = x
    return pf.r2c(padded, [x.ndim - 2, x.ndim - 1], True, 0, None, 1)


def irfft2(f: np.ndarray, size: int) -> np.ndarray:
    """``scipy.fft.irfft2(f, s=(size, size), workers=1)`` of a spectrum :func:`rfft2` gave
    (norm "backward": divided by size**2)."""
    pf = _pocketfft()
    if pf is None:
        from scipy import fft

        return fft.irfft2(f, s=(size, size), workers=1)
    if f.shape[-2:] != (size, size // 2 + 1):
        raise ValueError(f"expected a (..., {size}, {size // 2 + 1}) spectrum, got {f.shape}")
    return pf.c2r(np.asarray(f), [f.ndim - 2, f.ndim - 1], size, False, 2, None, 1)
