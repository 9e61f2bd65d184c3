"""The web app of ``headshot-lint serve`` (Starlette; run by uvicorn).

Endpoints (all same-origin, loopback by default):

- ``GET /`` the page; ``GET /app.js`` and ``GET /app.css`` its script and style
  (fixed names served from memory: no request path ever reaches the file system);
- ``GET /api/health`` ``{"ok", "warm", "version", "max_upload_bytes", "formats"}`` (the photo
  formats this installation opens: HEIC only with the ``[heic]`` extra);
- ``POST /api/check?name=NAME`` body: the photo's bytes -> the page's JSON
  (:func:`headshot_lint.serve.payload.check`); 413 over the upload limit, 422 when
  the bytes are not a readable image;
- ``POST /api/fix?mode=safe|retouch&backdrop=flat|gradient&name=NAME`` body: the
  photo's bytes -> the corrected copy as an attachment (headers ``x-fixes-applied``,
  ``x-fix-fallback``: the cautious retry used or empty, ``x-fix-note``: what was done and
  the re-check, for people, ``x-fix-score``: "before -> after"); 409 when no fix of that
  kind applies, 422 when unreadable or refused (``{"kind": "refused", "error": reason,
  "refused": reason, "attempts": [{"attempt", "face", "checks"}]}``: no face on a person,
  every action impossible, or even the cautious retries lose the face, leave remnants of
  the old background, raise a new finding or clear nothing).

``name`` is display-only. Uploads are read into memory, audited in a worker thread
(the event loop stays responsive; MediaPipe calls are serialised by its own lock)
and dropped with the response: no temporary files, no state between requests.
"""

from __future__ import annotations

import contextlib
import hmac
import io
import threading
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, Iterable

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import __version__
from .._imageio import readable_formats
from ..rules import load_pack
from . import DEFAULT_MAX_UPLOAD_MB, payload
from ._limits import BODY_SECONDS

_STATIC = Path(__file__).with_name("static")
#: The only files the app serves: URL path -> (file in static/, media type). Read once.
_ASSETS = {"/": ("index.html", "text/html; charset=utf-8"),
           "/app.js": ("app.js", "text/javascript; charset=utf-8"),
           "/app.css": ("app.css", "text/css; charset=utf-8")}
#: Host names a loopback-bound server answers to (a guard against DNS rebinding).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
                               "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


class TooLarge(Exception):
    """The request body is over the upload limit."""


def create_app(*, max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB, pack: str = "default", warm: bool = True,
               allowed_hosts: Iterable[str] | None = LOOPBACK_HOSTS, workers: int = 2,
               token: str | None = None, body_seconds: float = BODY_SECONDS) -> Starlette:
    """The app. ``allowed_hosts`` None answers any Host header; ``workers`` bounds the
    audits and fixes running at once (threads); ``token``, when set, is required on every
    request (``?token=`` once, which sets a same-site cookie, or ``Authorization: Bearer``);
    ``body_seconds`` is how long a client may take to send an upload (408 past it)."""
    rules = load_pack(pack).select()
    limit = int(max_upload_mb * 1024 * 1024)
    assets = {path: ((_STATIC / name).read_bytes(), media) for path, (name, media) in _ASSETS.items()}
    state: Dict[str, Any] = {"warm": not warm}
    audits = anyio.CapacityLimiter(max(1, workers))
    fixing = anyio.CapacityLimiter(1)  # a full-resolution fix holds a few hundred MB

    def run(limiter: anyio.CapacityLimiter, fn: Callable[..., Any], *args: Any) -> Awaitable[Any]:
        return anyio.to_thread.run_sync(lambda: fn(*args), limiter=limiter)

    async def asset(request: Request) -> Response:
        body, media = assets[request.url.path]
        return Response(body, media_type=media, headers={"cache-control": "no-cache"})

    async def health(request: Request) -> Response:
        return _json({"ok": True, "warm": state["warm"], "version": __version__, "max_upload_bytes": limit,
                      "formats": list(readable_formats())})

    async def upload(request: Request, name: str) -> bytes | Response:
        """The upload's bytes, or the response that refuses it (too large, too slow)."""
        try:
            return await _read_body(request, limit, body_seconds)
        except TooLarge as exc:
            return _too_large(name, exc, max_upload_mb)
        except TooSlow:
            return _too_slow(name, body_seconds)

    async def check(request: Request) -> Response:
        name = payload.display_name(request.query_params.get("name"))
        data = await upload(request, name)
        if isinstance(data, Response):
            return data
        # One decode at a time per upload (issue 24: decoding the audit's and the display
        # image at once doubled the peak); no display image for an unreadable upload.
        report = await run(audits, payload.audit_bytes, data, rules)
        shown = None if payload.unreadable(report) else await run(audits, payload.thumbnail, data)
        try:
            body = await run(audits, payload.build, report, name, rules, shown)
        except payload.Unreadable as exc:
            return _json({"name": name, "error": str(exc), "kind": "unreadable"}, 422)
        return _json(body)

    async def fix(request: Request) -> Response:
        name = payload.display_name(request.query_params.get("name"))
        mode = request.query_params.get("mode", "safe")
        backdrop = request.query_params.get("backdrop", "flat")
        if mode not in ("safe", "retouch") or backdrop not in ("flat", "gradient"):
            return _json({"error": "mode must be safe or retouch; backdrop flat or gradient"}, 400)
        data = await upload(request, name)
        if isinstance(data, Response):
            return data
        try:
            made = await run(fixing, _fix, data, rules, mode == "retouch", backdrop)
        except payload.NothingToFix as exc:
            return _json({"name": name, "error": str(exc), "kind": "nothing-to-fix"}, 409)
        except payload.FaceLost as exc:
            return _json({"name": name, "error": exc.reason, "kind": "refused", "refused": exc.reason,
                          "attempts": exc.attempts}, 422)
        except payload.Unreadable as exc:
            return _json({"name": name, "error": str(exc), "kind": "unreadable"}, 422)
        filename = payload.download_name(name, "retouched" if mode == "retouch" else "fixed", made.fmt)
        return Response(made.data, media_type=payload.mime_of(made.fmt), headers={
            "content-disposition": f'attachment; filename="{filename}"', "cache-control": "no-store",
            "x-fixes-applied": ",".join(made.done), "x-fix-fallback": made.fallback,
            "x-fix-note": _ascii(made.note),
            "x-fix-score": "" if made.score_after is None else f"{made.score_before:.1f} -> {made.score_after:.1f}"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if warm:
            threading.Thread(target=_warm_up, args=(state, rules), name="headshot-lint-warm-up",
                             daemon=True).start()
        yield

    routes = [Route(path, asset, methods=["GET", "HEAD"]) for path in assets]
    routes += [Route("/api/health", health, methods=["GET"]),
               Route("/api/check", check, methods=["POST"]),
               Route("/api/fix", fix, methods=["POST"])]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={Exception: _internal_error})
    hosts = None if allowed_hosts is None else {h.lower().strip("[]") for h in allowed_hosts}
    app.add_middleware(_Guard, hosts=hosts, token=token)
    return app


def _fix(data: bytes, rules: Any, retouch: bool, backdrop: str) -> Any:
    return payload.corrected(data, rules, retouch=retouch, backdrop=backdrop)


def _ascii(text: str) -> str:
    """A header value: printable ASCII only."""
    return "".join(ch if " " <= ch <= "~" else "?" for ch in text)


def _json(body: Any, status: int = 200) -> Response:
    return JSONResponse(body, status_code=status, headers={"cache-control": "no-store"})


def _too_large(name: str, exc: TooLarge, mb: float) -> Response:
    got = f" ({exc.args[0] / (1024 * 1024):.1f} MB)" if exc.args and exc.args[0] else ""
    return _json({"name": name, "kind": "too-large",
                  "error": f"The photo is too large{got}: this server accepts up to {mb:g} MB per photo "
                           f"(start it with --max-upload-mb to change the limit)."}, 413)


class TooSlow(Exception):
    """The request body did not arrive within its deadline."""


async def _read_body(request: Request, limit: int, seconds: float = BODY_SECONDS) -> bytes:
    """The request body, refused as soon as it passes ``limit`` bytes (never buffered
    beyond) or takes longer than ``seconds`` to arrive (:class:`TooSlow`)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(int(declared))
    chunks, n = [], 0
    with anyio.move_on_after(seconds) as scope:
        async for chunk in request.stream():
            n += len(chunk)
            if n > limit:
                raise TooLarge(0)
            chunks.append(chunk)
    if scope.cancelled_caught:
        raise TooSlow()
    return b"".join(chunks)


def _too_slow(name: str, seconds: float) -> Response:
    return _json({"name": name, "kind": "too-slow",
                  "error": f"The upload took longer than {seconds:g} s; try again on a faster connection."}, 408)


async def _internal_error(request: Request, exc: Exception) -> Response:
    return _json({"error": f"internal error: {type(exc).__name__}", "kind": "internal"}, 500)


def _warm_up(state: Dict[str, Any], rules: Any) -> None:
    """Load the models once (MediaPipe, ONNX) so the first upload is answered at full speed."""
    from PIL import Image
    from skimage import data

    try:
        buf = io.BytesIO()
        Image.fromarray(data.astronaut()).save(buf, "JPEG", quality=90)
        payload.check(buf.getvalue(), "warm-up", rules)
    except Exception:  # noqa: BLE001 - a failed warm-up only costs the first request time
        pass
    state["warm"] = True


#: The cookie that carries the token after the page was opened with ``?token=``.
TOKEN_COOKIE = "headshot_lint_token"


class _Guard:
    """ASGI middleware: security headers on every response; requests whose Host is not
    this server's (DNS rebinding) or whose Origin is another site's are refused (403);
    with a token, requests without it are refused (401)."""

    def __init__(self, app: Any, hosts: set | None, token: str | None = None) -> None:
        self.app = app
        self.hosts = hosts
        self.token = token

    async def __call__(self, scope: Dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        refused = ""
        if self.hosts is not None and _hostname(host) not in self.hosts:
            refused = "unknown host"
        origin = headers.get("origin")
        if origin and origin.split("://", 1)[-1].lower() != host.lower():
            refused = "cross-origin request"
        if refused:
            response = _json({"error": f"refused: {refused}", "kind": "refused"}, 403)
            await response(scope, receive, self._secure(send))
            return
        send = self._secure(send)
        if self.token is not None:
            given = _token_of(scope, headers)
            if given is None or not hmac.compare_digest(given[0].encode(), self.token.encode()):
                response = _json({"error": "refused: open the address with its ?token=... as printed when "
                                           "the server started", "kind": "unauthorised"}, 401)
                await response(scope, receive, send)
                return
            if given[1]:  # from the address: remember it in a cookie for the page's own requests
                send = _with_cookie(send, f"{TOKEN_COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/")
        await self.app(scope, receive, send)

    @staticmethod
    def _secure(send: Any) -> Any:
        async def wrapped(message: Dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.encode() not in have]
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)
        return wrapped


def _token_of(scope: Dict[str, Any], headers: Dict[str, str]) -> tuple | None:
    """(token, came from the query string) from a request, or None."""
    from urllib.parse import parse_qs

    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip(), False
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == TOKEN_COOKIE:
            return value, False
    query = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
    return (query[0], True) if query else None


def _with_cookie(send: Any, cookie: str) -> Any:
    async def wrapped(message: Dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": list(message.get("headers", [])) + [(b"set-cookie", cookie.encode())]}
        await send(message)
    return wrapped


def _hostname(host: str) -> str:
    """The name part of a Host header: ``[::1]:8000`` -> ``::1``, ``localhost:80`` -> ``localhost``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
