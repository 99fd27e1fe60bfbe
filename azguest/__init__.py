"""azguest: build, back up and rebuild Windows Server Hyper-V guest clusters on Azure."""

__version__ = "0.1.0"
