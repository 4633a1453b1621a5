"""ApplicationSet generators, run offline.

`list`, `clusters` (over a cluster inventory built from Argo CD cluster Secrets), `git`
(directories and files, read from a local directory standing for the repository),
`matrix`, `merge`, and the `selector` post-filter. `clusterDecisionResource`,
`scmProvider`, `pullRequest` and `plugin` need a live service: their results are read
from a file of inputs given by the user (`GeneratorInputs`).

Each generator returns a list of parameter sets (dicts). In fasttemplate mode parameters
are flat string maps (`metadata.labels.env`, `path[0]`); in goTemplate mode they are
nested values.
"""
from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from renderer.core.limits import how_to_raise
from renderer.gotemplate import go_sprint_value, sanitize_name
from renderer.appset.templates import TemplateRenderError, deep_replace, replace
from renderer.core.regex import RegexError, compile_user_regex

IN_CLUSTER_NAME = "in-cluster"
IN_CLUSTER_SERVER = "https://kubernetes.default.svc"
SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type"

GENERATOR_TYPES = ("list", "clusters", "git", "matrix", "merge", "scmProvider", "clusterDecisionResource", "pullRequest", "plugin")
EXTERNAL_TYPES = ("scmProvider", "clusterDecisionResource", "pullRequest", "plugin")


class GeneratorError(Exception):
    """A generator cannot produce parameters; the message says why."""


@dataclass(frozen=True)
class ClusterInfo:
    """One Argo CD cluster as the clusters generator sees it: the Secret's data and metadata."""

    name: str
    server: str
    project: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)


def cluster_info_from_secret(doc: dict[str, Any], file: str = "<secret>", line: int | None = None) -> ClusterInfo:
    """The ClusterInfo of an Argo CD cluster Secret (name/server validated by fleet)."""
    import base64

    from renderer.argo.clusters import cluster_from_secret

    cluster = cluster_from_secret(doc, file, line)
    meta = doc.get("metadata") or {}
    project = ""
    string_data = doc.get("stringData") or {}
    data = doc.get("data") or {}
    if isinstance(data, dict) and data.get("project"):
        try:
            project = base64.b64decode(str(data["project"])).decode("utf-8")
        except ValueError:
            project = ""
    if isinstance(string_data, dict) and string_data.get("project") is not None:
        project = str(string_data["project"])
    labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
    annotations = {str(k): str(v) for k, v in (meta.get("annotations") or {}).items()}
    return ClusterInfo(cluster.name, cluster.server, project, labels, annotations)


class RepoResolver:
    """Maps a generator's `repoURL` to a local directory holding that repository's files.

    `default`: the directory for any URL not listed in `repos`. A git generator reads
    through `RepoFS` (the read boundary: symlinks out and `.git` refused); `filesystems`
    are views already open on some of the directories, so their reads are recorded
    where the render records its inputs."""

    def __init__(self, repos: Mapping[str, str] | None = None, default: str | None = None,
                 filesystems: Any = ()) -> None:
        self.repos = {_norm_url(k): v for k, v in (repos or {}).items()}
        self.default = default
        self._fs: dict[str, Any] = {os.path.realpath(f.root): f for f in filesystems}

    def filesystem(self, url: str, revision: str = "") -> Any:
        """The read-boundary view of the repository `url` names."""
        from renderer.core.fs import RepoFS

        path = os.path.realpath(self.resolve(url, revision))
        if path not in self._fs:
            self._fs[path] = RepoFS(path)
        return self._fs[path]

    def resolve(self, url: str, revision: str = "") -> str:
        path = self.repos.get(_norm_url(url), self.default)
        if path is None:
            raise GeneratorError(f"no local copy of repository {url!r}: map it to a checkout with --repository {url}=PATH "
                                 "(or `repositories` in sluice.yaml)")
        if not os.path.isdir(path):
            raise GeneratorError(f"local copy of repository {url!r} is not a directory: {path}")
        return path


def _norm_url(url: str) -> str:
    from ..core.repourl import normalize_repo_url

    return normalize_repo_url(url)


GeneratorInputs = Mapping[str, Any]
"""Inputs for the generators that need a live service, keyed by generator type
(`pullRequest`, `scmProvider`, `clusterDecisionResource`, `plugin`), each a list of
parameter sets; or keyed by ApplicationSet name first, then by type."""


@dataclass
class Context:
    appset_name: str
    go_template: bool
    options: tuple[str, ...]
    clusters: list[ClusterInfo]
    repos: RepoResolver
    inputs: GeneratorInputs | None = None
    include_hidden_directories: bool = False
    max_generated: int = 10_000  # sluice.yaml limits.generatedApplications


def check_generated_count(count: int, ctx: Context, what: str) -> None:
    """Refuse a generator result larger than the cap, before it is built."""
    if count > ctx.max_generated:
        raise GeneratorError(
            f"{what} would generate {count} parameter sets, more than the limit of {ctx.max_generated}; "
            f"{how_to_raise('generatedApplications')}")


# -- helpers ------------------------------------------------------------------------------


def _json_numbers(v: Any) -> Any:
    """Values as Go sees them after a JSON round trip: every number is a float64."""
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return float(v)
    if isinstance(v, dict):
        return {str(k): _json_numbers(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_json_numbers(x) for x in v]
    return v


def flatten(obj: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """jeremywohl/flatten DotStyle with values printed by `%v`."""
    out: dict[str, str] = {}

    def walk(v: Any, key: str) -> None:
        if isinstance(v, dict) and v:
            for k, x in v.items():
                walk(x, f"{key}.{k}" if key else str(k))
        elif isinstance(v, list) and v:
            for i, x in enumerate(v):
                walk(x, f"{key}.{i}" if key else str(i))
        else:
            if isinstance(v, dict):
                out[key] = "map[]"
            elif isinstance(v, list):
                out[key] = "[]"
            else:
                out[key] = go_sprint_value(v)

    walk(_json_numbers(dict(obj)), prefix)
    return out


def _path_base(p: str) -> str:
    if p == "":
        return "."
    p = p.rstrip("/")
    return p.rsplit("/", 1)[-1] if p else "/"


def _path_dir(p: str) -> str:
    import posixpath

    d = p[: p.rfind("/") + 1] if "/" in p else ""
    return posixpath.normpath(d) if d else "."


def _append_values(values: Mapping[str, Any] | None, params: dict[str, Any], ctx: Context) -> None:
    """A generator's `values`, each rendered with the parameters so far."""
    if not values:
        return
    rendered: dict[str, str] = {}
    for k in sorted(values):
        v = values[k]
        text = v if isinstance(v, str) else go_sprint_value(v)
        rendered[k] = replace(text, params, ctx.go_template, ctx.options)
    if ctx.go_template:
        params["values"] = rendered
    else:
        for k, v in rendered.items():
            params[f"values.{k}"] = v


# -- label selectors ----------------------------------------------------------------------


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """A Kubernetes LabelSelector (matchLabels, matchExpressions) against a label set."""
    if not selector:
        return True
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != str(v):
            return False
    for expr in selector.get("matchExpressions") or []:
        key = expr.get("key")
        op = expr.get("operator")
        vals = [str(x) for x in expr.get("values") or []]
        if op == "In":
            if key not in labels or labels[key] not in vals:
                return False
        elif op == "NotIn":
            if key in labels and labels[key] in vals:
                return False
        elif op == "Exists":
            if key not in labels:
                return False
        elif op == "DoesNotExist":
            if key in labels:
                return False
        else:
            raise GeneratorError(f"selector: {op!r} is not a valid label selector operator")
    return True


def _selector_empty(selector: Mapping[str, Any] | None) -> bool:
    return not selector or (not selector.get("matchLabels") and not selector.get("matchExpressions"))


# -- list ---------------------------------------------------------------------------------


def gen_list(spec: Mapping[str, Any], ctx: Context) -> list[dict[str, Any]]:
    res: list[dict[str, Any]] = []
    for i, element in enumerate(spec.get("elements") or []):
        if not isinstance(element, dict):
            raise GeneratorError(f"list element {i} is not a mapping")
        if ctx.go_template:
            res.append(_json_numbers(copy.deepcopy(element)))
            continue
        params: dict[str, Any] = {}
        for key, value in element.items():
            if key == "values":
                if not isinstance(value, dict):
                    raise GeneratorError("error parsing values map")
                for k, v in value.items():
                    if not isinstance(v, str):
                        raise GeneratorError(f"list element {i}: values.{k} is not a string (fasttemplate mode takes strings only; quote it or use goTemplate)")
                    params[f"values.{k}"] = v
            else:
                if not isinstance(value, str):
                    raise GeneratorError(f"list element {i}: {key} is not a string (fasttemplate mode takes strings only; quote it or use goTemplate)")
                params[key] = value
        res.append(params)
    text = spec.get("elementsYaml")
    if text:
        from renderer.core.errors import SluiceError
        from renderer.core.yaml import load_documents

        try:
            docs = load_documents(text, "<elementsYaml>", dialect="config")
        except SluiceError as e:
            raise GeneratorError(f"error unmarshling decoded ElementsYaml: {e.message}") from None
        items = docs[0] if docs else []
        if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
            raise GeneratorError("error unmarshling decoded ElementsYaml: it must be a list of mappings")
        res.extend(_json_numbers(x) for x in items)
    return res


# -- clusters -----------------------------------------------------------------------------


def gen_clusters(spec: Mapping[str, Any], ctx: Context) -> list[dict[str, Any]]:
    selector = spec.get("selector") or {}
    ignore_local = not _selector_empty(selector)
    res: list[dict[str, Any]] = []
    by_name: dict[str, ClusterInfo] = {}
    for c in ctx.clusters:
        labels = dict(c.labels)
        labels.setdefault(SECRET_TYPE_LABEL, "cluster")
        if selector_matches(selector, labels):
            by_name[c.name] = c
    for name in sorted(by_name):
        c = by_name[name]
        params: dict[str, Any] = {"name": c.name, "nameNormalized": sanitize_name(c.name), "server": c.server, "project": c.project}
        if ctx.go_template:
            meta: dict[str, Any] = {}
            if c.annotations:
                meta["annotations"] = dict(c.annotations)
            if c.labels:
                meta["labels"] = dict(c.labels)
            params["metadata"] = meta
        else:
            for k, v in c.annotations.items():
                params[f"metadata.annotations.{k}"] = v
            for k, v in c.labels.items():
                params[f"metadata.labels.{k}"] = v
        _append_values(spec.get("values"), params, ctx)
        res.append(params)
    has_in_cluster = any(c.server.rstrip("/") == IN_CLUSTER_SERVER for c in ctx.clusters)
    if not ignore_local and not has_in_cluster:
        params = {"name": IN_CLUSTER_NAME, "nameNormalized": IN_CLUSTER_NAME, "server": IN_CLUSTER_SERVER, "project": ""}
        _append_values(spec.get("values"), params, ctx)
        res.append(params)
    if spec.get("flatList"):
        return [{"clusters": res}]
    return res


# -- git ----------------------------------------------------------------------------------


def _path_match(pattern: str, name: str) -> bool:
    """Go's path.Match: `*` and `?` never cross `/`; `[...]` classes; `\\` escapes."""
    try:
        return compile_user_regex(_glob_regex(pattern, cross_slash=False), dotall=True).fullmatch(name) is not None
    except RegexError:
        raise GeneratorError(f"syntax error in pattern {pattern!r}") from None


def _glob_regex(pattern: str, *, cross_slash: bool) -> str:
    any_char = "." if cross_slash else "[^/]"
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            while i + 1 < len(pattern) and pattern[i + 1] == "*" and cross_slash:
                i += 1
            out.append(any_char + "*")
        elif c == "?":
            out.append(any_char)
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        elif c == "[":
            j = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("^", "]") else i + 1)
            if j < 0:
                raise GeneratorError(f"syntax error in pattern {pattern!r}")
            body = pattern[i + 1 : j]
            neg = body.startswith("^")
            if neg:
                body = body[1:]
            body = body.replace("\\", "\\\\")
            out.append(f"[{'^' if neg else ''}{'/' if neg and not cross_slash else ''}{body}]")
            i = j
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def _git_directories(fs: Any, include_hidden: bool) -> list[str]:
    """Directories of the repository (git tracks no empty ones; links are not directories)."""
    paths: list[str] = []

    def walk(rel: str) -> None:
        for n in fs.listdir(rel or "."):
            r = f"{rel}/{n}" if rel else n
            if n.lower() == ".git" or (not include_hidden and n.startswith(".")):
                continue
            if os.path.islink(fs.abspath(r)) or not fs.is_dir(r):
                continue
            paths.append(r)
            walk(r)

    walk("")
    return paths


def _git_files(fs: Any) -> list[str]:
    """Files of the repository, `.git` left out; symlinks are judged when one is read."""
    files: list[str] = []

    def walk(rel: str) -> None:
        for n in fs.listdir(rel or "."):
            r = f"{rel}/{n}" if rel else n
            if n.lower() == ".git":
                continue
            if fs.is_dir(r) and not os.path.islink(fs.abspath(r)):
                walk(r)
            else:
                files.append(r)

    walk("")
    return sorted(files)


def _ls_files_match(pattern: str, path: str) -> bool:
    """`git ls-files -- PATTERN` (Argo CD's default globbing): a glob where `*` also
    matches `/`, or a leading directory of the path."""
    if path == pattern or path.startswith(pattern.rstrip("/") + "/"):
        return True
    if not any(c in pattern for c in "*?["):
        return False
    try:
        return compile_user_regex(_glob_regex(pattern, cross_slash=True), dotall=True).fullmatch(path) is not None
    except RegexError:
        raise GeneratorError(f"syntax error in pattern {pattern!r}") from None


def gen_git(spec: Mapping[str, Any], ctx: Context) -> list[dict[str, Any]]:
    url = spec.get("repoURL") or ""
    root = ctx.repos.filesystem(url, spec.get("revision") or "")
    prefix = spec.get("pathParamPrefix") or ""
    if spec.get("files"):
        return _git_files_params(spec, ctx, root, prefix)
    if spec.get("directories"):
        items = spec["directories"]
        all_paths = _git_directories(root, ctx.include_hidden_directories)
        requested = []
        for p in all_paths:
            include = exclude = False
            for item in items:
                if _path_match(str(item.get("path", "")), p):
                    if item.get("exclude"):
                        exclude = True
                    else:
                        include = True
            if include and not exclude:
                requested.append(p)
        res = []
        for a in requested:
            params: dict[str, Any] = {}
            if ctx.go_template:
                pp = {"path": a, "basename": _path_base(a), "basenameNormalized": sanitize_name(_path_base(a)), "segments": a.split("/")}
                if prefix:
                    params[prefix] = {"path": pp}
                else:
                    params["path"] = pp
            else:
                name = f"{prefix}.path" if prefix else "path"
                params[name] = a
                params[name + ".basename"] = _path_base(a)
                params[name + ".basenameNormalized"] = sanitize_name(_path_base(a))
                for k, v in enumerate(a.split("/")):
                    if v:
                        params[f"{name}[{k}]"] = v
            _append_values(spec.get("values"), params, ctx)
            res.append(params)
        return res
    raise GeneratorError("git generator needs directories or files")


def _git_files_params(spec: Mapping[str, Any], ctx: Context, root: Any, prefix: str) -> list[dict[str, Any]]:
    from renderer.core.errors import SluiceError
    from renderer.core.yaml import load_documents

    all_files = _git_files(root)
    chosen: set[str] = set()
    for item in spec["files"]:
        if not item.get("exclude"):
            chosen.update(f for f in all_files if _ls_files_match(str(item.get("path", "")), f))
    for item in spec["files"]:
        if item.get("exclude"):
            chosen.difference_update(f for f in all_files if _ls_files_match(str(item.get("path", "")), f))
    res: list[dict[str, Any]] = []
    for file_path in sorted(chosen):
        try:
            text = root.read_text(file_path)  # the read boundary: a link out or into .git is refused
        except SluiceError as e:
            raise GeneratorError(f"unable to process file '{file_path}' from repository '{spec.get('repoURL')}': {e}") from None
        try:
            docs = load_documents(text, file_path, dialect="config")
        except SluiceError as e:
            raise GeneratorError(f"unable to process file '{file_path}' from repository '{spec.get('repoURL')}': unable to parse file: {e.message}") from None
        doc = docs[0] if docs else {}
        if isinstance(doc, dict):
            objects = [doc]
        elif isinstance(doc, list) and all(isinstance(x, dict) for x in doc):
            objects = doc
        else:
            raise GeneratorError(f"unable to process file '{file_path}' from repository '{spec.get('repoURL')}': unable to parse file: not a mapping or a list of mappings")
        directory = _path_dir(file_path)
        for obj in objects:
            params: dict[str, Any] = {}
            if ctx.go_template:
                params.update(_json_numbers(copy.deepcopy(obj)))
                pp = {
                    "path": directory,
                    "basename": _path_base(directory),
                    "filename": _path_base(file_path),
                    "basenameNormalized": sanitize_name(_path_base(directory)),
                    "filenameNormalized": sanitize_name(_path_base(file_path)),
                    "segments": directory.split("/"),
                }
                if prefix:
                    params[prefix] = {"path": pp}
                else:
                    params["path"] = pp
            else:
                params.update(flatten(obj))
                name = f"{prefix}.path" if prefix else "path"
                params[name] = directory
                params[name + ".basename"] = _path_base(directory)
                params[name + ".filename"] = _path_base(file_path)
                params[name + ".basenameNormalized"] = sanitize_name(_path_base(directory))
                params[name + ".filenameNormalized"] = sanitize_name(_path_base(file_path))
                for k, v in enumerate(directory.split("/")):
                    if v:
                        params[f"{name}[{k}]"] = v
            _append_values(spec.get("values"), params, ctx)
            res.append(params)
    return res


# -- external generators ------------------------------------------------------------------


def _slug(text: str, limit: int = 50) -> str:
    from renderer.gotemplate import slugify

    return slugify(limit, False, text)


def gen_external(kind: str, spec: Mapping[str, Any], ctx: Context) -> list[dict[str, Any]]:
    inputs = ctx.inputs
    entries = None
    if inputs is not None:
        scoped = inputs.get(ctx.appset_name)
        if isinstance(scoped, dict) and kind in scoped:
            entries = scoped[kind]
        elif kind in inputs:
            entries = inputs[kind]
    if entries is None:
        raise GeneratorError(
            f"the {kind} generator needs a live service; give its results offline with --generator-inputs FILE "
            f"(a JSON/YAML mapping with a {kind!r} list of parameter sets)"
        )
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise GeneratorError(f"generator inputs: {kind} must be a list of mappings")
    res = []
    for e in entries:
        params = dict(e)
        if kind == "pullRequest":
            if "branch" in params and "branch_slug" not in params:
                params["branch_slug"] = _slug(str(params["branch"]))
            if "target_branch" in params and "target_branch_slug" not in params:
                params["target_branch_slug"] = _slug(str(params["target_branch"]))
            if "head_sha" in params:
                params.setdefault("head_short_sha", str(params["head_sha"])[:8])
                params.setdefault("head_short_sha_7", str(params["head_sha"])[:7])
            if "number" in params:
                params["number"] = str(params["number"])
            if not ctx.go_template:
                params.pop("labels", None)
        if kind == "plugin" and not ctx.go_template:
            flat = flatten({k: v for k, v in params.items()})
            params = flat
        if kind == "plugin":
            params.setdefault("generator" if ctx.go_template else "generator.input.parameters", {} if ctx.go_template else "")
            if ctx.go_template:
                params["generator"] = {"input": {"parameters": (spec.get("input") or {}).get("parameters") or {}}}
            else:
                params.pop("generator.input.parameters", None)
                params.update(flatten({"generator": {"input": {"parameters": (spec.get("input") or {}).get("parameters") or {}}}}))
        elif not ctx.go_template:
            params = {k: (v if isinstance(v, str) else go_sprint_value(_json_numbers(v))) for k, v in params.items()}
        _append_values(spec.get("values"), params, ctx)
        res.append(params)
    return res


# -- combinators --------------------------------------------------------------------------


def generator_type(gen: Mapping[str, Any]) -> str:
    kinds = [k for k in gen if k in GENERATOR_TYPES]
    if not kinds:
        unknown = [k for k in gen if k not in ("selector", "template")]
        raise GeneratorError(f"unrecognized generator{': ' + ', '.join(sorted(unknown)) if unknown else ''}")
    if len(kinds) > 1:
        raise GeneratorError(f"one generator entry holds several generators: {', '.join(kinds)}")
    return kinds[0]


def run_generator(gen: Mapping[str, Any], ctx: Context, parent_params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """One generator entry (with its `selector`), interpolated with `parent_params` first."""
    kind = generator_type(gen)
    spec = gen[kind] or {}
    if parent_params:
        spec = interpolate_generator(kind, spec, parent_params, ctx)
    if kind == "list":
        params = gen_list(spec, ctx)
    elif kind == "clusters":
        params = gen_clusters(spec, ctx)
    elif kind == "git":
        params = gen_git(spec, ctx)
    elif kind == "matrix":
        params = gen_matrix(spec, ctx)
    elif kind == "merge":
        params = gen_merge(spec, ctx)
    else:
        params = gen_external(kind, spec, ctx)
    selector = gen.get("selector")
    if selector:
        params = [p for p in params if selector_matches(selector, flatten(p))]
    return params


def interpolate_generator(kind: str, spec: Any, params: dict[str, Any], ctx: Context) -> Any:
    """A nested generator's fields rendered with the parameters of the generator before it
    (matrix). `values` keep a template whose keys are missing: they are rendered later."""
    spec = copy.deepcopy(spec)
    values = spec.pop("values", None) if isinstance(spec, dict) else None
    template = spec.pop("template", None) if isinstance(spec, dict) else None
    out = deep_replace(spec, params, ctx.go_template, ctx.options)
    if values is not None:
        resolved = {}
        opts = tuple(o for o in ctx.options if not o.startswith("missingkey=")) + (("missingkey=error",) if ctx.go_template else ())
        for k, v in values.items():
            try:
                resolved[k] = replace(v, params, ctx.go_template, opts) if isinstance(v, str) else v
            except TemplateRenderError as e:
                if "map has no entry for key" in str(e) or "can't evaluate field" in str(e) or "nil pointer evaluating" in str(e):
                    resolved[k] = v
                else:
                    raise
        out["values"] = resolved
    if template is not None:
        out["template"] = template
    return out


def _combine_string_maps(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    res = dict(a)
    for k, v in b.items():
        if k in res and res[k] != v:
            raise GeneratorError(f"found duplicate key {k} with different value, a: {res[k]} ,b: {v}")
        res[k] = v
    return res


def _mergo_override(dst: dict[str, Any], src: dict[str, Any]) -> dict[str, Any]:
    """mergo.Merge(dst, src, WithOverride): src's non-empty values win; maps merge deeply."""
    out = dict(dst)
    for k, v in src.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _mergo_override(out[k], v)
        elif v is None or v == "" or (isinstance(v, (list, dict)) and not v):
            out.setdefault(k, v)
        else:
            out[k] = v
    return out


def _children(spec: Mapping[str, Any], kind: str) -> list[Any]:
    gens = spec.get("generators") or []
    if not isinstance(gens, list):
        raise GeneratorError(f"{kind}.generators must be a list")
    return gens


def gen_matrix(spec: Mapping[str, Any], ctx: Context) -> list[dict[str, Any]]:
    gens = _children(spec, "matrix")
    if len(gens) < 2:
        raise GeneratorError("matrix generator must have at least 2 generators")  # noqa: ERA001
    if len(gens) > 2:
        raise GeneratorError("matrix generator must have at most 2 generators")
    res: list[dict[str, Any]] = []
    first = _child(gens[0], ctx, None, "first generator in matrix generator")
    for index, a in enumerate(first):
        second = _child(gens[1], ctx, a, "second generator in the matrix generator")
        if index == 0:  # estimate before building: the second generator usually yields as much for each
            check_generated_count(len(first) * len(second), ctx, "the matrix generator (estimated)")
        check_generated_count(len(res) + len(second), ctx, "the matrix generator")
        for b in second:
            if ctx.go_template:
                res.append(_mergo_override(_mergo_override({}, b), a))
            else:
                res.append(_combine_string_maps(a, b))
    return res


def _child(gen: Any, ctx: Context, parent: dict[str, Any] | None, what: str) -> list[dict[str, Any]]:
    if not isinstance(gen, dict):
        raise GeneratorError(f"{what}: not a mapping")
    try:
        params = run_generator(gen, ctx, parent)
    except GeneratorError as e:
        raise GeneratorError(f"{what}: {e}") from None
    if params is None:
        raise GeneratorError(f"{what}: child generator generated no parameters")
    return params


def gen_merge(spec: Mapping[str, Any], ctx: Context) -> list[dict[str, Any]]:
    gens = _children(spec, "merge")
    if len(gens) < 2:
        raise GeneratorError("found less than two generators, Merge requires two or more")
    keys = spec.get("mergeKeys") or []
    if not keys:
        raise GeneratorError("no merge keys were specified, Merge requires at least one")
    sets = [_child(g, ctx, None, f"generator {i + 1} of {len(gens)}") for i, g in enumerate(gens)]

    def keyed(param_sets: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for p in param_sets:
            k = json.dumps({mk: p.get(mk) for mk in sorted(set(keys))}, sort_keys=True, separators=(",", ":"))
            if k in out:
                raise GeneratorError(f"the parameters from a generator were not unique by the given mergeKeys, Merge requires all param sets to be unique. Duplicate key was {k}")
            out[k] = p
        return out

    base = keyed(sets[0])
    for other in sets[1:]:
        over = keyed(other)
        for k, p in base.items():
            if k in over:
                base[k] = _mergo_override(p, over[k]) if ctx.go_template else {**p, **over[k]}
    return list(base.values())


GENERATORS: dict[str, Callable[[Mapping[str, Any], Context], list[dict[str, Any]]]] = {
    "list": gen_list,
    "clusters": gen_clusters,
    "git": gen_git,
    "matrix": gen_matrix,
    "merge": gen_merge,
}
