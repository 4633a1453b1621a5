"""Chart dependencies resolved offline, as `helm dependency build` would before a render.

Helm refuses to render a chart whose dependencies (Chart.yaml `dependencies`, or
requirements.yaml for apiVersion v1 charts) name a chart that is not in its `charts/`
directory, whatever the dependency's condition. Helm's check (`action.CheckDependencies`)
compares names only: a dependency is present when some subchart in `charts/` (an unpacked
directory or a `.tgz`) carries its name, at any version. Argo CD runs `helm dependency
build` only when `helm template` fails that check, and Flux's source-controller adds only
the dependencies missing by name; so a vendored subchart is used as it is, and only the
missing ones are resolved here, from local sources instead of the network:

- `file://<path>`: the chart directory at that path (relative to the chart), packaged as
  Helm's `chartutil.Save` does, as it is: `helm dependency build` does not resolve that
  chart's own missing dependencies, and Helm then renders without them (only the top
  chart's dependencies are checked), so neither does sluice;
- `http(s)://<repository>` and `oci://<registry>`: `<chart cache>/<chart_cache_key(url)>/`
  (`<name>-<version>.tgz` or an index.yaml), the newest version matching the constraint;
- `@name` / `alias:name` (a `helm repo add` name) cannot be resolved offline: OutOfReach.

A lock file (Chart.lock, requirements.lock) pins the versions, as it does for
`helm dependency build` and source-controller.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from ..core.errors import InputError, OutOfReach
from ..core.yaml import load_documents
from .archive import archive_files, extract as extract_archive, members as archive_members

__all__ = ["Dependency", "missing_dependencies", "vendor_dependencies", "remote_dependencies", "copy_chart"]


@dataclass(frozen=True)
class Dependency:
    """One entry of a chart's `dependencies`."""

    name: str
    version: str  # the constraint written in Chart.yaml ("" = any)
    repository: str
    alias: str = ""
    locked: str = ""  # the version Chart.lock/requirements.lock pins, if any

    @property
    def constraint(self) -> str:
        """What `helm dependency build` resolves: the locked version, else the constraint."""
        return self.locked or self.version or "*"

    @property
    def kind(self) -> str:
        """'file', 'http', 'oci', 'name' (a helm repo name), 'none' (expected in charts/) or 'other'."""
        repo = self.repository
        if not repo:
            return "none"
        if repo.startswith("file://"):
            return "file"
        if repo.startswith(("http://", "https://")):
            return "http"
        if repo.startswith("oci://"):
            return "oci"
        if repo.startswith(("@", "alias:")):
            return "name"
        return "other"


@dataclass(frozen=True)
class _ChartInfo:
    path: str
    name: str
    version: str
    dependencies: tuple[Dependency, ...]
    present: frozenset[str]  # names of the subcharts in charts/


# ----------------------------------------------------------------------------------------
# Reading a chart (directory or .tgz) without loading it into Helm
# ----------------------------------------------------------------------------------------


def _yaml_map(text: str, source: str) -> dict[str, Any]:
    try:
        docs = load_documents(text, source, dialect="config")
    except Exception as exc:  # noqa: BLE001 - any parse failure is the chart's fault
        raise InputError(f"cannot parse {source}: {exc}") from None
    doc = docs[0] if docs else None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise InputError(f"{source} must be a mapping")
    return doc


def _archive_files(data: bytes, source: str) -> dict[str, bytes]:
    """Files of a packaged chart, keyed by their path below the archive's top directory."""
    return archive_files(data, source)


def _chart_name_in_archive(data: bytes, source: str) -> str:
    """The name in a packaged chart's Chart.yaml; reading stops there (Helm writes it first)."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for member in archive_members(tar, source):
                parts = member.name.split("/")
                if member.isfile() and len(parts) == 2 and parts[1] == "Chart.yaml":
                    f = tar.extractfile(member)
                    text = f.read().decode("utf-8") if f is not None else ""
                    return str(_yaml_map(text, f"{source}:Chart.yaml").get("name") or "")
    except (tarfile.TarError, OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputError(f"{source} is not a chart archive: {exc}") from None
    raise InputError(f"{source} holds no Chart.yaml")


def _read_chart(chart_path: str) -> _ChartInfo:
    """Chart.yaml, requirements.yaml, the lock file and the names of the subcharts."""
    present: set[str] = set()
    if os.path.isdir(chart_path):
        def read(rel: str) -> Optional[str]:
            p = os.path.join(chart_path, rel)
            return Path(p).read_text(encoding="utf-8") if os.path.isfile(p) else None

        charts = os.path.join(chart_path, "charts")
        if os.path.isdir(charts):
            for entry in sorted(os.listdir(charts)):
                p = os.path.join(charts, entry)
                if os.path.isdir(p) and os.path.isfile(os.path.join(p, "Chart.yaml")):
                    meta = _yaml_map(Path(p, "Chart.yaml").read_text(encoding="utf-8"), os.path.join(p, "Chart.yaml"))
                    present.add(str(meta.get("name") or ""))
                elif entry.endswith(".tgz") and os.path.isfile(p):
                    present.add(_chart_name_in_archive(Path(p).read_bytes(), p))
    else:
        files = _archive_files(Path(chart_path).read_bytes(), chart_path)

        def read(rel: str) -> Optional[str]:
            data = files.get(rel)
            return None if data is None else data.decode("utf-8")

        for rel in sorted(files):
            parts = rel.split("/")
            if len(parts) == 3 and parts[0] == "charts" and parts[2] == "Chart.yaml":
                present.add(str(_yaml_map(files[rel].decode("utf-8"), f"{chart_path}:{rel}").get("name") or ""))
            elif len(parts) == 2 and parts[0] == "charts" and parts[1].endswith(".tgz"):
                present.add(_chart_name_in_archive(files[rel], f"{chart_path}:{rel}"))
    text = read("Chart.yaml")
    if text is None:
        raise InputError(f"{chart_path} holds no Chart.yaml")
    meta = _yaml_map(text, f"{chart_path}/Chart.yaml")
    raw_deps = meta.get("dependencies")
    source = "Chart.yaml"
    requirements = read("requirements.yaml")
    if requirements is not None:  # Helm's loader reads it over Chart.yaml's dependencies
        req = _yaml_map(requirements, f"{chart_path}/requirements.yaml")
        if "dependencies" in req:
            raw_deps, source = req.get("dependencies"), "requirements.yaml"
    lock_names = ("requirements.lock", "Chart.lock") if meta.get("apiVersion") == "v1" else ("Chart.lock", "requirements.lock")
    locked: dict[tuple[str, str], str] = {}
    for lock_name in lock_names:
        lock_text = read(lock_name)
        if lock_text is not None:
            for entry in _yaml_map(lock_text, f"{chart_path}/{lock_name}").get("dependencies") or []:
                if isinstance(entry, dict) and entry.get("name"):
                    locked.setdefault((str(entry["name"]), str(entry.get("repository") or "")), str(entry.get("version") or ""))
            break
    if raw_deps is not None and not isinstance(raw_deps, list):
        raise InputError(f"{chart_path}/{source}: dependencies must be a list")
    deps: list[Dependency] = []
    for i, entry in enumerate(raw_deps or []):
        if not isinstance(entry, dict) or not entry.get("name"):
            raise InputError(f"{chart_path}/{source}: dependencies[{i}] must be a mapping with a name")
        name, repository = str(entry["name"]), str(entry.get("repository") or "")
        deps.append(Dependency(name=name, version=str(entry.get("version") or ""), repository=repository,
                               alias=str(entry.get("alias") or ""), locked=locked.get((name, repository), "")))
    return _ChartInfo(path=chart_path, name=str(meta.get("name") or ""), version=str(meta.get("version") or ""),
                      dependencies=tuple(deps), present=frozenset(present))


def _missing(info: _ChartInfo) -> list[Dependency]:
    out: dict[str, Dependency] = {}
    for dep in info.dependencies:
        if dep.name not in info.present:
            out.setdefault(dep.name, dep)  # two aliases of one chart need one copy of it
    return list(out.values())


def missing_dependencies(chart_dir: str | os.PathLike[str]) -> list[Dependency]:
    """The dependencies of a chart (directory or .tgz) that no subchart in its `charts/`
    satisfies, in declaration order, each name once. As in Helm's `CheckDependencies`, a
    subchart with the dependency's name satisfies it at any version: that is what Argo CD
    and Flux render (they resolve only when a name is missing)."""
    return _missing(_read_chart(os.fspath(chart_dir)))


# ----------------------------------------------------------------------------------------
# Resolving the missing ones locally
# ----------------------------------------------------------------------------------------


def copy_chart(chart_path: str, tmp_dirs: list[str]) -> str:
    """A temporary copy of a chart directory, or the extracted chart of a .tgz (the new
    directory is appended to `tmp_dirs`)."""
    work = tempfile.mkdtemp(prefix="sluice-chart-")
    tmp_dirs.append(work)
    if os.path.isdir(chart_path):
        dest = os.path.join(work, os.path.basename(os.path.normpath(chart_path)))
        shutil.copytree(chart_path, dest, symlinks=False)
        return dest
    extract_archive(chart_path, work)
    tops = [d for d in os.listdir(work) if os.path.isdir(os.path.join(work, d))]
    if len(tops) != 1:
        raise InputError(f"chart archive {chart_path} must hold exactly one top-level directory")
    return os.path.join(work, tops[0])


def _package(chart_dir: str, dest_dir: str) -> str:
    """`chartutil.Save` of the chart as Helm loads it (.helmignore applied): Helm's SDK
    in process, else `helm package` (which, unlike Save, refuses a chart whose own
    dependencies are missing)."""
    try:
        import helm_python
    except ImportError:
        pass
    else:
        try:
            with helm_python.Chart.load(chart_dir) as chart:
                return str(chart.save(dest_dir))
        except helm_python.HelmError as exc:
            raise InputError(f"chart {chart_dir}: cannot package: {exc}") from None
    from .engine import find_helm_binary

    helm = find_helm_binary()
    if helm is None:
        raise InputError(f"chart {chart_dir}: packaging a file:// dependency needs Helm (helm-python-sdk or the helm binary)")
    with tempfile.TemporaryDirectory(prefix="sluice-helm-home-") as home:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "HELM_CACHE_HOME": f"{home}/cache",
               "HELM_CONFIG_HOME": f"{home}/config", "HELM_DATA_HOME": f"{home}/data"}
        done = subprocess.run([helm, "package", chart_dir, "-d", dest_dir], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise InputError(f"chart {chart_dir}: helm package failed: {done.stderr.strip()}")
    archives = sorted(p for p in os.listdir(dest_dir) if p.endswith(".tgz"))
    return os.path.join(dest_dir, archives[-1])


class _Resolver:
    """One vendoring run: shared chart cache, temporary directories and messages."""

    def __init__(self, chart_cache: Any, tmp_dirs: list[str], where: str, file: str | None,
                 staged: Any = None) -> None:
        self.staged = staged  # a charts.StagedRepo: file:// targets are copied through the read boundary
        self.chart_cache = chart_cache
        self.tmp_dirs = tmp_dirs
        self.where = where
        self.file = file

    def label(self, info: _ChartInfo, root: str | None) -> str:
        shown = info.path
        if root is not None:
            rel = os.path.relpath(info.path, root)
            if rel != ".." and not rel.startswith(".." + os.sep):
                shown = rel.replace(os.sep, "/")
        return f"chart {info.name or '?'} ({shown})"

    def vendor(self, chart_path: str, root: str | None) -> str:
        try:
            info = _read_chart(chart_path)
        except InputError as exc:  # name a staged copy's file by its repository path
            if self.staged is None:
                raise
            message = exc.message.replace(str(self.staged.root).rstrip(os.sep) + os.sep, "")
            raise InputError(message, file=exc.file or self.file, line=exc.line) from None
        missing = _missing(info)
        if not missing:
            return chart_path
        label = self.label(info, root)
        if os.path.isdir(chart_path):
            archives = [self.obtain(dep, label, chart_path, root) for dep in missing]
            dest = copy_chart(chart_path, self.tmp_dirs)
        else:
            # a packaged chart: its file:// paths can only name directories inside it
            dest = copy_chart(chart_path, self.tmp_dirs)
            archives = [self.obtain(dep, label, dest, dest) for dep in missing]
        charts = os.path.join(dest, "charts")
        os.makedirs(charts, exist_ok=True)
        for archive in archives:
            shutil.copyfile(archive, os.path.join(charts, os.path.basename(archive)))
        return dest

    def _prefix(self, dep: Dependency, label: str) -> str:
        shown = dep.name + (f" (alias {dep.alias})" if dep.alias else "")
        return (f"{self.where}: {label}: dependency {shown} version {dep.constraint!r} from "
                f"{dep.repository or 'charts/'!r}")

    def obtain(self, dep: Dependency, label: str, base: str, root: str | None) -> str:
        """The archive to put in charts/ for one missing dependency."""
        prefix = self._prefix(dep, label)
        kind = dep.kind
        if kind == "file":
            return self._local(dep, prefix, base, root)
        if kind in ("http", "oci"):
            return self._cached(dep, prefix)
        if kind == "name":
            raise OutOfReach(
                f"{prefix}: {dep.repository!r} names a Helm repository added with `helm repo add`, which sluice cannot "
                f"resolve offline; vendor the dependency into charts/ with `helm dependency build`, or write the "
                f"repository's URL in Chart.yaml and put <host/path>/{dep.name}-<version>.tgz in --chart-cache",
                file=self.file)
        if kind == "none":
            raise InputError(f"{prefix}: the dependency declares no repository, so Helm expects it in charts/, "
                             f"and it is not there", file=self.file)
        raise InputError(f"{prefix}: unsupported repository (file://, http(s)://, oci:// or a repository name)",
                         file=self.file)

    def _cached(self, dep: Dependency, prefix: str) -> str:
        from .argo import chart_cache_key
        from .release import ChartCache

        key = chart_cache_key(dep.repository)
        fix = (f"vendor it into charts/ with `helm dependency build`, or put {key}/{dep.name}-<version>.tgz in the "
               f"chart cache (--chart-cache DIR; `sluice helm pull --fleet` fills it from http(s) repositories)")
        if self.chart_cache is None:
            raise OutOfReach(f"{prefix}: not in charts/ and no chart cache given: {fix}", file=self.file)
        try:
            archive = ChartCache(Path(self.chart_cache)).find(key, dep.name, dep.constraint, what=prefix)
        except OutOfReach as exc:
            raise OutOfReach(f"{exc.message}; {fix}", file=self.file) from None
        except InputError as exc:
            raise InputError(exc.message, file=self.file) from None
        found = _chart_name_in_archive(archive.read_bytes(), str(archive))
        if found != dep.name:
            raise InputError(f"{prefix}: {archive} holds chart {found!r}, not {dep.name!r}", file=self.file)
        return str(archive)

    def _local(self, dep: Dependency, prefix: str, base: str, root: str | None) -> str:
        from .release import version_matches

        target = dep.repository[len("file://"):]
        if "\x00" in target:
            raise InputError(f"{prefix}: repository {dep.repository!r} holds a NUL character, no path does", file=self.file)
        path = os.path.normpath(target if os.path.isabs(target) else os.path.join(base, target))
        if root is not None:
            real, real_root = os.path.realpath(path), os.path.realpath(root)
            if real != real_root and not real.startswith(real_root + os.sep):
                shown = "" if self.staged is not None else f" {root}"  # a staging directory means nothing to the reader
                raise InputError(f"{prefix}: the path escapes the repository root{shown}", file=self.file)
        if self.staged is not None:
            rel = self.staged.rel_of(path)
            if rel is not None and self.staged.fs.is_dir(rel):
                try:
                    self.staged.stage(rel)
                except InputError as exc:
                    raise InputError(f"{prefix}: {exc.message}", file=exc.file or self.file) from None
        if not os.path.isfile(os.path.join(path, "Chart.yaml")):
            raise InputError(f"{prefix}: {path} is not a chart directory (no Chart.yaml)", file=self.file)
        info = _read_chart(path)
        try:
            ok = version_matches(dep.constraint, info.version)
        except ValueError as exc:
            raise InputError(f"{prefix}: {exc}", file=self.file) from None
        if not ok:
            raise InputError(f"{prefix}: the chart at {path} is version {info.version!r}, which does not match",
                             file=self.file)
        if info.name != dep.name:  # Helm would package it, then refuse the render as "missing"
            raise InputError(f"{prefix}: the chart at {path} is named {info.name!r}, not {dep.name!r}", file=self.file)
        staging = tempfile.mkdtemp(prefix="sluice-dep-")
        self.tmp_dirs.append(staging)
        return _package(path, staging)


def vendor_dependencies(
    chart_path: str | os.PathLike[str],
    *,
    chart_cache: str | os.PathLike[str] | None,
    tmp_dirs: list[str],
    where: str,
    file: str | None = None,
    root: str | os.PathLike[str] | None = None,
    staged: Any = None,
) -> str:
    """`chart_path` itself when `charts/` already has every dependency; else a temporary
    copy (a directory, for a .tgz too) with the missing ones placed in its charts/, as
    `helm dependency build` would leave it. Temporary directories go to `tmp_dirs` for the
    caller to remove. `root` (the repository root) confines `file://` paths; with `staged`
    (the StagedRepo `root` belongs to) their targets are staged through the boundary. Raises
    OutOfReach when a dependency is not available offline, InputError when the chart is
    wrong."""
    chart = os.fspath(chart_path)
    root_s = os.fspath(root) if root is not None else None
    return _Resolver(chart_cache, tmp_dirs, where, file, staged).vendor(chart, root_s)


def remote_dependencies(chart_path: str | os.PathLike[str]) -> list[tuple[str, Dependency]]:
    """(chart name, dependency) for each missing http(s)/oci dependency of a chart: what
    `sluice helm pull --fleet` puts in the chart cache. (A `file://` dependency is packaged
    as it is, so its own missing dependencies are never looked up.) A chart that cannot be
    read is left to the render to report."""
    try:
        info = _read_chart(os.fspath(chart_path))
    except (InputError, OSError, UnicodeDecodeError):
        return []
    return [(info.name, dep) for dep in _missing(info) if dep.kind in ("http", "oci")]
