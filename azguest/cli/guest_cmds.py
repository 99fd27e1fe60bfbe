"""`azguest configure SPEC`: run the lab's guest steps (azguest.guest.configure); also deploy's last phase."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import typer

from azguest.cli.options import (
    BreakLeaseOpt,
    CloudOpt,
    ConcurrencyOpt,
    EmulatorOpt,
    EndpointOpt,
    OutputOpt,
    SpecArg,
    SubscriptionOpt,
    YesOpt,
    session_for,
)
from azguest.cli.output import OutputFormat, emit_json
from azguest.deploy.records import DEFAULT_CONCURRENCY


def secrets_for(lab: Any, session: Any, password: Callable[[], str] | None = None) -> Any:
    """``secrets(needed)`` for the configure use case: the admin password (``password()``, else Key Vault,
    the environment or the hidden prompt) only when a step to run carries it; the storage key is read from
    Azure by the use case."""
    from azguest.guest.commands import SECRET_PLACEHOLDER, Secrets

    def secrets(needed: set[str]) -> Secrets:
        if SECRET_PLACEHOLDER not in needed:
            return Secrets()
        if password is not None:
            return Secrets(password())
        from azguest.cli.prompts import password_prompt
        from azguest.spec import resolve_password

        return Secrets(resolve_password(lab, prompt=password_prompt(lab.admin.username), key_vault=session.secret))
    return secrets


def configure_lab(session: Any, lab: Any, watch: Any, *, concurrency: int, break_lease: bool = False,
                  password: Callable[[], str] | None = None) -> Any:
    """Run the guest steps under the lab's lease, progress through ``watch``; returns the record.
    ``password``: the admin password deploy already resolved (asked once per command)."""
    from azguest.deploy.lease import policy_for
    from azguest.guest.configure import configure

    return configure(session, lab, secrets=secrets_for(lab, session, password), max_workers=concurrency,
                     on_event=watch.reporter, stop_event=watch.stop_event,
                     lease=policy_for(session, "configure", break_lease=break_lease))


def show(record: Any, stream: Any = None) -> None:
    """One line per step that ran or restarted, then the summary."""
    out = stream or sys.stdout
    for o in record.outcomes:
        if o.action not in ("no-change", "restart-not-needed"):
            extra = " (reboot pending)" if o.reboot_required else ""
            out.write(f"  {o.state:<9} {o.action:<8} {o.key}{extra}\n")
    s = record.summary()
    out.write(f"configure {record.lab}: {s['ran']} step(s) ran, {s['unchanged']} unchanged, {s['restarted']} VM "
              f"restart(s) in {record.elapsed_s:.1f}s" + (f" ({record.note})" if record.note else "") + "\n")


def configure_cmd(spec: SpecArg, yes: YesOpt = False, concurrency: ConcurrencyOpt = DEFAULT_CONCURRENCY,
                  output: OutputOpt = OutputFormat.human, emulator: EmulatorOpt = False,
                  endpoint: EndpointOpt = None, subscription: SubscriptionOpt = None, cloud: CloudOpt = None,
                  break_lease: BreakLeaseOpt = False) -> None:
    """Configure the guests of a deployed lab: domain, cluster, storage, witness, workloads. Resumes where a
    failed run stopped; an unchanged lab is only read. `azguest deploy` runs this after the Azure side."""
    from azguest.cli.lab_cmds import _load, carry_warnings, confirm
    from azguest.cli.progress import Watch
    from azguest.errors import Interrupted, RefusedError
    from azguest.guest.configure import plan_guest

    lab, warnings = _load(spec, allow_public_rdp=True, allow_unknown_size=True, show=False)
    resume = f"azguest configure {spec}" + (" --emulator" if emulator else "")
    with Watch("configure", resume) as watch, carry_warnings(warnings), \
            session_for(emulator, endpoint, subscription or lab.subscription, cloud) as session:
        watch.use_clock(session)
        plan = plan_guest(session, lab)
        todo = [s for s in plan.to_dict()["steps"] if s["action"] != "no-change"]
        if todo and output is not OutputFormat.json:
            sys.stderr.write(f"Guest steps to run on lab {lab.name}: " + ", ".join(s["key"] for s in todo) + "\n")
        if todo and not confirm(yes, f"Run {len(todo)} guest step(s) on lab {lab.name}?"):
            raise RefusedError("configure was not confirmed; nothing was run", code="AZG-NOT-CONFIRMED")
        watch.begin()
        record = configure_lab(session, lab, watch, concurrency=concurrency, break_lease=break_lease)
    if record.note == "interrupted":
        err = Interrupted("configure interrupted: steps not started were left", hint=f"re-run `{resume}` to resume")
        err.result = record.to_dict()
        raise err
    if output is OutputFormat.json:
        emit_json("configure", ok=True, result=record.to_dict(), warnings=warnings)
    else:
        show(record)


def register(app: typer.Typer) -> None:
    app.command("configure")(configure_cmd)
