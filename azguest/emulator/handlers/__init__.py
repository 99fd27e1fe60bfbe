"""One module per ARM resource type; importing a module registers its handler."""

from azguest.emulator.handlers import (  # noqa: F401
    generic,
    network_interfaces,
    network_security_groups,
    public_ip_addresses,
    resource_groups,
    virtual_networks,
)
from azguest.emulator.handlers import (  # noqa: F401,E402
    availability_sets,
    disks,
    snapshots,
    virtual_machines,
)
