"""The in-process front-end: an azure-core ``HttpTransport`` that calls ``Engine.handle``.

The SDK's pipeline (auth, retry, polling, deserialization) runs unchanged; no sockets. azure-core's
retry policy and LRO pollers wait with ``transport.sleep(seconds)``: on an in-memory engine that
advances the emulated clock instead of sleeping (``Engine.advance``), so retries and polls cost no
wall time and still see the time pass (LROs complete, throttling buckets refill).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from azure.core.pipeline.transport import HttpTransport
from azure.core.rest import HttpRequest, HttpResponse
from azure.core.utils import CaseInsensitiveDict

from azguest.emulator.engine import EmuResponse, Engine


class EmulatorResponse(HttpResponse):
    """An ``azure.core.rest.HttpResponse`` over a complete in-memory body."""

    def __init__(self, request: HttpRequest, emu: EmuResponse) -> None:
        self._request = request
        self._emu = emu
        self._headers = CaseInsensitiveDict(emu.headers)
        self._content: bytes | None = emu.body
        self._closed = False

    @property
    def request(self) -> HttpRequest:
        return self._request

    @property
    def status_code(self) -> int:
        return self._emu.status

    @property
    def headers(self):
        return self._headers

    @property
    def reason(self) -> str:
        from http import HTTPStatus

        try:
            return HTTPStatus(self._emu.status).phrase
        except ValueError:
            return ""

    @property
    def content_type(self) -> str | None:
        return self._headers.get("Content-Type")

    @property
    def is_closed(self) -> bool:
        return self._closed

    @property
    def is_stream_consumed(self) -> bool:
        return False

    @property
    def encoding(self) -> str | None:
        return "utf-8"

    @encoding.setter
    def encoding(self, value: str | None) -> None:
        pass

    @property
    def url(self) -> str:
        return self._request.url

    @property
    def content(self) -> bytes:
        return self._emu.body

    def text(self, encoding: str | None = None) -> str:
        return self._emu.body.decode(encoding or "utf-8")

    def json(self) -> Any:
        import json

        return json.loads(self._emu.body) if self._emu.body else None

    def raise_for_status(self) -> None:
        if self._emu.status >= 400:
            from azure.core.exceptions import HttpResponseError

            raise HttpResponseError(response=self)

    def read(self) -> bytes:
        return self._emu.body

    def iter_raw(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._emu.body

    def iter_bytes(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._emu.body

    def close(self) -> None:
        self._closed = True

    def __enter__(self) -> EmulatorResponse:
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()


class EmulatorTransport(HttpTransport):
    """``Client(credential, subscription, transport=EmulatorTransport(engine))``."""

    def __init__(self, engine: Engine, *, virtual_time: bool | None = None) -> None:
        self.engine = engine
        self.virtual_time = engine.virtual_time if virtual_time is None else virtual_time

    def sleep(self, duration: float) -> None:
        """Wait ``duration`` seconds: on the emulated clock when ``virtual_time``, else for real."""
        if self.virtual_time:
            self.engine.advance(duration)
        else:
            time.sleep(duration)

    def send(self, request: HttpRequest, **kwargs: Any) -> EmulatorResponse:
        body = request.content if hasattr(request, "content") else request.data
        if isinstance(body, str):
            body = body.encode("utf-8")
        emu = self.engine.handle(request.method, request.url, dict(request.headers), body or None)
        return EmulatorResponse(request, emu)

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> EmulatorTransport:
        return self

    def __exit__(self, *args: Any) -> None:
        pass
