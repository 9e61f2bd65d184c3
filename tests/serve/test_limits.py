"""The page under slow and hostile clients (issue 24): header and body deadlines, a
connection cap, the Host allow-list kept off loopback, and a token off loopback."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("httpx")

import warnings  # noqa: E402

with warnings.catch_warnings():  # newer Starlette prefers httpx2 for its test client; httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from headshot_lint.cli.serve import allowed_hosts  # noqa: E402
from headshot_lint.serve._limits import protocol  # noqa: E402
from headshot_lint.serve.app import LOOPBACK_HOSTS, TOKEN_COOKIE, create_app  # noqa: E402
from tests.serve import free_port  # noqa: E402


@contextlib.contextmanager
def _server(app, **limits):
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, http=protocol(**limits)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(20)


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes ``sock`` (recv gives b'' or a reset) within ``seconds``."""
    sock.settimeout(seconds)
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def test_a_client_sending_its_headers_slowly_is_disconnected():
    """A connection whose request headers are not complete within the header deadline is
    closed (issue 24: 250 such connections held for 60 s and more)."""
    with _server(create_app(warm=False), header_seconds=1.0) as port:
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(b"POST /api/check HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            assert _closed_within(s, 15)


def test_a_client_sending_its_body_slowly_gets_408():
    """An upload whose body does not arrive within the body deadline is answered 408."""
    with _server(create_app(warm=False, body_seconds=1.0)) as port:
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(b"POST /api/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n" + b"x" * 10)
            s.settimeout(15)
            assert s.recv(4096).startswith(b"HTTP/1.1 408")


def test_connections_past_the_cap_are_closed_on_arrival():
    """With a cap of 3 open connections, a 4th and 5th are closed at once."""
    with _server(create_app(warm=False), max_connections=3, header_seconds=30.0) as port:
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        time.sleep(0.3)
        extra = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
        try:
            assert all(_closed_within(s, 5) for s in extra)
            assert not _closed_within(held[0], 0.5)
        finally:
            for s in held + extra:
                s.close()


def test_a_wildcard_bind_still_answers_only_to_named_hosts():
    """--host 0.0.0.0 keeps the Host allow-list (issue 24: it was switched off, so DNS
    rebinding worked): loopback names plus the --allow-host names, nothing else."""
    hosts = allowed_hosts("0.0.0.0", ["photos.lan"], LOOPBACK_HOSTS)
    assert set(hosts) == set(LOOPBACK_HOSTS) | {"photos.lan"}
    with TestClient(create_app(warm=False, allowed_hosts=hosts), base_url="http://photos.lan") as c:
        assert c.get("/api/health").status_code == 200
    with TestClient(create_app(warm=False, allowed_hosts=hosts), base_url="http://attacker.example") as c:
        assert c.get("/api/health").status_code == 403


def test_a_token_is_required_and_remembered_in_a_cookie():
    """With a token every request needs it: 401 without; ?token= once sets a same-site
    HttpOnly cookie that the page's own requests carry; a Bearer header works too."""
    app = create_app(warm=False, token="s3cret-token")
    with TestClient(app, base_url="http://127.0.0.1") as c:
        assert c.get("/api/health").status_code == 401
        assert c.get("/?token=wrong").status_code == 401
        first = c.get("/?token=s3cret-token")
        assert first.status_code == 200
        cookie = first.headers["set-cookie"]
        assert cookie.startswith(f"{TOKEN_COOKIE}=s3cret-token") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert c.get("/api/health").status_code == 200  # the cookie
    with TestClient(app, base_url="http://127.0.0.1") as c:
        assert c.get("/api/health", headers={"authorization": "Bearer s3cret-token"}).status_code == 200
