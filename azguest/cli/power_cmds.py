"""`azguest stop LAB`, `azguest start LAB`, `azguest test LAB`: a graceful, ordered stop and start with
deallocation, and the lab's health checks (azguest.guest.power, azguest.guest.health). No spec needed."""

from __future__ import annotations

import sys

import typer

from azguest.cli import render
from azguest.cli.options import (
    BreakLeaseOpt,
    CloudOpt,
    EmulatorOpt,
    EndpointOpt,
    GroupOpt,
    LabArg,
    OutputOpt,
    SubscriptionOpt,
    session_for,
)
from azguest.cli.output import OutputFormat, emit_json
from azguest.errors import Interrupted


def _power(command: str, lab: str, resource_group: str | None, break_lease: bool, output: OutputFormat,
           emulator: bool, endpoint: str | None, subscription: str | None, cloud: str | None) -> None:
    from azguest.cli.progress import Watch
    from azguest.deploy.lease import policy_for
    from azguest.guest.power import run_power

    resume = f"azguest {command} {lab}" + (" --emulator" if emulator else "")
    watch = Watch(command, resume)
    with watch, session_for(emulator, endpoint, subscription, cloud) as session:
        watch.use_clock(session)
        record = run_power(session, lab, command, resource_group=resource_group,
                           lease=policy_for(session, command, break_lease=break_lease), on_event=watch.reporter,
                           stop_event=watch.stop_event, on_start=watch.begin)
    if record.note == "interrupted":
        err = Interrupted(f"{command} interrupted: the stages not begun were not started",
                          hint=f"re-run `{resume}`: finished stages are checked, not repeated")
        err.result = record.to_dict()
        raise err
    if output is OutputFormat.json:
        emit_json(command, ok=True, result=record.to_dict())
    else:
        render.power_record(record, sys.stdout)


def stop_cmd(lab: LabArg, resource_group: GroupOpt = None, break_lease: BreakLeaseOpt = False,
             output: OutputOpt = OutputFormat.human, emulator: EmulatorOpt = False, endpoint: EndpointOpt = None,
             subscription: SubscriptionOpt = None, cloud: CloudOpt = None) -> None:
    """Stop the lab gracefully so it stops costing: the workloads, Stop-Cluster, then deallocate the nodes,
    the storage VMs and the domain controller last."""
    _power("stop", lab, resource_group, break_lease, output, emulator, endpoint, subscription, cloud)


def start_cmd(lab: LabArg, resource_group: GroupOpt = None, break_lease: BreakLeaseOpt = False,
              output: OutputOpt = OutputFormat.human, emulator: EmulatorOpt = False, endpoint: EndpointOpt = None,
              subscription: SubscriptionOpt = None, cloud: CloudOpt = None) -> None:
    """Start the lab in order: the domain controller until AD DS and DNS answer, the storage VMs, the nodes
    (staggered where they share a disk), then Start-Cluster and the workloads."""
    _power("start", lab, resource_group, break_lease, output, emulator, endpoint, subscription, cloud)


def test_cmd(lab: LabArg, resource_group: GroupOpt = None, output: OutputOpt = OutputFormat.human,
             emulator: EmulatorOpt = False, endpoint: EndpointOpt = None, subscription: SubscriptionOpt = None,
             cloud: CloudOpt = None) -> None:
    """Check the lab's health: VMs running, AD DS and DNS, nodes Up in the cluster, validation passed,
    storage and CSVs healthy, witness online, workloads online and apart, DNS of the cluster name.
    Exit code 14 when a check fails."""
    from azguest.errors import HealthError
    from azguest.guest.health import check_lab

    with session_for(emulator, endpoint, subscription, cloud) as session:
        try:
            report = check_lab(session, lab, resource_group=resource_group)
        except HealthError as e:
            if output is not OutputFormat.json and e.report is not None:
                render.health_report(e.report, sys.stdout)  # the table, then the error on stderr
            raise
    if output is OutputFormat.json:
        emit_json("test", ok=True, result=report.to_dict())
    else:
        render.health_report(report, sys.stdout)


def register(app: typer.Typer) -> None:
    app.command("stop")(stop_cmd)
    app.command("start")(start_cmd)
    app.command("test")(test_cmd)
