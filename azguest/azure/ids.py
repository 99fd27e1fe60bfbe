"""Azure Resource Manager ids: the one parser and formatter production code uses.

An ARM id names a subscription, optionally a resource group, and optionally a resource of a
provider namespace with zero or more child segments::

    /subscriptions/{sub}
    /subscriptions/{sub}/resourceGroups/{rg}
    /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{vm}
    /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{vm}/runCommands/{rc}

The full type of a resource is its namespace followed by every type segment
(``Microsoft.Compute/virtualMachines/runCommands``), as in ARM's resource type rules
(https://learn.microsoft.com/azure/azure-resource-manager/templates/child-resource-name-type).
ARM compares ids case-insensitively; :attr:`ArmId.key` is the comparison key, while equality of the
record itself is exact (so a parse/format round trip keeps the spelling it was given).
Extension resources (a second ``/providers/`` segment) are outside what azguest manages and are refused.
"""

from __future__ import annotations

from dataclasses import dataclass

GROUP_TYPE = "Microsoft.Resources/resourceGroups"
SUBSCRIPTION_TYPE = "Microsoft.Resources/subscriptions"


class ArmIdError(ValueError):
    """A string that is not an ARM id azguest understands."""


@dataclass(frozen=True)
class ArmId:
    """A parsed ARM id. ``segments`` are the (type, name) pairs after the provider namespace:
    ``(("virtualMachines", "vm1"), ("runCommands", "rc"))``."""

    subscription: str
    resource_group: str | None = None
    namespace: str | None = None  # provider namespace, e.g. "Microsoft.Compute"
    segments: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        parts = [self.subscription, self.resource_group, self.namespace, *(p for seg in self.segments for p in seg)]
        for p in (p for p in parts if p is not None):
            if not p or "/" in p:
                raise ArmIdError(f"ARM id part {p!r} is empty or contains '/'")
        if (self.namespace is None) != (not self.segments):
            raise ArmIdError("an ARM id has a provider namespace exactly when it has resource segments")
        if self.namespace is not None and self.resource_group is None:
            raise ArmIdError("subscription-level provider resources are not supported")

    # -- parse / format ---------------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> ArmId:
        """Parse an id string (keywords matched case-insensitively; a trailing '/' is ignored)."""
        parts = text.rstrip("/").split("/")
        if len(parts) < 3 or parts[0] != "" or parts[1].lower() != "subscriptions":
            raise ArmIdError(f"not an ARM id: {text!r}")
        sub, rest = parts[2], parts[3:]
        if not rest:
            return cls(sub)
        if len(rest) < 2 or rest[0].lower() != "resourcegroups":
            raise ArmIdError(f"not an ARM id of a resource group or resource: {text!r}")
        rg, rest = rest[1], rest[2:]
        if not rest:
            return cls(sub, rg)
        if len(rest) < 4 or rest[0].lower() != "providers" or len(rest) % 2:
            raise ArmIdError(f"not an ARM resource id: {text!r}")
        namespace, pairs = rest[1], rest[2:]
        segments = tuple((pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2))
        if any(t.lower() == "providers" for t, _ in segments):
            raise ArmIdError(f"extension resources are not supported: {text!r}")
        return cls(sub, rg, namespace, segments)

    @classmethod
    def try_parse(cls, text: str | None) -> ArmId | None:
        try:
            return cls.parse(text or "")
        except ArmIdError:
            return None

    def __str__(self) -> str:
        out = f"/subscriptions/{self.subscription}"
        if self.resource_group is not None:
            out += f"/resourceGroups/{self.resource_group}"
        if self.namespace is not None:
            out += f"/providers/{self.namespace}" + "".join(f"/{t}/{n}" for t, n in self.segments)
        return out

    # -- builders ---------------------------------------------------------------------------------

    @classmethod
    def for_group(cls, subscription: str, resource_group: str) -> ArmId:
        return cls(subscription, resource_group)

    @classmethod
    def build(cls, subscription: str, resource_group: str, arm_type: str, *names: str) -> ArmId:
        """The id of a resource of full type ``arm_type`` named by ``names`` (one per type segment):
        ``build(sub, rg, "Microsoft.Compute/virtualMachines/runCommands", "vm1", "rc")``.
        ``Microsoft.Resources/resourceGroups`` with no names is the group itself."""
        namespace, _, types = arm_type.partition("/")
        if arm_type.lower() == GROUP_TYPE.lower() and not names:
            return cls(subscription, resource_group)
        type_list = types.split("/") if types else []
        if not type_list or len(type_list) != len(names):
            raise ArmIdError(f"type {arm_type!r} needs {len(type_list)} name(s), got {len(names)}")
        return cls(subscription, resource_group, namespace, tuple(zip(type_list, names, strict=True)))

    def child(self, child_type: str, name: str) -> ArmId:
        """The id of a child resource: ``vm_id.child("runCommands", "rc")``."""
        if self.namespace is None:
            raise ArmIdError(f"{self} has no provider resource to hold a child")
        return ArmId(self.subscription, self.resource_group, self.namespace,
                     (*self.segments, (child_type, name)))

    # -- navigation -------------------------------------------------------------------------------

    @property
    def arm_type(self) -> str:
        """Full type including child segments (``Microsoft.Compute/virtualMachines/runCommands``)."""
        if self.namespace is None:
            return GROUP_TYPE if self.resource_group is not None else SUBSCRIPTION_TYPE
        return "/".join([self.namespace, *(t for t, _ in self.segments)])

    @property
    def name(self) -> str:
        """The last name: the resource's own name, the group's, or the subscription id."""
        if self.segments:
            return self.segments[-1][1]
        return self.resource_group if self.resource_group is not None else self.subscription

    @property
    def names(self) -> tuple[str, ...]:
        """The names of every type segment, parent first (the SDK's positional names after the group)."""
        return tuple(n for _, n in self.segments)

    @property
    def is_child(self) -> bool:
        return len(self.segments) > 1

    @property
    def parent(self) -> ArmId | None:
        """The id one level up: child -> parent resource -> group -> subscription -> None."""
        if len(self.segments) > 1:
            return ArmId(self.subscription, self.resource_group, self.namespace, self.segments[:-1])
        if self.segments:
            return ArmId(self.subscription, self.resource_group)
        if self.resource_group is not None:
            return ArmId(self.subscription)
        return None

    @property
    def group(self) -> ArmId | None:
        """The resource group's id, or None for a subscription id."""
        return None if self.resource_group is None else ArmId(self.subscription, self.resource_group)

    @property
    def key(self) -> str:
        """Case-insensitive comparison key (ARM ids are case-insensitive)."""
        return str(self).lower()

    def same(self, other: ArmId | str) -> bool:
        other_id = other if isinstance(other, ArmId) else ArmId.try_parse(other)
        return other_id is not None and other_id.key == self.key


def group_of(arm_id: str | None) -> str | None:
    """The resource group named in an id string, or None (not an id, or a subscription id)."""
    parsed = ArmId.try_parse(arm_id)
    return parsed.resource_group if parsed else None


def name_of(arm_id: str | None) -> str:
    """The last name in an id string, or '' when it is not an id."""
    parsed = ArmId.try_parse(arm_id)
    return parsed.name if parsed else ""
