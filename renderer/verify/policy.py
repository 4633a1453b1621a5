"""Argo CD AppProject policy, checked offline on the rendered fleet.

`load_projects` finds the `AppProject` objects of the repository. `check_target` applies
an Application's project (`spec.project`, default `default`) the way Argo CD does:

- `sourceRepos`: globs over normalised repository URLs (`*` stops at `/`, `**` does not);
  a `!pattern` denies; at least one allowing pattern must match and no deny pattern.
- `destinations`: `server`/`name`/`namespace` globs, `!` negation; a destination matches
  when (server or name) and namespace match; a failed deny pattern rejects outright.
  Checked for the Application's destination and every namespace its resources go to.
- `clusterResourceWhitelist`/`Blacklist` (empty whitelist: no cluster-scoped resource),
  `namespaceResourceWhitelist` (empty: everything)/`Blacklist`; group/kind globs.

A project the repository does not define is not checked (it may live elsewhere); the
`default` project allows everything unless the repository defines it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from ..fleet.discover import normalize_repo_url, select_files, walk_yaml
from ..core.fs import RepoFS
from ..core.shape import Shape, check_shape
from ..core import screens
from ..core.regex import RegexError, compile_user_regex



def _map(value: Any) -> dict[str, Any]:
    """`value` when it is a mapping, else an empty one."""
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True, slots=True)
class Project:
    name: str
    file: str
    line: int | None
    source_repos: tuple[str, ...]
    destinations: tuple[tuple[str, str, str], ...]  # (server, name, namespace)
    cluster_whitelist: tuple[tuple[str, str], ...]  # (group, kind)
    cluster_blacklist: tuple[tuple[str, str], ...]
    namespace_whitelist: tuple[tuple[str, str], ...]
    namespace_blacklist: tuple[tuple[str, str], ...]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@lru_cache(maxsize=1024)
def _glob_regex(pattern: str, separator: str | None) -> Any:
    """gobwas/glob-style: `*`, `**`, `?`, `[...]`/`[!...]`, `{a,b}`."""
    any_char = f"[^{re.escape(separator)}]" if separator else "."
    out: list[str] = []
    i, depth = 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            if pattern.startswith("**", i):
                out.append(".*")
                i += 2
                continue
            out.append(any_char + "*")
        elif ch == "?":
            out.append(any_char)
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape(ch))
            else:
                body = pattern[i + 1 : end]
                if body.startswith(("!", "^")):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        elif ch == "{":
            out.append("(?:")
            depth += 1
        elif ch == "}" and depth:
            out.append(")")
            depth -= 1
        elif ch == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(ch))
        i += 1
    try:  # RE2: AppProject patterns come from the repository (linear-time matching)
        return compile_user_regex("".join(out) + ")" * depth, dotall=True)
    except RegexError:
        return compile_user_regex(re.escape(pattern))


def _deny(pattern: str) -> bool:
    return pattern.startswith("!")


def glob_match(pattern: str, value: str, *, negation: bool = True, separator: str | None = None) -> bool:
    if negation and _deny(pattern):
        return not _glob_regex(pattern[1:], separator).fullmatch(value)
    if pattern == "*":
        return True
    return bool(_glob_regex(pattern, separator).fullmatch(value))


def source_permitted(project: Project, repo_url: str) -> bool:
    value = normalize_repo_url(repo_url)
    matched = False
    for raw in project.source_repos:
        if raw.strip() == "*":
            matched = True
            continue
        pattern = "!" + normalize_repo_url(raw[1:]) if _deny(raw) else normalize_repo_url(raw)
        if glob_match(pattern, value, separator="/"):
            matched = True
        elif _deny(pattern):
            return False
    return matched


def destination_permitted(project: Project, server: str, name: str, namespace: str) -> bool:
    matched = False
    for d_server, d_name, d_ns in project.destinations:
        name_ok = bool(name) and bool(d_name) and glob_match(d_name, name)
        server_ok = bool(server) and bool(d_server) and glob_match(d_server, server)
        ns_ok = glob_match(d_ns, namespace)
        if (server_ok or name_ok) and ns_ok:
            matched = True
        elif (not name_ok and _deny(d_name)) or (not server_ok and _deny(d_server)) or (not ns_ok and _deny(d_ns)):
            return False
    return matched


def _in_list(group: str, kind: str, items: Iterable[tuple[str, str]]) -> bool:
    return any(glob_match(k, kind, negation=False) and glob_match(g, group, negation=False) for g, k in items)


def kind_permitted(project: Project, group: str, kind: str, namespaced: bool) -> bool:
    if namespaced:
        white = not project.namespace_whitelist or _in_list(group, kind, project.namespace_whitelist)
        return white and not _in_list(group, kind, project.namespace_blacklist)
    return _in_list(group, kind, project.cluster_whitelist) and not _in_list(group, kind, project.cluster_blacklist)


def _group_kinds(spec: dict[str, Any], key: str) -> tuple[tuple[str, str], ...]:
    items = spec.get(key)
    out: list[tuple[str, str]] = []
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict):
                out.append((str(item.get("group") or ""), str(item.get("kind") or "")))
    return tuple(out)


# the fields of an AppProject the policy checks read, checked before use (as Argo CD's decoding would refuse them)
APPPROJECT_SHAPE: dict[str, Shape] = {
    "metadata": {"name": str},
    "spec": {
        "sourceRepos": [str], "destinations": [{"server": str, "name": str, "namespace": str}],
        **{key: [{"group": str, "kind": str}] for key in ("clusterResourceWhitelist", "clusterResourceBlacklist",
                                                        "namespaceResourceWhitelist", "namespaceResourceBlacklist")},
    },
}


def project_from_doc(doc: dict[str, Any], file: str, line: int | None) -> Project:
    check_shape(doc, APPPROJECT_SHAPE, f"AppProject {_map(doc.get('metadata')).get('name')}", file=file, line=line)
    meta = _map(doc.get("metadata"))
    spec = _map(doc.get("spec"))
    dests = []
    for item in spec.get("destinations") or []:
        if isinstance(item, dict):
            dests.append((str(item.get("server") or ""), str(item.get("name") or ""), str(item.get("namespace") or "")))
    repos = tuple(str(r) for r in spec.get("sourceRepos") or [] if isinstance(r, str))
    return Project(
        name=str(meta.get("name") or ""), file=file, line=line, source_repos=repos, destinations=tuple(dests),
        cluster_whitelist=_group_kinds(spec, "clusterResourceWhitelist"),
        cluster_blacklist=_group_kinds(spec, "clusterResourceBlacklist"),
        namespace_whitelist=_group_kinds(spec, "namespaceResourceWhitelist"),
        namespace_blacklist=_group_kinds(spec, "namespaceResourceBlacklist"),
    )


def project_files(
    fs: RepoFS, *, skip: Iterable[str] = (), exclude: Iterable[str] = (), where: tuple[str, ...] | None = None
) -> list[str]:
    """The YAML files that mention AppProject (screened, see core/screens.py)."""
    paths = walk_yaml(fs, ".", skip=skip, exclude=exclude) if where is None else select_files(fs, where, "applications", skip=skip, exclude=exclude)
    return [p for p in paths if fs.screen(p, screens.APP_PROJECT, screens.SCREENS[screens.APP_PROJECT])]


def load_projects(
    fs: RepoFS, *, skip: Iterable[str] = (), exclude: Iterable[str] = (), where: tuple[str, ...] | None = None,
    files: Iterable[str] | None = None,
) -> dict[str, Project]:
    """Every `AppProject` (argoproj.io) by name, in the YAML files `where` names (sluice.yaml
    `applications` patterns: projects live with the Applications), else anywhere; only in
    `files` when given (those `project_files` found: the hook's plan cache keeps them)."""
    projects: dict[str, Project] = {}
    paths = project_files(fs, skip=skip, exclude=exclude, where=where) if files is None else files
    for path in paths:
        for doc, line in fs.load_yaml(path):
            if (
                isinstance(doc, dict) and doc.get("kind") == "AppProject"
                and str(doc.get("apiVersion", "")).startswith("argoproj.io/")
            ):
                project = project_from_doc(doc, path, line)
                if project.name:
                    projects.setdefault(project.name, project)
    return projects
