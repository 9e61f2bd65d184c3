"""The page in headless Chromium against the real server: upload, read the verdict, download a fix.

Uses Debian's ``chromium`` (``apt-get install chromium``) through Playwright's Python
package; never ``playwright install``. Skips when either is missing.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.serve._browser import ARGS, CHROMIUM, sync_api  # first: skips without starlette or Chromium

from fixtures.generate import render  # noqa: E402
from headshot_lint.serve.app import create_app  # noqa: E402
from tests.serve import jpeg, running  # noqa: E402


@pytest.fixture(scope="module")
def page_url():
    with running(create_app(warm=False)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        try:
            b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except Exception as exc:  # noqa: BLE001 - a chromium Playwright cannot drive
            pytest.skip(f"chromium at {CHROMIUM} could not be started by Playwright: {exc}")
        yield b
        b.close()


def test_page_shows_verdicts_previews_tone_and_downloads_a_fix(page_url, browser, tmp_path):
    """Two photos and a non-image dropped at once: scores, rule names, swatch hex, an error card, a download."""
    files = []
    for cls in ("busy-scene", "low-contrast-grey"):
        path = tmp_path / f"{cls}.jpg"
        path.write_bytes(jpeg(render(cls, 3)[0], quality=92))
        files.append(str(path))
    bad = tmp_path / "notes.jpg"
    bad.write_bytes(b"meeting notes, not a photo")
    files.append(str(bad))

    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    requests, problems = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(page_url + "/")
    page.set_input_files("#files", files)
    sync_api.expect(page.locator(".card.done, .card.failed")).to_have_count(3, timeout=90_000)

    failed = page.locator(".card.failed")
    assert failed.count() == 1
    assert "not an image" in failed.locator(".error").inner_text().lower()

    busy = page.locator(".card.done", has_text="busy-scene.jpg")
    score = int(busy.locator(".score-num").inner_text())
    assert 0 <= score <= 100
    assert "busy-background" in busy.locator(".rules").inner_text()
    assert busy.locator(".rule").count() >= 10
    hex_ = busy.locator(".hex").inner_text()
    assert re.fullmatch(r"#[0-9A-F]{6}", hex_)
    r, g, b = (int(hex_[i:i + 2], 16) for i in (1, 3, 5))
    assert busy.locator(".swatch").evaluate("e => getComputedStyle(e).backgroundColor") == f"rgb({r}, {g}, {b})"
    for cls, px in (("p32", 32), ("p48", 48)):
        assert busy.locator(f"img.{cls}").evaluate("e => [e.naturalWidth, e.width]") == [px, px]

    flagged = busy.locator(".rule.has-regions").first  # clicking a rule lights its evidence
    flagged.locator(".rule-line").click()
    assert busy.locator(".rg.lit").count() >= 1 and flagged.locator(".explain").is_visible()

    grey = page.locator(".card.done", has_text="low-contrast-grey.jpg")
    assert "small-size-contrast" in grey.locator(".rule.warning, .rule.error").all_inner_texts().__str__()
    button = grey.locator("button.dl.retouch")
    assert button.is_enabled()
    with page.expect_download(timeout=60_000) as dl:
        button.click()
    assert dl.value.suggested_filename == "low-contrast-grey-retouched.jpg"
    assert os.path.getsize(dl.value.path()) > 1000
    shown = grey.locator(".before-after img")  # the original and the copy side by side
    sync_api.expect(shown).to_have_count(2, timeout=10_000)
    assert all(w > 0 for w in shown.evaluate_all("els => els.map(e => e.naturalWidth)"))
    assert "Score" in grey.locator(".fix-row.retouch .fix-status").inner_text()

    local = [u for u in requests if not u.startswith((page_url, "data:", "blob:"))]
    assert local == [], f"the page fetched outside this server: {local}"
    assert not [p for p in problems if "Content Security Policy" in p], problems
    page.close()


def test_phone_width_has_no_horizontal_scroll(page_url, browser, tmp_path):
    """At 390 px the result fits the screen width (no sideways scrolling)."""
    path = tmp_path / "studio-clean.jpg"
    path.write_bytes(jpeg(render("studio-clean", 3)[0]))
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(page_url + "/")
    page.set_input_files("#files", [str(path)])
    page.wait_for_selector(".card.done", timeout=90_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()
