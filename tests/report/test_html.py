"""HTML report: self-contained, overlays from regions, filters; renders in headless Chromium."""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from headshot_lint.report import html

from ._sample import reports, rules


def _thumb(path: str) -> str:
    rgb = np.zeros((160, 120, 3), np.uint8)
    rgb[:, :, 2] = 200
    rgb[40:90, 40:80] = (230, 180, 150)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _page() -> str:
    return html.render(reports(), rules(), thumbnail=_thumb)


def test_self_contained():
    """No external resource: every src/href/url() is a data URI or a fragment."""
    page = _page()
    refs = re.findall(r'(?:src|href)="([^"]*)"', page) + re.findall(r"url\(([^)]*)\)", page)
    assert refs and all(r.startswith("data:") for r in refs)
    assert "http://" not in page.replace("http-equiv", "")


def test_overlays_and_previews():
    """One overlay box per finding region, positioned in percent; 48 px and 32 px previews per card."""
    page = _page()
    assert page.count('class="rg ') == 4
    assert "left:20.00%;top:10.00%;width:40.00%;height:40.00%" in page
    assert page.count('class="p48"') == page.count('class="p32"') == 3
    assert 'data-sevs="error warning info"' in page and 'data-sevs=""' in page


def test_escapes_names_and_messages():
    """File names are escaped (non-UTF-8 bytes as \\xNN) and the page encodes as UTF-8."""
    page = _page()
    page.encode("utf-8")
    assert "team/caf\\xe9.jpg" in page


def _screenshot(chromium: str, url: str, shot: Path) -> np.ndarray:
    profile = tempfile.mkdtemp()
    try:
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run",
                        f"--user-data-dir={profile}", f"--screenshot={shot}", "--window-size=1280,900", url],
                       check=True, capture_output=True, timeout=60)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return np.asarray(Image.open(shot).convert("RGB")).astype(int)


def test_renders_in_headless_chromium(tmp_path):
    """Chromium renders the page (header, thumbnails) and the inline filter script hides cards."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium not installed (apt-get install -y chromium) - cannot check the rendering")
    page = tmp_path / "report.html"
    page.write_text(_page(), encoding="utf-8")
    shot = tmp_path / "shot.png"
    img = _screenshot(chromium, page.as_uri(), shot)
    assert img.shape[:2] == (900, 1280)
    assert img[20:60, 20:400].mean() < 80, "dark header missing"
    assert img.std() > 20, "page looks blank"
    # the blue thumbnail of the first card is drawn (CSS background from the data URI)
    blue = (img[:, :, 2] > 150) & (img[:, :, 0] < 60)
    assert blue.sum() > 2000, "thumbnail not drawn"
    # no severity and no clean photos selected from the URL: no card left (the script ran)
    hidden = _screenshot(chromium, page.as_uri() + "#sev=none&clean=0", tmp_path / "none.png")
    assert ((hidden[:, :, 2] > 150) & (hidden[:, :, 0] < 60)).sum() < 50, "filter script did not run"
    if os.environ.get("HEADSHOT_LINT_TEST_ARTIFACTS"):
        shutil.copy(shot, Path(os.environ["HEADSHOT_LINT_TEST_ARTIFACTS"]) / "html-report.png")
