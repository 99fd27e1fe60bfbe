"""Token-bucket throttling: ARM per-subscription buckets and Compute per-VM policies.

Buckets refill on the engine's throttle clock: real time, plus what in-process clients of an
in-memory engine slept on the emulated clock (``Engine.advance``); in emulated time with
``Throttling.time_scaled``.

Not implemented: tenant-level and global (15x) ARM limits, per-principal buckets, the Compute
per-subscription policy buckets, and Network's 5-minute windows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from azguest.emulator.profile import Bucket, Throttling


@dataclass
class _State:
    tokens: float
    stamp: float


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    remaining: int  # tokens left after this request
    retry_after: float  # seconds until one token is back (0 when allowed)


class TokenBuckets:
    """Many named buckets; ``take(key, bucket)`` consumes one token or says how long to wait."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._state: dict[tuple, _State] = {}

    def take(self, key: tuple, bucket: Bucket) -> Verdict:
        now = self._clock()
        st = self._state.get(key)
        if st is None:
            st = self._state[key] = _State(float(bucket.burst), now)
        st.tokens = min(float(bucket.burst), st.tokens + (now - st.stamp) * bucket.per_second)
        st.stamp = now
        if st.tokens >= 1.0:
            st.tokens -= 1.0
            return Verdict(True, int(st.tokens), 0.0)
        wait = (1.0 - st.tokens) / bucket.per_second if bucket.per_second > 0 else 3600.0
        return Verdict(False, 0, wait)

    def state(self) -> dict[tuple, tuple[float, float]]:
        """Every bucket's level: key -> (tokens, stamp on the throttle clock). A copy."""
        return {k: (st.tokens, st.stamp) for k, st in self._state.items()}

    def restore(self, levels: dict[tuple, tuple[float, float]]) -> None:
        """Set every bucket to ``levels`` (as ``state()`` returned them); buckets not in it start full."""
        self._state = {k: _State(float(tokens), float(stamp)) for k, (tokens, stamp) in levels.items()}


ARM_HEADER = {"read": "reads", "write": "writes", "delete": "deletes"}


def arm_kind(kind: str) -> str:
    """Request-log kind -> ARM bucket (polls count as reads, actions as writes)."""
    return {"poll": "read", "action": "write"}.get(kind, kind)


def retry_after_seconds(wait: float) -> int:
    return max(1, math.ceil(wait))


def vm_policy(method: str, arm_type: str, tail: str | None, exists: bool) -> str | None:
    """The Compute per-VM throttling policy of a request (ACD compute-throttling-limits.md), or None."""
    t = arm_type.lower()
    if t == "microsoft.compute/virtualmachines":
        action = (tail or "").lower()
        if method == "GET":
            return "LowCostGet"
        if method == "DELETE" or action == "deallocate":
            return "DeleteVM"
        if method == "PUT" and not exists:
            return "PutVM"
        return "UpdateVM"
    if t == "microsoft.compute/virtualmachines/runcommands":
        return "LowCostGet" if method == "GET" else "UpdateVM"
    return None


def policy_bucket(throttling: Throttling, policy: str) -> Bucket | None:
    return throttling.compute_vm.get(policy)
