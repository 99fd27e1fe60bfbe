"""Seeded, reproducible fault injection: transient 429/500/503 and LRO failures by matcher.

Not implemented: faults on a given request number, network-level faults (resets, timeouts).
"""

from __future__ import annotations

import fnmatch
import random
from dataclasses import dataclass
from typing import Any

from azguest.emulator.profile import Faults, LroFailure

# azure-core retries POST/PATCH only on 500/503/504, so only those are injected for them.
_POST_SAFE = {500, 503, 504}
CODES = {429: "TooManyRequests", 500: "InternalServerError", 503: "ServiceUnavailable",
         502: "BadGateway", 504: "GatewayTimeout"}


@dataclass(frozen=True)
class Transient:
    status: int
    code: str


class FaultInjector:
    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._rng = random.Random(faults.seed)

    def getstate(self) -> Any:
        """The random state of the transient-fault draws (``setstate`` continues from it)."""
        return self._rng.getstate()

    def setstate(self, state: Any) -> None:
        self._rng.setstate(state)

    def transient(self, method: str) -> Transient | None:
        f = self.faults
        if f.transient_rate <= 0:
            return None
        draw = self._rng.random()
        choice = self._rng.choice(f.transient_statuses) if f.transient_statuses else 500
        if draw >= f.transient_rate:
            return None
        if method in ("POST", "PATCH") and choice not in _POST_SAFE:
            choice = 503
        return Transient(choice, CODES.get(choice, "InternalServerError"))

    def retry_hint(self, status: int) -> dict[str, str]:
        """The wait-and-retry hint of an injected fault, from ``Faults.retry_after_ms``.

        ARM's 429s carry ``Retry-After`` in whole seconds, and azure-core reads it before
        ``retry-after-ms``; so a 429 says ``Retry-After`` only for a hint of a second or more, and a
        shorter hint (the default, 10 ms: a test waits milliseconds over HTTP) goes in ``retry-after-ms``.
        """
        ms = self.faults.retry_after_ms
        if status == 429 and ms >= 1000:
            return {"Retry-After": str(-(-ms // 1000))}
        return {"retry-after-ms": str(ms)}

    def lro_failure(self, arm_type: str, name: str, operation: str,
                    used: dict[str, int]) -> LroFailure | None:
        """The failure this LRO should end with, if a matcher applies; counts uses in ``used``."""
        for i, m in enumerate(self.faults.lro_failures):
            if m.type.lower() != arm_type.lower():
                continue
            if m.operation != "*" and m.operation.lower() != operation.lower():
                continue
            if not fnmatch.fnmatchcase(name.lower(), m.name.lower()):
                continue
            k = f"{i}:{m.type}:{m.name}:{m.operation}".lower()
            if m.times and used.get(k, 0) >= m.times:
                continue
            used[k] = used.get(k, 0) + 1
            return m
        return None
