"""Ctrl-C and progress as a user lives them: `azguest deploy` / `destroy` run in this process on an
in-memory emulator with Azure-like latencies (the realistic profile) in emulated time.

The user's terminal (or CI log) is a recorder standing in for stderr: every write is stamped with the
emulator's clock. A held transport keeps VMs in flight as long as a test needs: once a VM request went
out, worker threads' waits (LRO polls, retries) block until the test releases them, so emulated time
stands still unless the test moves it. Ctrl-C is a real SIGINT (``os.kill``) from the test's helper
thread while the CLI runs in the main thread. Nothing sleeps in real time.
"""

from __future__ import annotations

import io
import os
import signal
import threading
import time
from collections.abc import Callable

import pytest

from azguest.azure import AzureSession, RetrySettings
from azguest.azure import kinds as K
from azguest.azure.target import EMULATOR_SUBSCRIPTION_ID, Target
from azguest.cli import progress
from azguest.cli.main import run
from azguest.emulator import EmulatorTransport, Engine, load_profile
from azguest.plan.desired import desired_graph
from tests.deploy.conftest import EXAMPLES, PASSWORD, do_deploy
from tests.emulator.fakeclock import FakeClock

SPEC = EXAMPLES / "s2d-2node.yaml"
REAL_TIMEOUT_S = 20.0  # a bound on waiting for the CLI in real time (never reached when it works)


class HeldTransport(EmulatorTransport):
    """Emulated time; once Azure accepted a VM PUT/DELETE, waits of worker threads block until ``released``
    (before the emulated clock moves: only the main thread and the test move it meanwhile)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, virtual_time=True)
        self.vm_sent = threading.Event()
        self.released = threading.Event()
        self._gate = threading.Lock()  # a worker's "not held yet, so advance" is atomic with the VM request going out

    def send(self, request, **kwargs):
        response = super().send(request, **kwargs)
        if request.method in ("PUT", "DELETE") and "/virtualmachines/" in request.url.lower() \
                and "/runcommands/" not in request.url.lower() and response.status_code < 300:
            with self._gate:  # Azure accepted it: the VM is in flight
                self.vm_sent.set()
        return response

    def sleep(self, duration: float) -> None:
        if threading.current_thread() is not threading.main_thread():
            with self._gate:  # a thread that looked before the VM request went out has advanced by then
                if not self.vm_sent.is_set():
                    super().sleep(duration)
                    return
            self.released.wait(REAL_TIMEOUT_S)  # held first: emulated time stands still meanwhile
        super().sleep(duration)


class Terminal(io.TextIOBase):
    """stderr as the user sees it; each write stamped with the emulator's clock."""

    def __init__(self, clock: Callable[[], float], tty: bool = False) -> None:
        self.clock, self.tty = clock, tty
        self.writes: list[tuple[float, str]] = []
        self.cond = threading.Condition()

    def write(self, s: str) -> int:
        with self.cond:
            self.writes.append((self.clock(), s))
            self.cond.notify_all()
        return len(s)

    def isatty(self) -> bool:
        return self.tty

    def text(self, start: int = 0) -> str:
        with self.cond:
            return "".join(s for _, s in self.writes[start:])

    def mark(self) -> int:
        with self.cond:
            return len(self.writes)

    def wait_line(self, needle: str, start: int = 0) -> str:
        """The first complete line after ``start`` that holds ``needle``."""
        deadline = time.monotonic() + REAL_TIMEOUT_S
        with self.cond:
            while True:
                lines = self.text(start).split("\n")[:-1]
                found = [ln for ln in lines if needle in ln]
                if found:
                    return found[0]
                left = deadline - time.monotonic()
                assert left > 0, f"never printed a line with {needle!r}; printed:\n{self.text(start)}"
                self.cond.wait(left)

    def wait_for(self, needle: str, start: int = 0) -> tuple[float, str]:
        """(emulated time of the write that completed ``needle``, the text from ``start``)."""
        deadline = time.monotonic() + REAL_TIMEOUT_S
        with self.cond:
            while True:
                acc = ""
                for t, s in self.writes[start:]:
                    acc += s
                    if needle in acc:
                        return t, acc
                left = deadline - time.monotonic()
                assert left > 0, f"never printed {needle!r}; printed:\n{acc}"
                self.cond.wait(left)


@pytest.fixture
def realistic():
    """Azure-like latencies on a clock that moves only when the emulated work waits (a FakeClock under the
    engine's skipped seconds): "answered within 1 s of emulated work" then means emulated work, not how soon a
    loaded machine schedules the CLI's main thread."""
    return Engine(profile=load_profile("realistic"), clock=FakeClock())


@pytest.fixture
def cli(monkeypatch, realistic):
    """Run the CLI in this process on ``realistic`` through a held transport; stderr is a Terminal."""
    monkeypatch.setenv("AZGUEST_ADMIN_PASSWORD", PASSWORD)
    monkeypatch.setattr(progress, "TICK_S", 0.005)  # the ticker polls often; the heartbeat reads the emulated clock
    transport = HeldTransport(realistic)
    session = AzureSession(Target(emulator=True, subscription_id=EMULATOR_SUBSCRIPTION_ID), transport=transport,
                           engine=realistic, retry=RetrySettings(backoff_factor=0.01, backoff_max_seconds=1))
    monkeypatch.setattr("azguest.cli.lab_cmds.session_for", lambda *a, **k: session)

    def invoke(args: list[str], helper: Callable[[Terminal], None] | None = None, tty: bool = False,
               hold: bool = False):
        """Run ``azguest args`` while ``helper`` acts as the user; ``hold`` keeps VMs in flight after exit."""
        term = Terminal(realistic.clock, tty)
        monkeypatch.setattr("sys.stderr", term)
        errors: list[BaseException] = []

        def side() -> None:
            try:
                if helper is not None:
                    helper(term)
            except BaseException as e:  # noqa: BLE001 - re-raised in the test's thread
                errors.append(e)
                transport.released.set()  # let the CLI finish
            if not hold:
                transport.released.set()  # the user has seen what they waited for: let the VMs finish

        t = threading.Thread(target=side, daemon=True)
        t.start()
        rc = run(args)
        invoke.exited = (realistic.clock(), time.monotonic())  # before anything held is let go
        t.join(REAL_TIMEOUT_S)
        if errors:
            raise errors[0]
        return rc, term

    invoke.transport = transport
    invoke.session = session
    yield invoke
    transport.released.set()


def _vm_in_flight(transport: HeldTransport) -> None:
    assert transport.vm_sent.wait(REAL_TIMEOUT_S), "no VM request was sent"


def test_ctrl_c__says_at_once_what_runs__second_exits_at_once_with_the_resume_command(cli, realistic):
    transport = cli.transport
    seen: dict[str, float] = {}

    def user(term: Terminal) -> None:
        _vm_in_flight(transport)
        mark, seen["kill1"] = term.mark(), realistic.clock()
        os.kill(os.getpid(), signal.SIGINT)
        seen["said"], said = term.wait_for("Ctrl-C again", mark)
        seen["first"] = said
        seen["kill2"], seen["kill2_real"] = realistic.clock(), time.monotonic()
        os.kill(os.getpid(), signal.SIGINT)

    rc, term = cli(["deploy", str(SPEC), "--yes"], user, hold=True)
    exited, exited_real = cli.exited
    first = seen["first"]
    assert seen["said"] - seen["kill1"] <= 1.0, "the first Ctrl-C was not answered within 1 s of emulated work"
    assert "vm/hv-s2d-" in first and "running" in first, first  # what is still running, by name and age
    assert "Press Ctrl-C again to stop waiting" in first and f"azguest deploy {SPEC}" in first
    assert rc == 130, term.text()
    assert exited - seen["kill2"] <= 1.0 and exited_real - seen["kill2_real"] < 5.0  # no wait for the VMs
    out = term.text()
    assert "AZG-INTERRUPTED" in out and f"`azguest deploy {SPEC}`" in out and "Traceback" not in out
    error = next(line for line in out.splitlines() if "AZG-INTERRUPTED" in line)
    assert "still in flight in Azure: " in error and "vm/hv-s2d-" in error, out
    # the VMs were left running in Azure, not waited for, and the lease was released
    session = cli.session
    graph = desired_graph(_lab(), session.subscription_id)
    vms = [d for d in graph.resources if d.kind == "vm"]
    states = {d.name: _state(session, d) for d in vms}
    assert "Creating" in states.values(), states
    tags = session.resource.resource_groups.get(graph.resource_group).tags or {}
    assert not [t for t in tags if t.startswith("azguest-lease")], tags

    # the re-run the message names picks the VMs up: it waits for them and never PUTs a VM twice
    transport.released.set()
    realistic.reset_log()
    rc2, term2 = cli(["deploy", str(SPEC), "--yes"])
    assert rc2 == 0, term2.text()
    vm_puts = [e for e in realistic.request_log if e.method == "PUT" and e.arm_type ==
               "Microsoft.Compute/virtualMachines" and not e.retry]
    started_before = [n for n, s in states.items() if s == "Creating"]
    assert not [e for e in vm_puts if any(e.path.endswith(n) for n in started_before)], vm_puts
    assert {_state(session, d) for d in graph.resources if d.kind in ("vm", "schedule")} == {"Succeeded"}


def test_one_ctrl_c__running_vms_finish_and_still_get_their_auto_shutdown_schedule(cli, realistic):
    def user(term: Terminal) -> None:
        _vm_in_flight(cli.transport)
        mark = term.mark()
        os.kill(os.getpid(), signal.SIGINT)
        term.wait_for("Ctrl-C again", mark)  # then the user waits (the hold ends with this helper)

    rc, term = cli(["deploy", str(SPEC), "--yes"], user)
    assert rc == 130 and "AZG-INTERRUPTED" in term.text(), term.text()
    session, graph = cli.session, desired_graph(_lab(), EMULATOR_SUBSCRIPTION_ID)
    made = [d for d in graph.resources if d.kind == "vm" and _state(session, d) == "Succeeded"]
    assert made, "no VM was in flight at the Ctrl-C"
    for vm in made:
        schedule = next(d for d in graph.resources if d.kind == "schedule" and d.name.endswith(vm.name))
        assert _state(session, schedule) == "Succeeded", f"{vm.name} was left without its auto-shutdown"


def _state(session: AzureSession, d) -> str:
    """The resource's provisioning state, or "absent" on a 404 (any other error fails the test)."""
    from azure.core.exceptions import ResourceNotFoundError

    try:
        return K.get(session, K.KINDS[d.kind], d.arm_id)["properties"]["provisioningState"]
    except ResourceNotFoundError:
        return "absent"


def _lab():
    from azguest.spec import load_lab

    return load_lab(SPEC)


def test_deploy_without_a_terminal__prints_a_heartbeat_naming_the_vm_being_created(cli, realistic):
    transport = cli.transport
    beat: dict[str, str] = {}

    def ci_log(term: Terminal) -> None:
        _vm_in_flight(transport)
        mark = term.mark()
        realistic.advance(progress.HEARTBEAT_S + 1)  # the VM is still being created 16 emulated seconds on
        beat["line"] = term.wait_line("running: ", mark)

    rc, term = cli(["deploy", str(SPEC), "--yes"], ci_log)
    assert rc == 0, term.text()
    line = beat["line"]
    assert "vm/hv-s2d-" in line and "running:" in line, line
    ages = [int(w[:-1]) for w in line.replace(",", " ").split() if w.endswith("s") and w[:-1].isdigit()]
    assert ages and max(ages) >= progress.HEARTBEAT_S, line  # how long it has been running
    out = term.text()
    assert "succeeded create vm/hv-s2d-dc01" in out  # one line per finished resource
    assert "\x1b[" not in out  # plain lines for a CI log, no live view


def test_deploy_in_a_terminal__live_view_comes_after_the_plan(cli, realistic):
    rc, term = cli(["deploy", str(SPEC), "--yes"], lambda term: None, tty=True)
    assert rc == 0, term.text()
    out = term.text()
    plan_end = out.index("cost of the lab as planned")
    live = out.index("Ctrl-C stops starting new work")
    assert plan_end < live and out.count("Plan for lab") == 1


def test_destroy__ctrl_c_says_what_runs_and_the_second_gives_the_resume_command(cli, realistic, monkeypatch):
    cli.transport.released.set()
    rc, _ = cli(["deploy", str(SPEC), "--yes"])
    assert rc == 0
    transport = HeldTransport(realistic)  # a fresh hold: the VM deletes stay in flight
    held = AzureSession(Target(emulator=True, subscription_id=EMULATOR_SUBSCRIPTION_ID), transport=transport,
                        engine=realistic)
    monkeypatch.setattr("azguest.cli.lab_cmds.session_for", lambda *a, **k: held)
    said: dict[str, str] = {}

    def user(term: Terminal) -> None:
        try:
            assert transport.vm_sent.wait(REAL_TIMEOUT_S)
            mark = term.mark()
            os.kill(os.getpid(), signal.SIGINT)
            _, said["first"] = term.wait_for("Ctrl-C again", mark)
            os.kill(os.getpid(), signal.SIGINT)
        finally:
            transport.released.set()

    rc, term = cli(["destroy", "hv-s2d", "--yes"], user)
    assert rc == 130, term.text()
    assert "running: vm/hv-s2d-" in said["first"] and "Press Ctrl-C again" in said["first"]
    assert "`azguest destroy hv-s2d`" in term.text()


# -- the executor and the reporter, driven directly ---------------------------------------------------------


def test_auto_shutdown_schedule__created_before_unrelated_slower_work(realistic):
    """One worker: each VM's schedule is created as soon as its VM exists, before the next VM starts."""
    session = AzureSession.for_engine(realistic, retry=RetrySettings(backoff_factor=0.01))
    events: list[tuple[str, str]] = []
    record = do_deploy(session, _lab(), max_workers=1, on_event=lambda e: events.append((e.state, e.key)))
    assert record.ok
    order = [k for s, k in events if s == "started" and not k.startswith("resourceGroup")]
    vms = [k for k in order if k.startswith("vm/")]
    for vm in vms[:-1]:
        schedule = f"schedule/shutdown-computevm-{vm.split('/', 1)[1]}"
        assert order.index(schedule) == order.index(vm) + 1, order


def test_schedules_depend_only_on_their_vm():
    graph = desired_graph(_lab(), EMULATOR_SUBSCRIPTION_ID)
    for d in graph.resources:
        if d.kind == "schedule":
            vm = "vm/" + d.name.removeprefix("shutdown-computevm-")
            assert set(d.depends_on) == {vm, f"resourceGroup/{graph.resource_group}"}, d.depends_on


def test_run_graph__essential_work_still_starts_after_a_stop_and_ready_work_goes_by_priority():
    from azguest.execute.dag import Task, run_graph

    stop, order = threading.Event(), []

    def vm():
        order.append("vm")
        stop.set()  # Ctrl-C while the VM is being created

    tasks = [Task("vm", vm), Task("other", lambda: order.append("other"), ("vm",)),
             Task("schedule", lambda: order.append("schedule"), ("vm",), priority=2, essential=True)]
    out = run_graph(tasks, max_workers=1, stop_event=stop)
    assert order == ["vm", "schedule"] and out["other"].state == "skipped"
    order.clear()
    tasks = [Task("a", lambda: order.append("a")), Task("b", lambda: order.append("b")),
             Task("s", lambda: order.append("s"), priority=2)]
    run_graph(tasks, max_workers=1)
    assert order[0] == "s"


class Ev:
    def __init__(self, key: str, state: str, elapsed_s: float = 0.0) -> None:
        kind, name = key.split("/", 1)
        self.key, self.state, self.label, self.elapsed_s, self.error = key, state, f"create {kind} {name}", \
            elapsed_s, None


def test_reporter__heartbeat_at_the_injected_interval_names_what_runs_and_for_how_long():
    clock, log = FakeClock(), io.StringIO()
    r = progress.Reporter(log, live=False, clock=clock, heartbeat_s=15, tick_s=0)
    r.begin()
    r(Ev("vm/lab-hv01", "started"))
    clock.t += 1
    r(Ev("disk/lab-d1", "started"))
    clock.t += 13.5
    r.tick()
    assert "running" not in log.getvalue()
    clock.t += 0.5
    r.tick()
    assert "… 2 running: vm/lab-hv01 15s, disk/lab-d1 14s" in log.getvalue()
    clock.t += 116
    r(Ev("disk/lab-d1", "succeeded"))
    r.tick()
    assert "succeeded create disk/lab-d1 (2m10s)" in log.getvalue()
    assert log.getvalue().rstrip().endswith("… 1 running: vm/lab-hv01 2m11s")


def test_reporter__live_view_clocks_tick_without_events():
    clock, screen = FakeClock(), io.StringIO()
    r = progress.Reporter(screen, live=True, clock=clock, tick_s=0)
    r.begin()
    r(Ev("vm/lab-hv01", "started"))
    shown = screen.getvalue()
    clock.t += 42
    r.tick()  # what the ticker does every second: no event came
    r.close()
    assert "vm/lab-hv01" in shown and "42s" not in shown and "42s" in screen.getvalue()


def test_nothing_is_drawn_nor_ctrl_c_taken_before_begin():
    screen = io.StringIO()
    before = signal.getsignal(signal.SIGINT)
    w = progress.Watch("deploy", "azguest deploy x.yaml", stream=screen)
    with w:
        assert screen.getvalue() == "" and signal.getsignal(signal.SIGINT) == before
        w.begin()
        assert signal.getsignal(signal.SIGINT) == w.guard.handle
    assert signal.getsignal(signal.SIGINT) == before
