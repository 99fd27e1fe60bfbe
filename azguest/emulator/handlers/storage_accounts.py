"""Microsoft.Storage/storageAccounts: create 202 + Location (poll 202, then 200 with the
account); an update of an existing account is a synchronous 200. kind, sku,
``supportsHttpsTrafficOnly``, ``minimumTlsVersion``, ``allowBlobPublicAccess``; globally unique
names (``checkNameAvailability``); ``listKeys`` (POST 200). The default blob and file services
are created with the account.

Not implemented: regenerateKey, SAS listing, network rules, encryption scopes, failover,
hierarchical namespace semantics, data-plane endpoints (nothing listens on them).
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from azguest.emulator import lro
from azguest.emulator.context import Ctx, Reply, iso, public
from azguest.emulator.errors import ArmError, invalid
from azguest.emulator.handlers.base import Handler, base_resource
from azguest.emulator.registry import Op, Rule, register

SA_TYPE = "Microsoft.Storage/storageAccounts"
_NAME = re.compile(r"^[a-z0-9]{3,24}$")
_KINDS = ("StorageV2", "Storage", "BlobStorage", "FileStorage", "BlockBlobStorage")
_SKUS = ("Standard_LRS", "Standard_GRS", "Standard_RAGRS", "Standard_ZRS", "Premium_LRS", "Premium_ZRS",
         "Standard_GZRS", "Standard_RAGZRS")
_TLS = ("TLS1_0", "TLS1_1", "TLS1_2", "TLS1_3")


def name_problem(ctx: Ctx, name: str, rid: str | None = None) -> tuple[str, str] | None:
    if not _NAME.match(name):
        return "AccountNameInvalid", (f"{name} is not a valid storage account name. Storage account name must "
                                      "be between 3 and 24 characters in length and use numbers and lower-case "
                                      "letters only.")
    for sa in ctx.of_type(SA_TYPE):
        if sa["name"] == name and (rid is None or sa["id"].lower() != rid.lower()):
            return "AlreadyExists", f"The storage account named {name} is already taken."
    return None


@register
class StorageAccounts(Handler):
    arm_type = SA_TYPE
    put_style = "location"
    delete_style = "sync"
    operations = (
        Op("PUT", "", (202, 200), "Location", "create: 202 then 200 with the account; update: 200"),
        Op("GET", "", (200,)),
        Op("PATCH", "", (200,)),
        Op("DELETE", "", (200, 204)),
        Op("GET", "s", (200,), summary="list in group / subscription"),
        Op("POST", "/listKeys", (200,)),
        Op("POST", "/subscriptions/{sub}/providers/Microsoft.Storage/checkNameAvailability", (200,)),
    )
    rules = (
        Rule(400, "AccountNameInvalid", "3-24 lower-case letters and digits"),
        Rule(409, "StorageAccountAlreadyTaken", "names are globally unique"),
        Rule(400, "InvalidRequestPropertyValue", "kind, sku.name and minimumTlsVersion must be known values"),
    )

    def put(self, ctx: Ctx) -> Reply:
        self.require_parent(ctx)
        existing = ctx.get(ctx.path.resource_id())
        if existing is None:
            return super().put(ctx)
        res = self.build(ctx, existing["id"], ctx.body, existing)
        res["properties"]["provisioningState"] = "Succeeded"
        ctx.save(res)
        return Reply(200, self.render(ctx, res))

    def build(self, ctx: Ctx, rid: str, body: dict[str, Any], existing: dict | None) -> dict[str, Any]:
        name = rid.rsplit("/", 1)[-1]
        problem = name_problem(ctx, name, rid)
        if problem:
            code = "StorageAccountAlreadyTaken" if problem[0] == "AlreadyExists" else problem[0]
            raise ArmError(409 if problem[0] == "AlreadyExists" else 400, code, problem[1])
        res = base_resource(rid, self.arm_type, body, existing)
        res.setdefault("kind", "StorageV2")
        sku = (res.get("sku") or {}).get("name")
        if res["kind"] not in _KINDS:
            raise invalid(f"Value '{res['kind']}' of property 'kind' is invalid.", "kind",
                          "InvalidRequestPropertyValue")
        if sku not in _SKUS:
            raise invalid(f"Value '{sku}' of property 'sku.name' is invalid.", "sku.name",
                          "InvalidRequestPropertyValue")
        res["sku"] = {"name": sku, "tier": "Premium" if sku.startswith("Premium") else "Standard"}
        props = res["properties"]
        props.setdefault("supportsHttpsTrafficOnly", True)
        props.setdefault("allowBlobPublicAccess", False)
        tls = props.setdefault("minimumTlsVersion", "TLS1_2")
        if tls not in _TLS:
            raise invalid(f"Value '{tls}' of property 'minimumTlsVersion' is invalid.", "minimumTlsVersion",
                          "InvalidRequestPropertyValue")
        props.setdefault("accessTier", "Hot")
        props["creationTime"] = (existing or {}).get("properties", {}).get("creationTime") or iso(ctx.now)
        props["primaryLocation"] = res["location"]
        props["statusOfPrimary"] = "available"
        props["primaryEndpoints"] = {s: f"https://{name}.{s}.core.windows.net/"
                                     for s in ("blob", "queue", "table", "file", "dfs", "web")}
        return res

    def after_put(self, ctx: Ctx, res: dict[str, Any], existing: dict | None) -> None:
        for svc in ("blobServices", "fileServices"):
            sid = f"{res['id']}/{svc}/default"
            if ctx.get(sid) is None:
                ctx.save({"id": sid, "name": "default", "type": f"{SA_TYPE}/{svc}", "properties": {}})

    def action(self, ctx: Ctx, name: str) -> Reply:
        res = self.load(ctx)
        if name.lower() != "listkeys" or ctx.req.method != "POST":
            return super().action(ctx, name)
        keys = [{"keyName": f"key{i}", "value": value, "permissions": "FULL",
                 "creationTime": res["properties"].get("creationTime")} for i, value in enumerate(account_keys(res), 1)]
        return Reply(200, {"keys": keys})

    def sub_route(self, ctx: Ctx, rest: tuple[str, ...]) -> Reply | None:
        if len(rest) != 1 or rest[0].lower() != "checknameavailability" or ctx.req.method != "POST":
            return None
        name = ctx.body.get("name", "")
        problem = name_problem(ctx, name)
        if problem is None:
            return Reply(200, {"nameAvailable": True})
        return Reply(200, {"nameAvailable": False, "reason": problem[0], "message": problem[1]})

    def render(self, ctx: Ctx, res: dict[str, Any]) -> dict[str, Any]:
        return public(res)


def account_keys(res: dict[str, Any]) -> list[str]:
    """key1 and key2 of an account: derived from its id, never stored (the guest model checks a cloud
    witness's key against them)."""
    return [base64.b64encode(hashlib.sha512(f"{res['id'].lower()}|key{i}".encode()).digest()).decode() for i in (1, 2)]


__all__ = ["StorageAccounts", "account_keys", "lro"]
