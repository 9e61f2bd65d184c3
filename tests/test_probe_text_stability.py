"""The text-stability probe (benchmarks/probe_text_stability.py): its knobs patch the text search
for one call and are undone after it, and its report counts flips against the photo as stored."""

from __future__ import annotations

from benchmarks import probe_text_stability as p
from headshot_lint.measures import _text_detectors as td
from headshot_lint.measures import text


def test_knobs_patch_the_text_search_and_are_restored():
    before = (text.SECOND_LOOK_SIDES, text._MIN_CONFIDENCE, text._watermarks, td.read_text)
    saved = p._apply(text, td, {"SECOND_LOOK_SIDES": (), "_MIN_CONFIDENCE": 0.9, "watermarks": False,
                                "word_chars": True})
    try:
        assert text.SECOND_LOOK_SIDES == () and text._MIN_CONFIDENCE == 0.9
        assert text._watermarks(None, ["a line"]) == [] and text._plain_watermarks(None) == []
        assert td.read_text is not before[3]
    finally:
        p._restore(text, td, saved)
    assert (text.SECOND_LOOK_SIDES, text._MIN_CONFIDENCE, text._watermarks, td.read_text) == before


def test_word_chars_keeps_letters_and_digits_of_any_script(monkeypatch):
    monkeypatch.setattr(td, "read_text", lambda rgb, box: ("-8 .·R厂", 0.7))
    saved = p._apply(text, td, {"word_chars": True})
    try:
        assert td.read_text(None, None) == ("8R厂", 0.7)
    finally:
        p._restore(text, td, saved)
    assert td.read_text(None, None) == ("-8 .·R厂", 0.7)


def test_report_counts_flips_and_gains_against_the_shipped_search(capsys, monkeypatch):
    monkeypatch.setattr(p, "SETTINGS", {"shipped": {}, "other": {}})
    rows = [{"file": "a.jpg", "text_logo": "1"}, {"file": "b.jpg", "text_logo": "0"}]
    found = {"as stored": {"shipped": 1, "other": 1}, "resave": {"shipped": 0, "other": 1},
             "shift": {"shipped": 1, "other": 1}, "scale98": {"shipped": 1, "other": 1}}
    none = {v: {"shipped": 0, "other": 0} for v in p.VERSIONS}
    p.report(rows, {"a.jpg": found, "b.jpg": none})
    out = capsys.readouterr().out
    shipped = next(line for line in out.splitlines() if line.startswith("shipped"))
    other = next(line for line in out.splitlines() if line.startswith("other"))
    assert shipped.split()[-2] == "1" and other.split()[-2] == "0"  # one flip (the resave), then none
    assert "right more often on a 3->4" in out


def test_nested_choice_picks_the_setting_better_over_the_training_photos_copies(monkeypatch):
    monkeypatch.setattr(p, "SETTINGS", {"shipped": {}, "steady": {}})
    names = [f"{i}.jpg" for i in range(20)]
    truth = [i < 10 for i in range(20)]
    # "steady" finds every photo with text on every version; "shipped" only on the photo as stored
    data = {n: {v: {"shipped": int(t and v == "as stored"), "steady": int(t)} for v in p.VERSIONS}
            for n, t in zip(names, truth)}
    pooled, chosen = p.nested_pooled(truth, names, data, seed=0)
    assert chosen == ["steady"] * 5
    assert (pooled.tp, pooled.fp, pooled.fn) == (40, 0, 0)
