"""A baseline: the findings a photo collection already had when the linter was adopted.

A company adding the linter to CI over a staff directory of hundreds of photos cannot
re-shoot them all first. ``check --write-baseline FILE`` records what every photo fails
today; ``check --baseline FILE`` (or ``baseline = "FILE"`` in the configuration) then
hides those findings, so the run fails only on photos added or replaced since, and on
problems an old photo did not have. Entries are keyed by the sha256 of the photo's
bytes, not its path: moving or renaming a photo keeps its entry, replacing it (new
bytes) does not. Paths are written relative to the baseline file's folder (they only
name stale entries), so runs from another working directory read them the same. A recorded photo is also spared ``--fail-under`` while its score is no
lower than the one recorded.

The file is JSON, sorted, one entry per photo with findings, so it diffs well in review::

    {"schema": "headshot-lint-baseline/1", "tool_version": "0.1.0",
     "photos": [{"path": "staff/jane.jpg", "sha256": "9f2c...", "score": 41.7,
                 "codes": ["HL101", "HL501"]}]}
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping, NamedTuple

from . import __version__
from .errors import ConfigError
from .model import Report

SCHEMA = "headshot-lint-baseline/1"


@dataclass(frozen=True)
class Entry:
    """What one photo failed when the baseline was written."""

    path: str  #: where it was then (informational: matching is by content)
    codes: frozenset  #: rule codes of its findings
    score: float | None  #: its overall score then


@dataclass(frozen=True)
class Baseline:
    """Recorded findings by the sha256 of each photo's bytes."""

    source: str = ""  #: the file it was read from
    entries: Mapping[str, Entry] = field(default_factory=dict)  #: sha256 hex -> Entry
    root: str = ""  #: the absolute folder entry paths are relative to (the file's own; "" = the working directory)


@dataclass
class Tally:
    """What applying a baseline did over a run (for the closing message)."""

    hidden: int = 0  #: findings hidden because the baseline records them
    photos: int = 0  #: photos that had at least one hidden finding
    gone: int = 0  #: recorded findings a checked photo no longer has (fixed, or a rule changed)
    seen: set = field(default_factory=set)  #: sha256 of every photo checked
    checked: set = field(default_factory=set)  #: absolute path of every photo checked


def load(path: str | os.PathLike[str]) -> Baseline:
    """Read a baseline file; :class:`~.errors.ConfigError` naming the file if it is malformed."""
    where = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{where}: baseline file not found (write one with "
                          "`headshot-lint check PATH --write-baseline FILE`)") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{where}: not a readable baseline file: {exc}") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA or not isinstance(doc.get("photos"), list):
        raise ConfigError(f"{where}: not a headshot-lint baseline (expected \"schema\": \"{SCHEMA}\" "
                          "and a \"photos\" list)")
    entries = {}
    for i, p in enumerate(doc["photos"]):
        ok = (isinstance(p, dict) and isinstance(p.get("sha256"), str) and len(p["sha256"]) == 64
              and isinstance(p.get("codes"), list) and all(isinstance(c, str) for c in p["codes"])
              and (p.get("score") is None or isinstance(p["score"], (int, float))))
        if not ok:
            raise ConfigError(f"{where}: photos[{i}] needs a 64-hex \"sha256\", a \"codes\" list of "
                              "strings and a numeric or null \"score\"")
        entries[p["sha256"]] = Entry(str(p.get("path", "")), frozenset(p["codes"]),
                                     None if p.get("score") is None else float(p["score"]))
    return Baseline(where, entries, os.path.dirname(os.path.abspath(where)))


class Record(NamedTuple):
    """What the baseline keeps of one photo while a run goes (small: thousands fit)."""

    path: str
    sha256: str
    score: float | None
    codes: tuple[str, ...]


def record(report: Report, digest: str | None) -> Record | None:
    """The :class:`Record` of one photo, or None when there is nothing to record (no
    finding, or no bytes: a missing file)."""
    if not report.findings or not digest:
        return None
    return Record(report.path, digest, report.score, tuple(sorted({f.code for f in report.findings})))


def render(records: Iterable[Record | None], root: str | None = None) -> str:
    """The baseline file's text for :func:`record` results, sorted by path. With ``root``
    (the folder the file is written to), paths on disk are written relative to it, so a
    later run from another working directory still finds them."""
    photos = {}
    for r in records:
        if r is not None:
            photos[r.sha256] = {"path": _relative(r.path, root), "sha256": r.sha256, "score": r.score,
                                "codes": list(r.codes)}
    doc = {"schema": SCHEMA, "tool_version": __version__,
           "photos": sorted(photos.values(), key=lambda p: (p["path"], p["sha256"]))}
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def apply(baseline: Baseline, report: Report, digest: str | None, tally: Tally | None = None) -> Report:
    """``report`` without the findings ``baseline`` records for these bytes (they move to
    ``Report.baselined``); unchanged for a photo the baseline does not know."""
    if tally is not None:
        tally.checked.add(os.path.abspath(report.path))
        if digest:
            tally.seen.add(digest)
    entry = baseline.entries.get(digest or "")
    if entry is None:
        return report
    kept = tuple(f for f in report.findings if f.code not in entry.codes)
    hidden = tuple(f for f in report.findings if f.code in entry.codes)
    if tally is not None:
        tally.hidden += len(hidden)
        tally.photos += bool(hidden)
        tally.gone += len(entry.codes - {f.code for f in report.findings})
    return replace(report, findings=kept, baselined=hidden)


class Stale(NamedTuple):
    """A recorded photo whose bytes no checked photo has any more."""

    path: str  #: where it was recorded
    why: str  #: "replaced" (a photo under that path was checked, with other bytes) or "deleted"


def stale(baseline: Baseline, tally: Tally) -> list[Stale]:
    """The entries of ``baseline`` that no longer match a photo, by recorded path: the photo
    at that path was replaced (checked in this run, with new bytes) or deleted (the path no
    longer exists); recorded paths are relative to the baseline file's folder. A photo the run did not check (another folder, another shard) is not
    stale, and a moved one (same bytes under another name) still matches."""
    out = []
    for digest, entry in sorted(baseline.entries.items(), key=lambda kv: kv[1].path):
        if digest in tally.seen or not entry.path:
            continue
        where = os.path.abspath(os.path.join(baseline.root, entry.path))
        if where in tally.checked:
            out.append(Stale(entry.path, "replaced"))
        elif not os.path.lexists(where):
            out.append(Stale(entry.path, "deleted"))
    return out


def _relative(path: str, root: str | None) -> str:
    """``path`` relative to ``root`` with forward slashes (the file diffs the same on every
    OS); unchanged without a root, for a name that is no file (standard input's label) or
    on another drive."""
    if not root or not os.path.lexists(path):
        return path
    try:
        return os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    except ValueError:  # another drive on Windows
        return path


def spares_score(baseline: Baseline, report: Report, digest: str | None) -> bool:
    """True when ``--fail-under`` should spare this photo: the baseline records its bytes
    with a score no higher than today's."""
    entry = baseline.entries.get(digest or "")
    return (entry is not None and entry.score is not None and report.score is not None
            and report.score >= entry.score - 0.05)  # scores are rounded to 0.1
