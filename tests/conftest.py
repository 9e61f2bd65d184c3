"""Shared test helpers: scenes from arrays, the real-face composites, and
``assert_in_range`` whose failure names the photo, the rule and the numbers."""

from __future__ import annotations

import functools
import os
import socket
from pathlib import Path

import numpy as np
import pytest

from headshot_lint.load import load
from headshot_lint.scene import Scene

ARTIFACTS = Path(os.environ.get("HEADSHOT_LINT_TEST_ARTIFACTS", Path(__file__).resolve().parents[1] / "artifacts"))


def scene_of(rgb: np.ndarray) -> Scene:
    """A Scene for an RGB uint8 array (analysis-size rules apply)."""
    return Scene(load(np.ascontiguousarray(rgb)))


@functools.lru_cache(maxsize=None)
def astronaut() -> np.ndarray:
    """scikit-image's astronaut (NASA, public domain), uint8 (512, 512, 3)."""
    from skimage import data

    img = data.astronaut()
    img.flags.writeable = False
    return img


#: The skin-toned wall of :func:`astronaut_on_wall`: background-tone and contrast fail there.
SKIN_WALL = (200, 160, 130)


def astronaut_on(background: np.ndarray) -> np.ndarray:
    """The astronaut cut out with the person matte and put on ``background`` (float or
    uint8, (512, 512, 3) or broadcastable), uint8 (512, 512, 3)."""
    from headshot_lint.perception.segment import person_matte

    rgb = astronaut()
    a = person_matte(np.ascontiguousarray(rgb))[..., None]
    return np.rint(rgb * a + np.asarray(background, np.float32) * (1 - a)).astype(np.uint8)


@functools.lru_cache(maxsize=None)
def astronaut_on_wall(colour: tuple = SKIN_WALL) -> np.ndarray:
    """The astronaut on a flat wall of ``colour`` (:func:`astronaut_on`): a photo whose
    background a retouch can replace cleanly (the astronaut's own backdrop, a flag and a
    dark studio, leaves remnants a copy may not keep)."""
    out = astronaut_on(np.asarray(colour, np.float32))
    out.flags.writeable = False
    return out


def assert_in_range(value: float, lo: float, hi: float, *, photo: str, code: str, unit: str,
                    name: str = "value", overlay: np.ndarray | None = None) -> None:
    """Fail with ``HL101 on shelves-seed3.png: clutter=0.412 (fraction), expected [0.05, 0.20]``;
    an optional overlay image is saved to the artifacts folder to look at."""
    if lo <= value <= hi:
        return
    if overlay is not None:
        import cv2

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(ARTIFACTS / f"{code}-{photo}.png"), cv2.cvtColor(overlay, cv2.COLOR_RGB2BGR))
    pytest.fail(f"{code} on {photo}: {name}={value:.3f} ({unit}), expected [{lo:g}, {hi:g}]")


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""

    def guard(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(socket.socket, "connect_ex", guard)
    monkeypatch.setattr(socket, "create_connection", guard)
    monkeypatch.setattr(socket, "getaddrinfo", guard)
    yield
