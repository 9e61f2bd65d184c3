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
    assert refs and all(r.startswith(("data:", "#")) for r in refs) and any(r.startswith("data:") for r in refs)
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
    def blue(shot: np.ndarray) -> int:  # the thumbnail's (0, 0, 200), not the overview's blue links
        return int(((shot[:, :, 2] > 170) & (shot[:, :, 0] < 30) & (shot[:, :, 1] < 30)).sum())

    assert blue(img) > 2000, "thumbnail not drawn"
    # no severity and no clean photos selected from the URL: no card left (the script ran)
    hidden = _screenshot(chromium, page.as_uri() + "#sev=none&clean=0", tmp_path / "none.png")
    assert blue(hidden) < 50, "filter script did not run"
    if os.environ.get("HEADSHOT_LINT_TEST_ARTIFACTS"):
        shutil.copy(shot, Path(os.environ["HEADSHOT_LINT_TEST_ARTIFACTS"]) / "html-report.png")


# ---- interactions, in headless Chromium through Playwright (skipped without either) ---------------

def _browser_page(tmp_path, page_html: str, width: int = 1300):
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    path = tmp_path / "report.html"
    path.write_text(page_html, encoding="utf-8")
    pw = sync_api.sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
    except Exception as exc:  # noqa: BLE001 - a chromium Playwright cannot drive
        pw.stop()
        pytest.skip(f"chromium could not be started by Playwright: {exc}")
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return pw, browser, page, path, errors


def _names(page) -> list:
    return page.eval_on_selector_all(".card:not(.hidden)", "cs => cs.map(c => c.dataset.name)")


def test_search_sort_state_in_url_and_lightbox(tmp_path):
    """Search by file name, sort by score, the state written to the URL and read back, a
    thumbnail opens large with its boxes, and no script error."""
    from headshot_lint.gate import FailUnder

    gate = FailUnder(40.0, {"team/ann.jpg": 30.0})
    with html.Writer(rules(), thumbnail=_thumb, fail_under=gate) as w:
        for r in reports():
            w.add(r)
        page_html = w.render()
    pw, browser, page, path, errors = _browser_page(tmp_path, page_html)
    try:
        page.goto(path.as_uri())
        assert "under --fail-under 40" in page.locator(".gate").inner_text()
        assert _names(page) == ["team/ann.jpg", "team/bob.png", "team/caf\\xe9.jpg"]
        page.select_option("#f-sort", "-score")
        assert _names(page)[0] == "team/bob.png"
        page.fill("#f-q", "ANN")
        assert _names(page) == ["team/ann.jpg"]
        assert "q=ANN" in page.url and "sort=-score" in page.url
        again = browser.new_page()
        again.goto(page.url)  # the state comes back from the URL
        assert again.input_value("#f-q") == "ANN" and _names(again) == ["team/ann.jpg"]
        page.click(".card:not(.hidden) .shot")
        assert page.locator("#lb.open img").count() == 1
        assert page.locator("#lb.open .rg").count() == 3  # the photo's three evidence boxes
        page.keyboard.press("Escape")
        assert page.locator("#lb.open").count() == 0
        page.focus(".card:not(.hidden) .shot")  # and from the keyboard
        page.keyboard.press("Enter")
        assert page.locator("#lb.open .rg").count() == 3
        assert errors == []
    finally:
        browser.close()
        pw.stop()


@pytest.mark.parametrize("width", [360, 800, 1300, 1920])
def test_no_horizontal_overflow(tmp_path, width):
    pw, browser, page, path, errors = _browser_page(tmp_path, _page(), width)
    try:
        page.goto(path.as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert errors == []
    finally:
        browser.close()
        pw.stop()


def test_detail_and_tone_swatch_are_shown():
    """The finding's detail is on the card, and the recommended tone as a swatch."""
    import dataclasses

    from headshot_lint.model import Measurement, score_text

    bad = reports()[0]
    f = dataclasses.replace(bad.findings[0], detail="ratio 1.148, passes above 1.150")
    bad = dataclasses.replace(bad, findings=(f,) + bad.findings[1:], measurements={
        "small_size_contrast": Measurement("small_size_contrast", details={"recommended_hex": "#808080",
                                                                          "recommended_name": "medium grey"})})
    page = html.render([bad], rules(), thumbnail=_thumb)
    assert '<div class="detail">ratio 1.148, passes above 1.150</div>' in page
    assert 'class="swatch" style="background:#808080"' in page and "medium grey" in page
    assert score_text(bad.score) in page  # "30/100 fair": the verdict in the one wording


def test_summary_counts_read_as_english():
    """The header says "1 photo" and "1 error", not "1 photos" / "1 errors"; plurals stay plural."""
    one = html.render(reports()[2:], rules(), thumbnail=_thumb)
    header = re.search(r'<div class="sum".*?</div>', one).group(0)
    assert "<span>1 photo</span>" in header and "<span>1 error</span>" in header
    assert "<span>0 warnings</span>" in header
    assert "<span>3 photos</span>" in re.search(r'<div class="sum".*?</div>', _page()).group(0)


def test_overview_counts_verdicts_and_the_photos_each_rule_flags():
    """Above the cards, a batch's verdicts (ann and the non-UTF-8 one fair at 30, bob good) and
    per rule the photos it flags at their worst severity, most first; one photo has none."""
    page = _page()
    overview = re.search(r'<details class="overview".*?</details>', page).group(0)
    legend = re.search(r'<div class="vlegend">.*?</div>', overview).group(0)
    assert "1 good (33%)" in legend and "2 fair (67%)" in legend and "poor" not in legend
    rows = re.findall(r'data-rule="(HL\d+)">HL\d+</a></td><td class="name">[^<]*</td><td class="n">(\d+)</td>',
                      overview)
    last = [r.code for r in rules()][-1]
    assert rows[0] == (last, "2") and len(rows) == 3 and all(n == "1" for _, n in rows[1:])
    assert "67% · 2 error" in overview and 'class="fill note"' in overview  # an info-only rule in blue
    assert '<details class="overview"' not in html.render(reports()[:1], rules(), thumbnail=_thumb)


def test_a_rule_in_the_overview_filters_the_cards(tmp_path):
    """Clicking a rule's code in the overview shows only the photos it flags, as the rule menu does."""
    pw, browser, page, path, errors = _browser_page(tmp_path, _page())
    try:
        page.goto(path.as_uri())
        second = [r.code for r in rules()][-2]
        page.click(f'.overview a[data-rule="{second}"]')
        assert _names(page) == ["team/ann.jpg"]
        assert page.input_value("#f-rule") == second and f"rule={second}" in page.url
        assert errors == []
    finally:
        browser.close()
        pw.stop()
