"""Azure facts as data: VM sizes, disk tiers and maxShares, storage-mode rules, limits.

Every row cites its primary source: a Microsoft page as ``KEY path (page date)``, keys in
azguest/catalog/sources.py, or a learn.microsoft.com address. The validator, the planner and the
emulator read these tables; nothing else encodes an Azure rule.
"""
