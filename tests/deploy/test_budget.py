"""Client-side throttling budgets: figures pinned to the pages azguest.catalog.limits cites; bucket behaviour."""

from __future__ import annotations

from azguest.catalog.limits import ARM_BUCKETS, COMPUTE_VM_BUCKETS
from azguest.execute.budget import TokenBucket


def test_limits__pinned_to_the_facts_sheet():
    assert {k: (b.burst, b.refill_per_s) for k, b in ARM_BUCKETS.items()} == {
        "reads": (250, 25.0), "writes": (200, 10.0), "deletes": (200, 10.0)}
    assert (COMPUTE_VM_BUCKETS["PutVM"].burst, COMPUTE_VM_BUCKETS["PutVM"].refill_per_s * 60) == (12, 4)
    assert COMPUTE_VM_BUCKETS["AsyncOperationStatus"].burst == 45


def test_token_bucket__burst_then_waits_for_the_refill():
    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    bucket = TokenBucket(ARM_BUCKETS["writes"], clock=lambda: now[0], sleep=sleep)
    assert sum(bucket.acquire() for _ in range(200)) == 0  # the burst is free
    waited = bucket.acquire()
    assert abs(waited - 0.1) < 1e-9 and slept == [waited]  # 10 tokens/s: the 201st write waits 0.1 s
