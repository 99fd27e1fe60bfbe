"""Microsoft.DevTestLab/schedules: the VM auto-shutdown schedule ``shutdown-computevm-<vm>``.
PUT synchronous (201 new / 200 update), GET, DELETE (200/204).

``timeZoneId`` must be a Windows time-zone id (azguest/catalog/timezones.py: CLDR's list of the ids
Windows ships); anything else, an IANA name included, is 400 ``InvalidTimeZone``. The code and message
are those Azure Lab Services answers for a bad ``TimeZoneId`` (azure-devtestlab#753); what DevTest
Labs itself answers is unverified.

Not implemented: lab schedules, notification webhooks, execution of the shutdown itself.
"""

from __future__ import annotations

import re
from typing import Any

from azguest.catalog.timezones import windows_zone
from azguest.emulator import ids
from azguest.emulator.context import Ctx
from azguest.emulator.errors import ArmError, invalid
from azguest.emulator.handlers.base import Handler, base_resource
from azguest.emulator.registry import Op, Rule, register


@register
class Schedules(Handler):
    arm_type = "Microsoft.DevTestLab/schedules"
    delete_style = "sync"
    operations = (Op("PUT", "", (201, 200)), Op("GET", "", (200,)), Op("DELETE", "", (200, 204)),
                  Op("GET", "s", (200,)))
    rules = (
        Rule(400, "InvalidParameter", "name must be shutdown-computevm-<vm name> of the target VM"),
        Rule(404, "NotFound", "targetResourceId must be an existing VM"),
        Rule(400, "InvalidParameter", "dailyRecurrence.time must be HHmm"),
        Rule(400, "InvalidTimeZone", "timeZoneId must be a Windows time-zone id (code as Lab Services answers; "
             "DevTest Labs' own code unverified)"),
    )

    def build(self, ctx: Ctx, rid: str, body: dict[str, Any], existing: dict | None) -> dict[str, Any]:
        res = base_resource(rid, self.arm_type, body, existing)
        props = res["properties"]
        target = props.get("targetResourceId")
        vm = ctx.get(target)
        if vm is None:
            raise ArmError(404, "NotFound", f"Target resource {target} was not found.", "targetResourceId")
        expected = f"shutdown-computevm-{vm['name']}".lower()
        if ids.name_of(rid).lower() != expected:
            raise invalid(f"The schedule name must be '{expected}'.", "name")
        t = (props.get("dailyRecurrence") or {}).get("time", "")
        if not re.fullmatch(r"([01]\d|2[0-3])[0-5]\d", str(t)):
            raise invalid(f"dailyRecurrence.time '{t}' must be HHmm.", "dailyRecurrence.time")
        props.setdefault("status", "Enabled")
        props.setdefault("taskType", "ComputeVmShutdownTask")
        props.setdefault("timeZoneId", "UTC")
        if not isinstance(props["timeZoneId"], str) or windows_zone(props["timeZoneId"]) is None:
            raise ArmError(400, "InvalidTimeZone", "Property TimeZoneId must be a valid time zone.", "timeZoneId")
        props.setdefault("notificationSettings", {"status": "Disabled", "timeInMinutes": 30})
        props.setdefault("createdDate", props.get("createdDate") or "")
        return res
