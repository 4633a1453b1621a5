"""Every leaf command of the CLI with the context --help would render it in."""
from __future__ import annotations

from typing import Iterator

import click

from renderer.cli import cli


def leaf_commands() -> Iterator[tuple[str, click.Command, click.Context]]:
    """('helm template', command, context) for each command that is not a group."""

    def walk(group: click.Group, ctx: click.Context, path: list[str]) -> Iterator[tuple[str, click.Command, click.Context]]:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None
            sub = click.Context(command, info_name=name, parent=ctx)
            if isinstance(command, click.Group):
                yield from walk(command, sub, [*path, name])
            else:
                yield " ".join([*path, name]), command, sub

    yield from walk(cli, click.Context(cli, info_name="sluice"), [])
