"""One module per ARM resource type; importing a module registers its handler."""

from azguest.emulator.handlers import (  # noqa: F401
    availability_sets,
    disks,
    file_shares,
    generic,
    keyvault,
    network_interfaces,
    network_security_groups,
    public_ip_addresses,
    resource_groups,
    resource_skus,
    restore_point_collections,
    restore_points,
    run_commands,
    schedules,
    snapshots,
    storage_accounts,
    tags,
    usages,
    virtual_machines,
    virtual_networks,
)
