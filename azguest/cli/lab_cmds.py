"""plan / deploy / status / destroy / gc: thin commands over azguest.deploy."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from azguest.cli import render
from azguest.cli.options import (
    AllowPublicRdpOpt,
    AllowUnknownSizeOpt,
    BreakLeaseOpt,
    CloudOpt,
    ConcurrencyOpt,
    DeleteConcurrencyOpt,
    EmulatorOpt,
    EndpointOpt,
    GroupOpt,
    LabArg,
    OutputOpt,
    SpecArg,
    SubscriptionOpt,
    YesOpt,
    session_for,
)
from azguest.cli.output import OutputFormat, emit_json
from azguest.deploy.records import DEFAULT_CONCURRENCY
from azguest.errors import AzguestError, Interrupted, PartialError, RefusedError


def _load(spec: Path, *, allow_public_rdp: bool = False, allow_unknown_size: bool = False,
          show: bool = True) -> tuple[Any, list[dict]]:
    """The validated Lab and its warnings; ``show`` prints each warning on stderr (human output)."""
    from azguest.spec import load
    from azguest.spec.loader import checked

    result = load(spec, allow_public_rdp=allow_public_rdp, allow_unknown_size=allow_unknown_size)
    if show:
        for f in result.warnings:
            sys.stderr.write(f.render() + "\n")
    warnings = [f.to_dict() for f in result.warnings]
    with carry_warnings(warnings):
        return checked(result, spec), warnings


@contextmanager
def carry_warnings(warnings: list[dict]) -> Iterator[None]:
    """An error raised inside carries the spec's warnings into the JSON envelope (``_report``)."""
    try:
        yield
    except AzguestError as e:
        e.warnings = warnings
        raise


def confirm(yes: bool, question: str) -> bool:
    """--yes answers; a terminal asks; with neither, refuse rather than hang or guess."""
    if yes:
        return True
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise RefusedError(f"{question} needs confirmation, and there is no terminal to ask",
                           hint="re-run with --yes (for CI)")
    return typer.confirm(question, default=False, err=True)


def _finish(record: Any, output: OutputFormat, command: str, warnings: list[dict] | None = None,
            resume: str | None = None, guest: Any = None) -> None:
    """Render the record; a failed or interrupted run becomes one error (with the record in JSON).
    ``guest``: deploy's configure record (azguest.guest.configure), under ``result.configure``."""
    error = _record_error(record, command, resume or f"azguest {command}")
    if error is not None:
        error.result = record.to_dict()
        if output is not OutputFormat.json:
            render.apply_record(record)
        raise error
    result = record.to_dict() if guest is None else {**record.to_dict(), "configure": guest.to_dict()}
    if output is OutputFormat.json:
        emit_json(command, ok=True, result=result, warnings=warnings)
    else:
        render.apply_record(record)
        if guest is not None:
            from azguest.cli.guest_cmds import show

            show(guest)


def _record_error(record: Any, command: str, resume: str) -> Interrupted | PartialError | None:
    if record.note == "interrupted":
        return Interrupted(f"{command} interrupted: {record.summary()['skipped']} resources not started; "
                           "work already running was let finish", hint=f"re-run `{resume}` to resume")
    if record.ok:
        return None
    failed = record.failed()
    code = ((failed[0].error if failed else None) or {}).get("code") or "AZG-PARTIAL"
    return PartialError(f"{command} stopped: {len(failed)} failed, {record.summary()['skipped']} not started"
                        f" ({failed[0].key if failed else 'stopped'}: {code})", code=code,
                        hint=f"fix the cause and re-run `{resume}`: it resumes where it stopped")


AllowDataLossOpt = Annotated[bool, typer.Option(
    "--allow-data-loss", help="Let deploy delete disks the spec no longer has (a removed node's disks); "
    "without it such a deploy writes nothing (exit 13).")]
NoConfigureOpt = Annotated[bool, typer.Option(
    "--no-configure", help="Stop after the Azure resources: do not run the guest steps (`azguest configure` "
    "runs them later).")]


def plan_cmd(spec: SpecArg, output: OutputOpt = OutputFormat.human, emulator: EmulatorOpt = False,
             endpoint: EndpointOpt = None, subscription: SubscriptionOpt = None, cloud: CloudOpt = None,
             allow_public_rdp: AllowPublicRdpOpt = False, allow_unknown_size: AllowUnknownSizeOpt = False) -> None:
    """Show what deploy would create, update, replace or delete, and why."""
    from azguest.deploy.lab import make_plan

    lab, warnings = _load(spec, allow_public_rdp=allow_public_rdp, allow_unknown_size=allow_unknown_size,
                          show=output is not OutputFormat.json)
    with carry_warnings(warnings), session_for(emulator, endpoint, subscription or lab.subscription,
                                                cloud) as session:
        plan = make_plan(session, lab)
    if output is OutputFormat.json:
        from azguest.deploy.cost import graph_cost

        emit_json("plan", ok=True, result={**plan.to_dict(), "cost": graph_cost(plan.graph).to_dict()},
                  warnings=warnings)
    else:
        render.plan(plan, sys.stdout)


def deploy_cmd(spec: SpecArg, yes: YesOpt = False, concurrency: ConcurrencyOpt = DEFAULT_CONCURRENCY,
               output: OutputOpt = OutputFormat.human, emulator: EmulatorOpt = False,
               endpoint: EndpointOpt = None, subscription: SubscriptionOpt = None, cloud: CloudOpt = None,
               allow_public_rdp: AllowPublicRdpOpt = False, break_lease: BreakLeaseOpt = False,
               allow_unknown_size: AllowUnknownSizeOpt = False, allow_data_loss: AllowDataLossOpt = False,
               no_configure: NoConfigureOpt = False) -> None:
    """Deploy a lab: the Azure side, then the guests (domain, cluster, storage, workloads; see `configure`).
    Parallel, idempotent, resumable (re-run after any failure)."""
    from azguest.cli.progress import Watch
    from azguest.deploy.lab import deploy
    from azguest.deploy.lease import policy_for
    from azguest.spec import resolve_password

    lab, warnings = _load(spec, allow_public_rdp=allow_public_rdp, allow_unknown_size=allow_unknown_size,
                          show=output is not OutputFormat.json)

    resume = f"azguest deploy {spec}" + (" --emulator" if emulator else "")
    watch = Watch("deploy", resume, after_stop=" (but the auto-shutdown schedules of VMs that finish)")

    asked: list[bool] = []

    def ask(plan) -> bool:
        render.plan(plan, sys.stderr)
        ok = confirm(yes, f"Apply these changes to lab {lab.name}?")
        if ok:
            asked.append(True)
            watch.begin()  # progress and our Ctrl-C handling start after the plan and the prompt
        return ok

    resolved: list[str] = []  # asked once per command: deploy's VMs and then its guest steps use it

    def password() -> str:  # asked before the confirmation; fails at once with no terminal and no variable
        from azguest.cli.prompts import password_prompt

        if not resolved:
            prompt = password_prompt(lab.admin.username)
            resolved.append(resolve_password(lab, prompt=prompt, key_vault=session.secret))  # session: below
        return resolved[0]

    with watch, carry_warnings(warnings), session_for(emulator, endpoint, subscription or lab.subscription,
                                                      cloud) as session:
        watch.use_clock(session)
        record = deploy(session, lab, confirm=ask, password=password, max_workers=concurrency,
                        on_event=watch.reporter, stop_event=watch.stop_event,
                        lease=policy_for(session, "deploy", break_lease=break_lease),
                        allow_data_loss=allow_data_loss)
        guest = None
        if not no_configure and record.ok and record.note != "interrupted":
            guest = _configure(session, lab, watch, record, yes=yes, asked=bool(asked), concurrency=concurrency,
                               break_lease=break_lease, password=password)
    with carry_warnings(warnings):
        _finish(record, output, "deploy", warnings, resume, guest)


def _configure(session: Any, lab: Any, watch: Any, record: Any, *, yes: bool, asked: bool, concurrency: int,
               break_lease: bool, password: Any) -> Any:
    """Deploy's last phase: the guest steps (azguest.cli.guest_cmds); a failure carries both records.
    Asked only when deploy asked nothing (its Azure side was unchanged) and there are steps to run."""
    from azguest.cli.guest_cmds import configure_lab
    from azguest.guest.configure import plan_guest

    if not asked:
        todo = [s["key"] for s in plan_guest(session, lab).to_dict()["steps"] if s["action"] != "no-change"]
        if todo and not confirm(yes, f"Run {len(todo)} guest step(s) on lab {lab.name}?"):
            raise RefusedError("configure was not confirmed; the Azure side is deployed, the guests are not",
                               code="AZG-NOT-CONFIRMED", hint="re-run `azguest configure` (or deploy --yes)")
        watch.begin()
    try:
        guest = configure_lab(session, lab, watch, concurrency=concurrency, break_lease=break_lease,
                              password=password)
    except AzguestError as e:
        e.result = {**record.to_dict(), "configure": e.result}
        raise
    if guest.note == "interrupted":
        err = Interrupted("deploy interrupted while configuring the guests: steps not started were left",
                          hint="re-run the deploy (or `azguest configure`) to resume")
        err.result = {**record.to_dict(), "configure": guest.to_dict()}
        raise err
    return guest


def status_cmd(lab: LabArg, output: OutputOpt = OutputFormat.human, emulator: EmulatorOpt = False,
               endpoint: EndpointOpt = None, subscription: SubscriptionOpt = None, cloud: CloudOpt = None,
               spec: Annotated[Path | None, typer.Option("--spec", help="Also show drift from this spec.")] = None
               ) -> None:
    """What exists, power states, who holds each shared disk, backups, cost facts, drift."""
    from dataclasses import replace

    from azguest.deploy.connect import with_domain
    from azguest.deploy.lab import make_plan
    from azguest.deploy.status import lab_status

    spec_lab = _spec_of(spec, lab) if spec is not None else None  # before any read: another lab's is refused
    with session_for(emulator, endpoint, subscription, cloud) as session:
        st = lab_status(session, lab)
        if spec_lab is not None:
            plan = make_plan(session, spec_lab)  # reads only
            st = replace(st, drift=tuple(c.to_dict() for c in plan.changes if c.action != "no-change" or c.drift),
                         access=with_domain(st.access, spec_lab.domain.netbios_name))
    if output is OutputFormat.json:
        emit_json("status", ok=True, result=st.to_dict())
    else:
        render.status(st)


def _spec_of(spec: Path, lab: str) -> Any:
    """The spec's Lab, refused (usage error) when it is the spec of another lab: its drift would be bogus."""
    from azguest.errors import UsageError

    spec_lab = _load(spec, allow_public_rdp=True, allow_unknown_size=True, show=False)[0]
    if spec_lab.name != lab:
        raise UsageError(f"{spec} is the spec of lab {spec_lab.name}, not of lab {lab}; its drift would be "
                         "another lab's", code="AZG-SPEC-OTHER-LAB",
                         hint=f"pass lab {lab}'s own spec, or run `azguest status {spec_lab.name} --spec {spec}`")
    return spec_lab


def destroy_cmd(lab: LabArg, yes: YesOpt = False,
                with_backups: Annotated[bool, typer.Option("--with-backups", help="Delete backups too.")] = False,
                resource_group: GroupOpt = None, break_lease: BreakLeaseOpt = False,
                concurrency: DeleteConcurrencyOpt = DEFAULT_CONCURRENCY, output: OutputOpt = OutputFormat.human,
                emulator: EmulatorOpt = False, endpoint: EndpointOpt = None,
                subscription: SubscriptionOpt = None, cloud: CloudOpt = None) -> None:
    """Delete what azguest created for the lab, inside the lab's own group, in dependency order."""
    from azguest.cli.progress import Watch
    from azguest.deploy.lease import policy_for
    from azguest.deploy.teardown import destroy, plan_teardown

    resume = f"azguest destroy {lab}" + (" --emulator" if emulator else "")
    watch = Watch("destroy", resume)

    def ask(td) -> bool:
        render.teardown(td, sys.stderr)
        ok = confirm(yes, f"Delete these {td.delete_count} resources of lab {lab}?")
        if ok:
            watch.begin()
        return ok

    with watch, session_for(emulator, endpoint, subscription, cloud) as session:
        watch.use_clock(session)
        td = plan_teardown(session, lab, with_backups=with_backups, resource_group=resource_group)
        record = destroy(session, td, confirm=ask, max_workers=concurrency, on_event=watch.reporter,
                         stop_event=watch.stop_event, lease=policy_for(session, "destroy", break_lease=break_lease))
    _finish(record, output, "destroy", resume=resume)


def gc_cmd(dry_run: Annotated[bool, typer.Option("--dry-run", help="List expired labs only.")] = False,
           yes: YesOpt = False,
           with_backups: Annotated[bool, typer.Option("--with-backups", help="Delete backups too.")] = False,
           break_lease: BreakLeaseOpt = False,
           output: OutputOpt = OutputFormat.human, emulator: EmulatorOpt = False,
           endpoint: EndpointOpt = None, subscription: SubscriptionOpt = None, cloud: CloudOpt = None) -> None:
    """Destroy every lab whose group's azguest-expires tag has passed (for a nightly CI job).

    Lists every expired lab and, per group, how many resources it deletes, before asking (and with --yes)."""
    from azguest.cli.progress import Watch
    from azguest.deploy.lease import policy_for
    from azguest.deploy.teardown import destroy, plan_gc

    records, failures = [], []
    watch = Watch("gc", "azguest gc" + (" --emulator" if emulator else ""))
    with watch, session_for(emulator, endpoint, subscription, cloud) as session:
        watch.use_clock(session)
        items = plan_gc(session, with_backups=with_backups)
        doable = [i for i in items if i.teardown is not None]
        asking = not (dry_run or yes) and bool(doable)
        if output is not OutputFormat.json or asking:
            render.gc_plan(items, sys.stderr if output is OutputFormat.json else sys.stdout, dry_run)
        if not dry_run and doable and confirm(yes, f"Destroy the {len(doable)} expired lab(s) listed above?"):
            policy = policy_for(session, "gc", break_lease=break_lease)
            watch.begin()
            for item in doable:
                if watch.stop_event.is_set():
                    break  # Ctrl-C: the labs not begun are left for the next gc
                try:
                    records.append(destroy(session, item.teardown, confirm=lambda _t: True, lease=policy,
                                           on_event=watch.reporter, stop_event=watch.stop_event))
                except AzguestError as e:  # held by another run, or changed meanwhile: the others still go
                    failures.append({"lab": item.lab, **e.to_dict()})
    failures += [{"lab": i.lab, **(i.error or {})} for i in items if i.teardown is None and not dry_run]
    result = {"expired": [{"lab": i.lab, "expires": i.expires} for i in items], "labs": [i.to_dict() for i in items],
              "dryRun": dry_run, "destroyed": [r.to_dict() for r in records], "failed": failures}
    if failures or not all(r.ok for r in records):
        error = PartialError("gc could not destroy every expired lab", hint="see each lab's error; re-run `azguest gc`")
        error.result = result
        raise error
    if output is OutputFormat.json:
        emit_json("gc", ok=True, result=result)
    else:
        render.gc(records)


def register(app: typer.Typer) -> None:
    app.command("plan")(plan_cmd)
    app.command("deploy")(deploy_cmd)
    app.command("status")(status_cmd)
    app.command("destroy")(destroy_cmd)
    app.command("gc")(gc_cmd)
