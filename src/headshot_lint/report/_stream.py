"""Writing a report incrementally: memory flat in the number of photos.

Every format has a writer with the same life cycle::

    with json.Writer() as w:          # open
        for report in reports:
            w.add(report)             # its fragment goes to a spool file at once
        w.write_to(out)               # header (totals known now) + fragments + footer

:meth:`Writer.add` turns a report into its piece of the document and writes it to a
:class:`Spool` (memory up to :data:`SPOOL_BYTES`, then an anonymous temporary file),
keeping only small counters for the header or summary; :meth:`Writer.write_to`
streams header, spooled fragments and footer to any object with ``write(str)``. The
whole-list ``render(reports, ...)`` functions are this with an in-memory ``out``, so
both give the same text.
"""

from __future__ import annotations

import codecs
import io
import json
import tempfile
from typing import Any, Protocol, Sequence

from ..model import Report

#: Fragments kept in memory before the spool moves to a temporary file.
SPOOL_BYTES = 4 << 20
#: Read back in pieces of this size.
CHUNK_BYTES = 1 << 20
#: Spooled text is UTF-8 with lone surrogates (undecodable file names) passed through as
#: they are, so the text read back is exactly the text written.
_ERRORS = "surrogatepass"


class TextSink(Protocol):
    def write(self, text: str) -> Any: ...


class Spool:
    """Text written in pieces, read back once in order; memory bounded by :data:`SPOOL_BYTES`."""

    def __init__(self, dir: str | None = None, max_size: int | None = None) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES if max_size is None else max_size,
                                                   mode="w+b", dir=dir)
        self.empty = True

    def write(self, text: str) -> None:
        if text:
            self._file.write(text.encode("utf-8", _ERRORS))
            self.empty = False

    def copy_to(self, out: TextSink) -> None:
        """Write everything spooled so far to ``out``, in chunks."""
        self._file.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")(_ERRORS)
        while True:
            data = self._file.read(CHUNK_BYTES)
            text = decoder.decode(data, final=not data)
            if text:
                out.write(text)
            if not data:
                break
        self._file.seek(0, io.SEEK_END)

    def close(self) -> None:
        self._file.close()


class Writer:
    """Base of the incremental writers: ``add`` each report, then ``write_to`` once.

    Subclasses give :meth:`fragment` (a report's text, written to the spool at once),
    and :meth:`head` and :meth:`tail` (computed from counters when the document is written).
    """

    def __init__(self, spool_dir: str | None = None, missing: Sequence[str] = ()) -> None:
        self._body = Spool(spool_dir)
        self.photos = 0
        self._missing = [str(p) for p in missing]  #: paths given that do not exist, for the tail to name

    def add(self, report: Report) -> None:
        """Spool ``report``'s fragment (and count it)."""
        self._body.write(self.fragment(report))
        self.photos += 1

    def fragment(self, report: Report) -> str:
        raise NotImplementedError

    def head(self) -> str:
        return ""

    def tail(self) -> str:
        return ""

    def write_to(self, out: TextSink) -> None:
        """The whole document: header, every fragment in the order added, footer."""
        out.write(self.head())
        self._body.copy_to(out)
        out.write(self.tail())

    def render(self) -> str:
        """The whole document as one string (small runs, tests)."""
        buf = io.StringIO()
        self.write_to(buf)
        return buf.getvalue()

    def close(self) -> None:
        """Drop the spool (its temporary file, if any)."""
        self._body.close()

    def __enter__(self) -> "Writer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---- JSON documents with one long list ------------------------------------------------------------

_MARK = "\x1eheadshot-lint-items\x1e"


class JsonList:
    """A JSON document (``json.dumps(doc, indent=2, ensure_ascii=False)``) cut around one list,
    so its items can be dumped one by one with the same bytes as the whole.

    ``doc`` holds ``[MARK]`` where the list goes (see :meth:`placeholder`)."""

    @staticmethod
    def placeholder() -> list:
        """What to put in ``doc`` where the list goes."""
        return [_MARK]

    def __init__(self, doc: Any) -> None:
        text = json.dumps(doc, indent=2, ensure_ascii=False)
        token = json.dumps(_MARK, ensure_ascii=False)
        at = text.index(token)
        line_start = text.rindex("\n", 0, at) + 1
        self.indent = text[line_start:at]  # the items' indentation
        self._head = text[:line_start]  # ends with "[\n"
        self._tail = text[at + len(token):]  # "\n<indent>]..."

    def item(self, obj: Any, first: bool) -> str:
        """``obj`` as the list's next item (with the separator before it unless ``first``)."""
        body = json.dumps(obj, indent=2, ensure_ascii=False).replace("\n", "\n" + self.indent)
        return ("" if first else ",\n") + self.indent + body

    def head(self, empty: bool) -> str:
        return self._head[:-1] if empty else self._head  # an empty list is "[]"

    def tail(self, empty: bool) -> str:
        return self._tail.lstrip() if empty else self._tail
