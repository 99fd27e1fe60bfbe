"""Network rules: subnets inside the address space, no overlap, static IPs valid and unique."""

from __future__ import annotations

from collections.abc import Iterator
from ipaddress import IPv4Address, IPv4Network

from azguest.catalog import rules as R
from azguest.spec.checks import Context, check
from azguest.spec.findings import Finding, make

NET = ("network",)


@check
def subnets(ctx: Context) -> Iterator[Finding]:
    net = ctx.lab.network
    for i, s in enumerate(net.subnets):
        path = (*NET, "subnets", i, "prefix")
        if not s.prefix.subnet_of(net.address_space):
            yield make("AZG-NET-SUBNET-OUTSIDE", path,
                       f"subnet {s.name} ({s.prefix}) is outside addressSpace {net.address_space}; use a "
                       f"prefix inside it")
        if s.prefix.prefixlen > R.SUBNET_MIN_PREFIXLEN_MAX:
            yield make("AZG-NET-SUBNET-SIZE", path, f"subnet {s.name} is /{s.prefix.prefixlen}; Azure "
                       f"subnets are /{R.SUBNET_MIN_PREFIXLEN_MAX} or larger")
        for j, other in enumerate(net.subnets[:i]):
            if s.prefix.overlaps(other.prefix):
                yield make("AZG-NET-SUBNET-OVERLAP", path,
                           f"subnet {s.name} ({s.prefix}) overlaps subnet {other.name} ({other.prefix}) "
                           f"at network.subnets[{j}]; give each subnet its own range")
    names = [s.name.lower() for s in net.subnets]
    for i, n in enumerate(names):
        if n in names[:i]:
            yield make("AZG-NAME-SUBNET", (*NET, "subnets", i, "name"), f"subnet name {n} is used twice")
    if len(net.subnets) == 1:
        yield make("AZG-NET-SINGLE-SUBNET", (*NET, "subnets"),
                   "one subnet gives the cluster a single network; add a second subnet (e.g. cluster, "
                   "10.x.2.0/24) for a redundant heartbeat path")
    for i, cidr in enumerate(net.allow_rdp_from):
        if cidr.prefixlen == 0:
            yield make("AZG-NET-RDP-OPEN", (*NET, "allowRdpFrom", i),
                       "RDP is opened to the whole internet; list your own address range instead")


def _static(ctx: Context) -> list[tuple[str, IPv4Address, tuple]]:
    lab = ctx.lab
    out = [("domain controller", lab.domain.controller.ip, ("domain", "controller", "ip"))]
    st = lab.cluster.storage
    if st.mode == "iscsi" and st.iscsi and st.iscsi.target.ip:
        out.append(("iSCSI target", st.iscsi.target.ip, ("cluster", "storage", "iscsi", "target", "ip")))
    return out


def _ip_problem(ip: IPv4Address, subnets: list[IPv4Network]) -> tuple[str, str] | None:
    home = next((s for s in subnets if ip in s), None)
    if home is None:
        return "AZG-NET-IP-OUTSIDE", f"is in none of the subnets ({', '.join(map(str, subnets))})"
    offset = int(ip) - int(home.network_address)
    if offset < R.AZURE_RESERVED_FIRST or offset >= home.num_addresses - R.AZURE_RESERVED_LAST:
        first = home.network_address + R.AZURE_RESERVED_FIRST
        last = home.broadcast_address - R.AZURE_RESERVED_LAST
        return "AZG-NET-IP-RESERVED", (f"is one of the 5 addresses Azure reserves in {home}; use "
                                       f"{first}-{last}")
    return None


@check
def static_ips(ctx: Context) -> Iterator[Finding]:
    subnets = [s.prefix for s in ctx.lab.network.subnets]
    seen: dict[IPv4Address, str] = {}
    for what, ip, path in _static(ctx):
        problem = _ip_problem(ip, subnets)
        if problem:
            yield make(problem[0], path, f"{what} IP {ip} {problem[1]}")
        if ip in seen:
            yield make("AZG-NET-IP-DUP", path,
                       f"{what} IP {ip} is also the {seen[ip]} IP; use another address")
        seen[ip] = what
    yield from _cluster_ip(ctx, subnets, seen)


def _cluster_ip(ctx: Context, subnets: list[IPv4Network], seen: dict[IPv4Address, str]) -> Iterator[Finding]:
    c = ctx.lab.cluster
    path = ("cluster", "ip")
    if c.ip is None:
        if not c.dnn:
            yield make("AZG-NET-CLUSTER-IP", path, "give the cluster core IP (ip: 10.x.1.10) or dnn: true "
                       "for a distributed network name")
        return
    if c.dnn:
        yield make("AZG-NET-CLUSTER-IP", ("cluster", "dnn"), "give either ip or dnn: true, not both")
    problem = _ip_problem(c.ip, subnets)
    if problem:
        yield make(problem[0], path, f"cluster IP {c.ip} {problem[1]}")
    if c.ip in seen:
        yield make("AZG-NET-CLUSTER-IP", path, f"cluster IP {c.ip} collides with the {seen[c.ip]} IP; "
                   "use a free address in the first subnet")
