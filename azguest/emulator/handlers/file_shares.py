"""Microsoft.Storage/storageAccounts/fileServices/shares (PUT 201/200, GET, DELETE 200/204,
list) and the ``blobServices`` / ``fileServices`` ``default`` service-properties resources
(GET, PUT 200).

Not implemented: snapshots of shares, leases, soft-delete restore, NFS specifics, quotas usage.
"""

from __future__ import annotations

import re
from typing import Any

from azguest.emulator.context import Ctx, Reply, iso, public
from azguest.emulator.errors import ArmError, invalid
from azguest.emulator.handlers.base import Handler, base_resource
from azguest.emulator.registry import Op, Rule, register

_SHARE_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$")
MAX_SHARE_QUOTA_GIB = 102400


@register
class FileShares(Handler):
    arm_type = "Microsoft.Storage/storageAccounts/fileServices/shares"
    scope = "child"
    delete_style = "sync"
    requires_location = False
    operations = (Op("PUT", "", (201, 200)), Op("GET", "", (200,)), Op("DELETE", "", (200, 204)),
                  Op("GET", "s", (200,)))
    rules = (
        Rule(400, "InvalidResourceName", "share names: 3-63 lower-case letters, digits, single hyphens"),
        Rule(400, "InvalidParameter", f"shareQuota must be 1-{MAX_SHARE_QUOTA_GIB} GiB"),
        Rule(404, "ParentResourceNotFound", "the storage account must exist"),
    )

    def build(self, ctx: Ctx, rid: str, body: dict[str, Any], existing: dict | None) -> dict[str, Any]:
        name = rid.rsplit("/", 1)[-1]
        if not _SHARE_NAME.match(name):
            raise ArmError(400, "InvalidResourceName", f"The specified resource name '{name}' is invalid.")
        res = base_resource(rid, self.arm_type, body, existing)
        res.pop("location", None)
        res.pop("tags", None)
        props = res["properties"]
        quota = props.setdefault("shareQuota", 5120)
        if not isinstance(quota, int) or not 1 <= quota <= MAX_SHARE_QUOTA_GIB:
            raise invalid(f"shareQuota {quota} is out of range.", "shareQuota")
        props.setdefault("enabledProtocols", "SMB")
        props.setdefault("accessTier", "TransactionOptimized")
        props["lastModifiedTime"] = iso(ctx.now)
        res["etag"] = f'"0x{int(ctx.now * 1000):X}"'
        return res

    def render(self, ctx: Ctx, res: dict[str, Any]) -> dict[str, Any]:
        out = public(res)
        out["properties"].pop("provisioningState", None)
        return out


class _Service(Handler):
    """The ``default`` blob/file service of an account (service properties only).

    Not implemented: CORS validation, delete retention semantics."""

    scope = "child"
    requires_location = False
    operations = (Op("GET", "", (200,)), Op("PUT", "", (200,)), Op("GET", "s", (200,)))

    def put(self, ctx: Ctx) -> Reply:
        self.require_parent(ctx)
        rid = ctx.path.resource_id()
        existing = ctx.get(rid)
        res = base_resource(rid, self.arm_type, ctx.body, existing)
        res.pop("location", None)
        res.pop("tags", None)
        ctx.save(res)
        return Reply(200, public(res))


@register
class BlobServices(_Service):
    arm_type = "Microsoft.Storage/storageAccounts/blobServices"


@register
class FileServices(_Service):
    arm_type = "Microsoft.Storage/storageAccounts/fileServices"
