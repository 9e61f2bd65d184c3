"""``headshot-lint serve``: a local web page to drop photos on and see the verdict.

Registered on the app in :mod:`headshot_lint.cli`. Needs the ``serve`` extra
(Starlette + uvicorn); without it the command says how to install it and exits 2.
"""

from __future__ import annotations

import ipaddress
import secrets
import threading
import time
import webbrowser
from typing import List, Optional

import typer
from rich.console import Console
from rich.markup import escape
from typing_extensions import Annotated

from ..exit_codes import ExitCode
from ..serve import DEFAULT_MAX_UPLOAD_MB

_err = Console(stderr=True, highlight=False)
INSTALL_HINT = "pip install 'headshot-lint[serve]'"


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in ("localhost", "localhost.", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


_WILDCARDS = ("0.0.0.0", "::", "")


def allowed_hosts(host: str, named: "tuple[str, ...] | List[str]", loopback_names: tuple) -> tuple:
    """The Host header names the server answers to, whatever it listens on (a DNS
    rebinding guard, kept for non-loopback binds too): the loopback names, the address it
    listens on unless that is a wildcard, and the names the user gives (--allow-host)."""
    bound = () if host in _WILDCARDS else (host,)
    return tuple(loopback_names) + bound + tuple(named)


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on. The default answers this computer "
                                      "only; any other address lets other machines send photos.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on (0: any free port).")] = 8000,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the page in the default browser.")] = False,
    max_upload_mb: Annotated[float, typer.Option("--max-upload-mb", min=0.1, help="Largest photo accepted, "
                                                 "MB.")] = DEFAULT_MAX_UPLOAD_MB,
    pack: Annotated[str, typer.Option(help="Rule pack: 'default', 'strict' or a path to a pack "
                                      "TOML.")] = "default",
    allow_host: Annotated[Optional[List[str]], typer.Option("--allow-host", help="With a --host other than "
                                                            "loopback: a host name or address other machines use "
                                                            "to reach this server (repeatable); requests naming "
                                                            "any other are refused (DNS rebinding guard).",
                                                            show_default=False)] = None,
    token: Annotated[Optional[str], typer.Option(help="With a --host other than loopback: the secret every "
                                                 "request must carry (default: a random one, printed in the "
                                                 "address to open).", show_default=False)] = None,
) -> None:
    """Start a local web page to drop headshots on: verdict, evidence, 32/48 px previews, fixes.

    It also shows the recommended backdrop tone and offers corrected copies to download.

    Photos are analysed in memory on this computer and forgotten after each answer.

    Example: headshot-lint serve --open
    """
    try:
        import uvicorn

        from ..serve._limits import MAX_CONNECTIONS, protocol
        from ..serve.app import LOOPBACK_HOSTS, create_app
    except ImportError as exc:
        _err.print(f"[red]error:[/red] headshot-lint serve needs the optional web dependencies "
                   f"({escape(str(exc.name or exc))} is missing). Install them with:\n  {escape(INSTALL_HINT)}")
        raise typer.Exit(ExitCode.ERROR) from None
    from ..errors import HeadshotLintError

    loopback = is_loopback(host)
    secret = None
    if not loopback:
        secret = token or secrets.token_urlsafe(18)
        _err.print(f"[yellow]warning:[/yellow] listening on {escape(host)}, not on loopback: other machines "
                   "on the network can reach this server; each needs the address with its token, printed below.")
    try:
        hosts = allowed_hosts(host, allow_host or (), LOOPBACK_HOSTS)
        if not loopback and not allow_host and host in _WILDCARDS:
            _err.print("[yellow]warning:[/yellow] no --allow-host given: only requests addressed to this "
                       "machine's loopback names are answered; add --allow-host NAME for the name or address "
                       "others use")
        app = create_app(max_upload_mb=max_upload_mb, pack=pack, allowed_hosts=hosts, token=secret)
    except HeadshotLintError as exc:
        _err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(ExitCode.ERROR) from None
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                           access_log=False, server_header=False, http=protocol(),
                                           limit_concurrency=MAX_CONNECTIONS))
    shown = (allow_host or [None])[0]
    threading.Thread(target=_announce, args=(server, host, open_browser, secret, shown), daemon=True).start()
    try:
        server.run()
    except SystemExit:  # uvicorn exits when it cannot bind (port in use, bad address)
        server.started = False
    if not server.started:
        _err.print(f"[red]error:[/red] could not listen on {escape(host)}:{port} (in use, or not an address "
                   "of this machine); try another --port")
        raise typer.Exit(ExitCode.ERROR)


def _announce(server, host: str, open_browser: bool, token: str | None = None,
              name: str | None = None) -> None:
    """Once the server is listening: print its address (the real port) and open it if asked."""
    for _ in range(600):
        if server.started:
            break
        if server.should_exit:
            return
        time.sleep(0.05)
    else:
        return
    port = next((s.getsockname()[1] for srv in getattr(server, "servers", [])
                 for s in getattr(srv, "sockets", [])), None)
    name = name or (host if ":" not in host else f"[{host}]")
    shown = "127.0.0.1" if name in ("0.0.0.0", "[::]") else name
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    _err.print(f"headshot-lint serving on [bold]{url}[/bold] (Ctrl+C to stop)")
    if open_browser:
        webbrowser.open(url)
