"""`sluice.yaml`: the fleet's configuration, read and validated against its JSON Schema.

Errors name the file, the line and the field. Paths in it are relative to the repository
root and may not leave it; `repositories` maps other repositories to local checkouts.
"""
from __future__ import annotations

import dataclasses
import json
import os
import posixpath
import re
import string
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources as _resources
from typing import Any, Iterable, Sequence

from ..core.branchname import normalize_branch  # re-exported: one rule for every branch field
from ..core.errors import InputError
from ..core.fs import RepoFS
from ..core.limits import DEFAULTS as LIMIT_DEFAULTS, ceilings as limit_ceilings
from .substitutions import Substitutions
from ..helm.engine import DEFAULT_KUBE_VERSION
from ..core.repourl import normalize_repo_url
from ..argo.sources import compile_glob

CONFIG_FILE = "sluice.yaml"
SCHEMA_RESOURCE = "sluice.schema.json"  # renderer/data/, the one copy (schemas/ links to it)
DEFAULT_BRANCH_TEMPLATE = "hydrated/{cluster}"
DEFAULT_OUTPUT_DIR = "out"
TEMPLATE_FIELDS = ("cluster",)


# sluice.yaml `limits` (bounded work on content a pull request controls): at most the run's
# ceilings (core/limits.py), which only the command line raises
DEFAULT_MAX_GENERATED = LIMIT_DEFAULTS["generatedApplications"]
DEFAULT_HELM_RENDER_SECONDS = LIMIT_DEFAULTS["helmRenderSeconds"]
DEFAULT_HELM_OUTPUT_BYTES = LIMIT_DEFAULTS["helmOutputBytes"]
DEFAULT_HELM_RENDER_MEMORY = LIMIT_DEFAULTS["helmRenderMemory"]  # the render process's address space
_LIMIT_FIELDS = {"generatedApplications": "max_generated_applications", "helmRenderSeconds": "helm_render_seconds",
                 "helmOutputBytes": "helm_output_bytes", "helmRenderMemory": "helm_render_memory"}


@dataclass(frozen=True, slots=True)
class FleetConfig:
    """sluice.yaml, validated. `applications`/`clusters` None: search the whole repository."""

    path: str | None = None  # the config file, None when there is none
    repo_url: str | None = None
    applications: tuple[str, ...] | None = None
    clusters: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    branch_template: str = DEFAULT_BRANCH_TEMPLATE
    output_dir: str = DEFAULT_OUTPUT_DIR  # repo-relative
    preserve: tuple[str, ...] = ()
    in_cluster_enabled: bool = True
    cluster_scoped_kinds: tuple[str, ...] = ()  # "Kind" or "Kind.group"
    helm_releases: str = "auto"  # HELM_RELEASE_MODES: what a render does with Flux HelmReleases
    helm_engine: str | None = None  # helm.engine: "in-process" | "cli"; None: in-process when installed
    substitutions: Substitutions = Substitutions()  # substitutions + substitutionsFile (values kept out of reprs)
    allow_plaintext_secrets: bool = False  # `sluice verify` accepts plaintext Secrets
    flux_clusters: tuple[str, ...] | None = None  # Flux cluster directories (paths or globs); None: detect
    repositories: tuple[tuple[str, str], ...] = ()  # (normalized repoURL, absolute directory) of other repos
    kube_version: str = DEFAULT_KUBE_VERSION  # the clusters' Kubernetes version, as Helm's capabilities
    api_versions: tuple[str, ...] = ()  # API versions every cluster serves beyond the built-in ones
    child_applications: str = "dry"  # or "hydrated": rendered Application manifests point at hydrated branches
    max_generated_applications: int = DEFAULT_MAX_GENERATED  # limits.generatedApplications
    helm_render_seconds: int = DEFAULT_HELM_RENDER_SECONDS  # limits.helmRenderSeconds
    helm_output_bytes: int = DEFAULT_HELM_OUTPUT_BYTES  # limits.helmOutputBytes
    helm_render_memory: int = DEFAULT_HELM_RENDER_MEMORY  # limits.helmRenderMemory
    notes: tuple[str, ...] = ()  # what the run's reading of sluice.yaml should say (a limit above its ceiling)

    def repository_key(self, url: str | None, ref: str | None = None) -> str | None:
        """The `repositories` entry for `url` at `ref`: `URL#ref` when one is mapped (another
        branch, even of this repository), else plain `URL`; None when neither is."""
        if not url:
            return None
        mapped = dict(self.repositories)
        base = normalize_repo_url(url)
        for key in ([f"{base}#{ref.strip()}"] if ref and ref.strip() else []) + [base]:
            if key in mapped:
                return key
        return None

    def repository_dir(self, url: str | None, ref: str | None = None) -> str | None:
        """The local checkout of another repository (or branch) the config maps `url` to."""
        key = self.repository_key(url, ref)
        return dict(self.repositories)[key] if key is not None else None



# -- sluice.yaml --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def config_schema() -> dict[str, Any]:
    """The JSON Schema of sluice.yaml (draft 2020-12), as packaged."""
    text = _resources.files("renderer").joinpath("data", SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _format_path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _line_of(text: str, parts: list[Any]) -> int | None:
    """Best-effort line (1-based) of a value in a YAML mapping document, for messages."""
    try:
        from ruamel.yaml import YAML

        node: Any = YAML(typ="rt").load(text)
        line: int | None = None
        for part in parts:
            if isinstance(part, int):
                line = node.lc.item(part)[0] + 1
            else:
                line = node.lc.key(part)[0] + 1
            node = node[part]
        return line
    except Exception:  # noqa: BLE001 - a line number is a nicety, never a failure
        return None


_SECRET_KEYS = ("substitutions",)  # values under them may be secrets: messages never quote them


def _schema_errors(data: Any, schema: dict[str, Any] | None = None, secret: bool = False) -> list[tuple[list[Any], str]]:
    import jsonschema  # type: ignore[import-untyped,unused-ignore]

    validator = jsonschema.Draft202012Validator(schema or config_schema())
    found: list[tuple[list[Any], str]] = []
    for err in validator.iter_errors(data):
        path = list(err.absolute_path)
        if (secret or (path and path[0] in _SECRET_KEYS)) and err.validator not in ("propertyNames", "pattern", "additionalProperties"):
            wanted = err.validator_value if err.validator == "type" else None
            types = " or ".join(wanted) if isinstance(wanted, list) else str(wanted or "")
            found.append((path, f"must be a {types} (the value is not shown)" if types
                          else f"invalid ({err.validator}; the value is not shown)"))
            continue
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = sorted((err.schema.get("properties") or {}).keys())
            for key in sorted(k for k in err.instance if k not in allowed):
                found.append(([*path, key], f"unknown field (allowed: {', '.join(allowed)})"))
            continue
        message = err.message
        if err.validator == "pattern" and isinstance(err.schema, dict) and err.schema.get("description"):
            message = f"{err.instance!r} is not valid: {err.schema['description']}"
        found.append((path, message))
    found.sort(key=lambda item: ([str(p) for p in item[0]], item[1]))
    return found


def _config_error(path: str, text: str, parts: list[Any], message: str) -> InputError:
    return InputError(f"{_format_path(parts)}: {message}", file=path, line=_line_of(text, parts) if parts else None)


def _substitutions(fs: RepoFS, data: dict[str, Any]) -> Substitutions:
    """sluice.yaml `substitutions`, then the `substitutionsFile` (read through the read
    boundary, validated like the section; messages never quote a value)."""
    layers: list[Any] = [data.get("substitutions") or {}]
    name = data.get("substitutionsFile")
    if name:
        path = fs.resolve(name, referrer=CONFIG_FILE)
        if not fs.is_file(path):
            raise InputError(f"substitutionsFile: {name!r} is not a file", file=CONFIG_FILE)
        docs = [doc for doc, _ in fs.load_yaml(path) if doc is not None]
        if len(docs) > 1:
            raise InputError("expected one YAML document, found several", file=path)
        layer = docs[0] if docs else {}
        schema = {**config_schema()["$defs"]["substitutions"], "$defs": config_schema()["$defs"]}
        errors = _schema_errors(layer, schema, secret=True)
        if errors:
            parts, message = errors[0]
            raise InputError(f"{_format_path(parts)}: {message}", file=path)
        layers.append(layer)
    return Substitutions.from_mappings(*layers)


def load_config(fs: RepoFS, *, checkouts_root: str | os.PathLike[str] | None = None,
                granted: Sequence[str | os.PathLike[str]] = (), overridden: Iterable[str] = ()) -> FleetConfig:
    """Read and validate `sluice.yaml`; the defaults (search everything) without one.
    Relative `repositories` paths resolve against `checkouts_root` (default: the repository
    root; `sluice diff` renders an export elsewhere but the checkouts stay beside the repo).
    The file is content of the repository (a pull request controls it), so its paths must
    stay inside the repository or inside a root `granted` on the command line; `repositories`
    entries the command line `overridden` are not looked at."""
    if not fs.is_file(CONFIG_FILE):
        if fs.is_file("sluice.yml"):
            raise InputError(f"sluice reads its configuration from {CONFIG_FILE}; rename the file", file="sluice.yml")
        return FleetConfig(**_limits({}, ""))
    text = fs.read_text(CONFIG_FILE)
    docs = [(doc, line) for doc, line in fs.load_yaml(CONFIG_FILE) if doc is not None]
    if len(docs) > 1:
        raise InputError("expected one YAML document, found several", file=CONFIG_FILE, line=docs[1][1])
    data: Any = docs[0][0] if docs else {}
    errors = _schema_errors(data)
    if errors:
        first = _config_error(CONFIG_FILE, text, *errors[0])
        if len(errors) > 1:
            more = "; ".join(f"{_format_path(p)}: {m}" for p, m in errors[1:])
            first = InputError(f"{first.message} (and: {more})", file=first.file, line=first.line)
        raise first

    def strings(key: str) -> tuple[str, ...] | None:
        value = data.get(key)
        return None if value is None else tuple(value)

    def check_patterns(key: str, patterns: tuple[str, ...] | None) -> None:
        for i, pattern in enumerate(patterns or ()):
            problem = _pattern_problem(pattern)
            if problem:
                raise _config_error(CONFIG_FILE, text, [key, i], problem)

    output = data.get("output") or {}
    config = FleetConfig(
        path=CONFIG_FILE,
        repo_url=data.get("repoURL"),
        applications=strings("applications"),
        clusters=strings("clusters"),
        exclude=strings("exclude") or (),
        branch_template=output.get("branchTemplate", DEFAULT_BRANCH_TEMPLATE),
        output_dir=output.get("dir", DEFAULT_OUTPUT_DIR),
        preserve=strings("preserve") or (),
        in_cluster_enabled=data.get("inClusterEnabled", True),
        cluster_scoped_kinds=strings("clusterScopedKinds") or (),
        helm_releases=data.get("helmReleases", "auto"),
        helm_engine=(data.get("helm") or {}).get("engine"),
        substitutions=_substitutions(fs, data),
        allow_plaintext_secrets=bool(data.get("allowPlaintextSecrets", False)),
        flux_clusters=strings("fluxClusters"),
        repositories=_repositories(checkouts_root or fs.root, data.get("repositories") or {}, text, granted,
                                   {repository_entry_key(u) for u in overridden}),
        kube_version=str(data.get("kubeVersion") or DEFAULT_KUBE_VERSION),
        api_versions=strings("apiVersions") or (),
        child_applications=data.get("childApplications", "dry"),
        **_limits(data.get("limits") or {}, text),
    )
    for key in ("applications", "clusters", "exclude", "preserve"):
        check_patterns(key, getattr(config, key))
    check_patterns("fluxClusters", config.flux_clusters)
    out_dir = posixpath.normpath(config.output_dir)
    if config.output_dir.startswith("/") or out_dir == ".." or out_dir.startswith("../") or out_dir == ".":
        raise _config_error(CONFIG_FILE, text, ["output", "dir"], "must be a directory inside the repository, relative to it (e.g. out)")
    template_problem = _template_problem(config.branch_template)
    if template_problem:
        raise _config_error(CONFIG_FILE, text, ["output", "branchTemplate"], template_problem)
    if out_dir != config.output_dir:
        config = dataclasses.replace(config, output_dir=out_dir)
    return config


def _limits(asked: dict[str, Any], text: str) -> dict[str, Any]:
    """The run's limits: sluice.yaml's where they are at or below the ceilings, the ceilings
    elsewhere, with a note for each value the repository asked above its ceiling."""
    out: dict[str, Any] = {}
    notes: list[str] = []
    for key, ceiling in limit_ceilings().items():
        value = asked.get(key)
        if isinstance(value, int) and value > ceiling:
            where = f"{CONFIG_FILE}:{_line_of(text, ['limits', key]) or 1}"
            notes.append(f"{where}: limits.{key}: {value} is above this run's ceiling, {ceiling}, which applies: a "
                         f"repository may lower its limits, only the command line raises them (--limit {key}={value})")
            value = ceiling
        out[_LIMIT_FIELDS[key]] = int(value) if isinstance(value, int) else ceiling
    out["notes"] = tuple(notes)
    return out


def _repositories(base: str | os.PathLike[str], mapping: dict[str, str], text: str,
                  granted: Sequence[str | os.PathLike[str]] = (), skip: frozenset[str] | set[str] = frozenset(),
                  ) -> tuple[tuple[str, str], ...]:
    """sluice.yaml `repositories`: each repoURL's local checkout, which must be a directory
    inside the repository or inside a granted root."""
    out: dict[str, str] = {}
    roots = [os.path.realpath(base), *(os.path.realpath(g) for g in granted)]
    for url, raw in mapping.items():
        if repository_entry_key(url) in skip:
            continue  # the command line maps this URL itself
        if "\x00" in raw:
            raise _config_error(CONFIG_FILE, text, ["repositories", url], f"{raw!r} holds a NUL character, no path does")
        path = os.path.normpath(os.path.join(base, os.path.expanduser(raw)))
        real = os.path.realpath(path)
        if not any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots):
            raise _config_error(
                CONFIG_FILE, text, ["repositories", url],
                f"{raw!r} leads outside the repository; sluice.yaml cannot widen what a render reads: grant the "
                f"checkout on the command line (--repository {url}=PATH or --allow-root DIR)")
        if not os.path.isdir(path):
            raise _config_error(CONFIG_FILE, text, ["repositories", url], f"{raw!r} is not a directory")
        out[repository_entry_key(url)] = path
    return tuple(sorted(out.items()))


def repository_entry_key(url: str) -> str:
    """`URL` or `URL#ref` as written in `repositories`, the URL part normalized (refs keep
    their case)."""
    base, sep, ref = url.partition("#")
    return normalize_repo_url(base) + (f"#{ref.strip()}" if sep and ref.strip() else "")


def with_repositories(config: FleetConfig, mapping: dict[str, str]) -> FleetConfig:
    """The config with more repoURL -> directory mappings (the CLI's --repository), which win."""
    merged = dict(config.repositories)
    for url, path in mapping.items():
        if not os.path.isdir(path):
            raise InputError(f"--repository {url}={path}: not a directory")
        merged[repository_entry_key(url)] = os.path.abspath(path)
    return dataclasses.replace(config, repositories=tuple(sorted(merged.items())))


def _pattern_problem(pattern: str) -> str | None:
    if pattern.startswith("/"):
        return f"{pattern!r}: paths are relative to the repository root; drop the leading '/'"
    if ".." in pattern.split("/"):
        return f"{pattern!r}: '..' is not allowed; paths stay inside the repository"
    try:
        compile_glob(pattern.rstrip("/"), True)
    except (ValueError, re.error) as exc:
        return f"{pattern!r}: bad glob pattern: {exc}"
    return None


def _template_problem(template: str) -> str | None:
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        return f"{template!r}: {exc}"
    unknown = sorted({n for n in names if n not in TEMPLATE_FIELDS})
    if unknown:
        return f"{template!r}: unknown placeholder {{{unknown[0]}}} (known: {', '.join('{' + f + '}' for f in TEMPLATE_FIELDS)})"
    problem = normalize_branch(template.format(cluster="x"))[1]
    if problem:
        return f"{template!r} does not make a valid branch name: {problem}"
    return None


def cluster_name_problem(name: str) -> str | None:
    """Cluster names become directory names (OUT/<cluster>/): keep them to one safe segment."""
    if not name:
        return "is empty"
    if "/" in name or "\\" in name or name.startswith(".") or any(ord(ch) < 32 for ch in name):
        return "cannot be a directory name (it contains '/', '\\' or a control character, or starts with '.')"
    return None
