"""What the page shows, built from one uploaded photo's bytes (no I/O, no web framework).

:func:`check` audits the bytes and turns the report into the JSON the page renders:
the overall score and verdict, one row per rule (verdict, measured value, thresholds,
explanation, evidence regions), the photo as a data URI with the 32 px circle and
48 px square previews, the recommended background tone and the planned fixes.
:func:`corrected` makes the corrected copy as ``headshot-lint fix`` does
(:class:`headshot_lint.fix.Job`: the face, remnants of the old background and new
findings checked on the encoded bytes, cautious retries, refusal with a reason), in memory.
The bytes are never written anywhere; nothing outlives the call.
"""

from __future__ import annotations

import base64
import io
import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np
from PIL import Image

from .. import fix as fixes
from ..engine import audit
from ..errors import LoadError
from ..load import Photo, load
from ..model import Report, verdict_of
from ..rules import Rule

#: Long side of the photo the page shows, px: sharp in a ~560 px card on a 1.5x screen.
DISPLAY_LONG_SIDE = 800
#: The preview sizes, px: a 32 px circle avatar and a 48 px square.
PREVIEW_SIZES = (32, 48)
#: Rules whose finding means the photo is not a one-person headshot: shown as a banner.
PROBLEM_RULES = ("no-face", "multiple-faces")
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
_MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "TIFF": "image/tiff",
         "BMP": "image/bmp", "GIF": "image/gif"}
_EXT = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "TIFF": ".tif", "BMP": ".bmp", "GIF": ".gif"}


class Unreadable(Exception):
    """The upload is not an image we can read (the message says why, for people)."""


class NothingToFix(Exception):
    """No fix of the requested kind applies to this photo."""


class FaceLost(Exception):
    """No copy is offered: even the cautious retries would lose the face or move its box,
    or a crop cannot leave the other faces out. ``reason`` says why, for people;
    ``attempts`` lists each try and what happened to the face."""

    def __init__(self, reason: str, attempts: Sequence[Dict[str, str]] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = list(attempts)


@dataclass(frozen=True)
class Corrected:
    """A corrected copy made in memory, and how it was made."""

    data: bytes  #: the encoded copy
    fmt: str  #: Pillow format name
    done: Tuple[str, ...]  #: actions that changed the pixels
    fallback: str = ""  #: the cautious retry that made the copy ("" = as planned)
    note: str = ""  #: for people: what was done, any retry and the re-check ("" = nothing to say)
    score_before: float | None = None  #: the original's overall score
    score_after: float | None = None  #: the copy's overall score in the re-check


def display_name(raw: str | None) -> str:
    """The upload's file name for display and download names only: no folders, no control
    characters, at most 120 characters. It never reaches the file system."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:120] or "photo"


def download_name(name: str, suffix: str, fmt: str) -> str:
    """ASCII file name of a corrected copy: ``<stem>-<suffix><ext>``."""
    stem = display_name(name).rsplit(".", 1)[0]
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", unicodedata.normalize("NFKD", stem)).strip("-")[:80] or "photo"
    return f"{stem}-{suffix}{_EXT.get(fmt, '.png')}"


def thumbnail(data: bytes) -> Photo | None:
    """The photo at display size, or None when it cannot be read (the audit says why)."""
    try:
        return load(data, long_side=DISPLAY_LONG_SIDE)
    except (LoadError, ValueError):
        return None


def unreadable(report: Report) -> bool:
    """Whether the audit could not read the photo (no need to decode it again to show it)."""
    return report.size is None


def audit_bytes(data: bytes, rules: Sequence[Rule]) -> Report:
    """The audit of the uploaded bytes (never raises for a bad photo)."""
    return audit(data, rules=rules)


def check(data: bytes, name: str, rules: Sequence[Rule], shown: Photo | None = None) -> Dict[str, Any]:
    """The page's JSON for one photo. Raises :class:`Unreadable` for a file that is not a
    readable image. ``shown`` is :func:`thumbnail` of the same bytes (computed here if None)."""
    report = audit(data, rules=rules)
    return build(report, name, rules, shown if shown is not None else thumbnail(data))


def build(report: Report, name: str, rules: Sequence[Rule], shown: Photo | None) -> Dict[str, Any]:
    """The page's JSON from a report and the displayed photo (see :func:`check`)."""
    if report.size is None or shown is None:
        f = report.findings[0] if report.findings else None
        raise Unreadable("the file could not be read as an image" if f is None else
                         f.message + (f". {f.fix.title}" if f.fix is not None and f.fix.title else ""))
    problem = next((f for f in report.findings if f.rule in PROBLEM_RULES), None)
    return {
        "name": name,
        "score": report.score,
        "verdict": verdict_of(report.score),
        "size": list(report.size),
        "problem": None if problem is None else {"code": problem.code, "rule": problem.rule,
                                                  "message": problem.message},
        "rules": [_rule_row(rule, report) for rule in rules if rule.name != "unreadable-image"],
        "image": _data_uri(shown.rgb, "JPEG"),
        "previews": _previews(report, shown),
        "tone": _tone(report),
        "fixes": _fix_plans(report),
    }


def _rule_row(rule: Rule, report: Report) -> Dict[str, Any]:
    finding = next((f for f in report.findings if f.code == rule.code), None)
    skipped = next((s for s in report.skipped if s.code == rule.code), None)
    m = report.measurements.get(rule.measure)
    row: Dict[str, Any] = {
        "code": rule.code, "rule": rule.name, "summary": rule.summary, "unit": rule.unit,
        "direction": rule.direction, "thresholds": {"warning": rule.warning, "error": rule.error, "info": rule.info},
        "what": rule.doc.get("what", ""), "why": rule.doc.get("why", ""),
        "score": report.scores.get(rule.name), "value": None, "threshold": None, "message": "", "detail": "",
        "fix": None, "reason": "", "regions": [],
    }
    if finding is not None:
        row.update(status=finding.severity, value=finding.value, threshold=finding.threshold,
                   message=finding.message, detail=finding.detail, regions=[asdict(g) for g in finding.regions],
                   fix=None if finding.fix is None or not finding.fix.title else
                   {"title": finding.fix.title, "safety": finding.fix.safety})
    elif skipped is not None:
        row.update(status="skipped", reason=skipped.reason)
    else:
        value = m.values.get(rule.value) if m is not None else None
        row.update(status="pass", value=None if value is None else round(float(value), 3),
                   regions=[asdict(g) for g in m.regions] if m is not None else [])
    return row


def _data_uri(rgb: Any, fmt: str) -> str:
    buf = io.BytesIO()
    im = Image.fromarray(rgb)
    if fmt == "JPEG":
        im.save(buf, "JPEG", quality=85)
    else:
        im.save(buf, fmt)
    return f"data:{_MIME[fmt]};base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _previews(report: Report, shown: Photo) -> Dict[str, str]:
    """The photo as platforms show it small: the small-size measure's head-and-shoulders
    crop (analysis px, rescaled to the displayed photo) at 32 and 48 px; the centre square
    when there is no face."""
    h, w = shown.rgb.shape[:2]
    m = report.measurements.get("small_size_contrast")
    crop = m.details.get("crop_px") if m is not None else None
    if crop and report.analysis_size:
        k = w / report.analysis_size[0]
        x0, y0, side = (int(round(v * k)) for v in crop)
        side = max(1, min(side, w, h))
        x0, y0 = min(max(x0, 0), w - side), min(max(y0, 0), h - side)
    else:
        side = min(w, h)
        x0, y0 = (w - side) // 2, (h - side) // 2
    square = Image.fromarray(shown.rgb[y0:y0 + side, x0:x0 + side])
    out = {}
    for px in PREVIEW_SIZES:
        small = square.resize((px, px), Image.LANCZOS, reducing_gap=3.0)
        out[f"px{px}"] = _data_uri(np.asarray(small), "PNG")
    return out


def _tone(report: Report) -> Dict[str, str] | None:
    """The recommended background tone: a finding's fix parameters first, else the tone measure's."""
    sources = [f.fix.params for f in report.findings if f.fix is not None]
    m = report.measurements.get("background_tone")
    if m is not None:
        sources.append(m.details)
    for src in sources:
        hex_ = str(src.get("recommended_hex") or "")
        if _HEX.match(hex_):
            current = str(m.details.get("background_hex") or "") if m is not None else ""
            return {"hex": hex_.upper(), "name": str(src.get("recommended_name") or ""),
                    "current": current.upper() if _HEX.match(current) else ""}
    return None


def _fix_plans(report: Report) -> Dict[str, Any]:
    """What the two downloads would do: safe fixes only, and with retouching."""
    safe = [p for p in fixes.plan(report.findings, unsafe=False) if p.applies]
    full = fixes.plan(report.findings, unsafe=True)
    retouch = [p for p in full if p.applies]
    return {
        "safe": {"available": bool(safe), "actions": [_planned(p) for p in safe]},
        "retouch": {"available": any(p.safety == fixes.RETOUCH for p in retouch),
                    "actions": [_planned(p) for p in retouch]},
        "advice": [_planned(p) for p in full if p.status in (fixes.ADVICE, fixes.UNSUPPORTED)],
    }


def _planned(p: fixes.PlannedFix) -> Dict[str, Any]:
    return {"action": p.action, "codes": list(p.codes), "title": p.title, "safety": p.safety,
            "status": p.status, "note": p.note if p.status == fixes.UNSUPPORTED else ""}


def corrected(data: bytes, rules: Sequence[Rule], *, retouch: bool, backdrop: str = "flat") -> Corrected:
    """The corrected copy of the uploaded photo, encoded like the original (a HEIC as
    JPEG, which every browser opens), in memory.

    The same machinery as ``headshot-lint fix`` (:class:`headshot_lint.fix.Job`): the
    copy is checked on the exact bytes returned (the face where it was, no remnant of the
    old background, no new finding), retried more cautiously, and refused when no attempt
    passes. Raises :class:`Unreadable`, :class:`NothingToFix` (no fix of that kind
    applies) or :class:`FaceLost` (refused; its ``reason`` and ``attempts`` say why).
    """
    from ..retouch.write import output_format

    job = fixes.Job(data, rules, unsafe=retouch)
    report = job.report
    if not job.readable:
        raise Unreadable(report.findings[0].message if report.findings else "the file could not be read")
    todo = job.todo
    if retouch and not any(p.safety == fixes.RETOUCH for p in todo):
        raise NothingToFix("no retouching fix applies to this photo")
    if not todo:
        raise NothingToFix("no safe fix applies to this photo")
    try:
        fmt = output_format(job.meta, "photo.jpg")
        if fmt not in _MIME:  # a HEIC upload: the page offers a copy every browser and app opens
            fmt = "JPEG"
        result = job.correct(fmt, backdrop=backdrop)
    except LoadError as exc:
        raise Unreadable(str(exc)) from None
    if not result.ok or result.data is None:
        reason = result.refused.replace("not written: ", "not offered: ", 1)
        raise FaceLost(reason, [{"attempt": t.name, "face": t.face.short(), "checks": t.short()}
                               for t in result.attempts])
    after = None if result.after is None else result.after.score
    return Corrected(result.data, fmt, result.done, result.fallback, _note(result), report.score, after)


def _note(result: "fixes.Correction") -> str:
    """Sentences for the page: what each action did, the retry used, skipped actions and
    what the re-check says of each finding fixed ("" when nothing to say)."""
    parts = [f"{n[0].upper()}{n[1:]}." for n in result.notes]
    if result.fallback:
        parts.append(f"Retried more cautiously ({result.how()}).")
    parts += [f"{note[0].upper()}{note[1:]}." for note in result.skipped]
    if result.outcomes:
        parts.append("Re-checked: " + "; ".join(o.describe() for o in result.outcomes) + ".")
    return " ".join(parts)


def mime_of(fmt: str) -> str:
    """The media type of a Pillow format name."""
    return _MIME.get(fmt, "application/octet-stream")
