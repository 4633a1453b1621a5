"""The one place where errors become exit codes and messages: every command runs its core
call through `run_command`."""
from __future__ import annotations

import traceback
from typing import Callable

import click

from ..core.errors import SluiceError

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
# hydrate: nothing written because a branch already holds a newer dry commit (or a rollback holds it)
EXIT_SUPERSEDED = 3


def _fail(exc: BaseException, debug: bool) -> int:
    if debug:
        traceback.print_exc()
    click.echo(f"error: {exc}", err=True)
    return EXIT_INPUT


def run_command(fn: Callable[[], int | None]) -> None:
    """Run a command's body: typed core errors become one line on stderr and exit 2 (a
    traceback only with --debug); the body's return value is the exit code."""
    ctx = click.get_current_context()
    debug = bool(ctx.find_root().params.get("debug"))
    try:
        code = fn() or EXIT_OK
    except SluiceError as exc:
        code = _fail(exc, debug)
    except RecursionError:
        code = _fail(SluiceError("input nests too deeply (a cycle or a YAML bomb?)"), debug)
    except OSError as exc:  # the last line of defence: a file the core could not read or write is an input error
        code = _fail(SluiceError(f"{exc.filename or 'a file'}: {exc.strerror or exc}"), debug)
    ctx.exit(code)
