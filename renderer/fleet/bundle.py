"""Bundles: the rendered fleet, its layout on disk, and its form for hydrated branches.

On disk (`write_bundles`), one directory per cluster and app:

    OUT/.sluice-bundles.json              index: which branch each app dir goes to, and more
    OUT/<cluster>/<app-dir>/manifest.yaml    every resource, `---` separated, in render order
    OUT/<cluster>/<app-dir>/hydrator.metadata  {"repoURL", "drySha", "commands"} (empty ones left out)
    OUT/<cluster>/<app-dir>/README.md        generated: what this is and how to reproduce it

For the applier (`bundles_for_hydration`): per hydrated branch, the app directories'
files, relative to the branch root. The branch-root files of Argo CD's Source Hydrator
layout (`hydrator.metadata` with the dry commit's author/date/subject/body, and
`.gitattributes`) are the applier's: it knows the dry commit (`renderer.applier`).
Nothing here ever writes a `kustomization.yaml` or `Chart.yaml`.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..core.errors import InputError, RenderError
from ..core.resource import Origin
from ..core.scratch import sweep_stale

MANIFEST = "manifest.yaml"
METADATA = "hydrator.metadata"
README = "README.md"
APP_FILES = (MANIFEST, METADATA, README)
INDEX = ".sluice-bundles.json"
INDEX_VERSION = 1
FORBIDDEN_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization", "Chart.yaml"})


@dataclass(frozen=True, slots=True)
class AppBundle:
    """One Application's rendered output for one cluster."""

    cluster: str
    app: str
    app_dir: str  # relative to the cluster dir on disk and to the branch root
    branch: str
    source_path: str
    origin: str  # the Application's file
    files: Mapping[str, bytes] = field(compare=True)  # name inside app_dir -> content
    resources: tuple[dict[str, Any], ...] = field(default=(), compare=False, repr=False)
    namespace: str | None = None
    target: Any = field(default=None, compare=False, repr=False)  # the fleet.Target it renders (children too)
    origins: tuple[Origin, ...] = field(default=(), compare=False, repr=False)  # parallel to `resources`: file and line

    def origin_of(self, index: int) -> Origin:
        """Where resource `index` came from (the Application's file when not tracked)."""
        return self.origins[index] if index < len(self.origins) else Origin(self.origin)

    @property
    def manifest(self) -> bytes:
        return self.files[MANIFEST]


@dataclass(frozen=True, slots=True)
class Bundles:
    """A rendered fleet, in memory. `apps` are sorted by (cluster, app_dir)."""

    apps: tuple[AppBundle, ...]
    repo_url: str | None = None
    dry_sha: str | None = None
    commands: tuple[str, ...] = ()
    preserve: tuple[str, ...] = ()  # globs of branch paths the applier must keep
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # what discovery decided on the user's behalf (skipped apps, detected layouts)

    @property
    def skipped(self) -> tuple[str, ...]:
        """The notes that say an Application or HelmRelease was left out (out of reach offline)."""
        from ..core.notes import Skipped

        return tuple(n for n in self.notes if isinstance(n, Skipped))

    def clusters(self) -> list[str]:
        return sorted({a.cluster for a in self.apps})

    def branches(self) -> dict[str, list[AppBundle]]:
        """Apps per hydrated branch, branches sorted."""
        out: dict[str, list[AppBundle]] = {}
        for app in sorted(self.apps, key=lambda a: (a.branch, a.app_dir)):
            out.setdefault(app.branch, []).append(app)
        return out

    def cluster_branches(self) -> dict[str, dict[str, str]]:
        """Per cluster dir: app dir -> hydrated branch (usually one branch per cluster)."""
        out: dict[str, dict[str, str]] = {}
        for app in self.apps:
            out.setdefault(app.cluster, {})[app.app_dir] = app.branch
        return out

    def index(self) -> dict[str, Any]:
        return {
            "version": INDEX_VERSION,
            "repoURL": self.repo_url or "",
            "drySha": self.dry_sha or "",
            "commands": list(self.commands),
            "preserve": list(self.preserve),
            "apps": [
                {
                    "cluster": a.cluster,
                    "app": a.app,
                    "appDir": a.app_dir,
                    "branch": a.branch,
                    "sourcePath": a.source_path,
                    "origin": a.origin,
                    "namespace": a.namespace or "",
                }
                for a in self.apps
            ],
        }

    def files(self) -> dict[str, bytes]:
        """The whole output tree: path relative to OUT -> content, sorted by path."""
        out: dict[str, bytes] = {INDEX: _json_bytes(self.index())}
        for app in self.apps:
            for name, data in app.files.items():
                out[f"{app.cluster}/{app.app_dir}/{name}"] = data
        return dict(sorted(out.items()))


# -- content --------------------------------------------------------------------------------


def _json_bytes(obj: Any) -> bytes:
    """JSON as Go's encoder with SetIndent("", "  ") and SetEscapeHTML(false) writes it."""
    text = json.dumps(obj, indent=2, ensure_ascii=False)
    return (text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n").encode("utf-8")


def hydrator_metadata(repo_url: str | None, dry_sha: str | None, commands: Iterable[str] = ()) -> bytes:
    """An app directory's hydrator.metadata as Argo CD writes it: repoURL, drySha,
    commands in that order, empty ones left out; 2-space JSON; final newline."""
    fields: list[tuple[str, Any]] = [("repoURL", repo_url), ("drySha", dry_sha), ("commands", list(commands))]
    return _json_bytes({key: value for key, value in fields if value})


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def readme(
    *,
    app: str,
    cluster: str,
    server: str,
    source_path: str,
    source_kind: str,
    origin: str,
    namespace: str | None,
    repo_url: str | None,
    dry_sha: str | None,
    commands: Iterable[str] = (),
    branch: str | None = None,
    app_dir: str | None = None,
) -> bytes:
    """The generated README.md of an app directory (deterministic: no dates)."""
    commands = list(commands) or ["sluice render"]
    where = f"{_code(source_path)} ({source_kind})"
    revision = _code(dry_sha) if dry_sha else "the working tree (not a git commit)"
    lines = [
        f"# {app} on {cluster}",
        "",
        "This directory is generated by sluice from the dry GitOps repository. Do not edit it:",
        "the next render replaces it. Change the source instead.",
        "",
        f"- Application: {_code(app)}, defined in {_code(origin)}",
        f"- Cluster: {_code(cluster)}" + (f" ({_code(server)})" if server else ""),
    ]
    if namespace:
        lines.append(f"- Namespace: {_code(namespace)} (set on namespaced resources that have none)")
    lines += [
        f"- Source: {where}" + (f" of {_code(repo_url)}" if repo_url else ""),
        f"- Dry revision: {revision}",
    ]
    if branch and app_dir:
        lines.append(f"- Hydrated to: branch {_code(branch)}, directory {_code(app_dir)}")
    lines += [
        "",
        "## Reproduce",
        "",
        "From a checkout of the dry repository" + (" at that revision:" if dry_sha else ":"),
        "",
        "```sh",
    ]
    if dry_sha:
        lines.append(f"git checkout {dry_sha}")
    lines += [*commands, "```", ""]
    if source_kind == "kustomize":
        lines += [
            f"The kustomize build of the source alone (before sluice sets the destination namespace): "
            f"`sluice build {source_path}`.",
            "",
        ]
    return "\n".join(lines).encode("utf-8")


# -- hydrated branches ------------------------------------------------------------------------


def bundles_for_hydration(bundles: Bundles) -> dict[str, dict[str, bytes]]:
    """Per hydrated branch (sorted), its apps' files: path relative to the branch root
    (`<app-dir>/manifest.yaml`, ...) -> bytes, sorted. This is the input of
    `renderer.applier.hydrate`, which adds the branch-root files itself."""
    out: dict[str, dict[str, bytes]] = {}
    for branch, apps in bundles.branches().items():
        files: dict[str, bytes] = {}
        for app in apps:
            for name, data in app.files.items():
                path = f"{app.app_dir}/{name}"
                if path in files:
                    raise RenderError(f"two apps write {path!r} on branch {branch!r}")
                files[path] = data
        out[branch] = dict(sorted(files.items()))
    return out


# -- writing and reading OUT ----------------------------------------------------------------


def _check_paths(files: Mapping[str, bytes]) -> None:
    for path in files:
        parts = path.split("/")
        if path.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise RenderError(f"refusing to write unsafe bundle path {path!r}")
        if parts[-1] in FORBIDDEN_NAMES:
            raise RenderError(f"refusing to write {path!r}: Argo CD would build that directory as a source")


def _is_bundle_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and ((path / INDEX).is_file() or not any(path.iterdir()))


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(rc == 0)


def write_bundles(bundles: Bundles, out_dir: str | os.PathLike[str]) -> Path:
    """Write the bundles to `out_dir`, replacing it as a whole, atomically.

    Everything is written to a temporary directory next to `out_dir`, which is then
    swapped in; on any error nothing changes. An existing `out_dir` is replaced only if
    it is empty or a previous sluice output (it holds `.sluice-bundles.json`): sluice
    never deletes a directory it did not write.
    """
    out = Path(out_dir).absolute()
    files = bundles.files()
    _check_paths(files)
    if out.exists() or out.is_symlink():
        if not _is_bundle_dir(out):
            raise InputError(
                f"refusing to replace {out}: it is not a sluice output directory (no {INDEX}); "
                "choose an empty or new output directory",
                file=str(out),
            )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        for kind in ("tmp", "old"):  # what a killed run left beside the bundles
            sweep_stale(out.parent, f".{out.name}.{kind}-")
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent))
    except OSError as exc:  # named as the user gave it, not as the scratch directory beside it
        raise InputError(f"cannot write the bundles directory {out}: {exc.strerror or exc}") from None
    try:
        os.chmod(tmp, 0o755)
        for rel, data in files.items():
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as fh:
                fh.write(data)
        if out.exists():
            if _exchange(tmp, out):
                shutil.rmtree(tmp)  # tmp now holds the old output
                return out
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{os.getpid()}-", dir=out.parent))
            os.rmdir(old)
            os.rename(out, old)
            try:
                os.rename(tmp, out)
            except BaseException:
                os.rename(old, out)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def load_bundles(out_dir: str | os.PathLike[str]) -> Bundles:
    """Read back what `write_bundles` wrote (e.g. to hydrate from a rendered OUT)."""
    out = Path(out_dir)
    index_path = out / INDEX
    try:
        index = json.loads(index_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"not a sluice output directory (no {INDEX})", file=str(out)) from None
    except ValueError as exc:
        raise InputError(f"unreadable bundle index: {exc}", file=str(index_path)) from None
    if not isinstance(index, dict) or index.get("version") != INDEX_VERSION:
        raise InputError(f"unsupported bundle index version {index.get('version') if isinstance(index, dict) else None!r}", file=str(index_path))
    apps = []
    for entry in index.get("apps", []):
        app_path = out / entry["cluster"] / entry["appDir"]
        files = {}
        for name in APP_FILES:
            try:
                files[name] = (app_path / name).read_bytes()
            except FileNotFoundError:
                raise InputError(f"bundle file missing: {name}", file=str(app_path / name)) from None
        apps.append(
            AppBundle(
                cluster=entry["cluster"], app=entry["app"], app_dir=entry["appDir"], branch=entry["branch"],
                source_path=entry["sourcePath"], origin=entry["origin"], files=files,
                namespace=entry.get("namespace") or None,
            )
        )
    return Bundles(
        apps=tuple(apps),
        repo_url=index.get("repoURL") or None,
        dry_sha=index.get("drySha") or None,
        commands=tuple(index.get("commands") or ()),
        preserve=tuple(index.get("preserve") or ()),
    )
