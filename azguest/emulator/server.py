"""The loopback HTTP front-end: a ``ThreadingHTTPServer`` over one ``Engine``.

LRO URLs are built from the request's scheme and ``Host`` header, so any client pointed at
``server.url`` polls the same server. Not implemented: TLS (clients swap the bearer policy for
azguest.azure._credentials.StaticBearerPolicy),
chunked request bodies (answered 400: send ``Content-Length``).

Every request gets an HTTP answer with an ARM error body, never a dropped connection or a traceback:
a ``Content-Length`` that is not a number, or is missing on PUT/PATCH, is 400
``InvalidRequestFormat``; a body over ARM's cap (``catalog.names.REQUEST_BODY_MAX_BYTES``) is 413 and
is not read; a malformed request line or header block is answered by ``send_error`` with an ARM body.
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from azguest.catalog.names import REQUEST_BODY_MAX_BYTES
from azguest.emulator.engine import EmuResponse, Engine
from azguest.emulator.limits import body_too_large

SHUTDOWN_POLL_S = 0.02  # a background server stops within this after shutdown()
_NEEDS_LENGTH = ("PUT", "PATCH")


def error_response(status: int, code: str, message: str, *, close: bool = False) -> EmuResponse:
    data = json.dumps({"error": {"code": code, "message": message}}).encode("utf-8")
    headers = {"x-ms-request-id": str(uuid.uuid4()), "Content-Type": "application/json; charset=utf-8",
               "Content-Length": str(len(data))}
    if close:
        headers["Connection"] = "close"
    return EmuResponse(status, headers, data)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stall
    server_version = "azguest-emulator"
    timeout = 120  # seconds a connection may stay silent (StreamRequestHandler): no slowloris hold
    engine: Engine  # set on the subclass made by serve()

    def _do(self) -> None:
        try:
            body, refusal = self._read_body()
            if refusal is None:
                host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
                resp = self.engine.handle(self.command, f"http://{host}{self.path}", dict(self.headers.items()),
                                          body)
            else:
                resp = refusal
        except Exception:  # the engine never raises; this is the last line of defence
            resp = error_response(500, "InternalServerError", "The emulator failed on this request.", close=True)
        self._send(resp)

    def _read_body(self) -> tuple[bytes | None, EmuResponse | None]:
        """The body, or the refusal to send instead (a refusal that cannot frame the body closes)."""
        if self.headers.get("Transfer-Encoding"):
            return None, error_response(400, "InvalidRequestFormat", "Chunked request bodies are not supported; "
                                        "send Content-Length.", close=True)
        lengths = set(self.headers.get_all("Content-Length") or [])
        if not lengths:
            if self.command in _NEEDS_LENGTH:
                return None, error_response(400, "InvalidRequestFormat",
                                            f"A {self.command} request needs a Content-Length header.")
            return None, None
        raw = lengths.pop().strip()
        if lengths or not (raw.isascii() and raw.isdigit()):
            return None, error_response(400, "InvalidRequestFormat",
                                        "The Content-Length header is not a valid length.", close=True)
        length = int(raw)
        if length > REQUEST_BODY_MAX_BYTES:
            err = body_too_large(length)
            return None, error_response(err.status, err.code, err.message, close=True)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            return None, error_response(400, "InvalidRequestFormat", "The request body is shorter than its "
                                        "Content-Length.", close=True)
        return body or None, None

    def _send(self, resp: EmuResponse) -> None:
        if resp.headers.get("Connection", "").lower() == "close":
            self.close_connection = True
        self.send_response(resp.status)
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.end_headers()
        if resp.body and self.command != "HEAD":
            self.wfile.write(resp.body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's answer to a malformed request line or header block, with an ARM error body."""
        arm = {400: "InvalidRequestFormat", 414: "RequestUriTooLong", 431: "RequestHeaderFieldsTooLarge",
               501: "MethodNotSupported", 505: "HttpVersionNotSupported"}.get(code, "BadRequest")
        self.close_connection = True
        if getattr(self, "command", None) is None:
            self.command = "GET"
        self.request_version = self.protocol_version  # an unparsable line leaves HTTP/0.9: no status line
        try:
            self._send(error_response(code, arm, message or "The request could not be parsed.", close=True))
        except OSError:
            pass

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = _do

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass


class EmulatorServer:
    """A running server: ``url``, ``shutdown()``; usable as a context manager."""

    def __init__(self, httpd: ThreadingHTTPServer) -> None:
        self.httpd = httpd
        host, port = httpd.server_address[:2]
        self.url = f"http://{host}:{port}"
        # shutdown() waits for serve_forever to look at its flag, once per poll interval (stdlib: 0.5 s)
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_S},
                                        name="azguest-emulator", daemon=True)

    def start(self) -> EmulatorServer:
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def shutdown(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> EmulatorServer:
        return self

    def __exit__(self, *args) -> None:
        self.shutdown()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """No traceback on stderr: the client went away, or the socket failed; the engine has
        already answered every request it saw (``Engine.last_error`` keeps its own failures)."""


def make_server(engine: Engine, host: str = "127.0.0.1", port: int = 0) -> EmulatorServer:
    handler = type("BoundHandler", (_Handler,), {"engine": engine})
    httpd = _Server((host, port), handler)
    return EmulatorServer(httpd)


def serve(engine: Engine, host: str = "127.0.0.1", port: int = 0) -> EmulatorServer:
    """Start serving in a background thread; returns the server (``.url``, ``.shutdown()``)."""
    return make_server(engine, host, port).start()
