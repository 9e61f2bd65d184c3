"""Thumbnails for the HTML report: pixels as base64 JPEG data URIs (I/O only, no analysis)."""

from __future__ import annotations

import base64
import io
from typing import Optional

from ..errors import LoadError

THUMB_LONG_SIDE = 360  # px: sharp at the card's 240 px on a 1.5x screen


def data_uri(path: str, long_side: int = THUMB_LONG_SIDE) -> Optional[str]:
    """``data:image/jpeg;base64,...`` of the upright photo at ``long_side`` px, or None if unreadable."""
    from PIL import Image

    from ..load import load

    try:
        photo = load(path, long_side=long_side)
    except (LoadError, OSError, ValueError):
        return None
    buf = io.BytesIO()
    Image.fromarray(photo.rgb).save(buf, format="JPEG", quality=82, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
