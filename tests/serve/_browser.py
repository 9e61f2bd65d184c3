"""What the headless-Chromium tests share: Playwright, Debian's ``chromium`` and its flags.

Importing this module skips the importing test module when starlette, uvicorn, the
playwright package or Debian's chromium is missing (never ``playwright install``).
"""

from __future__ import annotations

import os
import shutil

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
if CHROMIUM is None:
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

__all__ = ["ARGS", "CHROMIUM", "sync_api"]
