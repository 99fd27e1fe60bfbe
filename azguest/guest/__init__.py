"""Guest configuration: PowerShell steps run as managed Run Commands on the lab's VMs.

docs/design.md, "Guest steps", is the contract.
"""
