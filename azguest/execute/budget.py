"""Client-side token buckets, so azguest stays inside ARM's budgets instead of provoking 429s.

azure-core's retry policy still handles any 429 + Retry-After that happens anyway.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from azguest.catalog.limits import ARM_BUCKETS, Bucket


class TokenBucket:
    def __init__(self, bucket: Bucket, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.capacity = float(bucket.burst)
        self.refill = bucket.refill_per_s
        self.tokens = self.capacity
        self.clock, self.sleep = clock, sleep
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
            self.sleep(delay)
            waited += delay


class Budgets:
    """One bucket per ARM operation type (writes, deletes) for one subscription."""

    def __init__(self) -> None:
        self.writes = TokenBucket(ARM_BUCKETS["writes"])
        self.deletes = TokenBucket(ARM_BUCKETS["deletes"])
