"""Writers that respect devices and inputs, and a cache that cannot lie (issue 24)."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from headshot_lint import _atomic, batch
from headshot_lint.batch import Job
from headshot_lint.cache import Cache, rules_fingerprint
from headshot_lint.cli import app
from headshot_lint.rules import load_pack
from benchmarks.faults import damage
from tests._cli import invoke
from tests._disk import fill_disk


def _rules():
    return tuple(load_pack("default").select(["HL001", "HL101"], None))


def _jpeg(path: Path, grey: int) -> bytes:
    from tests.hostile._make import encode, photo

    im = photo(160, 120) if grey < 0 else Image.new("RGB", (160, 120), (grey,) * 3)
    data = encode(im, "JPEG", quality=90)
    path.write_bytes(data)
    return data




# ---------------------------------------------------------------- writers


def test_a_fifo_output_is_written_through_not_replaced(tmp_path):
    """-o onto something that is not a regular file (a FIFO here; /dev/null in issue 24,
    replaced by a regular file as root) writes into it and leaves it what it was."""
    _jpeg(tmp_path / "a.jpg", 128)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = invoke("check", "a.jpg", "-f", "json", "-o", "pipe", "--no-cache", "--select", "HL001", cwd=tmp_path)
    reader.join(timeout=30)
    assert result.exit_code in (0, 1), result.output
    assert os.path.exists(fifo) and not os.path.isfile(fifo), "the FIFO was replaced by a regular file"
    assert json.loads(got[0].decode())


def test_write_atomic_never_replaces_a_device_and_leaves_no_temporary(tmp_path):
    """write_atomic to /dev/null writes through (it stays a character device); to a
    regular file it replaces the file whole, with no temporary left beside it."""
    before = os.stat("/dev/null")
    _atomic.write_atomic("/dev/null", "report\n")
    after = os.stat("/dev/null")
    assert (after.st_ino, after.st_rdev, after.st_mode) == (before.st_ino, before.st_rdev, before.st_mode)
    target = tmp_path / "r.json"
    target.write_text("old")
    _atomic.write_atomic(target, "new")
    assert target.read_text() == "new" and os.listdir(tmp_path) == ["r.json"]


def test_a_report_is_never_written_over_an_input_photo(tmp_path):
    """check x.jpg -o x.jpg exits 2 before auditing and leaves the photo's bytes alone
    (issue 24: the photo was replaced by its report)."""
    data = _jpeg(tmp_path / "x.jpg", 128)
    result = invoke("check", "x.jpg", "-o", "x.jpg", "--no-cache", cwd=tmp_path)
    assert result.exit_code == 2
    assert "one of the photos being read" in result.output
    assert (tmp_path / "x.jpg").read_bytes() == data


def test_a_report_over_a_photo_found_in_a_folder_is_refused_too(tmp_path):
    (tmp_path / "in").mkdir()
    data = _jpeg(tmp_path / "in" / "x.jpg", 128)
    result = invoke("check", "in", "-o", "in/x.jpg", "--no-cache", cwd=tmp_path)
    assert result.exit_code == 2 and (tmp_path / "in" / "x.jpg").read_bytes() == data


def test_an_output_that_cannot_be_written_fails_before_the_audit(tmp_path, monkeypatch):
    """-o naming a folder exits 2 at once, without auditing a photo."""
    _jpeg(tmp_path / "a.jpg", 128)
    (tmp_path / "out").mkdir()
    audited = []
    monkeypatch.setattr(batch, "audit_path", lambda *a: audited.append(a))
    result = invoke("check", "a.jpg", "-o", "out", "--no-cache", cwd=tmp_path)
    assert result.exit_code == 2 and "it is a folder" in result.output and audited == []


def test_stale_temporaries_of_a_killed_write_are_removed_by_the_next_one(tmp_path):
    """A write killed half-way leaves .NAME.XXXX.tmp; the next write to NAME removes
    those older than an hour (younger ones may be another run's, in progress)."""
    old = tmp_path / ".report.json.abcd1234.tmp"
    young = tmp_path / ".report.json.efgh5678.tmp"
    for f in (old, young):
        f.write_text("half")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    _atomic.write_atomic(tmp_path / "report.json", "{}")
    assert not old.exists() and young.exists()


# ---------------------------------------------------------------- cache


def test_a_photo_that_changes_mid_run_cannot_poison_the_cache(tmp_path, monkeypatch):
    """The report is stored under the digest of the bytes that were decoded: a photo
    hashed as one content and audited as another (it changed in between) leaves no
    entry under the first content's digest (issue 24: the wrong report forever after)."""
    path = tmp_path / "p.jpg"
    before = _jpeg(path, 40)  # hashed while it held these bytes...
    digest_before = hashlib.sha256(before).hexdigest()
    after = _jpeg(path, 220)  # ...and decoded after it changed
    monkeypatch.setattr(batch, "file_digest", lambda p: digest_before)
    cache = Cache(tmp_path / "cache")
    rules = _rules()
    fp = rules_fingerprint(rules, "")
    list(batch.run([Job(str(path))], rules, jobs=1, timeout=None, cache=cache))
    assert cache.get(cache.key(digest_before, fp), "x") is None
    stored = cache.get(cache.key(hashlib.sha256(after).hexdigest(), fp), "x")
    assert stored is not None


def _entry_for(tmp_path) -> tuple[Cache, str]:
    path = tmp_path / "p.jpg"
    data = _jpeg(path, 128)
    cache = Cache(tmp_path / "cache")
    rules = _rules()
    list(batch.run([Job(str(path))], rules, jobs=1, timeout=None, cache=cache))
    key = cache.key(hashlib.sha256(data).hexdigest(), rules_fingerprint(rules, ""))
    assert cache.get(key, "p.jpg") is not None
    return cache, key


@pytest.mark.parametrize("kind", ["bad-second-line", "deep-nesting", "bogus-severity", "fifo",
                                  "symlink-to-dev-zero", "huge", "folder"])
def test_a_corrupt_cache_entry_is_a_miss_and_is_rewritten(tmp_path, kind):
    """Each corrupt entry of issue 24 (served then crashing -v/html, RecursionError,
    KeyError, a FIFO that hangs, /dev/zero read until MemoryError, a huge file) is a
    miss, and the next store writes a good entry in its place."""
    cache, key = _entry_for(tmp_path)
    entry = cache._path(key)
    good = cache.get(key, "p.jpg")
    damage(kind, entry)
    assert cache.get(key, "p.jpg") is None
    cache.put(key, good)
    again = cache.get(key, "p.jpg")
    assert again is not None and again.score == good.score and os.path.isfile(entry)


def test_a_keyed_cache_refuses_forged_and_unkeyed_entries(tmp_path, monkeypatch):
    """With HEADSHOT_LINT_CACHE_KEY set, an entry must carry the HMAC of its key and
    content: one written without the secret, or edited after, is a miss (issue 24: a
    forged entry turned 6 findings into none)."""
    cache, key = _entry_for(tmp_path)  # written without a key
    good = cache.get(key, "p.jpg")
    monkeypatch.setenv("HEADSHOT_LINT_CACHE_KEY", "s3cret")
    keyed = Cache(tmp_path / "cache")
    assert keyed.get(key, "p.jpg") is None
    keyed.put(key, good)
    assert keyed.get(key, "p.jpg") is not None
    entry = keyed._path(key)
    head, tail, mac = entry.read_bytes().rstrip(b"\n").split(b"\n")
    doc = json.loads(head)
    doc["score"] = 100.0
    entry.write_bytes(json.dumps(doc).encode() + b"\n" + tail + b"\n" + mac + b"\n")
    assert keyed.get(key, "p.jpg") is None
    assert Cache(tmp_path / "cache", secret=b"other").get(key, "p.jpg") is None


def test_a_full_disk_leaves_no_cache_temporaries(tmp_path, monkeypatch):
    """A write that fails (ENOSPC here) removes its temporary file (issue 24: 55 zero-byte
    .tmp.* files per run on a full disk)."""
    cache, key = _entry_for(tmp_path)
    good = cache.get(key, "p.jpg")
    fill_disk(monkeypatch)
    cache.put("ab" + key[2:], good)
    leftovers = [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and ".tmp" in p.name]
    assert leftovers == []


# ---------------------------------------------------------------- standard input and timeouts


def test_a_photo_on_standard_input_over_the_limit_is_refused(tmp_path):
    """check - reads at most --max-stdin-mb (issue 24: 1 GiB of zeros cost 1.1 GB RSS and a
    1 GiB spool); over it: exit 2 and a message naming the option."""
    result = CliRunner().invoke(app, ["check", "-", "--max-stdin-mb", "1", "--no-cache"],
                                input=b"\0" * (3 << 20), catch_exceptions=False)
    assert result.exit_code == 2
    assert "larger than 1 MB" in result.output and "--max-stdin-mb" in result.output


def test_stale_stdin_spools_are_removed(tmp_path, monkeypatch):
    """A spool folder left by a killed check - (an hour old, ours) goes on the next run."""
    import tempfile

    from headshot_lint.cli import _stdin

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    old = tmp_path / f"{_stdin.SPOOL_PREFIX}dead"
    young = tmp_path / f"{_stdin.SPOOL_PREFIX}busy"
    for d in (old, young):
        d.mkdir()
        (d / "stdin").write_bytes(b"photo")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    _stdin._remove_stale_spools()
    assert not old.exists() and young.exists()


def test_a_single_photo_audited_in_this_process_honours_the_timeout(tmp_path, monkeypatch):
    """One photo is audited in this process (no worker start-up), and --timeout still
    stops it (issue 24: 19 s with --timeout 5): it is reported as timed out, not cached."""
    path = tmp_path / "p.jpg"
    _jpeg(path, 128)

    def slow(p, rules):
        time.sleep(60)

    monkeypatch.setattr(batch, "audit_path", slow)
    stats = batch.Stats()
    cache = Cache(tmp_path / "cache")
    (report,) = batch.run([Job(str(path))], _rules(), jobs=1, timeout=0.5, stats=stats, cache=cache)
    (finding,) = report.findings
    assert stats.timeouts == 1 and "timed out" in finding.message and "0.5 s" in finding.detail
    assert not list((tmp_path / "cache").glob("*/*.json"))


def test_fix_out_inside_the_input_folder_does_not_fix_its_own_copies(tmp_path):
    """fix in/ --out in/fixed: the copies an earlier run wrote to in/fixed are not photos
    to fix again (issue 24: in/fixed/fixed/... on the next run)."""
    from headshot_lint.cli.fix import destinations

    (tmp_path / "in" / "fixed").mkdir(parents=True)
    _jpeg(tmp_path / "in" / "a.jpg", 128)
    _jpeg(tmp_path / "in" / "fixed" / "a.jpg", 128)  # the copy of the first run
    pairs = destinations([tmp_path / "in"], tmp_path / "in" / "fixed")
    assert [(Path(s).name, d.relative_to(tmp_path).as_posix()) for s, d in pairs] == [("a.jpg", "in/fixed/a.jpg")]
