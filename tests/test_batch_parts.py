"""The batch run's parts, each alone: the reorder buffer, the cache lookup, the per-photo rule filter."""

from __future__ import annotations

from headshot_lint.batch import CacheLookup, Job, ReorderBuffer, Stats, _Hit, rules_for
from headshot_lint.cache import Cache
from headshot_lint.engine import unreadable_report
from headshot_lint.rules import load_pack


def _rules():
    return load_pack("default").select()


def test_reorder_buffer_gives_results_back_in_input_order():
    buf: ReorderBuffer[str] = ReorderBuffer()
    out = []
    for i in (2, 0, 3, 1):  # finishing out of order
        buf.put(i, f"r{i}")
        while buf.head() is not None:
            out.append(buf.take())
    assert out == ["r0", "r1", "r2", "r3"] and buf.next == 4 and len(buf) == 0


def test_reorder_buffer_counts_only_what_it_is_told_to():
    """Parked cache keys do not count as held Reports; reopening the head keeps its turn."""
    buf: ReorderBuffer[str] = ReorderBuffer(counts=lambda item: not item.startswith("key"))
    buf.put(1, "report")
    buf.put(2, "key2")
    assert buf.held == 1 and len(buf) == 2 and buf.head() is None  # photo 0 has not finished
    buf.put(0, "key0")
    assert buf.head() == "key0"
    buf.reopen()  # its cache entry vanished: audited after all, same index
    assert buf.next == 0 and buf.head() is None and buf.held == 1
    buf.put(0, "report0")
    assert [buf.take(), buf.take(), buf.take()] == ["report0", "report", "key2"] and buf.held == 0


def test_rules_for_drops_the_photos_switched_off_codes():
    rules = _rules()
    kept = rules_for(rules, frozenset({rules[0].code}))
    assert [r.code for r in kept] == [r.code for r in rules[1:]]
    assert rules_for(rules, frozenset()) == tuple(rules)


def test_cache_lookup_misses_then_hits_and_keeps_the_digest(tmp_path):
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"not really a photo")
    rules = _rules()
    stats = Stats()
    lookup = CacheLookup(rules, Cache(tmp_path / "c"), "cfg", stats)
    job = Job(str(photo))
    assert lookup.find(job) is None  # a miss, but hashed
    assert job.digest and stats.digests[str(photo)] == job.digest
    report = unreadable_report(str(photo), rules, "stub", "stub")
    lookup.store(job, report, transient=False)
    key, hit = lookup.find(Job(str(photo)))
    assert hit.path == str(photo) and hit.findings == report.findings
    assert lookup.read(_Hit(key, job)).findings == report.findings


def test_cache_lookup_keys_follow_the_rules_that_apply_and_skip_transient_reports(tmp_path):
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"bytes")
    rules = _rules()
    lookup = CacheLookup(rules, Cache(tmp_path / "c"), "", Stats())
    job, fewer = Job(str(photo)), Job(str(photo), skip=frozenset({rules[0].code}))
    lookup.find(job), lookup.find(fewer)
    assert lookup.key(job) != lookup.key(fewer)
    lookup.store(job, unreadable_report(str(photo), rules, "timed out", "timeout"), transient=True)
    assert lookup.find(Job(str(photo))) is None  # a timeout is tried again next run


def test_cache_lookup_without_cache_hashes_only_when_asked(tmp_path):
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"bytes")
    stats = Stats()
    assert CacheLookup(_rules(), None, "", stats).find(Job(str(photo))) is None and not stats.digests
    assert CacheLookup(_rules(), None, "", stats, hash_files=True).find(Job(str(photo))) is None
    assert str(photo) in stats.digests
