"""The serve page's layout in headless Chromium at phone, tablet, laptop and desktop widths:
nothing overflows, evidence boxes never cover what they point at, badges and bars line up.

Uses Debian's ``chromium`` (``apt-get install chromium``) through Playwright's Python
package, as ``test_e2e.py``; skips when either is missing.
"""

from __future__ import annotations

import os

import pytest

from tests.serve._browser import ARGS, CHROMIUM, sync_api  # first: skips without starlette or Chromium

from fixtures.generate import render  # noqa: E402
from headshot_lint.serve.app import create_app  # noqa: E402
from tests.serve import jpeg, running  # noqa: E402

WIDTHS = (360, 800, 1300, 1920)

#: Per element checked: the elements whose content is wider than their box, by selector.
_OVERFLOWS = """() => {
  const out = [];
  for (const e of document.querySelectorAll('button, .badge, .rule-name, .rule-val, .score, .card-head h2, .hex')) {
    if (e.scrollWidth > e.clientWidth + 1) out.push(e.className + ': ' + e.textContent.trim().slice(0, 40));
  }
  return out;
}"""


@pytest.fixture(scope="module")
def loaded_page(tmp_path_factory):
    """One page with a photo whose skin-tone-camouflage finding is an error with evidence boxes."""
    path = tmp_path_factory.mktemp("layout") / "skin-tone-bg.jpg"
    path.write_bytes(jpeg(render("skin-tone-bg", 2)[0], quality=92))
    with running(create_app(warm=False)) as url, sync_api.sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except Exception as exc:  # noqa: BLE001 - a chromium Playwright cannot drive
            pytest.skip(f"chromium at {CHROMIUM} could not be started by Playwright: {exc}")
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.goto(url + "/")
        page.set_input_files("#files", [str(path)])
        page.wait_for_selector(".card.done", timeout=90_000)
        yield page
        browser.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_overflows(loaded_page, width, tmp_path):
    page = loaded_page
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_timeout(100)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(_OVERFLOWS) == []
    # "Download with retouching" fits its button at every width (it overflowed at 1300 px)
    for button in page.locator("button.dl").all():
        box = button.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width
        assert button.evaluate("e => e.scrollWidth <= e.clientWidth")
    if os.environ.get("HEADSHOT_LINT_TEST_ARTIFACTS"):
        page.screenshot(path=os.path.join(os.environ["HEADSHOT_LINT_TEST_ARTIFACTS"], f"serve-{width}.png"),
                        full_page=True)


def test_error_evidence_boxes_are_outlines_not_blocks(loaded_page):
    """An error's evidence box is transparent inside, without the page's error-message padding."""
    page = loaded_page
    page.set_viewport_size({"width": 1300, "height": 900})
    boxes = page.locator(".rg.error")
    assert boxes.count() >= 1
    for b in boxes.all():
        style = b.evaluate("e => { const s = getComputedStyle(e); "
                           "return [s.backgroundColor, s.paddingLeft, s.borderLeftWidth, s.borderTopWidth]; }")
        assert style[0] == "rgba(0, 0, 0, 0)", style
        assert style[1] == "0px" and style[2] == style[3], style


def test_badges_and_score_bars_line_up_on_every_row(loaded_page):
    """The ERROR row's badge and bar start where every other row's do."""
    page = loaded_page
    page.set_viewport_size({"width": 1300, "height": 900})
    assert page.locator(".badge.error").count() >= 1
    badge_x = {round(b.bounding_box()["x"]) for b in page.locator(".rule .badge").all()}
    bar_x = {round(b.bounding_box()["x"]) for b in page.locator(".rule .bar").all()}
    badge_w = {round(b.bounding_box()["width"]) for b in page.locator(".rule .badge").all()}
    assert len(badge_x) == 1 and len(bar_x) == 1 and len(badge_w) == 1, (badge_x, bar_x, badge_w)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_fix_s_explanation_is_never_squeezed_beside_its_button(loaded_page, width):
    """Beside its download button a fix's explanation keeps a readable width, or it wraps below
    the button; at 800 px it was a column a word wide beside "Download with retouching"."""
    page = loaded_page
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_timeout(100)
    rows = page.locator(".fix-row").all()
    assert rows
    for row in rows:
        info, button = row.locator(".fix-info").bounding_box(), row.locator("button.dl").bounding_box()
        below = info["y"] >= button["y"] + button["height"] - 1
        assert below or info["width"] >= 200, (width, info, button)
