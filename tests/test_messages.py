"""Messages speak to a person first; the value against the threshold is the quieter detail,
and rounding never makes the two look equal or inverted."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from headshot_lint import audit
from headshot_lint._templates import fill
from headshot_lint.rules import load_pack

ROUNDED_ALIKE = [  # (value, threshold, spec): what issue 23 saw, and neighbours
    (1.148, 1.15, ".2f"),
    (0.114, 0.108, ".0%"),
    (30.04, 30.0, ".1f"),
    (-1.46, -1.471, "+.1f"),
    (0.8409, 0.841, ".0%"),
]


@pytest.mark.parametrize("value,threshold,spec", ROUNDED_ALIKE)
def test_value_and_threshold_never_print_alike_or_inverted(value, threshold, spec):
    """The precision widens for both until they differ, on the right side of each other."""
    text = fill(f"{{value:{spec}}}|{{to_pass:{spec}}}|{{threshold:{spec}}}",
                {"value": value, "to_pass": threshold, "threshold": threshold})
    shown_value, shown_pass, shown_threshold = (float(t.rstrip("%")) for t in text.split("|"))
    assert shown_value != shown_pass and shown_pass == shown_threshold, text
    assert (shown_value < shown_pass) == (value < threshold), text


def test_fill_keeps_an_unknown_placeholder_visible_and_other_fields_as_written():
    assert fill("{value:.1f} of {name} {nope}", {"value": 2.0, "name": "x"}) == "2.0 of x {nope}"


def test_engine_quotes_what_it_takes_to_pass_not_the_error_threshold():
    """An error-severity finding's detail quotes the warning threshold (what passing needs)."""
    pack = load_pack("default")
    rule = pack.find("HL303")
    assert rule.error is not None and rule.warning is not None and "{to_pass" in rule.detail
    from headshot_lint.engine import _finding
    from headshot_lint.model import ERROR, Measurement

    m = Measurement("skin_tone_camouflage", {"delta_e": 3.0, "delta_e_ring": 3.0, "skin_like_fraction": 0.5,
                                             "delta_l": 1.0}, details={"skin_hex": "#c08060", "background_hex": "#c08262"})
    f = _finding(rule, m, 3.0, ERROR, 10.0)
    assert f"{rule.warning:.0f}" in f.detail and f"{rule.error:.0f}" not in f.detail.replace("3.0", "")
    assert "ΔE" not in f.message and "ΔE" in f.detail  # the number is the quiet part


PERSON_FIRST = ("HL001", "HL002", "HL003", "HL004", "HL201", "HL202", "HL301", "HL303", "HL402")


@pytest.mark.parametrize("code", PERSON_FIRST)
def test_rewritten_messages_lead_with_words_and_keep_numbers_in_the_detail(code):
    """No unit jargon or thresholds in the first part; the detail carries them."""
    rule = load_pack("default").find(code)
    for jargon in ("log-odds", "ΔE", "L*", "threshold", "evidence", "{threshold", "{to_pass"):
        assert jargon not in rule.message, f"{code} message has {jargon!r}: {rule.message}"
    assert rule.detail, f"{code} has no detail"


#: Words a sentence cannot end on: a message cut short ("... light grey (#B8B8B8) would").
_DANGLING = {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "of", "on", "or", "so",
             "than", "that", "the", "to", "with", "would", "could", "should", "will", "can"}


@pytest.mark.parametrize("rule", load_pack("default").select(["ALL"]), ids=lambda r: r.code)
def test_every_message_is_a_whole_sentence(rule):
    """A message does not stop mid-sentence; the person reads it first."""
    last = rule.message.rstrip(" .!").rsplit(" ", 1)[-1].strip("({}):;,").lower()
    assert last not in _DANGLING, f"{rule.code} message ends on {last!r}: {rule.message}"


def _png(size):
    buf = io.BytesIO()
    Image.fromarray(np.full((size[1], size[0], 3), 128, np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def _jpeg_truncated():
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 200, 3), np.uint8)).save(buf, "JPEG")
    return buf.getvalue()[:400]


def test_a_pipe_or_device_is_not_a_photo_file_and_the_advice_names_standard_input():
    """/dev/zero given as a photo gets its own words and the way to pipe a photo in ('-')."""
    f = audit("/dev/zero", select=["HL001"]).findings[0]
    assert f.code == "HL001" and "pipe or a device" in f.message and "'-'" in f.fix.title, (f.message, f.fix.title)


@pytest.mark.parametrize("name,data,problem,advice", [
    ("one-pixel.png", _png((1, 1)), "too small", "few hundred pixels"),
    ("strip.png", _png((2000, 60)), "narrow strip", "crop the headshot out"),
    ("empty.jpg", b"", "empty", "cut off"),
    ("notes.jpg", b"this is not a photo at all", "not a photo", "file you meant"),
    ("cut.jpg", _jpeg_truncated(), "damaged or cut short", "original again"),
])
def test_unreadable_image_says_its_own_cause_and_advice(tmp_path, name, data, problem, advice):
    """A 1x1 PNG, a 2000x60 strip, an empty file, a text file and a truncated JPEG each get
    their own words."""
    path = tmp_path / name
    path.write_bytes(data)
    f = audit(str(path), select=["HL001"]).findings[0]
    assert f.code == "HL001"
    assert problem in f.message and advice in f.fix.title, (f.message, f.fix.title)
    assert f.detail  # the technical reason, for whoever needs it


def _bomb_png(side: int = 50_000) -> bytes:
    """A small PNG whose header declares side x side pixels (the IHDR's CRC made right)."""
    import struct
    import zlib

    data = bytearray(_png((32, 32)))
    data[16:24] = struct.pack(">II", side, side)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def test_decompression_bomb_has_its_own_advice(tmp_path):
    """A 50000x50000 declared PNG is over the pixel limit: resize, not 'export again as JPEG'."""
    path = tmp_path / "big.png"
    path.write_bytes(_bomb_png())
    f = audit(str(path), select=["HL001"]).findings[0]
    assert "too large" in f.message and "Resize" in f.fix.title, (f.message, f.fix.title)


def test_the_detail_survives_the_result_cache(tmp_path):
    """A cached report keeps each finding's detail (it was dropped on a cache hit)."""
    from headshot_lint.cache import report_from_dict, report_to_cache_dict

    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    report = audit(str(path), select=["HL001"])
    assert report.findings[0].detail
    again = report_from_dict(report_to_cache_dict(report), report.path)
    assert again.findings[0].detail == report.findings[0].detail


def test_a_message_opening_with_a_measured_phrase_reads_as_a_sentence():
    """HL401's message opens with the measure's phrase; a watermark alone gives "a watermark in
    a corner of the photo", which the finding capitalises (it printed in lower case)."""
    from headshot_lint.engine import _finding
    from headshot_lint.measures.text import found_phrase
    from headshot_lint.model import WARNING, Measurement

    rule = load_pack("default").find("HL401")
    m = Measurement("text_or_logo", {"text_marks": 1, "logo_marks": 0, "coverage": 0.5, "clothing_text": 0,
                                     "edge_density": 0.01, "unread_lines": 0, "watermarks": 1},
                    details={"search": "ran", "detector": "", "read": "", "gate": "",
                             "found": found_phrase(1, 1, 0)})
    message = _finding(rule, m, 1.0, WARNING, 40.0).message
    assert message.startswith("A watermark in a corner of the photo: "), message
