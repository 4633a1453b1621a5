"""Render one Application source into resources.

Argo CD's rules, offline:

- the source type is explicit when the source sets `kustomize:`, `directory:` or `helm:`
  (config-management plugins are not rendered by sluice and are refused), else it is
  discovered from the source directory: a kustomization file makes it a Kustomize
  source, a `Chart.yaml` a Helm one (rendered like Argo CD's `helm template`, see
  renderer/helm/argo.py), anything else a plain directory;
- a directory source reads `*.yaml`, `*.yml` and `*.json` files (only the top level
  unless `directory.recurse`), filtered by `directory.exclude` then `directory.include`,
  glob patterns in gobwas/glob syntax matched against the path relative to the source
  directory, where `*` also matches `/` and `{a,b}` alternates; a file containing
  `+argocd:skip-file-rendering` is skipped, and so is a file that does not parse or
  does not hold Kubernetes objects unless it looks like a manifest (it mentions
  `apiVersion:`, `kind:` and `metadata:`), which is an error;
- files are read in lexical walk order, documents in file order.

Where Argo CD would quietly do something surprising, sluice refuses with a clear error:
a kustomization file inside a directory source (Argo CD would apply the Kustomization
object itself), a `.jsonnet` file (not evaluated by sluice), a malformed glob pattern
(Argo CD matches nothing).
"""
from __future__ import annotations

import copy
import os
import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable

from ..core.errors import InputError, OutOfReach, SourceOutOfReach
from ..core.fs import RepoFS, check_depth, join
from ..core.regex import compile_user_regex
from ..core.resource import Origin, Placed, bodies

SOURCE_TYPES = ("auto", "kustomize", "directory", "helm", "flux", "helm-repo")
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
SKIP_MARKER = "+argocd:skip-file-rendering"
_MANIFEST_EXT = re.compile(r"\.(yaml|yml|json|jsonnet)$")


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """Where and how one Application source renders (repo-relative `path`)."""

    path: str
    type: str = "auto"  # "auto" (discover), "kustomize" or "directory"
    recurse: bool = False
    include: str = ""
    exclude: str = ""
    disable_extension_filter: bool = False
    field: str = "spec.source"  # where the source sits in the Application, for messages
    helm_json: str = ""  # spec.source.helm as canonical JSON (hashable), for Helm sources
    app_name: str = ""  # the Application: Helm's release name defaults to it
    namespace: str = ""  # destination.namespace: Helm's --namespace
    value_refs: tuple[str, ...] = ()  # multi-source `ref` names whose `$name/...` value files are repo paths
    chart: str = ""  # `chart` of a Helm repository source (type helm-repo): name, repository, version
    chart_repo: str = ""
    chart_version: str = ""
    repo: str = ""  # another repository (normalized repoURL, see sluice.yaml `repositories`); "" = this one
    kustomize_json: str = ""  # spec.source.kustomize options (validated, canonical JSON): edits before the build
    build_env: tuple[tuple[str, str], ...] = ()  # Argo CD's ARGOCD_APP_* variables, for envsubst in kustomize options

    def __post_init__(self) -> None:
        if self.type not in SOURCE_TYPES:
            raise ValueError(f"unknown source type {self.type!r}")


# -- globs ------------------------------------------------------------------------------


def translate_glob(pattern: str, *, separator: bool) -> str:
    """A glob as a regular expression (unanchored text; callers use fullmatch).

    With `separator` (paths in sluice.yaml): `*` and `?` stay within one path segment,
    a whole `**` segment spans any number of segments. Without it (Argo CD's
    `directory.include`/`exclude`, gobwas/glob without separators): `*` and `**` match
    any text, `/` included. Both support `?`, `[abc]`, `[a-z]`, `[!abc]`, `{a,b}`
    (nestable) and backslash escapes. Raises ValueError for a malformed pattern.
    """
    out: list[str] = []
    i, n, depth = 0, len(pattern), 0
    any_char = "[^/]" if separator else "."
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise ValueError("pattern ends with an escape character")
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if c == "*":
            j = i
            while j < n and pattern[j] == "*":
                j += 1
            stars = j - i
            if separator and stars >= 2 and (i == 0 or pattern[i - 1] == "/") and (j == n or pattern[j] == "/"):
                if j == n:
                    out.append(".*")
                else:
                    out.append("(?:.*/)?")
                    j += 1  # the '/' after '**' belongs to the optional group
            else:
                out.append(any_char + "*")
            i = j
            continue
        if c == "?":
            out.append(any_char)
            i += 1
            continue
        if c == "[":
            j = i + 1
            negate = False
            if j < n and (pattern[j] == "!" or (separator and pattern[j] == "^")):
                negate = True
                j += 1
            start = j
            if j < n and pattern[j] == "]":
                j += 1  # a leading ']' is a literal member
            while j < n and pattern[j] != "]":
                j += 1
            if j >= n:
                raise ValueError(f"unclosed '[' at position {i}")
            body = pattern[start:j]
            if not body:
                raise ValueError(f"empty character class at position {i}")
            members = "".join("\\" + ch if ch in "\\^]" else ch for ch in body)
            if negate:
                out.append(f"[^{members}/]" if separator else f"[^{members}]")
            else:
                out.append(f"[{members}]")
            i = j + 1
            continue
        if c == "{":
            depth += 1
            out.append("(?:")
            i += 1
            continue
        if c == "}" and depth:
            depth -= 1
            out.append(")")
            i += 1
            continue
        if c == "," and depth:
            out.append("|")
            i += 1
            continue
        out.append(re.escape(c))
        i += 1
    if depth:
        raise ValueError("unclosed '{'")
    regex = "".join(out)
    compile_user_regex(regex, dotall=True)  # RegexError is a ValueError
    return regex


@lru_cache(maxsize=512)
def compile_glob(pattern: str, separator: bool) -> Any:
    """The glob on RE2 (linear time: patterns come from the repository)."""
    return compile_user_regex(translate_glob(pattern, separator=separator), dotall=True)


def argo_glob_match(pattern: str, text: str) -> bool:
    """Argo CD's `glob.Match(pattern, text)`: gobwas/glob without separators."""
    return compile_glob(pattern, False).fullmatch(text) is not None


# -- rendering --------------------------------------------------------------------------


class SourceRenderer:
    """Renders sources of one render; shares one kustomize Builder (memoised bases)."""

    def __init__(self, fs: RepoFS, build_options: Any = None, *, skip_dirs: Iterable[str] = (),
                 chart_cache: str | os.PathLike[str] | None = None, helm_from: "SourceRenderer | None" = None,
                 flux_sources: Any = None) -> None:
        self.chart_cache = chart_cache
        self.flux_sources = flux_sources  # how Flux sources resolve (fleet_flux.flux_sources); default: dry repo only
        self._helm: Any = None
        self._helm_from = helm_from  # another repository's renderer whose Helm engine this one shares
        self.helm_limits: tuple[float, int, int] | None = None  # (seconds, output bytes, memory): sluice.yaml limits
        self.helm_engine_name: str | None = None  # sluice.yaml helm.engine / --helm-engine (None: the default)
        # cluster name -> resolver of substituteFrom objects only the cluster holds (sluice.yaml substitutions)
        self.flux_objects: Callable[[str], Any] | None = None
        self.flux_memo: Any = None  # renderer.flux.memo.KsMemo: builds kept across runs (the hook)
        self._flux: dict[str, dict[str, list[Placed] | OutOfReach]] = {}
        self._flux_inputs: dict[str, dict[str, dict[str, str | None]]] = {}
        self.flux_notes: list[str] = []  # what Flux trees left for the cluster (substituteFrom objects)
        self.fs = fs
        self.skip_dirs = tuple(skip_dirs)
        self._build_options = build_options
        self._builder: Any = None

    def _kustomize(self) -> Any:
        from .. import kustomize

        return kustomize

    def builder(self) -> Any:
        if self._builder is None:
            kustomize = self._kustomize()
            options = self._build_options if self._build_options is not None else kustomize.BuildOptions()
            self._builder = kustomize.Builder(self.fs, options)
        return self._builder

    def effective(self, spec: SourceSpec, *, referrer: str | None = None) -> SourceSpec:
        """The source as Argo CD renders it: with the `.argocd-source*.yaml` parameter
        overrides of its directory merged in (renderer/argo_source_overrides.py)."""
        from .source_overrides import apply_overrides

        return apply_overrides(self.fs, spec, referrer=referrer)

    def source_type(self, spec: SourceSpec, *, referrer: str | None = None) -> str:
        """'kustomize' or 'directory' for the source; errors for what sluice cannot render."""
        return self._source_type(self.effective(spec, referrer=referrer), referrer=referrer)

    def _source_type(self, spec: SourceSpec, *, referrer: str | None = None) -> str:
        fs = self.fs
        if spec.type == "helm-repo":
            return spec.type
        fs.resolve(spec.path, referrer=referrer)  # refuses a path that leaves the repository
        if not fs.is_dir(spec.path):
            what = "does not exist" if not fs.exists(spec.path) else "is not a directory"
            raise InputError(f"{spec.field}.path: {spec.path!r} {what}", file=referrer)
        if spec.type != "auto":
            return spec.type
        if self._kustomize().find_kustomization(fs, spec.path) is not None:
            return "kustomize"
        if fs.is_file(join(spec.path, "Chart.yaml")):
            return "helm"
        return "directory"

    def render(self, spec: SourceSpec, *, referrer: str | None = None) -> list[dict[str, Any]]:
        """The resources of the source, in render order. Bodies may be shared with the
        kustomize build's memo: treat them as read-only (copy before changing)."""
        return bodies(self.render_placed(spec, referrer=referrer))

    def render_placed(self, spec: SourceSpec, *, referrer: str | None = None,
                      origin: Origin | None = None) -> list[Placed]:
        """`render`, each body with the file and line it came from: a manifest's document,
        a kustomize resource's (through patches and renames), a chart template's, or
        `origin` (the Application's place) where no repository file stands for it (a chart
        of the chart cache)."""
        fallback = origin or Origin(referrer or spec.path)
        spec = self.effective(spec, referrer=referrer)
        kind = self._source_type(spec, referrer=referrer)
        if kind == "kustomize":
            if self._kustomize().find_kustomization(self.fs, spec.path) is None:
                raise InputError(
                    f"{spec.field}.kustomize is set but {spec.path!r} has no kustomization file "
                    f"({', '.join(KUSTOMIZATION_FILES)})",
                    file=referrer,
                )
            if spec.kustomize_json:  # Argo CD's `kustomize edit` options: an edited, in-memory kustomization
                import json

                from .kustomize_options import build_with_options_placed

                options = self._build_options if self._build_options is not None else self._kustomize().BuildOptions()
                return build_with_options_placed(self.fs, spec.path, json.loads(spec.kustomize_json),
                                                 env=dict(spec.build_env), build_options=options,
                                                 where=f"{spec.field}.kustomize", file=referrer)
            return self.builder().build_placed(spec.path)
        if kind == "flux":
            return self._flux_objects(spec)
        if kind == "helm-repo":
            import json

            from ..helm.argo import render_argo_repo_chart_placed

            helm = json.loads(spec.helm_json) if spec.helm_json else {}
            return render_argo_repo_chart_placed(self.fs, spec.chart_repo, spec.chart, spec.chart_version, helm,
                                                 app_name=spec.app_name, namespace=spec.namespace,
                                                 engine=self.helm_engine(), chart_cache=self.chart_cache,
                                                 where=spec.field, file=referrer, refs=spec.value_refs,
                                                 fallback=fallback)
        if kind == "helm":
            import json

            from ..helm.argo import render_argo_helm_placed

            helm = json.loads(spec.helm_json) if spec.helm_json else {}
            return render_argo_helm_placed(self.fs, spec.path, helm, app_name=spec.app_name, namespace=spec.namespace,
                                           engine=self.helm_engine(), where=spec.field, file=referrer,
                                           refs=spec.value_refs, chart_cache=self.chart_cache, fallback=fallback)
        return render_directory_placed(self.fs, spec, referrer=referrer, skip_dirs=self.skip_dirs)

    def flux_tree(self, path: str) -> dict[str, list[Placed] | OutOfReach]:
        """Each Flux Kustomization's objects (by namespace/name) of the cluster directory
        `path`, expanded once. The expansion records no reads in open scopes: each
        Kustomization's render replays those its own objects depend on."""
        tree = self._flux.get(path)
        if tree is None:
            from ..flux import dry_repo_sources, expand_flux_tree_placed

            tree = {}
            unreached: dict[tuple[str, str], str] = {}
            inputs: dict[str, dict[str, str | None]] = {}
            source_fs = self.flux_sources if self.flux_sources is not None else dry_repo_sources()
            supplied = self.flux_objects(posixpath.basename(path)) if self.flux_objects is not None else None
            with self.fs.detached():
                expanded = expand_flux_tree_placed(self.fs, path, source_fs=source_fs, unreached=unreached,
                                                   notes=self.flux_notes, objects=supplied, memo=self.flux_memo,
                                                   memo_tree=flux_memo_tree(path, supplied is not None), inputs=inputs)
            for ks, objects in expanded:
                meta = ks.get("metadata") or {}
                key = (str(meta.get("namespace") or "flux-system"), str(meta.get("name")))
                tree[f"{key[0]}/{key[1]}"] = objects if key not in unreached else SourceOutOfReach(
                    f"Flux Kustomization {key[0]}/{key[1]} not rendered: {unreached[key]}")
            self._flux[path] = tree
            self._flux_inputs[path] = inputs
        return tree

    def _flux_objects(self, spec: SourceSpec) -> list[Placed]:
        """The objects of one Flux Kustomization (`spec.app_name` = namespace/name) of the
        cluster directory `spec.path`."""
        tree = self.flux_tree(spec.path)
        self.fs.replay(self._flux_inputs[spec.path].get(spec.app_name, {}))
        found = tree.get(spec.app_name, [])
        if isinstance(found, OutOfReach):
            raise SourceOutOfReach(found.message)  # a fresh one per raise: never mutate the cached one
        return list(found)

    def helm_engine(self) -> Any:
        """The Helm engine `helm_engine_name` names (default: in-process when available, else
        the helm binary), made once."""
        if self._helm_from is not None:
            return self._helm_from.helm_engine()
        if self._helm is None:
            from ..helm.engine import make_engine

            self._helm = make_engine(self.helm_engine_name)
            if self.helm_limits is not None:
                (self._helm.timeout_seconds, self._helm.max_output_bytes,  # type: ignore[attr-defined]
                 self._helm.max_memory_bytes) = self.helm_limits  # type: ignore[attr-defined]
        return self._helm


def flux_memo_tree(path: str, supplied: bool) -> str:
    """The memo's name for a cluster directory's tree: with objects the fleet supplies
    (sluice.yaml substitutions) the same directory builds differently."""
    return f"{path}#supplied" if supplied else path


def _looks_like_manifest(text: str) -> bool:
    return "apiVersion:" in text and "kind:" in text and "metadata:" in text


def directory_files(fs: RepoFS, spec: SourceSpec, *, referrer: str | None = None, skip_dirs: Iterable[str] = ()) -> list[str]:
    """The files a directory source reads, repo-relative, in Argo CD's walk order.

    Unlike Argo CD, `.git` directories and `skip_dirs` (sluice's own output directory,
    when it lies inside the repository) are never read."""
    skip = set(skip_dirs)
    for label, pattern in (("exclude", spec.exclude), ("include", spec.include)):
        if pattern:
            try:
                compile_glob(pattern, False)
            except (ValueError, re.error) as exc:
                raise InputError(f"{spec.field}.directory.{label}: bad glob pattern {pattern!r}: {exc}", file=referrer) from None
    found: list[str] = []

    def walk(directory: str, rel: str) -> None:
        check_depth(directory)
        for name in fs.listdir(directory):
            path = join(directory, name)
            rel_path = f"{rel}/{name}" if rel else name
            abspath = fs.abspath(path)
            if os.path.isdir(abspath) and not os.path.islink(abspath):
                if spec.recurse and name != ".git" and path not in skip:
                    walk(path, rel_path)
                continue
            if not spec.disable_extension_filter and not _MANIFEST_EXT.search(name):
                continue
            if os.path.islink(abspath):
                fs.resolve(path, referrer=referrer)  # refuses links out of the repository
                if not os.path.isfile(abspath):
                    continue  # a link to a directory or a dangling link: skipped, as Argo CD does
            if spec.exclude and argo_glob_match(spec.exclude, rel_path):
                continue
            if spec.include and not argo_glob_match(spec.include, rel_path):
                continue
            found.append(path)

    walk(spec.path, "")
    return found


def render_directory(fs: RepoFS, spec: SourceSpec, *, referrer: str | None = None, skip_dirs: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Plain manifests of a directory source, as Argo CD reads them."""
    return bodies(render_directory_placed(fs, spec, referrer=referrer, skip_dirs=skip_dirs))


def render_directory_placed(fs: RepoFS, spec: SourceSpec, *, referrer: str | None = None,
                            skip_dirs: Iterable[str] = ()) -> list[Placed]:
    """`render_directory`, each object with its file and the line its document starts on."""
    out: list[Placed] = []
    for path in directory_files(fs, spec, referrer=referrer, skip_dirs=skip_dirs):
        name = path.rsplit("/", 1)[-1]
        if name in KUSTOMIZATION_FILES:
            raise InputError(
                f"the directory source {spec.path!r} ({spec.field}) contains a kustomization file; "
                f"drop `directory:` from the source to build it with kustomize, or exclude the file",
                file=path,
            )
        text = fs.read_text(path)
        if SKIP_MARKER in text:
            continue
        if name.endswith(".jsonnet"):
            raise OutOfReach(f"jsonnet is not supported by sluice (source {spec.path!r}); exclude the file", file=path)
        try:
            docs = fs.load_yaml(path)
        except InputError:
            if _looks_like_manifest(text):
                raise
            continue  # an unrelated file that is not YAML: ignored, as Argo CD does
        objs: list[Placed] = []
        bad: tuple[int, str] | None = None
        for doc, line in docs:
            if doc is None:
                continue
            if not isinstance(doc, dict):
                bad = (line, f"a document must be a Kubernetes object (a mapping), not {type(doc).__name__}")
                break
            missing = [key for key in ("apiVersion", "kind") if not doc.get(key)]
            if missing:
                bad = (line, f"object has no {' and no '.join(missing)}")
                break
            objs.append(Placed(copy.deepcopy(doc), Origin(path, line)))
        if bad is not None:
            if objs or _looks_like_manifest(text):
                raise InputError(bad[1], file=path, line=bad[0])
            continue  # e.g. a values file or a CI config: not a manifest, ignored
        out.extend(objs)
    return out
