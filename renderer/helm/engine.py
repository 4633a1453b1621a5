"""The Helm engine: a chart and values in, the documents `helm template` prints out.

One interface (`HelmEngine`), two backends, both the real Helm:

- `InProcessHelm`: Helm's Go SDK in this process, through `helm-python-sdk` (module
  `helm_python`, which binds `libhelm_c`). Helm's template engine renders every template
  file (chart defaults coalesced with the values, subcharts enabled by condition/tags,
  capabilities from `kube_version`/`api_versions`); the steps `helm template` performs after
  that (drop NOTES.txt, split each file into documents, put hooks aside, sort by kind in
  Helm's install order, prepend `crds/` files, append hooks, leave test hooks out on
  `--skip-tests`) are reproduced here from Helm's `pkg/action` and `releaseutil`.
- `HelmCLI`: the `helm` binary (a pinned Helm version), `helm template` run through
  pyhelm3's `Command`.

Both parse Helm's output text with `renderer.core.yaml.load_documents`, so they agree document
for document with `helm template`. Each Helm build defaults the Kubernetes version to its
own (the SDK and the binary differ), so both backends use DEFAULT_KUBE_VERSION unless
given one.

This module imports nothing from `renderer.kustomize` (kustomize's helmCharts receives an
engine as a parameter).
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sys
import tempfile
import weakref
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol, Sequence, runtime_checkable

from ..core.errors import RenderError
from ..core.limits import how_to_raise
from ..core.yaml import load_documents
from . import render_worker
from .render_worker import DEFAULT_RENDER_MEMORY
from .schema_refs import check_schema_references

__all__ = [
    "DEFAULT_KUBE_VERSION",
    "HelmEngine",
    "InProcessHelm",
    "HelmCLI",
    "find_helm_binary",
    "default_engine",
    "INSTALL_ORDER",
    "template_text",
    "is_hook",
    "sort_rendered",
]

DEFAULT_KUBE_VERSION = "1.35.0"
"""The Kubernetes version both backends render for without `kube_version`. The SDK and the
binary each default to their own build's version (v1.36 and v1.35 here); a fixed one keeps
them equal, and equal to `helm template` of the Helm v4.1 binary the tests use as oracle."""

INSTALL_ORDER: tuple[str, ...] = (
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
    "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
    "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
    "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
    "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service",
    "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
    "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
    "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
)
"""Helm's `releaseutil.InstallOrder`: the order `helm template` prints kinds in."""
_ORDER = {kind: i for i, kind in enumerate(INSTALL_ORDER)}

HOOK_EVENTS = frozenset({
    "pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade",
    "post-upgrade", "pre-rollback", "post-rollback", "test", "test-success",
})
"""Hook event names Helm knows; `test-success` is Helm 2's spelling of `test`."""

_SEP = re.compile(r"(?m)^---[ \t]*")  # releaseutil.SplitManifests' separator


@runtime_checkable
class HelmEngine(Protocol):
    """Renders a chart as `helm template` does and returns its documents in output order."""

    name: str

    def template(
        self,
        chart: str | os.PathLike[str],
        *,
        release_name: str,
        namespace: str = "default",
        values: dict[str, Any] | None = None,
        kube_version: str | None = None,
        api_versions: Sequence[str] = (),
        include_crds: bool = True,
        skip_tests: bool = False,
        is_upgrade: bool = False,
        no_hooks: bool = False,
        skip_schema_validation: bool = False,
    ) -> list[dict[str, Any]]:
        """`helm template RELEASE CHART -n NS -f values [--include-crds] ...` as documents.

        `chart` is a chart directory or a packaged `.tgz`. Hooks are included (after the
        manifests, as helm template prints them) unless `no_hooks`, NOTES.txt is not. Raises RenderError
        naming the chart when Helm refuses the chart or the values.
        """
        ...

    def template_sourced(self, chart: str | os.PathLike[str], **kw: Any) -> list[tuple[dict[str, Any], str]]:
        """`template`, each document with the `# Source:` path Helm printed above it."""
        ...


# ----------------------------------------------------------------------------------------
# What `helm template` does with the rendered files (pkg/action renderResources, template)
# ----------------------------------------------------------------------------------------


def _split_manifests(content: str) -> list[str]:
    """releaseutil.SplitManifests as the SDK's Helm (v4.2) does it: documents of one
    rendered file, leading whitespace trimmed (trailing kept), blank ones dropped. Helm 4.1
    trimmed both ends and split on another pattern: text differs, documents do not."""
    out = []
    for doc in _SEP.split(content.lstrip()):
        if doc.strip():
            out.append(doc.lstrip())
    return out


def _kind_key(kind: str, index: int) -> tuple[int, str, int]:
    """Sort key equal to Helm's lessByKind under a stable sort."""
    rank = _ORDER.get(kind)
    if rank is None:
        return (1, kind, 0)  # unknown kinds last, alphabetically, stable within a kind
    return (0, "", rank)


def is_hook(doc: dict[str, Any]) -> bool:
    """A rendered document Helm treats as a hook (a `helm.sh/hook` annotation)."""
    annotations = (doc.get("metadata") or {}).get("annotations") if isinstance(doc.get("metadata"), dict) else None
    return isinstance(annotations, dict) and "helm.sh/hook" in annotations


def sort_rendered(docs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Helm's SortManifests on documents: manifests in install order by kind, then the
    hooks in install order (both stable), as Helm re-sorts after post-rendering."""
    return sort_by_kind(docs, lambda d: d)


def sort_by_kind(items: Sequence[Any], body: Callable[[Any], dict[str, Any]]) -> list[Any]:
    """`sort_rendered` over any items holding a document (`body(item)` gives it)."""
    manifests = [i for i in items if not is_hook(body(i))]
    hooks = [i for i in items if is_hook(body(i))]

    def ordered(group: list[Any]) -> list[Any]:
        keyed = sorted(range(len(group)), key=lambda i: (_kind_key(str(body(group[i]).get("kind") or ""), i), i))
        return [group[i] for i in keyed]

    return ordered(manifests) + ordered(hooks)


def _head(doc: str, path: str, chart: str) -> tuple[str, dict[str, str] | None]:
    """(kind, annotations) as Helm's SimpleHead reads them (sigs.k8s.io/yaml)."""
    try:
        parsed = load_documents(doc, path, dialect="config")
    except Exception as exc:  # noqa: BLE001 - any parse failure is Helm's "YAML parse error"
        raise RenderError(f"chart {chart}: YAML parse error on {path}: {exc}") from None
    head = parsed[0] if parsed else None
    if head is None:
        return "", None
    if not isinstance(head, dict):
        raise RenderError(f"chart {chart}: YAML parse error on {path}: a document is not a mapping")
    kind = head.get("kind")
    if kind is not None and not isinstance(kind, str):
        raise RenderError(f"chart {chart}: YAML parse error on {path}: kind is not a string")
    meta = head.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if annotations is not None:
        if not isinstance(annotations, dict) or not all(isinstance(v, str) for v in annotations.values()):
            raise RenderError(f"chart {chart}: YAML parse error on {path}: annotations must be strings")
    return kind or "", annotations


def template_text(
    files: dict[str, str],
    crds: Iterable[tuple[str, str]],
    *,
    chart: str,
    include_crds: bool,
    skip_tests: bool,
    no_hooks: bool = False,
) -> str:
    """The text `helm template` prints, from the engine's rendered files.

    `files` maps template path to rendered text (NOTES.txt and partials are dropped here);
    `crds` lists (filename, content) of the chart's and subcharts' `crds/` files in Helm's
    order.
    """
    generic: list[tuple[str, str, str]] = []  # (kind, path, content)
    hooks: list[tuple[str, str, str, bool]] = []  # (kind, path, content, is_test)
    for path in sorted(files):
        content = files[path]
        if path.endswith("NOTES.txt") or os.path.basename(path).startswith("_") or not content.strip():
            continue
        for doc in _split_manifests(content):
            kind, annotations = _head(doc, path, chart)
            hook = annotations.get("helm.sh/hook") if annotations else None
            if hook is None:
                generic.append((kind, path, doc))
                continue
            events = [e.strip().lower() for e in hook.split(",")]
            if not all(e in HOOK_EVENTS for e in events):
                continue  # Helm skips a document with an unknown hook event
            hooks.append((kind, path, doc, any(e in ("test", "test-success") for e in events)))
    order = sorted(range(len(generic)), key=lambda i: (_kind_key(generic[i][0], i), i))
    hook_order = sorted(range(len(hooks)), key=lambda i: (_kind_key(hooks[i][0], i), i))
    parts: list[str] = []
    if include_crds:
        for filename, data in crds:
            parts.append(f"---\n# Source: {filename}\n{data}\n")
    for i in order:
        _kind, path, doc = generic[i]
        parts.append(f"---\n# Source: {path}\n{doc}\n")
    out = "".join(parts).strip() + "\n"
    if no_hooks:
        return out
    for i in hook_order:
        _kind, path, doc, is_test = hooks[i]
        if skip_tests and is_test:
            continue
        out += f"---\n# Source: {path}\n{doc}\n"
    return out


DEFAULT_RENDER_SECONDS = 60
DEFAULT_OUTPUT_BYTES = 64 * 1024 * 1024


def _too_slow(chart: str, seconds: float) -> RenderError:
    return RenderError(f"chart {chart}: the render ran longer than {seconds:g} s (a runaway template loop?); "
                       f"{how_to_raise('helmRenderSeconds')}")


def _check_output_size(size: int, chart: str, limit: int) -> None:
    if size > limit:
        raise RenderError(f"chart {chart}: the render produced more than {limit} bytes; "
                          f"{how_to_raise('helmOutputBytes')}")


def _documents(text: str, chart: str) -> list[dict[str, Any]]:
    try:
        docs = load_documents(text, f"helm template {chart}")
    except Exception as exc:  # noqa: BLE001
        raise RenderError(f"chart {chart}: rendered output is not valid YAML: {exc}") from None
    for doc in docs:
        if not isinstance(doc, dict):
            raise RenderError(f"chart {chart}: a rendered document is not a mapping: {doc!r:.80}")
    return docs


def _check_release_name(name: str, chart: str) -> None:
    # helm template checks the name the same way (chartutil.ValidateReleaseName)
    if not name or len(name) > 53 or not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", name):
        raise RenderError(f"chart {chart}: invalid release name {name!r}: must be a DNS-1123 subdomain of at most 53 characters")


SCHEMA_FILE = "values.schema.json"


def _has_schema(chart: str) -> bool:
    """Whether the chart or a subchart (directory or archive) ships a values schema."""
    if os.path.isdir(chart):
        return any(SCHEMA_FILE in files or any(f.endswith(".tgz") for f in files) for _d, _s, files in os.walk(chart))
    return True  # an archive: look inside by copying (cheap, and only when skipping)


def _copy_without_schemas(chart: str, work: str) -> str:
    """The chart as a directory under `work` with every values.schema.json removed, its
    packaged subcharts unpacked so theirs go too."""
    from .archive import extract

    if os.path.isdir(chart):
        dest = os.path.join(work, os.path.basename(os.path.normpath(chart)))
        shutil.copytree(chart, dest, symlinks=False)
    else:
        unpack = tempfile.mkdtemp(dir=work)
        extract(chart, unpack)
        tops = [d for d in sorted(os.listdir(unpack)) if os.path.isdir(os.path.join(unpack, d))]
        if len(tops) != 1:
            raise RenderError(f"chart archive {chart} must hold exactly one top-level directory")
        dest = os.path.join(unpack, tops[0])
    for directory, _subdirs, files in os.walk(dest):
        if SCHEMA_FILE in files:
            os.remove(os.path.join(directory, SCHEMA_FILE))
        if os.path.basename(directory) == "charts":
            for name in sorted(f for f in files if f.endswith(".tgz")):
                archive = os.path.join(directory, name)
                inner = _copy_without_schemas(archive, tempfile.mkdtemp(dir=work))
                shutil.move(inner, os.path.join(directory, os.path.basename(inner)))
                os.remove(archive)
    return dest


def _check_dependencies(chart: str) -> None:
    """`helm template`'s CheckDependencies: a dependency missing from charts/ stops the
    render (the SDK's engine alone would render without it)."""
    from .dependencies import missing_dependencies

    if not os.path.exists(chart):
        return  # loading reports it
    missing = missing_dependencies(chart)
    if missing:
        raise RenderError(
            f"chart {chart}: an error occurred while checking for chart dependencies. You may need to run `helm "
            f"dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: "
            + ", ".join(d.name for d in missing))


# ----------------------------------------------------------------------------------------
# Backend 1: Helm's SDK in process
# ----------------------------------------------------------------------------------------


class InProcessHelm:
    """Helm v4's Go SDK in this process (PyPI `helm-python-sdk`); ~2 ms a chart."""

    name = "in-process"
    timeout_seconds: float = DEFAULT_RENDER_SECONDS  # sluice.yaml limits.helmRenderSeconds
    max_output_bytes: int = DEFAULT_OUTPUT_BYTES  # sluice.yaml limits.helmOutputBytes
    max_memory_bytes: int = DEFAULT_RENDER_MEMORY  # sluice.yaml limits.helmRenderMemory

    def __init__(self) -> None:
        import helm_python  # noqa: F401 - fail early with ImportError when absent

        self._helm = helm_python
        self._worker = render_worker.SHARED  # templates run there, bounded in memory (render_worker.py)

    @property
    def version(self) -> str:
        return str(self._helm.helm_sdk_version())

    def _load(self, chart: str) -> Any:
        # A chart handle is loaded per render: Helm's dependency processing (conditions,
        # tags) edits the loaded chart, so a handle must not serve two renders.
        try:
            return self._helm.Chart.load(chart)
        except self._helm.HelmError as exc:
            raise RenderError(f"chart {chart}: cannot load: {exc}") from None

    def rendered_files(
        self,
        chart: str,
        *,
        release_name: str,
        namespace: str = "default",
        values: dict[str, Any] | None = None,
        kube_version: str | None = None,
        api_versions: Sequence[str] = (),
        is_upgrade: bool = False,
        skip_schema_validation: bool = False,
    ) -> tuple[dict[str, str], list[tuple[str, str]]]:
        """Helm's engine output: ({template path: text}, [(crd filename, text)])."""
        chart = os.fspath(chart)
        if skip_schema_validation and _has_schema(chart):
            # the SDK's render always validates: render a copy without values.schema.json files
            work = tempfile.mkdtemp(prefix="sluice-noschema-")
            try:
                return self.rendered_files(
                    _copy_without_schemas(chart, work), release_name=release_name, namespace=namespace,
                    values=values, kube_version=kube_version, api_versions=api_versions, is_upgrade=is_upgrade)
            finally:
                shutil.rmtree(work, ignore_errors=True)
        _check_release_name(release_name, chart)
        opts: dict[str, Any] = {
            "name": release_name,
            "namespace": namespace,
            "revision": 1,
            "is_install": not is_upgrade,
            "is_upgrade": is_upgrade,
        }
        opts["kube_version"] = kube_version or DEFAULT_KUBE_VERSION  # the SDK's own default differs from the binary's
        if api_versions:
            opts["api_versions"] = list(api_versions)
        _check_dependencies(chart)
        check_schema_references(chart)
        with self._load(chart) as ch:
            try:
                merged = ch.merge_values(values or {})
                ch.validate_schema(merged)
                raw = self._worker.render(chart, json.dumps(values or {}), json.dumps(opts), seconds=self.timeout_seconds,
                                          max_output=self.max_output_bytes, memory=self.max_memory_bytes,
                                          too_slow=_too_slow(chart, self.timeout_seconds))
                crds = [(c["filename"], c["data"]) for c in ch.crds]
            except self._helm.HelmError as exc:
                raise RenderError(f"chart {chart}: helm template failed: {exc}") from None
        return json.loads(raw), crds

    def merged_values(self, chart: str | os.PathLike[str], values: dict[str, Any] | None = None) -> dict[str, Any]:
        """Helm's CoalesceValues: the chart's defaults (and its subcharts') with `values`
        over them, `null` deleting a default: the .Values a template sees."""
        chart = os.fspath(chart)
        with self._load(chart) as ch:
            try:
                return dict(ch.merge_values(values or {}))
            except self._helm.HelmError as exc:
                raise RenderError(f"chart {chart}: cannot merge values: {exc}") from None

    def template_text(
        self,
        chart: str | os.PathLike[str],
        *,
        release_name: str,
        namespace: str = "default",
        values: dict[str, Any] | None = None,
        kube_version: str | None = None,
        api_versions: Sequence[str] = (),
        include_crds: bool = True,
        skip_tests: bool = False,
        is_upgrade: bool = False,
        no_hooks: bool = False,
        skip_schema_validation: bool = False,
    ) -> str:
        chart = os.fspath(chart)
        files, crds = self.rendered_files(
            chart, release_name=release_name, namespace=namespace, values=values,
            kube_version=kube_version, api_versions=api_versions, is_upgrade=is_upgrade,
            skip_schema_validation=skip_schema_validation,
        )
        return template_text(files, crds, chart=chart, include_crds=include_crds, skip_tests=skip_tests, no_hooks=no_hooks)

    def template(self, chart: str | os.PathLike[str], **kw: Any) -> list[dict[str, Any]]:
        return _documents(self.template_text(chart, **kw), os.fspath(chart))

    def template_sourced(self, chart: str | os.PathLike[str], **kw: Any) -> list[tuple[dict[str, Any], str]]:
        from .origins import sourced_documents

        return sourced_documents(self.template_text(chart, **kw), os.fspath(chart))


# ----------------------------------------------------------------------------------------
# Backend 2: the helm binary
# ----------------------------------------------------------------------------------------


def find_helm_binary() -> str | None:
    """The `helm` next to this interpreter (tools/install_helm.py puts it there), else PATH."""
    local = Path(sys.executable).parent / "helm"
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which("helm")


class HelmCLI:
    """`helm template` run through pyhelm3 (~60-90 ms a call, mostly process start).

    pyhelm3's `Command` runs the binary and types its failures; its `template()` cannot pass
    `--kube-version`, `--api-versions` or `--skip-tests` and parses with PyYAML (losing the
    text), so the full `helm template` argument list goes through `Command.run`. The binary
    is reached through a wrapper script that clears the environment, so nothing of the
    user's Helm or Kubernetes configuration (HELM_*, KUBECONFIG, ~/.config/helm) leaks into
    a render.
    """

    name = "cli"
    timeout_seconds: float = DEFAULT_RENDER_SECONDS  # sluice.yaml limits.helmRenderSeconds
    max_output_bytes: int = DEFAULT_OUTPUT_BYTES  # sluice.yaml limits.helmOutputBytes
    max_memory_bytes: int = DEFAULT_RENDER_MEMORY  # sluice.yaml limits.helmRenderMemory (the wrapper's ulimit -v)

    def __init__(self, executable: str | None = None) -> None:
        exe = executable or find_helm_binary()
        if not exe:
            raise RenderError("no helm binary found: run `python tools/install_helm.py` (installs it into the venv)")
        import logging

        from pyhelm3 import Command  # type: ignore[import-untyped]

        quiet = logging.getLogger("pyhelm3")  # its failures become RenderErrors; no log lines of its own
        if not quiet.handlers:
            quiet.addHandler(logging.NullHandler())

        self.executable = exe
        self._home = tempfile.mkdtemp(prefix="sluice-helm-home-")
        weakref.finalize(self, shutil.rmtree, self._home, True)
        self._wrapped_memory = self.max_memory_bytes
        self._command = Command(executable=self._isolating_wrapper())

    def _isolating_wrapper(self) -> str:
        home = self._home
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "HELM_CACHE_HOME": os.path.join(home, "cache"),
            "HELM_CONFIG_HOME": os.path.join(home, "config"),
            "HELM_DATA_HOME": os.path.join(home, "data"),
            "KUBECONFIG": os.path.join(home, "kubeconfig"),
        }
        assignments = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items())
        wrapper = Path(home, "helm")
        # ulimit -v: Go has no hard memory limit of its own; a runaway template fails with "out of memory"
        limit_kib = self.max_memory_bytes // 1024
        wrapper.write_text(f'#!/bin/sh\nulimit -v {limit_kib} 2>/dev/null\nexec env -i {assignments} '
                           f'{shlex.quote(self.executable)} "$@"\n', encoding="utf-8")
        wrapper.chmod(0o700)
        return str(wrapper)

    def _run(self, args: list[str], stdin: bytes | None = None) -> bytes:
        """Run `helm ARGS` through pyhelm3; a failure becomes pyhelm3's typed error."""
        import asyncio

        if self._wrapped_memory != self.max_memory_bytes:  # limits.helmRenderMemory set after construction
            self._wrapped_memory = self.max_memory_bytes
            self._isolating_wrapper()

        coro = asyncio.wait_for(self._command.run(args, stdin), self.timeout_seconds)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(coro)
        # called from inside an event loop: run the command on a private loop in a thread
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, coro).result()

    @property
    def version(self) -> str:
        return self._run(["version", "--template", "{{.Version}}"]).decode().strip()

    def arguments(
        self,
        chart: str,
        *,
        release_name: str,
        namespace: str = "default",
        kube_version: str | None = None,
        api_versions: Sequence[str] = (),
        include_crds: bool = True,
        skip_tests: bool = False,
        is_upgrade: bool = False,
        no_hooks: bool = False,
        skip_schema_validation: bool = False,
    ) -> list[str]:
        """The `helm template` arguments; values go in on stdin (`--values -`)."""
        args = ["template", release_name, chart, "--namespace", namespace, "--values", "-"]
        if include_crds:
            args.append("--include-crds")
        if skip_tests:
            args.append("--skip-tests")
        if is_upgrade:
            args.append("--is-upgrade")
        if no_hooks:
            args.append("--no-hooks")
        if skip_schema_validation:
            args.append("--skip-schema-validation")
        args += ["--kube-version", kube_version or DEFAULT_KUBE_VERSION]
        for api in api_versions:
            args += ["--api-versions", api]
        return args

    def template_text(
        self,
        chart: str | os.PathLike[str],
        *,
        release_name: str,
        namespace: str = "default",
        values: dict[str, Any] | None = None,
        kube_version: str | None = None,
        api_versions: Sequence[str] = (),
        include_crds: bool = True,
        skip_tests: bool = False,
        is_upgrade: bool = False,
        no_hooks: bool = False,
        skip_schema_validation: bool = False,
    ) -> str:
        from pyhelm3 import errors as helm_errors  # type: ignore[import-untyped]

        chart = os.fspath(chart)
        _check_release_name(release_name, chart)
        if not skip_schema_validation:
            check_schema_references(chart)
        args = self.arguments(
            chart, release_name=release_name, namespace=namespace, kube_version=kube_version,
            api_versions=api_versions, include_crds=include_crds, skip_tests=skip_tests,
            is_upgrade=is_upgrade, no_hooks=no_hooks, skip_schema_validation=skip_schema_validation,
        )
        import asyncio

        try:
            out = self._run(args, json.dumps(values or {}).encode("utf-8"))
        except helm_errors.Error as exc:
            msg = exc.stderr.decode("utf-8", "replace").strip().removeprefix("Error: ")
            if "fatal error: out of memory" in msg or "runtime: out of memory" in msg:
                raise RenderError(f"chart {chart}: the render needed more than {self.max_memory_bytes} bytes of memory "
                                  f"(a runaway template?); {how_to_raise('helmRenderMemory')}") from None
            msg = msg.split("\ngoroutine ", 1)[0].strip()  # a Go crash: its message, not its stacks
            raise RenderError(f"chart {chart}: helm template failed: {msg}") from None
        except (asyncio.TimeoutError, TimeoutError):
            raise _too_slow(chart, self.timeout_seconds) from None
        _check_output_size(len(out), chart, self.max_output_bytes)
        return out.decode("utf-8")

    def template(self, chart: str | os.PathLike[str], **kw: Any) -> list[dict[str, Any]]:
        return _documents(self.template_text(chart, **kw), os.fspath(chart))

    def template_sourced(self, chart: str | os.PathLike[str], **kw: Any) -> list[tuple[dict[str, Any], str]]:
        from .origins import sourced_documents

        return sourced_documents(self.template_text(chart, **kw), os.fspath(chart))


ENGINES = ("in-process", "cli")
"""`in-process`: Helm's Go library inside helm-python-sdk (Helm 4.2.3); `cli`: the `helm`
binary (its own version). They differ where Helm changed between versions: Helm 4.2 drops
a values key whose value is null (podinfo's `resources.limits: null`), Helm 4.1 keeps it."""


def make_engine(name: str | None) -> HelmEngine:
    """The backend `name` (one of ENGINES) names; None: `default_engine()`."""
    from ..core.errors import InputError

    if name is None:
        return default_engine()
    if name == "in-process":
        try:
            return InProcessHelm()
        except ImportError:
            raise InputError("helm engine in-process needs the helm-python-sdk package; install it or use "
                             "--helm-engine cli") from None
    if name == "cli":
        return HelmCLI()
    raise InputError(f"unknown helm engine {name!r}: expected one of {', '.join(ENGINES)}")


def default_engine() -> HelmEngine:
    """The in-process SDK when installed, else the `helm` binary."""
    try:
        return InProcessHelm()
    except ImportError:
        return HelmCLI()
