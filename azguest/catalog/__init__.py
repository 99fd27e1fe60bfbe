"""Azure facts as data: VM sizes, disk tiers and maxShares, storage-mode rules, limits.

Every row cites its source in ../shared/azure-facts.md terms. The validator, the planner and the
emulator read these tables; nothing else encodes an Azure rule.
"""
