"""Typed errors of the core. The CLI maps them to messages and exit codes."""
from __future__ import annotations


class SluiceError(Exception):
    """Base of every error sluice reports to a user (exit code 2 at the CLI)."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file if self.line is None else f"{self.file}:{self.line}"
            where += ": "
        return where + self.message


class InputError(SluiceError):
    """The user's files are wrong: malformed YAML, missing files, bad fields, escapes."""


class RenderError(SluiceError):
    """Inputs parse but cannot be rendered: unknown patch target, conflicts, cycles."""


class GitError(SluiceError):
    """A git operation failed (not a repository, push rejected for good, ...)."""


class OutOfReach(InputError):
    """A source sluice leaves to Argo CD by design: another repository, a config management
    plugin, a chart or dependency that is not available offline. An Application written in
    the repository stops the render with it; one that an ApplicationSet or a parent
    Application generates is skipped with a note instead."""


class NothingFound(InputError):
    """Discovery found nothing to render (no Application, ApplicationSet or Flux cluster):
    a first run pointed at the wrong place must not pass as a render of zero apps."""


class SourceOutOfReach(OutOfReach):
    """A Flux Kustomization's source (an OCIRepository, a GitRepository of another
    repository) is not available offline: the Kustomization is noted, never rendered empty."""
