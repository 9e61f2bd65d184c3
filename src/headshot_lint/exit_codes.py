"""Process exit statuses of every command (as ruff's); a leaf module, so the commands in
the ``cli`` package (one module per command, and the stdin spool) share them without
importing each other."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """Process exit status, as ruff's."""

    CLEAN = 0  #: nothing fails the run (see :mod:`.gate`): no finding at the failing severity, no score under --fail-under
    FINDINGS = 1  #: a finding at the failing severity, or a score under --fail-under (fix: a copy not written)
    ERROR = 2  #: the run itself failed: usage, a missing path, bad rule pack or configuration, internal error
    #: the reader of the output closed it before the report was written (``check staff/ | head``): what a
    #: shell reports for a process SIGPIPE ended (128 + 13), not 1, which would say "findings"
    OUTPUT_CLOSED = 141
