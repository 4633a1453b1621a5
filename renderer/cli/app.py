"""The `sluice` command line: a thin shell over the core.

The root group knows its commands by name only; each lives in its own module and is
imported when it runs (or when its own help is asked for), so `sluice --help` and a
pre-commit run of one command pay for nothing else. Errors become exit codes in one
place, `run.run_command`.
"""
from __future__ import annotations

from typing import Any

import click

from .run import EXIT_INPUT, EXIT_OK

# name -> (module under renderer.cli, attribute, one-line help shown by `sluice --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "build": ("build", "build", "Build one kustomization, as `kubectl kustomize DIRECTORY` does."),
    "render": ("render", "render", "Render the whole fleet of REPO into per-cluster bundles."),
    "hydrate": ("hydrate", "hydrate", "Render REPO and commit each cluster's bundle to its hydrated branch."),
    "history": ("history", "history", "Which dry commit produced each hydrated commit of BRANCH."),
    "rollback": ("history", "rollback", "Roll BRANCH back to an earlier hydration, forward-only."),
    "verify": ("verify", "verify", "Render REPO and check every resource: secrets, policy, schemas, APIs."),
    "diff": ("diff", "diff", "The rendered difference between two revisions of REPO."),
    "report": ("report", "report", "A static HTML report of the fleet: what runs where."),
    "appset": ("appset", "appset", "ApplicationSets, offline (like `argocd appset generate`)."),
    "helm": ("helm", "helm", "Flux HelmReleases and Helm charts, offline; fill the chart cache."),
    "flux": ("flux", "flux", "Flux repository layouts, expanded offline."),
    "get": ("get", "get", "List the fleet as discovery sees it: targets, clusters, sources, skipped."),
}


def _set_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_root().params["debug"] = True


def _accept_debug(command: click.Command) -> None:
    """`--debug` after the command name too (`sluice render --debug`), as before it: the root's
    flag, which `run.run_command` reads. Hidden: the root's help documents it."""
    commands = command.commands.values() if isinstance(command, click.Group) else [command]
    for each in commands:
        if isinstance(each, click.Group):
            _accept_debug(each)
        elif not any(p.name == "debug" for p in each.params):
            each.params.append(click.Option(["--debug"], is_flag=True, expose_value=False, hidden=True,
                                            callback=_set_debug, help="Show tracebacks for errors."))


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.lazy) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name not in self.lazy:
            return None
        import importlib

        module, attribute, _help = self.lazy[cmd_name]
        command = getattr(importlib.import_module(f"{__package__}.{module}"), attribute)
        _accept_debug(command)
        self.add_command(command, cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the table: `--help` imports no command module."""
        rows = [(name, self.lazy[name][2] if name in self.lazy else (self.commands[name].get_short_help_str()))
                for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="sluice", prog_name="sluice")
def cli(debug: bool) -> None:
    """sluice: render GitOps repositories (Kustomize, Helm, Argo CD, Flux) offline into hydrated branches.

    Exit codes: 0 ok, 1 findings (verify, diff --exit-code), 2 usage or input errors,
    3 hydrate superseded by a newer dry commit."""


def _exit_on_sigterm() -> None:
    """A CI runner cancelling the job sends SIGTERM: unwind (finally blocks remove scratch
    directories, nothing half-pushed) instead of dying where we stand."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        def stop(signum: int, _frame: object) -> None:
            raise SystemExit(128 + signum)

        signal.signal(signal.SIGTERM, stop)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code instead of exiting (testable)."""
    _exit_on_sigterm()
    try:
        result = cli.main(args=argv, prog_name="sluice", standalone_mode=False)
        return int(result) if isinstance(result, int) else EXIT_OK
    except click.exceptions.Exit as exc:
        return int(exc.exit_code or 0)
    except click.ClickException as exc:
        exc.show()
        return EXIT_INPUT
    except click.exceptions.Abort:
        return EXIT_INPUT


if __name__ == "__main__":
    raise SystemExit(main())
