"""Paths in reports: file names that are not valid UTF-8 stay readable and valid.

Discovery keeps such names as ``str`` with surrogate escapes (:func:`os.fsdecode`);
they cannot be encoded as UTF-8 as they are, so each format escapes them its own way.
"""

from __future__ import annotations

import os
from urllib.parse import quote


def display(path: str) -> str:
    r"""The path for people: undecodable bytes shown as ``\xe9`` (valid UTF-8, XML and HTML)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def posix(path: str) -> str:
    """:func:`display` with forward slashes (SARIF, GitLab and JUnit want repository paths)."""
    return display(path).replace(os.sep, "/")


def uri(path: str) -> str:
    """A relative URI reference: the path's bytes percent-encoded (RFC 3986), ``/`` kept."""
    return quote(os.fsencode(path).replace(os.sep.encode(), b"/"), safe="/")
