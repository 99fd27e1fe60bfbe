"""One writer per lab: a lease kept in Azure, as azguest tags on the lab's resource group.

A lock file on the runner is not enough: two CI jobs on two machines share nothing but Azure. So
the lease is four tags on the group (``azguest-lease-holder|since|expires|nonce``), taken by

    read the group -> refuse if another holder's lease has not expired
                   -> write ours (Tags API Merge; a group PUT when the group does not exist yet)
                   -> wait a settle interval -> read again -> proceed only if our nonce survived

and released (our four tags deleted, nothing else) in ``finally``. ARM has no conditional write on
group tags, so two runs can both win only if one of them takes longer than the settle interval
between its read and its write (see docs/design.md, "One writer per lab"). The lease expires
(``ttl_s``) so a killed run never blocks a lab forever; a live run renews it. A lease held by a
process of this host that no longer exists is stale and taken over at once; ``break_lease`` takes
any lease (for the stuck case). All time comes from the policy's clock and sleep (tests inject them).
"""

from __future__ import annotations

import getpass
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from azguest.azure import tags as T
from azguest.azure.errors import arm_errors
from azguest.errors import LeaseHeldError
from azguest.execute.wait import session_clock
from azguest.plan.model import (
    LEASE_TAGS,
    TAG_LEASE_EXPIRES,
    TAG_LEASE_HOLDER,
    TAG_LEASE_NONCE,
    TAG_LEASE_SINCE,
    parse_stamp,
    stamp,
)

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

DEFAULT_TTL_S = 900.0  # a killed run blocks the lab at most this long (or until --break-lease)
DEFAULT_RENEW_S = 240.0  # a live run renews well inside the TTL (a VM create can take ten minutes)
DEFAULT_SETTLE_S = 5.0  # between our write and the re-read that confirms we won (ARM, real time)
_HOLDER_MAX = 256  # ARM's limit on a tag value


def holder_id(command: str) -> str:
    """``user@host pid=N command``: who holds the lease, as shown to the one who is refused."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        user = "unknown"
    return f"{user}@{socket.gethostname()} pid={os.getpid()} {command}"[:_HOLDER_MAX]


@dataclass(frozen=True)
class LeasePolicy:
    command: str = "deploy"
    ttl_s: float = DEFAULT_TTL_S
    settle_s: float = DEFAULT_SETTLE_S
    renew_every_s: float | None = DEFAULT_RENEW_S  # None: no background renewal (tests)
    break_lease: bool = False
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    holder: str = ""  # default: holder_id(command)
    nonce: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def who(self) -> str:
        return self.holder or holder_id(self.command)


def policy_for(session: AzureSession, command: str, *, break_lease: bool = False) -> LeasePolicy:
    """The policy for a session: ARM waits 5 s to settle; the in-process emulator waits that long in its
    emulated time (``time_scale``, 0 for the fast profile); a loopback emulator server sees every write
    at once and does not wait."""
    settle = DEFAULT_SETTLE_S
    engine = getattr(session, "engine", None)
    if engine is not None:
        settle = DEFAULT_SETTLE_S * engine.profile.latency.time_scale
    elif getattr(getattr(session, "target", None), "is_loopback", False):
        settle = 0.0
    # sleep like the SDK does: on an in-memory emulator that moves its clock, not the wall clock
    return LeasePolicy(command=command, settle_s=settle, break_lease=break_lease, sleep=session_clock(session).sleep)


def _stamp(t: float) -> str:
    return stamp(datetime.fromtimestamp(t, UTC))


def _parse(value: str | None) -> float | None:
    when = parse_stamp(value)
    return when.timestamp() if when else None


def _stale_here(holder: str) -> bool:
    """A holder on this host whose process is gone (killed): nobody can be writing under it."""
    parts = holder.split()
    if len(parts) < 2 or not parts[1].startswith("pid=") or "@" not in parts[0]:
        return False
    if parts[0].split("@", 1)[1] != socket.gethostname():
        return False
    try:
        os.kill(int(parts[1][4:]), 0)
    except ProcessLookupError:
        return True
    except (ValueError, PermissionError, OSError):
        return False
    return False


class Lease:
    """The lease on one group. ``create`` = (location, tags) makes the group when it does not exist."""

    def __init__(self, session: AzureSession, group: str, lab: str, policy: LeasePolicy,
                 create: tuple[str, dict[str, str]] | None = None) -> None:
        self.session, self.group, self.lab, self.policy, self.create = session, group, lab, policy, create
        self.held = False
        self.wrote = False  # our tags were written (released even when the acquisition then failed)
        self.created_group = False  # this lease's PUT created the group (deploy records it as created)
        self.lost = False  # a renewal found another holder (after it broke or outlived our lease)
        self.group_body: dict | None = None  # the group as last read (None: absent, or not read yet)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _ours(self, now: float) -> dict[str, str]:
        p = self.policy
        return {TAG_LEASE_HOLDER: p.who, TAG_LEASE_SINCE: _stamp(now), TAG_LEASE_EXPIRES: _stamp(now + p.ttl_s),
                TAG_LEASE_NONCE: p.nonce}

    def _read(self) -> dict[str, str] | None:
        with arm_errors(target=self.group):
            self.group_body = body = T.get_group(self.session, self.group)
        return None if body is None else dict(body.get("tags") or {})

    def _refuse(self, tags: dict[str, str], why: str) -> LeaseHeldError:
        holder, since, until = (tags.get(TAG_LEASE_HOLDER, "?"), tags.get(TAG_LEASE_SINCE, "?"),
                                tags.get(TAG_LEASE_EXPIRES, "?"))
        return LeaseHeldError(
            f"lab {self.lab} is held by {holder} since {since} ({why}); nothing was written",
            hint=f"wait for that run to finish; if it was killed, its lease expires at {until}, "
                 "or re-run with --break-lease once you are sure it is not running",
            details={"lab": self.lab, "resourceGroup": self.group, "holder": holder, "since": since,
                     "expires": until})

    def _held_by_other(self, tags: dict[str, str], now: float) -> bool:
        nonce = tags.get(TAG_LEASE_NONCE)
        if not nonce or nonce == self.policy.nonce or self.policy.break_lease:
            return False
        expires = _parse(tags.get(TAG_LEASE_EXPIRES))
        if expires is None or expires <= now:
            return False  # expired (a killed run on another machine) or unreadable
        return not _stale_here(tags.get(TAG_LEASE_HOLDER, ""))

    def acquire(self) -> bool:
        """Take the lease, or raise LeaseHeldError naming the holder. False: no group, nothing to hold."""
        p = self.policy
        current = self._read()
        now = p.clock()
        if current is None:
            if self.create is None:
                return False
            location, tags = self.create
            with arm_errors(target=self.group):
                T.create_group(self.session, self.group, location, {**tags, **self._ours(now)})
            self.wrote = self.created_group = True
        elif self._held_by_other(current, now):
            raise self._refuse(current, "another azguest run is writing to it")
        else:
            with arm_errors(target=self.group):
                T.merge_group_tags(self.session, self.group, self._ours(now))
            self.wrote = True
        p.sleep(p.settle_s)
        after = self._read() or {}
        if after.get(TAG_LEASE_NONCE) != p.nonce:
            raise self._refuse(after, "it took the lease at the same moment")
        self.held = True
        if p.renew_every_s:
            self._thread = threading.Thread(target=self._renew_loop, name=f"lease-{self.group}", daemon=True)
            self._thread.start()
        return True

    def renew(self) -> bool:
        """Push the expiry out by the TTL while the lease is still ours; False (and ``lost``) otherwise."""
        current = self._read() or {}
        if current.get(TAG_LEASE_NONCE) != self.policy.nonce:
            self.lost = True
            return False
        now = self.policy.clock()
        with arm_errors(target=self.group):
            T.merge_group_tags(self.session, self.group, {TAG_LEASE_EXPIRES: _stamp(now + self.policy.ttl_s)})
        return True

    def _renew_loop(self) -> None:
        every = self.policy.renew_every_s or 0
        while not self._stop.wait(every):
            try:
                if not self.renew():
                    return
            except Exception:  # noqa: BLE001 - a failed renewal is retried; the TTL covers several tries
                continue

    def release(self) -> None:
        """Delete our lease tags (and nothing else) if the lease is still ours and the group still exists."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if not self.wrote:
            return
        self.held = self.wrote = False
        current = self._read()
        if current is None or current.get(TAG_LEASE_NONCE) != self.policy.nonce:
            return  # the group is gone (destroy), or the lease was broken by someone else
        with arm_errors(target=self.group):
            T.delete_group_tags(self.session, self.group, sorted(LEASE_TAGS))


@contextmanager
def holding(session: AzureSession, groups: list[str] | tuple[str, ...], lab: str, policy: LeasePolicy,
            create: tuple[str, dict[str, str]] | None = None) -> Iterator[list[Lease]]:
    """Hold the lease on every group (in name order) for the block; release them all in ``finally``."""
    leases: list[Lease] = []
    try:
        for group in sorted(groups, key=str.lower):
            leases.append(Lease(session, group, lab, policy, create if len(groups) == 1 else None))
            leases[-1].acquire()
        yield leases
    finally:
        for lease in reversed(leases):
            lease.release()


def refuse_if_held(session: AzureSession, groups: list[str] | tuple[str, ...], lab: str, policy: LeasePolicy, *,
                   known: dict[str, dict[str, str] | None] | None = None) -> None:
    """A read-only look (one GET per group, none for a group in ``known``: its tags, None when it does not exist,
    as the caller has just read them): raise at once when another run holds the lab, before any prompt or
    preflight. The lease itself is taken later, just before the first write."""
    for group in groups:
        lease = Lease(session, group, lab, policy)
        tags = known[group] if known is not None and group in known else lease._read()
        if tags is not None and lease._held_by_other(tags, policy.clock()):
            raise lease._refuse(tags, "another azguest run is writing to it")
