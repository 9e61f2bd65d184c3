"""``headshot-lint serve``: a local web page to drop photos on and see the verdict.

Needs the optional ``serve`` extra (Starlette + uvicorn): ``pip install 'headshot-lint[serve]'``.
Photos are audited in memory and forgotten with the response; nothing is written to disk.
"""

from __future__ import annotations

#: Default upload limit, MB (a 12 MP camera JPEG is 4-8 MB).
DEFAULT_MAX_UPLOAD_MB = 30.0

__all__ = ["DEFAULT_MAX_UPLOAD_MB"]
