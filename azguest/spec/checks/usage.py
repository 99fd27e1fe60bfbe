"""Secrets, workloads (N-1 capacity, anti-affinity), backup mode and lifetime."""

from __future__ import annotations

from collections.abc import Iterator

from azguest.catalog import rules as R
from azguest.catalog.timezones import suggestion, windows_zone
from azguest.spec.checks import Context, check
from azguest.spec.findings import Finding, make
from azguest.spec.secrets import looks_like_password

WL = ("cluster", "workloads")


@check
def password_ref(ctx: Context) -> Iterator[Finding]:
    p = ctx.lab.admin.password
    if p is not None and (p.from_env is None) == (p.from_key_vault is None):
        yield make("AZG-SECRET-REF", ("admin", "password"),
                   "give exactly one of fromEnv: VAR or fromKeyVault: {vault: ..., secret: ...}")
    if p is None:
        return
    # The offending values are never quoted: a pasted password must not be echoed back.
    if p.from_env is not None and not R.ENV_VAR_NAME.match(p.from_env):
        yield make("AZG-SECRET-ENV-NAME", ("admin", "password", "fromEnv"),
                   "fromEnv must name an environment variable (letters, digits, _; not starting with a "
                   "digit), not hold the password; if you pasted a password here, change it, then use "
                   "fromEnv: AZGUEST_ADMIN_PASSWORD and export that variable")
    elif p.from_env is not None and looks_like_password(p.from_env):
        yield make("AZG-SECRET-ENV-PASSWORD", ("admin", "password", "fromEnv"),
                   "fromEnv looks like a password itself (mixed case, 12+ characters, passes Azure's "
                   "rules), not like a variable name; if it is one, change that password; otherwise name "
                   "the variable in one case, e.g. AZGUEST_ADMIN_PASSWORD")
    kv = p.from_key_vault
    if kv is not None and not R.KEY_VAULT_NAME.match(kv.vault):
        yield make("AZG-SECRET-KV-NAME", ("admin", "password", "fromKeyVault", "vault"),
                   "fromKeyVault.vault must be a Key Vault name (3-24 letters, digits and hyphens, starting "
                   "with a letter, ending with a letter or digit, no '--'), e.g. kv-mylab")
    if kv is not None and not R.KEY_VAULT_SECRET_NAME.match(kv.secret):
        yield make("AZG-SECRET-KV-NAME", ("admin", "password", "fromKeyVault", "secret"),
                   "fromKeyVault.secret must be a secret name (1-127 letters, digits and hyphens), not the "
                   "secret itself, e.g. lab-admin-password")


@check
def workload_capacity(ctx: Context) -> Iterator[Finding]:
    c = ctx.lab.cluster
    size = ctx.node_size()
    if size is None or not c.workloads:
        return
    usable = int(size.memory_gb * 1024) - R.HOST_RESERVE_MB
    for i, w in enumerate(c.workloads):
        if w.memory_mb > usable or w.vcpus > size.vcpus:
            yield make("AZG-WORKLOAD-FIT", (*WL, i),
                       f"workload {w.name} ({w.vcpus} vCPUs, {w.memory_mb} MB) does not fit on one "
                       f"{size.name} node ({size.vcpus} vCPUs, {usable} MB after the host's "
                       f"{R.HOST_RESERVE_MB} MB); make it smaller or use a larger size")
    total = c.workload_totals().memory_mb
    survivors = c.nodes.count - 1
    if survivors >= 1 and total > survivors * usable:
        yield make("AZG-WORKLOAD-CAPACITY", WL,
                   f"workloads need {total} MB but with one node down {survivors} node(s) of {size.name} "
                   f"offer {survivors * usable} MB ({usable} MB each after the host's {R.HOST_RESERVE_MB} "
                   "MB); add a node, use a larger size or shrink the workloads")


@check
def anti_affinity(ctx: Context) -> Iterator[Finding]:
    c = ctx.lab.cluster
    nodes = c.nodes.count
    for cls, members in c.anti_affinity_classes().items():
        if len(members) > nodes:
            idx = next(i for i, w in enumerate(c.workloads)
                       if w.anti_affinity == cls and w.name == members[nodes])
            yield make("AZG-WORKLOAD-ANTIAFFINITY", (*WL, idx, "antiAffinity"),
                       f"anti-affinity class {cls} has {len(members)} workloads but the cluster has {nodes} "
                       f"nodes, so two must share a node; use at most {nodes} or add nodes")


@check
def backup_mode(ctx: Context) -> Iterator[Finding]:
    m = R.STORAGE_MODES[ctx.lab.cluster.storage.mode]
    mode = ctx.lab.backup.mode
    if mode not in m.backup_modes:
        yield make("AZG-BACKUP-MODE", ("backup", "mode"),
                   f"backup mode {mode} is not supported with {m.mode} storage; use "
                   + " or ".join(m.backup_modes))


@check
def auto_shutdown_time_zone(ctx: Context) -> Iterator[Finding]:
    """The schedule's timeZoneId is a Windows id (azguest/catalog/timezones.py); suggest one for an IANA name."""
    shutdown = ctx.lab.lifetime.auto_shutdown
    if shutdown is None or windows_zone(shutdown.time_zone):
        return
    tip = suggestion(shutdown.time_zone)
    hint = (f"did you mean '{tip[0]}' ({tip[1]})?" if tip
            else "use one of the ids `tzutil /l` lists on Windows, e.g. 'UTC' or 'W. Europe Standard Time'")
    yield make("AZG-TIMEZONE", ("lifetime", "autoShutdown", "timeZone"),
               f"timeZone {shutdown.time_zone!r} is not a Windows time-zone id, which the auto-shutdown schedule "
               f"needs; {hint}")
