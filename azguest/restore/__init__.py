"""`azguest restore BACKUP`: a lab back from a complete backup, in place or into a new lab (docs/design.md,
"Restore"). ``azguest.restore.core.restore`` is the entry point; ``inplace`` and ``into`` are the two ways."""
