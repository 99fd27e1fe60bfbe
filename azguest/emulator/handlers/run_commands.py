"""Microsoft.Compute/virtualMachines/runCommands (managed run command): PUT 201/200 +
Azure-AsyncOperation, GET (``$expand=instanceView`` gives output, exit code, times), list, DELETE
(202 + Location). The script runs in the VM's guest (``engine.run_guest``: the profile's guest
model, see ``azguest.emulator.guest``) when the PUT is accepted, while its protected parameters are at
hand; its result is published when the operation completes. ``protectedParameters`` reach the guest
only: they are never stored (the state file) nor returned.

Not implemented: asyncExecution semantics (always waits), outputBlobUri/errorBlobUri uploads,
runAsUser, timeouts, ``dependsOn`` ordering, PATCH.
"""

from __future__ import annotations

from typing import Any

from azguest.emulator import lro
from azguest.emulator.context import Ctx, iso_offset, public
from azguest.emulator.errors import ArmError, invalid
from azguest.emulator.guest import parse_step_id, step_seconds
from azguest.emulator.handlers.base import Handler, base_resource
from azguest.emulator.handlers.computeutil import power
from azguest.emulator.registry import Op, Rule, register

MAX_PER_VM = 25  # ACD windows/run-command-managed.md (2025-08-18)
OUTPUT_LIMIT_BYTES = 4096


@register
class RunCommands(Handler):
    arm_type = "Microsoft.Compute/virtualMachines/runCommands"
    scope = "child"
    put_style = "async"
    operations = (
        Op("PUT", "", (201, 200), "Azure-AsyncOperation", "runs the script's declared guest step"),
        Op("GET", "", (200,), summary="$expand=instanceView for output and exit code"),
        Op("DELETE", "", (202, 204), "Location"),
        Op("GET", "s", (200,), summary="list on a VM"),
    )
    rules = (
        Rule(404, "ParentResourceNotFound", "the VM must exist"),
        Rule(400, "InvalidParameter", "source.script, source.scriptUri or source.commandId is required"),
        Rule(409, "OperationNotAllowed", "at most 25 managed run commands per VM; the VM must be running"),
        Rule(200, "-", "protectedParameters are never returned in responses"),
    )

    def build(self, ctx: Ctx, rid: str, body: dict[str, Any], existing: dict | None) -> dict[str, Any]:
        res = base_resource(rid, self.arm_type, body, existing)
        vm = ctx.get(ctx.path.parent_id())
        res["location"] = res.get("location") or vm.get("location")
        props = res["properties"]
        src = props.get("source") or {}
        if not (src.get("script") or src.get("scriptUri") or src.get("commandId")):
            raise invalid("Run command source must have script, scriptUri or commandId.", "source")
        if power(vm) != "running":
            raise ArmError(409, "OperationNotAllowed", f"Cannot run a command on VM '{vm['name']}' since it is "
                           f"{power(vm)}.")
        if existing is None and len(ctx.of_type(self.arm_type, parent=vm["id"])) >= MAX_PER_VM:
            raise ArmError(409, "OperationNotAllowed", f"A VM can have at most {MAX_PER_VM} run commands.")
        ctx.scratch["protected"] = _pairs(props.pop("protectedParameters", None))
        props.setdefault("asyncExecution", False)
        props.setdefault("timeoutInSeconds", 0)
        props.setdefault("treatFailureAsDeploymentFailure", False)
        res["_view"] = {"executionState": "Running", "startTime": iso_offset(ctx.now)}
        return res

    def after_put(self, ctx: Ctx, res: dict[str, Any], existing: dict | None) -> None:
        """Run the script now, while the protected parameters exist (they are never stored)."""
        props = res["properties"]
        src = props.get("source") or {}
        vm_id = res["id"].rsplit("/runCommands/", 1)[0]
        code, out, err = ctx.engine.run_guest(ctx, vm_id, src.get("script") or src.get("commandId") or
                                              src.get("scriptUri"), _pairs(props.get("parameters")),
                                              ctx.scratch.pop("protected", {}))
        res["_result"] = {"exitCode": code, "output": out, "error": err}
        lro.set_duration(ctx, step_seconds(ctx.engine.profile, parse_step_id(src.get("script")), code))
        ctx.save(res)

    def complete(self, ctx: Ctx, op: dict[str, Any]) -> None:
        res = ctx.get(op["resource_id"])
        if res is None or op["operation"] == "delete" or op["fail"]:
            super().complete(ctx, op)
            return
        props = res["properties"]
        result = res.pop("_result", None) or {"exitCode": 1, "output": "", "error": "no result recorded"}
        code, out, err = result["exitCode"], result["output"], result["error"]
        failed = code != 0
        res["_view"] = {
            "executionState": "Failed" if failed else "Succeeded",
            "executionMessage": f"Execution completed with exit code {code}" if failed else "Execution completed",
            "exitCode": code, "output": _tail(out), "error": _tail(err),
            "startTime": res["_view"].get("startTime"), "endTime": iso_offset(op["done_at"]), "statuses": [],
        }
        if failed and props.get("treatFailureAsDeploymentFailure"):
            op["fail"] = {"code": "VMExtensionProvisioningError",
                          "message": f"Run command failed with exit code {code}: {_tail(err)}"}
            props["provisioningState"] = "Failed"
        else:
            props["provisioningState"] = "Succeeded"
        ctx.save(res)

    def render(self, ctx: Ctx, res: dict[str, Any]) -> dict[str, Any]:
        out = public(res)
        out["properties"].pop("protectedParameters", None)
        if "instanceview" in (ctx.req.query.get("$expand") or "").lower():
            out["properties"]["instanceView"] = dict(res.get("_view") or {})
        return out


def _pairs(items: Any) -> dict[str, str]:
    """``[{"name": n, "value": v}, ...]`` as a dict (parameters, protectedParameters)."""
    return {str(p.get("name")): p.get("value") for p in items or []}


def _tail(text: str | None) -> str:
    return (text or "").encode("utf-8")[-OUTPUT_LIMIT_BYTES:].decode("utf-8", "ignore")
