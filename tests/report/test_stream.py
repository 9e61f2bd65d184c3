"""Incremental writers: every format gives the same bytes as the whole-list renderer it
replaced (tests/report/_legacy.py), whether fragments stay in memory or spill to disk."""

from __future__ import annotations

import io
import os

import numpy as np
import pytest
from PIL import Image

from headshot_lint.engine import audit
from headshot_lint.report import _stream, gitlab, html, json, junit, sarif, text

from tests.conftest import astronaut

from . import _legacy
from ._sample import reports as sample_reports
from ._sample import rules


def _thumb(path: str) -> str:
    return "data:image/png;base64," + str(abs(hash(path)) % 997)


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """Reports of generated photos: the astronaut, a flat grey card, text named .jpg, a
    non-UTF-8 file name (real measurements, regions, skips)."""
    d = tmp_path_factory.mktemp("photos")
    Image.fromarray(astronaut()).save(d / "astronaut.jpg", quality=90)
    Image.fromarray(np.full((300, 240, 3), 128, np.uint8)).save(d / "grey.png")
    (d / "notes.jpg").write_text("not a photo", encoding="utf-8")
    odd = os.path.join(os.fsencode(str(d)), b"caf\xe9.png")
    Image.fromarray(astronaut()[::2, ::2]).save(odd)
    rs = rules()
    paths = [str(d / "astronaut.jpg"), str(d / "grey.png"), str(d / "notes.jpg"), os.fsdecode(odd)]
    return [audit(p, rules=rs) for p in paths]


def _cases(audited):
    both = sample_reports() + audited
    return {"empty": [], "one": both[:1], "sample": sample_reports(), "audited": audited,
            "duplicates": both + both[:2]}


def _pairs(rs, rules_, digests):
    """(format, old text, new text) for every format."""
    yield "json", _legacy.json_render(rs), json.render(rs)
    yield "sarif", _legacy.sarif_render(rs, rules_, digests), sarif.render(rs, rules_, digests)
    yield "junit", _legacy.junit_render(rs, rules_), junit.render(rs, rules_)
    yield "gitlab", _legacy.gitlab_render(rs, rules_, digests), gitlab.render(rs, rules_, digests)
    yield "html", _legacy.html_render(rs, rules_, thumbnail=_thumb), html.render(rs, rules_, thumbnail=_thumb)
    for verbose in (False, True):
        w = text.Writer(rules_, verbose)
        for r in rs:
            w.add(r)
        yield f"text verbose={verbose}", _legacy.text_render(rs, rules_, verbose), w.render()
        w.close()


def test_every_format_byte_identical_to_the_whole_list_renderer(audited):
    """For no, one, several and repeated reports, each writer's text equals the old renderer's."""
    rules_ = rules()
    for name, rs in _cases(audited).items():
        digests = {r.path: f"{k:064x}" for k, r in enumerate(rs[::2])}
        for fmt, old, new in _pairs(rs, rules_, digests):
            assert new == old, f"{fmt} differs for {name!r}"
            assert new.encode("utf-8", "backslashreplace") == old.encode("utf-8", "backslashreplace")


def test_identical_when_the_spool_spills_to_disk(audited, monkeypatch):
    """With a 64-byte spool and 7-byte reads (split multi-byte characters and surrogates) the text is the same."""
    monkeypatch.setattr(_stream, "SPOOL_BYTES", 64)
    monkeypatch.setattr(_stream, "CHUNK_BYTES", 7)
    rs = sample_reports() + audited
    for fmt, old, new in _pairs(rs, rules(), None):
        assert new == old, fmt
    w = json.Writer()
    w.add(rs[0])
    assert w._body._file._rolled  # it really went to a file


def test_writer_keeps_no_report(audited):
    """A writer holds no reference to the reports added (only counters and the spool)."""
    import gc
    import weakref

    import dataclasses

    r = dataclasses.replace(audited[0])  # a copy only this test refers to
    ref = weakref.ref(r)
    writers = [json.Writer(), sarif.Writer(rules()), junit.Writer(rules()), gitlab.Writer(rules()),
               html.Writer(rules(), thumbnail=_thumb), text.Writer(rules())]
    for w in writers:
        w.add(r)
    del r
    gc.collect()
    assert ref() is None
    for w in writers:
        w.write_to(io.StringIO())
        w.close()


def test_write_to_streams_pieces():
    """write_to hands the sink header, spooled fragments and footer in pieces, never the whole at once."""
    pieces = []

    class Sink:
        def write(self, s):
            pieces.append(s)

    with json.Writer() as w:
        for r in sample_reports():
            w.add(r)
        w.write_to(Sink())
    assert len(pieces) >= 3 and "".join(pieces) == _legacy.json_render(sample_reports())
