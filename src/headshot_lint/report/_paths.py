"""Paths in reports: file names that are not valid UTF-8 stay readable and valid.

Discovery keeps such names as ``str`` with surrogate escapes (:func:`os.fsdecode`);
they cannot be encoded as UTF-8 as they are, so each format escapes them its own way.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote

#: C0 controls, DEL and C1 controls: in a file name printed to a terminal, ESC and CSI would be
#: obeyed (colour, cursor moves, a cleared screen: a name can forge or hide output), a newline
#: would split the one-line-per-finding output.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def display(path: str) -> str:
    r"""The path for people: undecodable bytes shown as ``\xe9`` (valid UTF-8, XML and HTML)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def for_terminal(path: str, keep: str = "") -> str:
    r""":func:`display` with control characters shown as escapes (``\n``, ``\t``, ``\x1b``), as
    ``ls`` quotes them, except those in ``keep``: what the text reports and messages print."""
    return _CONTROLS.sub(lambda m: m.group() if m.group() in keep else
                         _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}"), display(path))


def posix(path: str) -> str:
    """:func:`display` with forward slashes (SARIF, GitLab and JUnit want repository paths)."""
    return display(path).replace(os.sep, "/")


def uri(path: str) -> str:
    """A relative URI reference: the path's bytes percent-encoded (RFC 3986), ``/`` kept."""
    return quote(os.fsencode(path).replace(os.sep.encode(), b"/"), safe="/")
