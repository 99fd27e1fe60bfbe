"""Backups of whole labs (docs/design.md, "Backup"): support matrix, methods, manifest store, retention."""
