"""The one way this package writes a file: whole or not at all, and never over a device.

Every writer (the report and baseline of ``check``, ``fix`` copies, cache entries) goes
through :func:`write_atomic`: a temporary file beside the destination, renamed over it,
so a reader never sees half a file and a kill leaves at most a ``.NAME.*.tmp`` file
(:func:`remove_stale_temporaries` clears those on a later run). A destination that
exists and is not a regular file (``/dev/null``, ``/dev/stdout``, a FIFO) is written
through instead: renaming over it would replace the device with a regular file (issue 24:
``-o /dev/null`` as root broke a machine). :func:`check_writable` says before any work
whether the destination can be written at all, and refuses to put output over an input.
"""

from __future__ import annotations

import glob
import os
import re
import stat
import tempfile
import time
from pathlib import Path
from typing import IO, Callable, Iterable, Union

from ._files import default_mode
from .errors import HeadshotLintError

#: What to write: text, bytes, or a function that writes to an open file.
Body = Union[str, bytes, Callable[[IO], None]]
#: Temporary files are ``.<name>.<random>`` + this suffix, beside the destination.
TMP_SUFFIX = ".tmp"
#: A temporary file older than this is a leftover of a killed run, not one being written.
STALE_SECONDS = 3600.0


class OutputError(HeadshotLintError):
    """The output cannot (or must not) be written there; the message says why."""


def writes_through(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` exists and is not a regular file or folder (a device, FIFO or
    socket): written through, never replaced, and nothing is put beside it."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def check_writable(path: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] = ()) -> None:
    """Raise :class:`OutputError` unless ``path`` can be written, checked before any work.

    A device or FIFO must be writable; a regular file (or a new name) needs a writable
    folder (the rename happens there). ``inputs`` are files the run reads: writing over
    one of them is refused (``check x.jpg -o x.jpg`` would replace the photo).
    """
    target = Path(path)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"cannot write {target}: it is a folder")
    if st is not None and not stat.S_ISREG(st.st_mode):
        if not os.access(target, os.W_OK):
            raise OutputError(f"cannot write {target}: permission denied")
        return
    folder = target.resolve().parent
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {target}: the folder {folder} is not writable")
    if st is not None:
        for source in inputs:
            try:
                if os.path.samestat(st, os.stat(source)):
                    raise OutputError(f"refusing to write over {target}: it is one of the photos being read")
            except OSError:
                continue


def write_atomic(path: str | os.PathLike[str], body: Body, *, overwrite: bool = True, fsync: bool = False,
                 encoding: str = "utf-8", errors: str = "backslashreplace") -> Path:
    """Write ``body`` to ``path`` whole or not at all; the path written.

    Text is encoded with ``encoding``/``errors`` (undecodable file-name bytes become
    ``\\udcNN`` escapes: valid JSON, readable text); a callable receives a text file
    unless the destination is opened for bytes (``body`` bytes). With ``overwrite``
    False an existing destination raises FileExistsError, also when it appears while
    writing. ``fsync`` flushes the data to disk before the rename (photos: a crash
    right after must not leave an empty file where the copy was announced).
    """
    dest = Path(path)
    if writes_through(dest):
        with _open_through(dest, body) as fh:  # a device or FIFO: write through, never replace
            _put(fh, body)
        return dest
    if not overwrite and dest.exists():
        raise FileExistsError(f"{dest} exists")
    dest = dest.resolve()  # a symlink's target is replaced, not the link
    _remove_own_stale(dest)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=TMP_SUFFIX, dir=dest.parent)
    try:
        binary = isinstance(body, (bytes, bytearray, memoryview))
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding=encoding, errors=errors)) as fh:
            _put(fh, body)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, default_mode())
        if overwrite:
            os.replace(tmp, dest)
        else:
            _link_exclusive(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return dest


def remove_stale_temporaries(folder: str | os.PathLike[str], pattern: str = f".*{TMP_SUFFIX}",
                             older_than: float = STALE_SECONDS) -> int:
    """Delete this module's temporary files in ``folder`` (not below it) that are older
    than ``older_than`` s (a run killed while writing left them); the number removed.
    Younger ones may be another run's, being written now."""
    removed = 0
    cutoff = time.time() - older_than
    for tmp in Path(folder).glob(pattern):
        try:
            st = tmp.lstat()
            if stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff:
                tmp.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def _remove_own_stale(dest: Path) -> None:
    """Old temporaries of this destination (``.NAME.`` + mkstemp's 8 characters, with or
    without the suffix), left by a run killed while writing it."""
    own = re.compile(re.escape(f".{dest.name}.") + r"[A-Za-z0-9_]{8}(" + re.escape(TMP_SUFFIX) + ")?")
    cutoff = time.time() - STALE_SECONDS
    try:
        candidates = [p for p in dest.parent.glob(f".{glob.escape(dest.name)}.*") if own.fullmatch(p.name)]
    except OSError:
        return
    for tmp in candidates:
        try:
            st = tmp.lstat()
            if stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff:
                tmp.unlink()
        except OSError:
            continue


def _put(fh: IO, body: Body) -> None:
    if isinstance(body, (str, bytes, bytearray, memoryview)):
        fh.write(body)
    else:
        body(fh)


def _open_through(dest: Path, body: Body) -> IO:
    if isinstance(body, (bytes, bytearray, memoryview)):
        return open(dest, "wb")  # noqa: SIM115 - closed by the caller's with
    return open(dest, "w", encoding="utf-8", errors="backslashreplace")  # noqa: SIM115


def _link_exclusive(tmp: str, dest: Path) -> None:
    """Put ``tmp`` at ``dest`` only if nothing is there (a hard link fails if it exists),
    then drop the temporary name; where hard links are not supported, check then rename."""
    try:
        os.link(tmp, dest)
    except FileExistsError:
        raise FileExistsError(f"{dest} exists") from None
    except OSError:
        if dest.exists():
            raise FileExistsError(f"{dest} exists") from None
        os.replace(tmp, dest)
        return
    os.unlink(tmp)
