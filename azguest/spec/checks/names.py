"""Naming rules: Windows computer names, Azure resource names after the lab prefix, tags, admin user."""

from __future__ import annotations

from collections.abc import Iterator

from azguest.catalog import rules as R
from azguest.spec.checks import Context, check
from azguest.spec.findings import Finding, format_path, make
from azguest.spec.models import Lab


def name_problem(rule: R.NameRule, value: str) -> str | None:
    """Why ``value`` breaks ``rule``, or None."""
    if len(value) > rule.max_len:
        return f"is {len(value)} characters, the limit for a {rule.what} is {rule.max_len}"
    if not rule.pattern.match(value):
        return f"is not a valid {rule.what}"
    return None


def _computer(path: tuple, value: str, what: str) -> Iterator[Finding]:
    rule = R.NAME_RULES["computer"]
    why = name_problem(rule, value)
    if why:
        yield make(rule.code, path, f"{what} {value!r} {why}; Windows computer names are 1-15 letters, "
                   "digits or hyphens, not all digits (e.g. hv01)")


NODE_PREFIX = ("cluster", "nodes", "namePrefix")


def _owners(lab: Lab) -> list[tuple[str, tuple, str]]:
    """Every Windows computer name in the lab: (name, field path, what it names)."""
    out = [(lab.domain.controller.name, ("domain", "controller", "name"), "domain controller name"),
           (lab.cluster.name, ("cluster", "name"), "cluster name")]
    prefix = lab.cluster.nodes.name_prefix
    out += [(n, NODE_PREFIX, f"node name (namePrefix {prefix!r} + number)") for n in lab.cluster.nodes.names()]
    out += [(vm.computer, (*vm.path, "name"), f"{vm.title} name") for vm in lab.storage_layout().vms]
    out += [(w.name, ("cluster", "workloads", i, "name"), "workload name")
            for i, w in enumerate(lab.cluster.workloads)]
    return out


@check
def computer_names(ctx: Context) -> Iterator[Finding]:
    owners = _owners(ctx.lab)
    last_node = ctx.lab.cluster.nodes.names()[-1]  # the longest; all nodes share the prefix
    for name, path, what in owners:
        if path != NODE_PREFIX or name == last_node:
            yield from _computer(path, name, what)
    seen: dict[str, str] = {}
    for name, path, _ in owners:
        key = name.lower()
        if key in seen:
            yield make("AZG-NAME-DUP", path, f"computer name {name} is already used by {seen[key]}; "
                       "every computer name in the lab must be unique")
        else:
            seen[key] = format_path(path)


@check
def azure_names(ctx: Context) -> Iterator[Finding]:
    lab = ctx.lab
    why = name_problem(R.NAME_RULES["lab"], lab.name)
    if why:
        yield make("AZG-NAME-LAB", ("name",), f"lab name {lab.name!r} {why}; it prefixes every resource, "
                   "so use 1-15 letters, digits or hyphens starting with a letter (e.g. hv-s2d)")
    why = name_problem(R.NAME_RULES["resource_group"], lab.resource_group_name)
    if why:
        yield make("AZG-NAME-RG", ("resourceGroup",) if lab.resource_group else ("name",),
                   f"resource group {lab.resource_group_name!r} {why}; use letters, digits, - _ . ( ), "
                   "not ending with a period")
    account = lab.witness_storage_account_name
    if lab.cluster.witness == "cloud" and name_problem(R.NAME_RULES["storage_account"], account):
        yield make("AZG-NAME-STORAGE", ("cluster", "witnessStorageAccount"),
                   f"storage account name {account!r} is invalid; it must be 3-24 lowercase letters and "
                   "digits (omit it to get st<lab name><hash>)")
    for i, s in enumerate(lab.network.subnets):
        why = name_problem(R.NAME_RULES["subnet"], s.name)
        if why:
            yield make("AZG-NAME-SUBNET", ("network", "subnets", i, "name"), f"subnet name {s.name!r} {why}; "
                       "use letters, digits, _ . - (e.g. management)")


@check
def derived_resource_names(ctx: Context) -> Iterator[Finding]:
    """Names azguest derives from the lab name (azguest.plan) must be valid Azure names too."""
    from azguest import naming

    lab = ctx.lab
    disk_rule = R.NAME_RULES["disk"]
    for disk in lab.storage_layout().disks:
        if disk.given is None:
            continue
        path, given = disk.given
        why = name_problem(disk_rule, disk.name)
        if why:
            most = disk_rule.max_len - (len(disk.name) - len(given))
            yield make("AZG-NAME-DISK", path,
                       f"disk {given!r} becomes the Azure disk {disk.name!r}, which {why}; use letters, "
                       f"digits, _ . - (at most {most} characters, e.g. csv1)")
    nic_max = R.NAME_RULES["nic"].max_len
    for i, s in enumerate(lab.network.subnets):
        vm = max((naming.vm_name(lab.name, c) for c in _vms_in_subnet(lab, i)), key=len)
        nic = naming.nic_name(vm, s.name)
        if len(nic) > nic_max:
            room = nic_max - len(naming.nic_name(vm, ""))
            yield make("AZG-NAME-NIC", ("network", "subnets", i, "name"),
                       f"subnet {s.name!r} makes the network interface name {nic!r} {len(nic)} characters, "
                       f"over Azure's {nic_max}; use a subnet name of at most {room} characters")


def _vms_in_subnet(lab: Lab, index: int) -> list[str]:
    """Computer names with a NIC in subnet ``index``: every node; the DC in the first subnet; the target."""
    owners = lab.cluster.nodes.names() + ([lab.domain.controller.name] if index == 0 else [])
    return owners + [vm.computer for vm in lab.storage_layout().vms if vm.subnet == index]


@check
def domain_names(ctx: Context) -> Iterator[Finding]:
    d = ctx.lab.domain
    labels = d.fqdn.rstrip(".").split(".")
    bad = [x for x in labels if name_problem(R.NAME_RULES["dns_label"], x)]
    if len(labels) < 2 or bad:
        yield make("AZG-NAME-DOMAIN", ("domain", "fqdn"),
                   f"domain fqdn {d.fqdn!r} needs at least two DNS labels of letters, digits and hyphens "
                   "(e.g. lab.contoso.test)")
    why = name_problem(R.NAME_RULES["netbios_domain"], d.netbios_name)
    if why:
        yield make("AZG-NAME-DOMAIN", ("domain", "netbios") if d.netbios else ("domain", "fqdn"),
                   f"NetBIOS domain name {d.netbios_name!r} {why}; use 1-15 letters or digits (e.g. LAB)")


@check
def tags(ctx: Context) -> Iterator[Finding]:
    room = R.TAG_COUNT_MAX - R.AZGUEST_TAG_COUNT
    if len(ctx.lab.tags) > room:
        yield make("AZG-NAME-TAG", ("tags",), f"{len(ctx.lab.tags)} tags, but Azure allows {R.TAG_COUNT_MAX} "
                   f"per resource and azguest adds {R.AZGUEST_TAG_COUNT}; use at most {room}")
    for key, value in ctx.lab.tags.items():
        bad = [c for c in key if c in R.TAG_NAME_FORBIDDEN]
        if bad or len(key) > R.TAG_NAME_MAX or len(value) > R.TAG_VALUE_MAX or not key:
            yield make("AZG-NAME-TAG", ("tags", key),
                       f"tag {key!r} is not valid in Azure: names are at most {R.TAG_NAME_MAX} characters "
                       f"without {R.TAG_NAME_FORBIDDEN}, values at most {R.TAG_VALUE_MAX}")
        if key.lower().startswith("azguest-"):
            yield make("AZG-NAME-TAG", ("tags", key), f"tag {key!r} uses the reserved azguest- prefix; "
                       "azguest sets those tags itself")


@check
def admin_username(ctx: Context) -> Iterator[Finding]:
    u = ctx.lab.admin.username
    if u.lower() in R.RESERVED_ADMIN_USERNAMES or len(u) > R.ADMIN_USERNAME_MAX or u.endswith("."):
        yield make("AZG-ADMIN-USERNAME", ("admin", "username"),
                   f"Azure refuses the admin user name {u!r} (reserved, over {R.ADMIN_USERNAME_MAX} "
                   "characters, or ending with a period); use e.g. labadmin")
