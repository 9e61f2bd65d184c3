"""Batch runs: input order, cache hits, per-photo timeouts, and the check command end to end."""

from __future__ import annotations

import json
import os
import shutil
import time
import weakref
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from headshot_lint import batch
from headshot_lint.batch import Job, Stats
from headshot_lint.cache import Cache, report_to_cache_dict
from headshot_lint.rules import load_pack
from tests._cli import invoke


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    """A real face (astronaut, 256 px), a flat grey card and a truncated JPEG."""
    from skimage import data

    d = tmp_path_factory.mktemp("photos")
    Image.fromarray(data.astronaut()[::2, ::2]).save(d / "astro.jpg", quality=90)
    Image.fromarray(np.full((200, 160, 3), 128, np.uint8)).save(d / "grey.png")
    (d / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 40)
    return d


def _paths(d):
    return [str(d / n) for n in ("astro.jpg", "grey.png", "broken.jpg")]


def _rules():
    return load_pack("default").select()


def test_cache_hit_returns_the_same_report_without_auditing(photos, tmp_path, monkeypatch):
    """Second run: every photo comes from the cache, equal to the first, and audit is never called."""
    cache = Cache(tmp_path / "c")
    first = list(batch.run([Job(p) for p in _paths(photos)], _rules(), cache=cache))
    assert [r.path for r in first] == _paths(photos)
    monkeypatch.setattr(batch, "audit", lambda *a, **k: pytest.fail("audit ran on a cache hit"))
    stats = Stats()
    second = list(batch.run([Job(p) for p in _paths(photos)], _rules(), cache=Cache(tmp_path / "c"), stats=stats))
    assert stats.cached == 3 and stats.audited == 0
    assert [report_to_cache_dict(r) for r in second] == [report_to_cache_dict(r) for r in first]


def test_cache_key_follows_thresholds_and_config(photos, tmp_path):
    """Changing a rule's threshold or the config fingerprint is a cache miss."""
    cache = Cache(tmp_path / "c")
    rules = _rules()
    list(batch.run([Job(_paths(photos)[1])], rules, cache=cache))
    changed = tuple(replace(r, warning=(r.warning or 0) + 1) if r.code == "HL501" else r for r in rules)
    for rs, fp in ((changed, ""), (rules, "other-config")):
        stats = Stats()
        list(batch.run([Job(_paths(photos)[1])], rs, cache=cache, fingerprint=fp, stats=stats))
        assert stats.cached == 0 and stats.audited == 1


def test_cache_key_follows_the_code(photos, tmp_path, monkeypatch):
    """Changed measuring code (an editable install, an upgraded library) is a cache miss
    even at the same version; the source digest sees an edit of any module."""
    from headshot_lint import cache as cache_mod

    cache = Cache(tmp_path / "c")
    list(batch.run([Job(_paths(photos)[1])], _rules(), cache=cache))
    monkeypatch.setattr(cache_mod, "code_fingerprint", lambda: "edited")
    stats = Stats()
    list(batch.run([Job(_paths(photos)[1])], _rules(), cache=cache, stats=stats))
    assert stats.cached == 0 and stats.audited == 1
    pkg = tmp_path / "pkg" / "measures"
    pkg.mkdir(parents=True)
    (pkg / "blur.py").write_text("SIGMA = 1\n", encoding="utf-8")
    before = cache_mod.source_digest(tmp_path / "pkg")
    (pkg / "blur.py").write_text("SIGMA = 2\n", encoding="utf-8")
    assert cache_mod.source_digest(tmp_path / "pkg") != before


def _stalling(photos, tmp_path, monkeypatch, name: str = "hang.jpg") -> str:
    """A copy of a good photo that the workers stall on (``batch.STALL_ENV``): a hung decoder."""
    path = tmp_path / name
    shutil.copyfile(photos / "astro.jpg", path)
    monkeypatch.setenv(batch.STALL_ENV, name)
    return str(path)


def test_pool_keeps_order_and_survives_a_hang(photos, tmp_path, monkeypatch):
    """--jobs 2: results in input order; a photo that hangs its worker becomes a timeout finding."""
    hung = _stalling(photos, tmp_path, monkeypatch)
    paths = _paths(photos)
    jobs = [Job(paths[0]), Job(hung), Job(paths[1]), Job(paths[2])]
    stats = Stats()
    reports = list(batch.run(jobs, _rules(), jobs=2, timeout=5, stats=stats))
    assert [r.path for r in reports] == [paths[0], hung, paths[1], paths[2]]
    assert stats.timeouts == 1
    hung = reports[1]
    assert [f.code for f in hung.findings] == ["HL001"] and "timed out" in hung.findings[0].message
    assert reports[0].size == (256, 256) and reports[3].findings[0].code == "HL001"


def test_one_job_still_times_out_a_hang(photos, tmp_path, monkeypatch):
    """--jobs 1 with several photos: they go through one worker process, a hang times out, the batch goes on."""
    hung = _stalling(photos, tmp_path, monkeypatch)
    monkeypatch.setattr(batch, "audit", lambda *a, **k: pytest.fail("audited in this process"))
    paths = _paths(photos)
    stats = Stats()
    reports = list(batch.run([Job(paths[0]), Job(hung), Job(paths[1])], _rules(), jobs=1, timeout=5, stats=stats))
    assert [r.path for r in reports] == [paths[0], hung, paths[1]]
    assert stats.timeouts == 1 and stats.audited == 3 and stats.peak_rss_mb > 0  # a worker process ran them
    assert "timed out" in reports[1].findings[0].message
    assert reports[0].size == (256, 256) and reports[2].size == (160, 200)


def test_photos_sent_ahead_to_a_dead_worker_are_audited_by_another(photos, tmp_path, monkeypatch):
    """A worker killed mid-photo: that photo gets a worker-crashed finding; the photos already
    sent ahead to it go to a new worker and get real reports."""
    import signal
    import threading

    hung = _stalling(photos, tmp_path, monkeypatch, "hold.jpg")  # the worker stalls on it until killed
    started = []
    init = batch._Worker.__init__

    def tracked(self, *a, **k):
        init(self, *a, **k)
        started.append(self)

    monkeypatch.setattr(batch._Worker, "__init__", tracked)

    def kill_first_when_warm():
        while not (started and started[0].ready and len(started[0].tasks) == batch.IN_FLIGHT):
            time.sleep(0.05)
        os.kill(started[0].proc.pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_first_when_warm, daemon=True)
    killer.start()
    paths = _paths(photos)
    stats = Stats()
    reports = list(batch.run([Job(hung), Job(paths[1]), Job(paths[0])], _rules(), jobs=1, timeout=60, stats=stats))
    killer.join(timeout=1)
    assert [r.path for r in reports] == [hung, paths[1], paths[0]]
    assert stats.crashes == 1 and len(started) == 2
    assert "died" in reports[0].findings[0].detail
    assert reports[1].size == (160, 200) and reports[2].size == (256, 256)


@pytest.mark.parametrize("jobs, timeout, n", [(1, None, 2), (1, 0, 2), (1, 5, 1), (2, 5, 1)])
def test_in_process_only_without_a_timeout_or_for_one_photo(photos, monkeypatch, jobs, timeout, n):
    """No worker is started for one photo, nor for --jobs 1 without a timeout: audit runs in this process."""
    seen = []
    monkeypatch.setattr(batch, "audit_path", lambda path, rules: (seen.append(path) or batch.unreadable_report(
        path, rules, "stub", "stub"), None))
    paths = _paths(photos)[:n]
    stats = Stats()
    assert [r.path for r in batch.run([Job(p) for p in paths], _rules(), jobs=jobs, timeout=timeout,
                                      stats=stats)] == paths
    assert seen == paths and stats.peak_rss_mb == 0




def test_cli_formats_statistics_and_clean(photos, tmp_path):
    """check writes each format atomically, --statistics counts per rule, clean removes the cache."""
    for fmt in ("json", "sarif", "junit", "gitlab", "html"):
        res = invoke("check", str(photos), "--jobs", "1", "-f", fmt, "-o", f"out.{fmt}", cwd=tmp_path)
        assert res.exit_code == 1, res.output  # the broken JPEG is an error
        assert (tmp_path / f"out.{fmt}").stat().st_size > 200
    doc = json.loads((tmp_path / "out.json").read_text())
    assert doc["summary"]["photos"] == 3
    assert (tmp_path / ".headshot-lint-cache").is_dir()
    res = invoke("check", str(photos), "--jobs", "1", "--statistics", "-f", "json", cwd=tmp_path)
    rows = json.loads(res.stdout)
    assert {"HL001"} <= {r["code"] for r in rows} and sum(r["count"] for r in rows) == doc["summary"]["errors"] + \
        doc["summary"]["warnings"] + sum(f["severity"] == "info" for p in doc["photos"] for f in p["findings"])
    assert invoke("clean", cwd=tmp_path).exit_code == 0 and not (tmp_path / ".headshot-lint-cache").exists()


def test_cli_config_and_usage_errors_exit_2(photos, tmp_path):
    """A bad config key, a bad --shard and an unknown rule exit 2 with the file/key named."""
    (tmp_path / "headshot-lint.toml").write_text("colour = 'red'\n")
    res = invoke("check", str(photos / "grey.png"), "--config", "headshot-lint.toml", cwd=tmp_path)
    assert res.exit_code == 2 and "colour" in res.stderr
    assert invoke("check", str(photos), "--shard", "3/2", "--no-cache", cwd=tmp_path).exit_code == 2
    assert invoke("check", str(photos), "--select", "HL999", "--no-cache", cwd=tmp_path).exit_code == 2


def test_cli_config_ignores_and_excludes(photos, tmp_path):
    """Config 'exclude' drops the broken file, so the run is clean of HL001 (exit by other findings only)."""
    cfg = tmp_path / "headshot-lint.toml"
    cfg.write_text(f'exclude = ["broken.jpg"]\nignore = ["HL0"]\n', encoding="utf-8")
    res = invoke("check", str(photos), "--config", str(cfg), "-f", "json", "--no-cache", "--jobs", "1", cwd=tmp_path)
    doc = json.loads(res.stdout)
    assert [os.path.basename(p["path"]) for p in doc["photos"]] == ["astro.jpg", "grey.png"]
    assert not any(f["code"].startswith("HL0") for p in doc["photos"] for f in p["findings"])


def test_progress_only_when_asked_or_on_a_terminal(photos, tmp_path):
    """stderr stays clean on a pipe; --progress forces the bar (rate and ETA) there."""
    args = ("check", str(photos / "grey.png"), "--jobs", "1", "--no-cache", "-f", "json")
    quiet = invoke(*args, cwd=tmp_path)
    assert "checking" not in quiet.stderr
    loud = invoke(*args, "--progress", cwd=tmp_path)
    assert "checking" in loud.stderr and json.loads(loud.stdout)["summary"]["photos"] == 1


# ---- memory flat in the number of photos -------------------------------------------------------

@pytest.fixture(scope="module")
def warm(tmp_path_factory):
    """50 tiny flat grey PNGs (distinct bytes) and a cache already holding their reports."""
    d = tmp_path_factory.mktemp("tiny")
    paths = []
    for k in range(50):
        a = np.full((64, 64, 3), 128, np.uint8)
        a[0, 0] = (k, 0, 0)
        Image.fromarray(a).save(d / f"g{k:02d}.png")
        paths.append(str(d / f"g{k:02d}.png"))
    cache_dir = d / "cache"
    assert len(list(batch.run([Job(p) for p in paths], _rules(), jobs=1, timeout=None,
                              cache=Cache(cache_dir)))) == 50
    return paths, cache_dir


def _own_copy(warm, tmp_path):
    """The warm photos with a copy of their cache (a test that adds entries leaves the shared one alone)."""
    paths, cache_dir = warm
    shutil.copytree(cache_dir, tmp_path / "cache")
    return paths, tmp_path / "cache"


def _tracked(monkeypatch):
    """Every Report Cache.get hands out, weakly; and the most alive at once after any get."""
    refs, most = [], [0]
    get = Cache.get

    def alive():  # Reports are unhashable (frozen dataclasses of dicts): weak references, not a WeakSet
        return sum(ref() is not None for ref in refs)

    def tracked(self, key, label):
        r = get(self, key, label)
        if r is not None:
            refs.append(weakref.ref(r))
        most[0] = max(most[0], alive())
        return r

    monkeypatch.setattr(Cache, "get", tracked)
    return alive, most


def test_warm_cache_holds_a_bounded_number_of_reports(warm, monkeypatch):
    """Iterating a warm run keeps at most two Reports alive (the one yielded, the one read), not all 50."""
    paths, cache_dir = warm
    alive, most = _tracked(monkeypatch)
    monkeypatch.setattr(batch, "audit", lambda *a, **k: pytest.fail("audit ran on a cache hit"))
    stats, seen, n = Stats(), [], 0
    for r in batch.run([Job(p) for p in paths], _rules(), jobs=2, cache=Cache(cache_dir), stats=stats):
        seen.append(r.path)
        n = max(n, alive())
        del r
    assert seen == paths and stats.cached == 50 and len(stats.digests) == 50
    assert n <= 2 and most[0] <= 2, (n, most[0])


def test_hits_behind_a_pending_miss_wait_as_cache_keys(warm, tmp_path, monkeypatch):
    """A miss first, 50 hits behind it: at most HELD_REPORTS Reports wait; the rest are read at their turn."""
    paths, cache_dir = _own_copy(warm, tmp_path)
    monkeypatch.setattr(batch, "HELD_REPORTS", 4, raising=False)
    alive, most = _tracked(monkeypatch)
    new = tmp_path / "new.png"
    Image.fromarray(np.full((64, 64, 3), 90, np.uint8)).save(new)
    monkeypatch.setattr(batch, "audit", lambda path, rules: batch.unreadable_report(path, rules, "stub", "stub"))
    stats, done = Stats(), []
    jobs_in = [Job(str(new))] + [Job(p) for p in paths]
    # jobs=2 with a timeout: the one miss is audited in this process after all 50 hits were looked up
    out = [r.path for r in batch.run(jobs_in, _rules(), jobs=2, timeout=5, cache=Cache(cache_dir), stats=stats,
                                     on_done=lambda r: done.append(r.path))]
    assert out == [str(new)] + paths and sorted(done) == sorted(out)
    assert stats.cached == 50 and stats.audited == 1
    assert most[0] <= 4 + 2, most[0]


@pytest.mark.parametrize("jobs, timeout", [(1, None), (2, 5)])
def test_mix_of_hits_and_misses_keeps_order_and_calls_on_done_once_each(warm, tmp_path, monkeypatch, jobs, timeout):
    """Every third photo new: reports in input order, on_done once per photo, hits and misses counted."""
    paths, cache_dir = _own_copy(warm, tmp_path)
    monkeypatch.setattr(batch, "HELD_REPORTS", 2)
    jobs_in, misses = [], []
    for k, p in enumerate(paths[:30]):
        if k % 3 == 1:
            q = tmp_path / f"new{k}.png"
            Image.fromarray(np.full((48, 40, 3), 60 + k, np.uint8)).save(q)
            p = str(q)
            misses.append(p)
        jobs_in.append(Job(p))
    if jobs == 1:  # in this process: a stub audit keeps it fast; with workers the real one runs there
        monkeypatch.setattr(batch, "audit", lambda path, rules: batch.unreadable_report(path, rules, "stub", "stub"))
    stats, done = Stats(), []
    out = list(batch.run(jobs_in, _rules(), jobs=jobs, timeout=timeout, cache=Cache(cache_dir), stats=stats,
                         on_done=lambda r: done.append(r.path)))
    assert [r.path for r in out] == [j.path for j in jobs_in]
    assert sorted(done) == sorted(j.path for j in jobs_in)
    assert stats.cached == 20 and stats.audited == 10 and len(stats.digests) == 30
    assert (stats.peak_rss_mb > 0) == (jobs == 2)  # jobs=2: the misses went to worker processes


def test_fork_server_preload_imports_but_builds_no_graph():
    """The fork server's preload imports MediaPipe and the measures but starts no graph (threads would not survive the fork)."""
    import subprocess
    import sys

    code = ("import sys, os; import headshot_lint._preload; "
            "from headshot_lint.perception import _mediapipe as m; "
            "print('mediapipe' in sys.modules, m.face_detector.cache_info().currsize, "
            "m.selfie_segmenter.cache_info().currsize, m.face_mesh.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "0", "0", "0"]


def test_a_pipe_among_several_photos_is_said_to_be_a_pipe(photos):
    """`check <(cat me.jpg) other.jpg`: the pipe (/dev/fd/N, this process's) is judged here as
    one photo alone would be, "not a regular file (a pipe)", instead of a worker, which does
    not have that descriptor, saying "No such file or directory"; the other photos are audited."""
    r, w = os.pipe()
    try:
        pipe = f"/dev/fd/{r}"
        if not os.path.exists(pipe):
            pytest.skip("no /dev/fd on this platform")
        paths = _paths(photos)
        stats = Stats()
        reports = list(batch.run([Job(pipe), Job(paths[0]), Job(paths[1])], _rules(), jobs=2, timeout=60,
                                 stats=stats))
    finally:
        os.close(r)
        os.close(w)
    assert [rep.path for rep in reports] == [pipe, paths[0], paths[1]]
    (finding,) = [f for f in reports[0].findings if f.code == "HL001"]
    assert "not a regular file (a pipe)" in finding.detail and "pipe or a device" in finding.message
    assert reports[1].size == (256, 256) and reports[2].size == (160, 200) and stats.audited == 3
