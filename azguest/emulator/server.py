"""The loopback HTTP front-end: a ``ThreadingHTTPServer`` over one ``Engine``.

LRO URLs are built from the request's scheme and ``Host`` header, so any client pointed at
``server.url`` polls the same server. Not implemented: TLS (see sdk-notes §2 for the client side).
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from azguest.emulator.engine import Engine


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stall
    server_version = "azguest-emulator"
    engine: Engine  # set on the subclass made by serve()

    def _do(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        host = self.headers.get("Host") or f"{self.server.server_address[0]}:{self.server.server_address[1]}"
        url = f"http://{host}{self.path}"
        resp = self.engine.handle(self.command, url, dict(self.headers.items()), body)
        self.send_response(resp.status)
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.end_headers()
        if resp.body and self.command != "HEAD":
            self.wfile.write(resp.body)

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = _do

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass


class EmulatorServer:
    """A running server: ``url``, ``shutdown()``; usable as a context manager."""

    def __init__(self, httpd: ThreadingHTTPServer) -> None:
        self.httpd = httpd
        host, port = httpd.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=httpd.serve_forever, name="azguest-emulator", daemon=True)

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
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return  # the client went away (e.g. process exit); nothing to report
        super().handle_error(request, client_address)


def make_server(engine: Engine, host: str = "127.0.0.1", port: int = 0) -> EmulatorServer:
    handler = type("BoundHandler", (_Handler,), {"engine": engine})
    httpd = _Server((host, port), handler)
    return EmulatorServer(httpd)


def serve(engine: Engine, host: str = "127.0.0.1", port: int = 0) -> EmulatorServer:
    """Start serving in a background thread; returns the server (``.url``, ``.shutdown()``)."""
    return make_server(engine, host, port).start()
