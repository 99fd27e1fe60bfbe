"""The command-line layer: thin Typer commands, one exit-code enum, one error handler."""
