"""Placeholder: commands are registered here."""


def register(app) -> None:
    del app
