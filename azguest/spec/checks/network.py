"""Network rules: subnets inside the address space, no overlap, static IPs valid and unique."""

from __future__ import annotations

from collections.abc import Iterator
from ipaddress import IPv4Address, IPv4Network, collapse_addresses

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
            yield make("AZG-NAME-SUBNET", (*NET, "subnets", i, "name"), f"subnet name {n} is used twice; rename one")
    if len(net.subnets) == 1:
        yield make("AZG-NET-SINGLE-SUBNET", (*NET, "subnets"),
                   "one subnet gives the cluster a single network; add a second subnet (e.g. cluster, "
                   "10.x.2.0/24) for a redundant heartbeat path")
    yield from _rdp_exposure(ctx)


def rdp_exposure(cidrs: tuple[IPv4Network, ...]) -> int:
    """How many addresses the allowRdpFrom ranges cover together (overlaps counted once)."""
    return sum(n.num_addresses for n in collapse_addresses(cidrs))


def _rdp_exposure(ctx: Context) -> Iterator[Finding]:
    """Ranges that together cover more than a /8 open RDP to the internet: an error unless allowed."""
    cidrs = ctx.lab.network.allow_rdp_from
    covered = rdp_exposure(cidrs)
    if covered <= R.RDP_OPEN_MAX_ADDRESSES:
        return
    whole = "the whole internet" if covered == 2 ** 32 else f"{covered:,} addresses (more than a /8)"
    widest = min(range(len(cidrs)), key=lambda i: cidrs[i].prefixlen)
    path = (*NET, "allowRdpFrom", widest)
    if ctx.allow_public_rdp:
        yield make("AZG-NET-RDP-OPEN", path, severity=R.WARNING, message=(
            f"RDP to the domain controller is open to {whole} (--allow-public-rdp); prefer Azure Bastion "
            "or just-in-time VM access, or list your own address range"))
        return
    yield make("AZG-NET-RDP-OPEN", path,
               f"allowRdpFrom opens RDP to {whole}; list your own address range (e.g. 203.0.113.7/32), use "
               "Azure Bastion or just-in-time VM access, or pass --allow-public-rdp if you mean it")


def _static(ctx: Context) -> list[tuple[str, IPv4Address, tuple]]:
    lab = ctx.lab
    out = [("domain controller", lab.domain.controller.ip, ("domain", "controller", "ip"))]
    out += [(vm.title, vm.ip, (*vm.path, "ip")) for vm in lab.storage_layout().vms if vm.ip]
    return out


def _ip_problem(ip: IPv4Address, subnets: list[IPv4Network]) -> tuple[str, str] | None:
    home = next((s for s in subnets if ip in s), None)
    if home is None:
        where = f"subnet {subnets[0]}" if len(subnets) == 1 else f"subnets ({', '.join(map(str, subnets))})"
        return "AZG-NET-IP-OUTSIDE", f"is outside the {where}; use an address inside it"
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
        # the domain controller has one NIC, in the first subnet (azguest.plan.desired)
        problem = _ip_problem(ip, subnets[:1] if path[0] == "domain" else subnets)
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
    else:
        yield make("AZG-CLUSTER-IP-OWNER", path, f"cluster IP {c.ip} is not used: azguest names the cluster with "
                   "a distributed network name (New-Cluster -ManagementPointNetworkType Distributed), which answers "
                   "on every node; on Azure a static cluster IP answers only on the node that owns it unless an "
                   "internal load balancer is added; replace ip with dnn: true")
    problem = _ip_problem(c.ip, subnets)
    if problem:
        yield make(problem[0], path, f"cluster IP {c.ip} {problem[1]}")
    if c.ip in seen:
        yield make("AZG-NET-CLUSTER-IP", path, f"cluster IP {c.ip} collides with the {seen[c.ip]} IP; "
                   "use a free address in the first subnet")


@check
def subnet_room(ctx: Context) -> Iterator[Finding]:
    """Every node gets a static address in every subnet, a storage VM one in its own (Lab.addresses)."""
    lab = ctx.lab
    addresses = lab.addresses()
    nodes = lab.cluster.nodes.names()
    placed = [vm for vm in lab.storage_layout().vms if vm.ip is None]  # allocated after the nodes
    for i, s in enumerate(lab.network.subnets):
        short = sum(1 for n in nodes if s.name not in addresses[n])
        if not short:
            short = sum(1 for vm in placed if vm.subnet == i and not addresses[vm.computer])
        if short:
            yield make("AZG-NET-SUBNET-ROOM", (*NET, "subnets", i, "prefix"),
                       f"subnet {s.name} ({s.prefix}) has {_usable(s.prefix.prefixlen)} usable addresses, too "
                       f"few for {lab.cluster.nodes.count} nodes plus the static IPs in it; use a larger "
                       f"prefix (/{s.prefix.prefixlen - 1} or wider), or fewer nodes")


def _usable(prefixlen: int) -> int:
    return max(2 ** (32 - prefixlen) - R.AZURE_RESERVED_FIRST - R.AZURE_RESERVED_LAST, 0)

