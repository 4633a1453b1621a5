"""Resources and ordered, id-indexed lists of them.

A resource is a plain dict body plus what sluice knows about where it came from and
which names it had before (kustomize renames resources; references and patches still
find them by their earlier ids).
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from importlib import resources as importlib_resources
from typing import Any, Iterable, Iterator, NamedTuple

from .errors import RenderError

DEFAULT_NS = "default"
CLUSTER_NS = "~cluster"  # the effective namespace of cluster-scoped resources


@functools.cache
def _scope_table() -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
    text = importlib_resources.files("renderer.data").joinpath("cluster_scoped.json").read_text("utf-8")
    table = json.loads(text)
    return (frozenset((a, k) for a, k in table["clusterScoped"]), frozenset((a, k) for a, k in table["namespaced"]))


def is_cluster_scoped(api_version: str, kind: str) -> bool:
    """Whether kustomize treats apiVersion+kind as cluster-scoped (exact match, as its table)."""
    return (api_version, kind) in _scope_table()[0]


def is_builtin_kind(api_version: str, kind: str) -> bool:
    """Whether apiVersion+kind is in kustomize's precomputed scope table (a built-in type)."""
    cluster, namespaced = _scope_table()
    return (api_version, kind) in cluster or (api_version, kind) in namespaced


def split_api_version(api_version: str) -> tuple[str, str]:
    """'apps/v1' -> ('apps', 'v1'); 'v1' -> ('', 'v1')."""
    if "/" in api_version:
        group, _, version = api_version.rpartition("/")
        return group, version
    return "", api_version


@dataclass(frozen=True, slots=True)
class Gvk:
    group: str
    version: str
    kind: str

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def cluster_scoped(self) -> bool:
        return is_cluster_scoped(self.api_version, self.kind)

    def selected_by(self, group: str = "", version: str = "", kind: str = "") -> bool:
        return (not group or group == self.group) and (not version or version == self.version) and (
            not kind or kind == self.kind
        )

    def __str__(self) -> str:
        return f"{self.group}_{self.version}_{self.kind}"


@dataclass(frozen=True, slots=True)
class ResId:
    """Identity of a resource: group/version/kind, namespace and name."""

    gvk: Gvk
    name: str
    namespace: str = ""

    @property
    def ns_key(self) -> str:
        """Effective namespace: '' and 'default' are the same; cluster-scoped ids have none."""
        if self.gvk.cluster_scoped:
            return CLUSTER_NS
        return self.namespace or DEFAULT_NS

    def key(self) -> tuple[str, str, str, str, str]:
        """Dictionary key for equality as kustomize compares ids ('' namespace == 'default')."""
        return (self.gvk.group, self.gvk.version, self.gvk.kind, self.ns_key, self.name)

    def __str__(self) -> str:
        ns = self.namespace or "[noNs]"
        return f"{self.gvk.kind}.{self.gvk.version}.{self.gvk.group or '[noGrp]'}/{self.name}.{ns}"


@functools.lru_cache(maxsize=4096)
def _gvk(api_version: str, kind: str) -> Gvk:
    group, version = split_api_version(api_version)
    return Gvk(group, version, kind)


def gvk_of(body: dict[str, Any]) -> Gvk:
    api_version = body.get("apiVersion") or ""
    kind = body.get("kind") or ""
    return _gvk(api_version if isinstance(api_version, str) else str(api_version), kind if isinstance(kind, str) else str(kind))


def as_map(value: Any) -> dict[str, Any]:
    """`value` when it is a mapping, else an empty one (for optional fields of user YAML)."""
    return value if isinstance(value, dict) else {}


def metadata(body: dict[str, Any]) -> dict[str, Any]:
    meta = body.get("metadata")
    if not isinstance(meta, dict):
        meta = {}
        body["metadata"] = meta
    return meta


@dataclass(frozen=True, slots=True, order=True)
class Origin:
    """Where a rendered resource is written: the repository-relative file and the 1-based
    line its document starts on (0: the file is known, the line is not). `repo` names
    another repository (sluice.yaml `repositories`, a normalised repoURL) when the file is
    there, "" for the repository being rendered. Plain data: it crosses process
    boundaries (pickled) and render caches (`to_json`)."""

    file: str
    line: int = 0
    repo: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{self.repo}//{where}" if self.repo else where

    def to_json(self) -> list[Any]:
        return [self.file, self.line, self.repo] if self.repo else [self.file, self.line]

    @classmethod
    def from_json(cls, value: Any) -> "Origin":
        file, line, *rest = value
        return cls(str(file), int(line), str(rest[0]) if rest else "")


NO_ORIGIN = Origin("")
"""A resource no file stands for (e.g. a Namespace Helm creates for a release)."""


class Placed(NamedTuple):
    """A rendered body and where it came from, as engines hand them on."""

    body: dict[str, Any]
    origin: Origin


def bodies(placed: Iterable[Placed]) -> list[dict[str, Any]]:
    return [p.body for p in placed]


@dataclass(slots=True)
class Resource:
    body: dict[str, Any]
    origin: str | None = None
    line: int | None = None
    prev_ids: list[ResId] = field(default_factory=list)
    # generator bookkeeping (kustomize): merge/replace behaviour and hash suffix wish
    behavior: str = ""
    needs_hash: bool = False
    # identity of the kustomization that produced/loaded it, for name-reference scoping
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def gvk(self) -> Gvk:
        return gvk_of(self.body)

    @property
    def kind(self) -> str:
        return str(self.body.get("kind") or "")

    def _metadata_text(self, key: str) -> str:
        meta = self.body.get("metadata")
        value = meta.get(key) if isinstance(meta, dict) else None
        return "" if value is None else str(value)

    @property
    def name(self) -> str:
        return self._metadata_text("name")

    @property
    def namespace(self) -> str:
        return self._metadata_text("namespace")

    @property
    def id(self) -> ResId:
        return ResId(self.gvk, self.name, self.namespace)

    @property
    def org_id(self) -> ResId:
        """The id the resource was first loaded (or generated) with."""
        return self.prev_ids[0] if self.prev_ids else self.id

    def all_ids(self) -> list[ResId]:
        return [*self.prev_ids, self.id]

    def record_rename(self) -> None:
        """Remember the current id before a transformer changes name/namespace/kind."""
        self.prev_ids.append(self.id)

    def place(self) -> Origin:
        """The file and line the resource came from (its document; a generator's entry)."""
        return Origin(self.origin or "", self.line or 0)

    def where(self) -> str:
        if self.origin is None:
            return str(self.id)
        return f"{self.origin}:{self.line}" if self.line else self.origin

    def copy(self) -> "Resource":
        import copy as _copy

        return Resource(
            body=_copy.deepcopy(self.body),
            origin=self.origin,
            line=self.line,
            prev_ids=list(self.prev_ids),
            behavior=self.behavior,
            needs_hash=self.needs_hash,
            extra=dict(self.extra),
        )


class ResourceList:
    """Resources in load order, indexed by current id; duplicates are errors."""

    def __init__(self, items: Iterable[Resource] = ()) -> None:
        self._items: list[Resource] = []
        self._by_key: dict[tuple[str, str, str, str, str], Resource] = {}
        self._lookup: "_Lookup | None" = None
        for item in items:
            self.append(item)

    def __iter__(self) -> Iterator[Resource]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> Resource:
        return self._items[index]

    def append(self, res: Resource) -> None:
        key = res.id.key()
        existing = self._by_key.get(key)
        if existing is not None:
            raise RenderError(
                f"may not add resource with an already registered id: {res.id} "
                f"(first from {existing.where()}, again from {res.where()})",
                file=res.origin,
                line=res.line,
            )
        self._by_key[key] = res
        self._items.append(res)
        self._lookup = None

    def extend(self, items: Iterable[Resource]) -> None:
        for item in items:
            self.append(item)

    def get(self, rid: ResId) -> Resource | None:
        return self._by_key.get(rid.key())

    def replace_all(self, items: Iterable[Resource]) -> None:
        """Rebuild after transformers changed ids (keeps order, rechecks duplicates)."""
        old = self._items
        self._items = []
        self._by_key = {}
        self._lookup = None
        try:
            for item in items:
                self.append(item)
        except RenderError:
            self._items = old
            raise

    def reindex(self) -> None:
        self.replace_all(list(self._items))

    def remove(self, res: Resource) -> None:
        self._items = [r for r in self._items if r is not res]
        self._by_key.pop(res.id.key(), None)
        self._lookup = None

    def items(self) -> list[Resource]:
        return list(self._items)

    def refresh(self, touched: Iterable[Resource], before: list[tuple[str, str, str, str, str]]) -> None:
        """Reindex only if a transformer changed the id of one of the resources it touched."""
        if [r.id.key() for r in touched] != before:
            self.reindex()

    def _index(self) -> "_Lookup":
        if self._lookup is None:
            self._lookup = _Lookup(self._items)
        return self._lookup

    def with_any_id(self, key: tuple[str, str, str, str, str]) -> list[Resource]:
        """Resources whose current or any previous id has this key, in list order."""
        return list(self._index().by_any_key.get(key, ()))

    def named(self, name: str) -> list[Resource]:
        """Resources whose current or original name is `name`, in list order."""
        return list(self._index().by_name.get(name, ()))


class _Lookup:
    """Indexes of a resource list by every id and by current/original name (built lazily)."""

    def __init__(self, items: list[Resource]) -> None:
        self.by_any_key: dict[tuple[str, str, str, str, str], list[Resource]] = {}
        self.by_name: dict[str, list[Resource]] = {}
        for res in items:
            keys = {rid.key() for rid in res.all_ids()}
            for key in keys:
                self.by_any_key.setdefault(key, []).append(res)
            names = {res.name, res.org_id.name}
            for name in names:
                self.by_name.setdefault(name, []).append(res)
