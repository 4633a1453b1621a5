"""Flux `Kustomization` objects (kustomize.toolkit.fluxcd.io/v1) rendered offline.

What kustomize-controller does for one Kustomization, in order:

1. Resolve `spec.sourceRef` to a directory tree and `spec.path` inside it. Here every
   GitRepository / OCIRepository / Bucket is the dry repository itself (or what the
   caller's `source_fs` maps it to); an ExternalArtifact is mapped through the copy rules
   of the ArtifactGenerator that produces it (`@alias/<dir>/**` -> `@artifact/<dest>/`).
2. Generate the kustomization of that directory *in place*: when the directory has no
   kustomization file, one is generated listing every `.yaml`/`.yml` file below it and
   every sub-directory that has its own kustomization file (not descending into those);
   then `targetNamespace` becomes `namespace`, `namePrefix`/`nameSuffix` replace the
   file's, `patches` and `components` are appended, `images` are merged by name. An
   existing kustomization with no `resources` gets `buildMetadata: [originAnnotations]`
   (Flux's guard against "kustomization.yaml is empty"). Sluice writes nothing: the
   generated file is served from memory by an overlay of the repository view.
3. Build with kustomize (load restrictor none, no plugins) using sluice's `Builder`.
4. Post-build variable substitution (renderer.flux.substitute), strict.
5. Label every object `kustomize.toolkit.fluxcd.io/name` and `.../namespace` (the
   Kustomization's name and namespace), then merge `spec.commonMetadata` labels and
   annotations (which win on a clash, as they are applied last).
"""
from __future__ import annotations

import dataclasses
import posixpath
from typing import Any, Callable, Iterable, NoReturn, Optional, Sequence

from ..core.errors import InputError, SluiceError
from ..core.fs import NAMED, OverlayFS, RepoFS, join
from ..core.resource import Placed, bodies
from ..core.shape import FLUX_SOURCE, Shape, check_shape, object_label
from ..kustomize import Builder, BuildOptions
from ..kustomize.kustomization import FILE_NAMES, KNOWN_FIELDS, find_kustomization
from ..core.yaml import dump_document
from .artifact import ArtifactFS
from .memo import Built, KsMemo, digest_object
from .sourceignore import IGNORE_FILE
from .substitute import ObjectResolver, postbuild

GROUP = "kustomize.toolkit.fluxcd.io"
NAME_LABEL = f"{GROUP}/name"
NAMESPACE_LABEL = f"{GROUP}/namespace"
REPO_SOURCE_KINDS = ("GitRepository", "OCIRepository", "Bucket")

SKIP = "skip"
SourceFS = Callable[[dict[str, Any], Optional[dict[str, Any]]], Any]
"""Maps (sourceRef, the source object if found) to the repository view holding it: a
RepoFS, None for the dry repository, or SKIP for a source not available offline (the
Kustomization is then listed with no objects)."""


def dry_repo_sources(names: Iterable[str] = ("flux-system",), *, dry_kinds: Iterable[str] = ("GitRepository",),
                     checkout: Callable[[str, Optional[str]], Optional[str]] | None = None,
                     dry_url: str | None = None) -> SourceFS:
    """A `source_fs` for expand_flux_tree: the named sources (flux bootstrap's
    `flux-system` GitRepository) and ExternalArtifacts are the dry repository; a
    GitRepository whose URL (and ref) `checkout` maps to a local directory is that checkout
    (another team's repository, another branch); one with the dry repository's URL is the
    dry repository; every other source (an OCI artifact of a vendor) is skipped."""
    from ..core.repourl import normalize_repo_url

    wanted = frozenset(names)
    kinds = frozenset(dry_kinds)
    views: dict[str, RepoFS] = {}

    def resolve(ref: dict[str, Any], source: Optional[dict[str, Any]]) -> Any:
        kind = str(ref.get("kind") or "")
        if kind == "ExternalArtifact" or (kind in kinds and str(ref.get("name") or "") in wanted):
            return None
        if kind == "GitRepository" and isinstance(source, dict):
            check_shape(source, FLUX_SOURCE, object_label(source))
            spec = source.get("spec") or {}
            url = str(spec.get("url") or "")
            git_ref = spec.get("ref") or {}
            revision = next((str(git_ref[k]) for k in ("name", "branch", "tag", "semver", "commit") if git_ref.get(k)), None)
            path = checkout(url, revision) if checkout is not None and url else None
            if path is not None:
                if path not in views:
                    views[path] = RepoFS(path)
                return views[path]
            if dry_url and url and normalize_repo_url(url) == normalize_repo_url(dry_url):
                return None
        return SKIP

    return resolve


# the fields of a Flux Kustomization sluice reads (kustomize.toolkit.fluxcd.io/v1), checked before use
KUSTOMIZATION_SHAPE: dict[str, Shape] = {
    "metadata": {"name": str, "namespace": str},
    "spec": {
        "path": str, "sourceRef": {"kind": str, "name": str, "namespace": str},
        "dependsOn": [{"name": str, "namespace": str}], "kubeConfig": dict,
        "targetNamespace": str, "namePrefix": str, "nameSuffix": str,
        "commonMetadata": {"labels": dict, "annotations": dict},
        "patches": [{"patch": str, "target": dict}], "images": [dict], "components": [str],
        "postBuild": {"substitute": dict, "substituteFrom": [{"kind": str, "name": str}], "substituteStrategy": str},
    },
}


def check_kustomization(ks: dict[str, Any], file: str | None = None) -> None:
    """An InputError naming the Kustomization and the field whose value has the wrong type."""
    check_shape(ks, KUSTOMIZATION_SHAPE, _label(ks), file=file)


def is_flux_kustomization(doc: Any) -> bool:
    return (isinstance(doc, dict) and doc.get("kind") == "Kustomization"
            and str(doc.get("apiVersion") or "").startswith(GROUP + "/"))


def ks_key(ks: dict[str, Any]) -> tuple[str, str]:
    meta = ks.get("metadata") if isinstance(ks.get("metadata"), dict) else {}
    return (str(meta.get("namespace") or "default"), str(meta.get("name") or ""))


def ks_name(ks: dict[str, Any]) -> str:
    """"namespace/name" as the fleet names a Kustomization's target (flux-system when the
    namespace is not written)."""
    meta = ks.get("metadata") or {}
    return f"{meta.get('namespace') or 'flux-system'}/{meta.get('name')}"


def _label(ks: dict[str, Any]) -> str:
    ns, name = ks_key(ks)
    return f"Kustomization {ns}/{name}"


# ------------------------------------------------------------------------------------------
# Sources and paths
# ------------------------------------------------------------------------------------------

def _norm_rel(path: str) -> str:
    path = posixpath.normpath("./" + (path or "").lstrip("/"))
    return "." if path in ("", ".") else path


def source_dir(ks: dict[str, Any], generators: Sequence[dict[str, Any]] = ()) -> str:
    """The repository directory that `spec.path` of `ks` is relative to, with the path:
    the repo-relative directory to build."""
    spec = ks.get("spec") or {}
    ref = spec.get("sourceRef") or {}
    kind = str(ref.get("kind") or "")
    path = _norm_rel(str(spec.get("path") or ""))
    if kind in REPO_SOURCE_KINDS:
        return path
    if kind == "ExternalArtifact":
        return _artifact_path(ks, ref, path, generators)
    raise InputError(f"spec.sourceRef: source kind {kind!r} is not supported (GitRepository, OCIRepository, Bucket, "
                     "ExternalArtifact)", file=_label(ks))


def _artifact_path(ks: dict[str, Any], ref: dict[str, Any], path: str, generators: Sequence[dict[str, Any]]) -> str:
    ns = str(ref.get("namespace") or ks_key(ks)[0])
    name = str(ref.get("name") or "")
    for gen in generators:
        if str((gen.get("metadata") or {}).get("namespace") or "default") != ns:
            continue
        gspec = gen.get("spec") or {}
        aliases = {str(s.get("alias")): s for s in gspec.get("sources") or [] if isinstance(s, dict)}
        for art in gspec.get("artifacts") or []:
            if not isinstance(art, dict) or str(art.get("name")) != name:
                continue
            best: tuple[int, str] | None = None
            for rule in art.get("copy") or []:
                src, dest = str(rule.get("from") or ""), str(rule.get("to") or "")
                if not src.startswith("@") or "/" not in src or not src.endswith("/**") or not dest.startswith("@artifact/"):
                    raise InputError(f"ArtifactGenerator {ns}/{(gen.get('metadata') or {}).get('name')}: copy rule "
                                     f"from {src!r} to {dest!r} is not supported offline (only '@alias/<dir>/**' to "
                                     "'@artifact/<dir>/')", file=_label(ks))
                alias, _, src_dir = src[1:-3].partition("/")
                source = aliases.get(alias)
                if source is None or source.get("kind") not in REPO_SOURCE_KINDS:
                    raise InputError(f"ArtifactGenerator source '@{alias}' is not a repository source", file=_label(ks))
                dest_dir = _norm_rel(dest[len("@artifact/"):])
                if dest_dir == "." or path == dest_dir or path.startswith(dest_dir + "/"):
                    rest = path if dest_dir == "." else path[len(dest_dir):].lstrip("/")
                    mapped = _norm_rel(posixpath.join(src_dir, rest or "."))
                    depth = 0 if dest_dir == "." else dest_dir.count("/") + 1
                    if best is None or depth > best[0]:
                        best = (depth, mapped)
            if best is None:
                raise InputError(f"path {path!r} is not in ExternalArtifact {ns}/{name}", file=_label(ks))
            return best[1]
    raise InputError(f"ExternalArtifact {ns}/{name}: no ArtifactGenerator in the rendered objects produces it",
                     file=_label(ks))


# ------------------------------------------------------------------------------------------
# The generated kustomization
# ------------------------------------------------------------------------------------------

def scan_manifests(fs: RepoFS, directory: str) -> list[str]:
    """The resources Flux lists for a directory without a kustomization file: YAML files
    (lexical walk order) and sub-directories holding a kustomization (not descended).
    `fs` is the source artifact (an ArtifactFS): what .sourceignore excludes is absent."""
    out: list[str] = []

    def walk(d: str) -> None:
        for name in fs.listdir(d):
            path = join(d, name)
            rel = "./" + posixpath.relpath(path, directory)
            if fs.is_dir(path):
                if find_kustomization(fs, path) is not None:
                    out.append(rel)
                    continue
                walk(path)
                continue
            if not name.endswith((".yaml", ".yml")):
                continue
            fs.load_yaml(path)  # Flux refuses a YAML file that does not decode
            out.append(rel)

    walk(directory)
    return out


_CANONICAL = {name.lower(): name for name in KNOWN_FIELDS}


def generate_kustomization(ks: dict[str, Any], fs: RepoFS, directory: str) -> tuple[str, dict[str, Any]]:
    """(kustomization file path, its content) as kustomize-controller writes it for `ks`."""
    where = _label(ks)
    spec = ks.get("spec") or {}
    name = find_kustomization(fs, directory)
    if name is not None:
        kfile = join(directory, name)
        docs = fs.load_yaml(kfile, dialect="config")
        raw = docs[0][0] if docs else {}
        if not isinstance(raw, dict):
            raise InputError("invalid Kustomization: expected a mapping at the top level", file=kfile)
        # Flux round-trips the file through kustomize's Go type: unknown fields vanish
        kus: dict[str, Any] = {}
        for key, value in raw.items():
            canonical = key if key in KNOWN_FIELDS else _CANONICAL.get(str(key).lower())
            if canonical is not None and value is not None:
                kus[canonical] = value
        if not kus.get("resources"):
            kus["buildMetadata"] = ["originAnnotations"]
    else:
        kfile = join(directory, FILE_NAMES[0])
        resources = scan_manifests(fs, directory)
        kus = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}
        if resources:
            kus["resources"] = resources
        else:
            kus["namespace"] = "_placeholder"
    if spec.get("targetNamespace"):
        kus["namespace"] = str(spec["targetNamespace"])
    for field in ("namePrefix", "nameSuffix"):
        if spec.get(field):
            kus[field] = str(spec[field])
    patches = spec.get("patches") or []
    if patches:
        entries = list(kus.get("patches") or [])
        for i, p in enumerate(patches):
            if not isinstance(p, dict) or not isinstance(p.get("patch"), str):
                raise InputError(f"spec.patches[{i}]: expected a mapping with a 'patch' string", file=where)
            entry: dict[str, Any] = {"patch": p["patch"]}
            target = p.get("target")
            if isinstance(target, dict):
                entry["target"] = {k: target[k] for k in ("group", "version", "kind", "name", "namespace",
                                                         "labelSelector", "annotationSelector") if target.get(k)}
            entries.append(entry)
        kus["patches"] = entries
    components = spec.get("components") or []
    if components:
        entries = list(kus.get("components") or [])
        for comp in components:
            comp = str(comp)
            if comp.startswith(("/", "git::", "gh:", "ssh://", "https://", "http://", "git@", "github.com")):
                raise InputError(f"component path '{comp}' must be local and relative", file=where)
            if spec.get("ignoreMissingComponents") and not fs.exists(join(directory, comp)):
                continue
            entries.append(comp)
        if entries:
            kus["components"] = entries
    images = spec.get("images") or []
    if images:
        merged = [dict(i) for i in kus.get("images") or [] if isinstance(i, dict)]
        for image in images:
            if not isinstance(image, dict) or not image.get("name"):
                raise InputError("spec.images entries need a name", file=where)
            existing = next((m for m in merged if m.get("name") == image["name"]), None)
            if existing is None:
                merged.append({k: image[k] for k in ("name", "newName", "newTag", "digest") if image.get(k)})
                continue
            if image.get("newName"):
                existing["newName"] = image["newName"]
            if image.get("newTag") or image.get("digest"):  # tag and digest are replaced as a unit
                existing.pop("newTag", None)
                existing.pop("digest", None)
                for k in ("newTag", "digest"):
                    if image.get(k):
                        existing[k] = image[k]
        kus["images"] = merged
    if spec.get("buildMetadata"):
        kus["buildMetadata"] = list(spec["buildMetadata"])
    return kfile, kus


# ------------------------------------------------------------------------------------------
# One Kustomization
# ------------------------------------------------------------------------------------------

def render_flux_kustomization(
    ks: dict[str, Any],
    fs: RepoFS,
    objects: ObjectResolver | None,
    *,
    builder_options: BuildOptions | None = None,
    generators: Sequence[dict[str, Any]] = (),
    strict: bool = True,
    notes: list[str] | None = None,
) -> list[dict[str, Any]]:
    """The objects kustomize-controller would apply for the Flux Kustomization `ks`, whose
    source is the repository `fs`. `objects(kind, namespace, name)` finds the ConfigMaps and
    Secrets of `postBuild.substituteFrom`; `generators` are the ArtifactGenerators that
    ExternalArtifact sources are resolved through. HelmReleases stay HelmRelease objects."""
    return bodies(render_flux_kustomization_placed(ks, fs, objects, builder_options=builder_options,
                                                   generators=generators, strict=strict, notes=notes))


def render_flux_kustomization_placed(
    ks: dict[str, Any],
    fs: RepoFS,
    objects: ObjectResolver | None,
    *,
    builder_options: BuildOptions | None = None,
    generators: Sequence[dict[str, Any]] = (),
    strict: bool = True,
    notes: list[str] | None = None,
) -> list[Placed]:
    """`render_flux_kustomization`, each object with the file and line kustomize loaded
    it from (postBuild substitution and labels change bodies, not origins)."""
    if not is_flux_kustomization(ks):
        raise InputError("not a Flux Kustomization (kustomize.toolkit.fluxcd.io)", file=_label(ks) if isinstance(ks, dict) else None)
    check_kustomization(ks)
    where = _label(ks)
    if not isinstance(fs, ArtifactFS):
        fs = ArtifactFS(fs)  # Flux builds the source's artifact, not the checkout
    path = source_dir(ks, generators)
    try:
        directory = fs.resolve(path, referrer=where)
    except InputError as exc:
        raise InputError(f"spec.path: {exc.message}", file=where) from None
    if not fs.is_dir(directory):
        raise InputError(f"kustomization path not found: {path!r} is not a directory of the source", file=where)
    kfile, kus = generate_kustomization(ks, fs, directory)
    overlay = OverlayFS(fs, {kfile: dump_document(kus)})
    options = dataclasses.replace(builder_options or BuildOptions(), load_restrictor="none")
    try:
        placed = Builder(overlay, options).build_placed(directory)
    except SluiceError as exc:
        raise type(exc)(f"{where}: kustomize build failed: {exc.message}", file=exc.file, line=exc.line) from None
    built = bodies(placed)
    for body in built:
        meta = body.get("metadata") or {}
        if not body.get("apiVersion") or not body.get("kind") or not meta.get("name"):
            raise InputError(f"failed to decode Kubernetes apiVersion, kind and name from a built {body.get('kind')} "
                             "resource", file=where)
    resources = postbuild(ks, built, objects, strict=strict, notes=notes)
    if len(resources) != len(placed):  # pragma: no cover - postbuild maps object to object
        raise AssertionError("postBuild changed the number of objects")
    ns, name = ks_key(ks)
    common = (ks.get("spec") or {}).get("commonMetadata") or {}
    for body in resources:
        meta = body.setdefault("metadata", {})
        labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
        labels[NAME_LABEL] = name
        labels[NAMESPACE_LABEL] = ns
        labels.update({str(k): str(v) for k, v in (common.get("labels") or {}).items()})
        meta["labels"] = labels
        if common.get("annotations"):
            annotations = meta.get("annotations") if isinstance(meta.get("annotations"), dict) else {}
            annotations.update({str(k): str(v) for k, v in common["annotations"].items()})
            meta["annotations"] = annotations
    return [Placed(body, p.origin) for body, p in zip(resources, placed)]


# ------------------------------------------------------------------------------------------
# A cluster: the root Kustomization and every Kustomization it leads to
# ------------------------------------------------------------------------------------------

def root_kustomization(fs: RepoFS, root_path: str) -> dict[str, Any]:
    """The Kustomization that syncs `root_path` (as `flux bootstrap` writes it in
    flux-system/gotk-sync.yaml), or an equivalent `flux-system` one when there is none."""
    root = _norm_rel(root_path)
    candidates = []
    for d in (join(root, "flux-system"), root):
        if not fs.is_dir(d):
            continue
        for name in fs.listdir(d):
            path = join(d, name)
            if fs.is_file(path) and name.endswith((".yaml", ".yml")):
                for doc, _line in fs.load_yaml(path):
                    if is_flux_kustomization(doc) and _norm_rel(str((doc.get("spec") or {}).get("path") or "")) == root:
                        candidates.append(doc)
        if candidates:
            return candidates[0]
    return {
        "apiVersion": f"{GROUP}/v1",
        "kind": "Kustomization",
        "metadata": {"name": "flux-system", "namespace": "flux-system"},
        "spec": {"interval": "10m0s", "path": "./" + root if root != "." else "./", "prune": True,
                 "sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
    }


def _depends_on(ks: dict[str, Any]) -> list[tuple[str, str]]:
    ns = ks_key(ks)[0]
    out = []
    for dep in (ks.get("spec") or {}).get("dependsOn") or []:
        if isinstance(dep, dict) and dep.get("name"):
            out.append((str(dep.get("namespace") or ns), str(dep["name"])))
    return out


def expand_flux_tree(
    fs: RepoFS,
    root_path: str,
    *,
    objects: ObjectResolver | None = None,
    builder_options: BuildOptions | None = None,
    source_fs: SourceFS | None = None,
    strict: bool = True,
    unreached: dict[tuple[str, str], str] | None = None,
    notes: list[str] | None = None,
    memo: KsMemo | None = None,
    memo_tree: str = "",
    inputs: dict[str, dict[str, str | None]] | None = None,
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Every Flux Kustomization reachable from the cluster directory `root_path` with the
    objects it renders (`expand_flux_tree_placed` without the origins)."""
    return [(ks, bodies(placed)) for ks, placed in expand_flux_tree_placed(
        fs, root_path, objects=objects, builder_options=builder_options, source_fs=source_fs, strict=strict,
        unreached=unreached, notes=notes, memo=memo, memo_tree=memo_tree, inputs=inputs)]


def expand_flux_tree_placed(
    fs: RepoFS,
    root_path: str,
    *,
    objects: ObjectResolver | None = None,
    builder_options: BuildOptions | None = None,
    source_fs: SourceFS | None = None,
    strict: bool = True,
    unreached: dict[tuple[str, str], str] | None = None,
    notes: list[str] | None = None,
    memo: KsMemo | None = None,
    memo_tree: str = "",
    inputs: dict[str, dict[str, str | None]] | None = None,
) -> list[tuple[dict[str, Any], list[Placed]]]:
    """Every Flux Kustomization reachable from the cluster directory `root_path`, each with
    the objects it renders, in dependsOn order (stable: discovery order otherwise).

    Kustomizations found in rendered output are entry points themselves. A dependsOn cycle,
    a dependsOn on a Kustomization the tree never defines, or two different definitions of
    one Kustomization are InputErrors. `objects` is consulted after everything rendered so
    far (for substituteFrom); `source_fs` maps a source to another repository view or
    skips it (see `dry_repo_sources`); without it every repository source is the dry one.
    A skipped Kustomization is listed with no objects and, in `unreached`, with the reason
    (its source is not available offline): callers must say so, never render it as empty.

    `memo` (with the tree's name in it, `memo_tree`) serves builds of the dry repository
    whose inputs are unchanged (renderer/flux/memo.py). `inputs` receives, per `ks_name`,
    every read its objects depend on: its own build's, and those of the
    Kustomizations it depends on (the one whose output defines it, those whose objects it
    looked up), transitively."""
    with fs.scope() as root_reads:
        root = root_kustomization(fs, root_path)
    check_kustomization(root)
    known: dict[tuple[str, str], dict[str, Any]] = {ks_key(root): root}
    pending: list[tuple[str, str]] = [ks_key(root)]
    done: list[tuple[dict[str, Any], list[Placed]]] = []
    rendered: set[tuple[str, str]] = set()
    artifacts: dict[tuple[int, str | None], tuple[ArtifactFS, dict[str, str | None]]] = {}
    own: dict[tuple[str, str], dict[str, str | None]] = {ks_key(root): dict(root_reads)}
    parents: dict[tuple[str, str], tuple[str, str]] = {}
    providers: dict[tuple[str, str], set[tuple[str, str]]] = {}

    def artifact(base: RepoFS, source: dict[str, Any] | None) -> ArtifactFS:
        # the source as source-controller archives it (.sourceignore, spec.ignore, no symlinks)
        ignore = ((source or {}).get("spec") or {}).get("ignore")
        key = (id(base), ignore if isinstance(ignore, str) else None)
        if key not in artifacts:
            with base.scope() as made_reads:
                base.observe(NAMED + IGNORE_FILE)  # a .sourceignore anywhere changes what it holds
                made = ArtifactFS(base, key[1])
            artifacts[key] = (made, dict(made_reads))
        made, reads = artifacts[key]
        base.replay(reads)  # every Kustomization built from it depends on what it read
        return made

    index: dict[tuple[str, str, str], dict[str, Any]] = {}
    owners: dict[tuple[str, str, str], tuple[str, str]] = {}
    generators: list[dict[str, Any]] = []

    def lookup(kind: str, ns: str, name: str) -> dict[str, Any] | None:
        hit = index.get((kind, ns or "default", name))
        if hit is None and objects is not None:
            hit = objects(kind, ns, name)
        return hit

    def provider(kind: str, ns: str, name: str) -> tuple[str, str] | None:
        return owners.get((kind, ns or "default", name))

    def discover(resources: Iterable[Placed], parent: dict[str, Any]) -> None:
        for body, origin in ((p.body, p.origin) for p in resources):
            meta = body.get("metadata") or {}
            key3 = (str(body.get("kind")), str(meta.get("namespace") or "default"), str(meta.get("name")))
            if key3 not in index:
                index[key3] = body
                owners[key3] = ks_key(parent)
            if body.get("kind") == "ArtifactGenerator":
                generators.append(body)
            if not is_flux_kustomization(body):
                continue
            where = origin.file if origin.file and not origin.repo else None
            check_shape(body, KUSTOMIZATION_SHAPE, _label(body), file=where, line=(origin.line or None) if where else None)
            key = ks_key(body)
            if key in known:
                if (known[key].get("spec") or {}) != (body.get("spec") or {}) and key != ks_key(parent):
                    raise InputError(f"Kustomization {key[0]}/{key[1]} is defined twice with different specs "
                                     f"(again in the output of {_label(parent)})")
                continue
            known[key] = body
            parents[key] = ks_key(parent)
            pending.append(key)

    if memo is not None:
        memo.begin(memo_tree)
    while pending:
        ready = next((k for k in pending if all(d in rendered for d in _depends_on(known[k]))), None)
        if ready is None:
            _blocked(pending, known)
        pending.remove(ready)
        ks = known[ready]
        if (ks.get("spec") or {}).get("kubeConfig"):
            # kustomize-controller applies it to another cluster: nothing of it belongs here
            rendered.add(ready)
            done.append((ks, []))
            continue
        ref = (ks.get("spec") or {}).get("sourceRef") or {}
        asked: list[tuple[str, str, str, Any]] = []

        def asking(kind: str, ns: str, name: str) -> dict[str, Any] | None:
            hit = lookup(kind, ns, name)
            asked.append((kind, ns, name, hit))
            return hit

        src = asking(str(ref.get("kind") or ""), str(ref.get("namespace") or ready[0]), str(ref.get("name") or ""))
        if src is not None:
            check_shape(src, FLUX_SOURCE, f"{object_label(src)} (the source of {_label(ks)})")
        base = fs
        if source_fs is not None:
            mapped = source_fs(ref, src)
            if isinstance(mapped, str) and mapped == SKIP:
                if unreached is not None:
                    unreached[ready] = _unreached_reason(ref, src)
                providers[ready] = {p for kind, ns, nm, _ in asked if (p := provider(kind, ns, nm)) is not None}
                rendered.add(ready)
                done.append((ks, []))
                continue
            base = mapped if isinstance(mapped, RepoFS) else fs
        with fs.scope() as reads:
            kept = memo is not None and base is fs and notes is not None
            name = ks_name(ks)
            ks_digest = digest_object(ks) or "" if kept else ""
            gen_digest = digest_object(generators) or "" if kept else ""
            hit = memo.recall(memo_tree, name, ks_digest, gen_digest, lookup) if kept and memo is not None else None
            built = hit[0] if hit is not None else None
            if hit is not None and built is not None:  # its reads hold the artifact's (.sourceignore files)
                placed = hit[1]
                fs.replay(built.reads)
                if notes is not None:
                    notes.extend(built.notes)
                asked = [(kind, ns, nm, None) for kind, ns, nm, _ in built.lookups]
            else:
                ks_fs = artifact(base, src if str(ref.get("kind") or "") in REPO_SOURCE_KINDS else None)
                made_notes: list[str] = []
                placed = render_flux_kustomization_placed(ks, ks_fs, asking, builder_options=builder_options,
                                                          generators=generators, strict=strict,
                                                          notes=made_notes if notes is not None else None)
                if notes is not None:
                    notes.extend(made_notes)
        if base is not fs:  # a source mapped to another checkout: its files are that repository's
            repo = str(((src or {}).get("spec") or {}).get("url") or ref.get("name") or "")
            placed = [Placed(p.body, dataclasses.replace(p.origin, repo=repo)) for p in placed]
        own[ready] = {**own.get(ready, {}), **reads}
        providers[ready] = {p for kind, ns, nm, _ in asked if (p := provider(kind, ns, nm)) is not None}
        if built is None and kept and memo is not None:
            record = Built.of(ks_digest, gen_digest, [(k, n, m, digest_object(h)) for k, n, m, h in asked],
                              own[ready], made_notes, placed)
            if record is not None:
                memo.keep(memo_tree, name, record)
        rendered.add(ready)
        done.append((ks, placed))
        discover(placed, ks)
    if inputs is not None:
        closed: dict[tuple[str, str], dict[str, str | None]] = {}
        for ks, _ in done:  # in build order: whatever one depends on was built before it
            key = ks_key(ks)
            mine: dict[str, str | None] = {}
            for dep in sorted({*([parents[key]] if key in parents else []), *providers.get(key, ())}):
                mine.update(closed.get(dep, {}))
            mine.update(own.get(key, {}))
            closed[key] = mine
            inputs[ks_name(ks)] = mine
    return done


def _unreached_reason(ref: dict[str, Any], source: dict[str, Any] | None) -> str:
    kind, name = str(ref.get("kind") or ""), str(ref.get("name") or "")
    url = str(((source or {}).get("spec") or {}).get("url") or "")
    where = f"{kind} {name}" + (f" ({url})" if url else " (not found in the repository)")
    if kind == "GitRepository":
        return (f"its source {where} is another repository: map its URL to a local checkout with `repositories` "
                "in sluice.yaml (or --repository URL=PATH) to render it")
    return f"its source {where} is an artifact sluice cannot fetch offline; Flux applies it from the cluster"


def _blocked(pending: list[tuple[str, str]], known: dict[tuple[str, str], dict[str, Any]]) -> NoReturn:
    for key in pending:
        for dep in _depends_on(known[key]):
            if dep not in known:
                raise InputError(f"Kustomization {key[0]}/{key[1]} dependsOn {dep[0]}/{dep[1]}, which no rendered "
                                 "Kustomization defines")
    # every blocked Kustomization waits on another pending one: follow the chain to a cycle
    start = pending[0]
    chain = [start]
    while True:
        nxt = next(d for d in _depends_on(known[chain[-1]]) if d in pending)
        if nxt in chain:
            cycle = chain[chain.index(nxt):] + [nxt]
            raise InputError("dependsOn cycle between Flux Kustomizations: " + " -> ".join(f"{n}/{m}" for n, m in cycle))
        chain.append(nxt)
