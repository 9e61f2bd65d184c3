"""Running Python in a fresh interpreter with the network cut: every socket call fails."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

_NO_NETWORK = """
import socket
def fail(*a, **k):
    raise OSError("network disabled by test")
socket.socket.connect = fail
socket.socket.connect_ex = fail
socket.create_connection = fail
socket.getaddrinfo = fail
"""


def run_offline(body: str, cwd: Path) -> str:
    """Run ``body`` (Python source, indented as in a test) with sockets disabled; assert it
    exits 0 and prints a line starting "ok"; its standard output."""
    script = _NO_NETWORK + textwrap.dedent(body)
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=cwd)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.startswith("ok"), r.stdout
    return r.stdout
