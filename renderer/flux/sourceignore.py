"""`.sourceignore` rules: which files of a repository source-controller leaves out of an artifact.

Flux never builds the repository itself but the artifact source-controller made of it, and
the archiver leaves out (fluxcd/pkg `sourceignore` and `artifact/storage`):

- every path matched by the patterns of the `.sourceignore` files found anywhere in the
  tree (a file's patterns apply below its own directory) and of the source's `spec.ignore`;
- the VCS files (`.git/`, `.gitignore`, `.gitmodules`, `.gitattributes`) always, and, only
  when there are no patterns at all, a default list (images and archives, CI files,
  `.goreleaser.yml`, `.sops.yaml`, `.flux.yaml`);
- anything that is neither a regular file nor a directory: symlinks, and so whatever a
  symlinked directory holds.

The pattern language is go-git's gitignore dialect as Flux forked it: `!` re-includes, a
trailing `/` matches directories only, a pattern without `/` matches any path component,
one with `/` matches from its file's directory (a prefix matches everything below it),
`**` spans directories, and each component is a Go `filepath.Match` glob (`[^...]`
negates a class, `\\` escapes). The last matching pattern decides; every path is judged on
its own (an excluded directory does not hide a re-included file below it).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from ..core.gomatch import go_match as _match

__all__ = ["IGNORE_FILE", "Pattern", "parse_pattern", "read_patterns", "IgnoreMatcher", "artifact_matcher"]

IGNORE_FILE = ".sourceignore"
_VCS = ".git/,.gitignore,.gitmodules,.gitattributes"
_DEFAULTS = ",".join((
    "*.jpg,*.jpeg,*.gif,*.png,*.wmv,*.flv,*.tar.gz,*.zip",
    ".github/,.circleci/,.travis.yml,.gitlab-ci.yml,appveyor.yml,.drone.yml,cloudbuild.yaml,"
    "codeship-services.yml,codeship-steps.yml",
    "**/.goreleaser.yml,**/.sops.yaml,**/.flux.yaml",
))

NO_MATCH, EXCLUDE, INCLUDE = 0, 1, 2


@dataclass(frozen=True)
class Pattern:
    """One ignore line, scoped to the directory (`domain`) of the file it came from."""

    domain: tuple[str, ...]
    parts: tuple[str, ...]
    inclusion: bool
    dir_only: bool
    is_glob: bool

    def match(self, path: Sequence[str], is_dir: bool) -> int:
        if len(path) <= len(self.domain) or tuple(path[: len(self.domain)]) != self.domain:
            return NO_MATCH
        rest = list(path[len(self.domain):])
        hit = self._glob_match(rest, is_dir) if self.is_glob else self._name_match(rest, is_dir)
        if not hit:
            return NO_MATCH
        return INCLUDE if self.inclusion else EXCLUDE

    def _name_match(self, path: list[str], is_dir: bool) -> bool:
        for i, name in enumerate(path):
            if not _match(self.parts[0], name):
                continue
            # a directory-only pattern matching the last component needs a directory
            return not (self.dir_only and not is_dir and i == len(path) - 1)
        return False

    def _glob_match(self, path: list[str], is_dir: bool) -> bool:
        matched = False
        can_traverse = False
        for i, part in enumerate(self.parts):
            if part == "":
                can_traverse = False
                continue
            if part == "**":
                if i == len(self.parts) - 1:
                    break
                can_traverse = True
                continue
            if "**" in part:
                return False
            if not path:
                return False
            if can_traverse:
                can_traverse = False
                while path:
                    head = path.pop(0)
                    if _match(part, head):
                        matched = True
                        break
                    if not path:
                        matched = False
            else:
                if not _match(part, path[0]):
                    return False
                matched = True
                path = path[1:]
        if matched and self.dir_only and not is_dir and not path:
            matched = False
        return matched


def parse_pattern(text: str, domain: Sequence[str] = ()) -> Pattern:
    """One gitignore line as go-git parses it (no comment or blank-line handling here)."""
    inclusion = text.startswith("!")
    if inclusion:
        text = text[1:]
    if not text.endswith("\\ "):
        text = text.rstrip(" ")
    dir_only = text.endswith("/")
    if dir_only:
        text = text[:-1]
    return Pattern(domain=tuple(domain), parts=tuple(text.split("/")), inclusion=inclusion,
                   dir_only=dir_only, is_glob="/" in text)


def read_patterns(text: str, domain: Sequence[str] = ()) -> list[Pattern]:
    """The patterns of a `.sourceignore` file or a `spec.ignore` string: every line that is
    not blank and does not start with `#`."""
    return [parse_pattern(line, domain) for line in text.splitlines()
            if line.strip() and not line.startswith("#")]


class IgnoreMatcher:
    """The last pattern that matches a path decides whether it is excluded."""

    def __init__(self, patterns: Iterable[Pattern]) -> None:
        self.patterns = list(patterns)

    def excluded(self, path: Sequence[str], is_dir: bool) -> bool:
        for pattern in reversed(self.patterns):
            result = pattern.match(path, is_dir)
            if result != NO_MATCH:
                return result == EXCLUDE
        return False


def _builtin(spec: str) -> list[Pattern]:
    return [parse_pattern(p) for p in spec.split(",")]


def artifact_matcher(patterns: Sequence[Pattern]) -> IgnoreMatcher:
    """What the archiver excludes given the repository's patterns: the VCS files always;
    the default list only when there are no patterns of the user's at all."""
    if patterns:
        return IgnoreMatcher([*_builtin(_VCS), *patterns])
    return IgnoreMatcher([*_builtin(_VCS), *_builtin(_DEFAULTS)])
