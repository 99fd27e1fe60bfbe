"""Spec -> desired resources (ids, bodies, dependencies) -> diff against live state."""
