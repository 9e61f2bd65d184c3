"""The text-evidence probe's rule family decides as its docstring says (synthetic evidence)."""

from benchmarks.probe_text_evidence import SIDES, flagged


def _evidence(shipped=0, looks=None, density=0.2):
    return {"bgfrac": 0.5, "density": density, "shipped": shipped,
            "looks": {s: (looks or {}).get(s, []) for s in SIDES}}


def _line(read=None, score=0.9, height=12.0, offp=1.0):
    return {"score": score, "height": height, "offp": offp, "read": read}


def test_a_legible_line_at_a_chosen_look_flags_and_a_repeated_character_does_not():
    rule = (0.5, 2, (640,), 0, 384, False)
    assert flagged(_evidence(looks={640: [_line(("EXIT", 0.8))]}), rule)
    assert not flagged(_evidence(looks={640: [_line(("0000", 0.9))]}), rule)
    assert not flagged(_evidence(looks={640: [_line(("EXIT", 0.3))]}), rule)
    assert not flagged(_evidence(looks={384: [_line(("EXIT", 0.8))]}), rule)  # not a look the rule reads


def test_counted_lines_and_the_shipped_search_and_plain_backgrounds():
    two = _evidence(looks={384: [_line(), _line()]})
    assert flagged(two, (0.5, 2, (640,), 2, 384, False))
    assert not flagged(two, (0.5, 2, (640,), 3, 384, False))
    assert not flagged(_evidence(looks={384: [_line(), _line()]}, density=0.001), (0.5, 2, (640,), 2, 384, False))
    assert flagged(_evidence(shipped=1), (0.5, 2, (640,), 0, 384, True))
    assert not flagged(_evidence(shipped=1), (0.5, 2, (640,), 0, 384, False))
