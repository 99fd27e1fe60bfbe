"""Client-side token buckets, so azguest stays inside ARM's budgets instead of provoking 429s.

azure-core's retry policy still handles any 429 + Retry-After that happens anyway. Time comes from
an injected clock and sleep; a wait for a token has a deadline (``max_wait_s``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from azguest.catalog.limits import ARM_BUCKETS, Bucket
from azguest.errors import WaitTimeoutError
from azguest.execute.wait import Clock

MAX_TOKEN_WAIT_SECONDS = 300.0  # a token is ~0.1 s away at ARM's refill rates; minutes mean a bug


class TokenBucket:
    def __init__(self, bucket: Bucket, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, *, name: str = "",
                 max_wait_s: float = MAX_TOKEN_WAIT_SECONDS):
        self.capacity = float(bucket.burst)
        self.refill = bucket.refill_per_s
        self.tokens = self.capacity
        self.clock, self.sleep = clock, sleep
        self.name, self.max_wait_s = name or "ARM request", max_wait_s
        self.stamp = clock()
        self.lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, waiting if the bucket is empty. Returns the seconds waited."""
        waited = 0.0
        while True:
            with self.lock:
                now = self.clock()
                self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.refill)
                self.stamp = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return waited
                delay = (1 - self.tokens) / self.refill
            if waited + delay > self.max_wait_s:
                raise WaitTimeoutError(f"gave up waiting for a {self.name} token after {waited:.0f} s",
                                       details={"waited_for": f"{self.name} token", "timeout_s": self.max_wait_s})
            self.sleep(delay)
            waited += delay


class Budgets:
    """One bucket per ARM operation type (reads, writes, deletes) for one subscription."""

    def __init__(self, clock: Clock | None = None) -> None:
        c = clock or Clock()
        self.reads = TokenBucket(ARM_BUCKETS["reads"], c.now, c.sleep, name="ARM read")
        self.writes = TokenBucket(ARM_BUCKETS["writes"], c.now, c.sleep, name="ARM write")
        self.deletes = TokenBucket(ARM_BUCKETS["deletes"], c.now, c.sleep, name="ARM delete")

    def acquire(self, method: str) -> float:
        """A token for one HTTP request to ARM: GET/HEAD a read, DELETE a delete, anything else a write (ARM
        counts POST actions as writes). Returns the seconds waited."""
        m = method.upper()
        return (self.reads if m in ("GET", "HEAD") else self.deletes if m == "DELETE" else self.writes).acquire()
