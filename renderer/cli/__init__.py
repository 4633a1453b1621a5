"""The command line: a thin shell over the core, one module per command group, each loaded
on first use; `app` holds the root group and the one place mapping errors to exit codes."""
from __future__ import annotations

from .app import cli, main

__all__ = ["cli", "main"]
