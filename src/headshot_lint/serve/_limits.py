"""What keeps slow or hostile clients of the page from holding the server (issue 24).

uvicorn times out idle keep-alive connections but not a client that sends its request
headers slowly, and it accepts any number of connections. :func:`protocol` gives its
HTTP protocol class with a deadline for the request headers (from the connection, or
from the end of the previous response) and a cap on open connections: past it a new
connection is closed at once, before it holds more than a descriptor for a moment.
The body's deadline is the app's (:data:`BODY_SECONDS`, ``app._read_body``).
"""

from __future__ import annotations

from typing import Any

#: Seconds a client has to send a request's headers.
HEADER_SECONDS = 10.0
#: Seconds a client has to send a request's whole body (a 30 MB photo at 1 MB/s, with room).
BODY_SECONDS = 60.0
#: Open connections at most; more are closed on arrival.
MAX_CONNECTIONS = 64


def protocol(header_seconds: float = HEADER_SECONDS, max_connections: int = MAX_CONNECTIONS) -> Any:
    """uvicorn's h11 protocol with a header deadline and a connection cap."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class TimedH11Protocol(H11Protocol):
        _header_timer: Any = None

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > max_connections:
                self.transport.close()
                return
            self._arm()

        def _arm(self) -> None:
            self._disarm()
            self._header_timer = self.loop.call_later(header_seconds, self._headers_too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():  # headers not all in
                self.transport.close()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:  # the headers are in
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()  # the next request's headers, on a kept-alive connection

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return TimedH11Protocol
