"""Load and validate a kustomization file, including the spellings kustomize v5 still accepts."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.errors import InputError
from ..core.fs import RepoFS, join
from .schema import KUSTOMIZATION, decode

FILE_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
KUSTOMIZATION_VERSION = "kustomize.config.k8s.io/v1beta1"
COMPONENT_VERSION = "kustomize.config.k8s.io/v1alpha1"

KNOWN_FIELDS = frozenset(KUSTOMIZATION.fields)


def find_kustomization(fs: RepoFS, directory: str) -> str | None:
    """The kustomization file of `directory`, or None; two of them is an error (as kustomize)."""
    if not fs.is_dir(directory):
        return None
    found = [name for name in FILE_NAMES if fs.is_file(join(directory, name))]
    if len(found) > 1:
        raise InputError(f"found multiple kustomization files: {', '.join(found)}", file=directory)
    return found[0] if found else None


@dataclass
class Kustomization:
    """A validated kustomization: `data` holds the fields with deprecated spellings folded in."""

    path: str  # the kustomization file, repo-relative
    dir: str
    data: dict[str, Any]
    origin: str | None = None  # path relative to the top kustomization, when origins are tracked
    _lines: dict[str, list[int]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def file_name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def kind(self) -> str:
        return str(self.data.get("kind") or "Kustomization")

    @property
    def is_component(self) -> bool:
        return self.kind == "Component"

    def list(self, key: str) -> list[Any]:
        return list(self.data.get(key) or [])

    def map(self, key: str) -> dict[str, Any]:
        return dict(self.data.get(key) or {})

    def entry_line(self, fs: RepoFS, key: str, index: int) -> int:
        """The 1-based line where entry `index` of the list field `key` is written in this
        file (a generator's entry: the origin of what it generates); 0 when not found."""
        lines = self._lines.get(key)
        if lines is None:
            from ..core.yaml import top_level_item_lines

            lines = self._lines[key] = top_level_item_lines(fs.text_as_written(self.path), key)
        return lines[index] if 0 <= index < len(lines) else 0

    def str(self, key: str) -> str:
        value = self.data.get(key)
        return "" if value is None else str(value)


def load_kustomization(fs: RepoFS, directory: str) -> Kustomization:
    name = find_kustomization(fs, directory)
    if name is None:
        raise InputError(
            "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory",
            file=directory,
        )
    path = join(directory, name)
    docs = fs.load_yaml(path, dialect="config")
    if not docs:
        raise InputError("kustomization.yaml is empty", file=path)
    if len(docs) > 1:
        raise InputError("a kustomization file must hold one YAML document", file=path, line=docs[1][1])
    raw, line = docs[0]
    if not isinstance(raw, dict):
        raise InputError("invalid Kustomization: expected a mapping at the top level", file=path, line=line)
    return Kustomization(path=path, dir=directory, data=_validate(dict(raw), path))


# FixKustomization's folds: `kept = append(kept, moved...)`, then `moved = nil`
_FOLDED = (("resources", "bases"), ("images", "imageTags"), ("helmCharts", "helmChartInflationGenerator"))


def is_empty(data: dict[str, Any]) -> bool:
    """kustomize's CheckEmpty: after the deprecated fields are folded in, every field but kind
    and apiVersion holds Go's zero value. A field written as an empty list or map is not zero
    (Go decodes it to a non-nil value); a null or an empty string is. Appending nothing to a
    nil list leaves it nil, so `bases: []` alone is still empty."""
    nonzero = {key for key, value in data.items()
               if key not in ("kind", "apiVersion") and value is not None and value != ""}
    for kept, moved in _FOLDED:
        nonzero.discard(moved)
        if data.get(kept) is None and data.get(moved):
            nonzero.add(kept)
    return not nonzero


def _validate(raw: dict[str, Any], path: str) -> dict[str, Any]:
    # field names, nesting and scalar types as Go's encoding/json decodes them
    data = decode(raw, KUSTOMIZATION, path)
    if is_empty(data):
        raise InputError("kustomization.yaml is empty", file=path)
    kind = data.get("kind") or "Kustomization"
    if kind not in ("Kustomization", "Component"):
        raise InputError("kind should be Kustomization or Component", file=path)
    required = COMPONENT_VERSION if kind == "Component" else KUSTOMIZATION_VERSION
    if data.get("apiVersion") and data["apiVersion"] != required:
        raise InputError(f"apiVersion for {kind} should be {required}", file=path)
    # deprecated spellings folded in, as kustomize's FixKustomization does
    data["resources"] = list(data.get("resources") or []) + list(data.pop("bases", None) or [])
    data["images"] = list(data.get("images") or []) + list(data.pop("imageTags", None) or [])
    for key in ("configMapGenerator", "secretGenerator"):
        gens = []
        for gen in data.get(key) or []:
            if not isinstance(gen, dict):
                raise InputError(f"invalid Kustomization: entries of '{key}' must be mappings", file=path)
            gen = dict(gen)
            if gen.get("env"):
                gen["envs"] = list(gen.get("envs") or []) + [gen.pop("env")]
            gens.append(gen)
        data[key] = gens
    for key in ("resources", "components", "crds", "configurations"):
        for entry in data.get(key) or []:
            if not isinstance(entry, str):
                raise InputError(f"invalid Kustomization: entries of '{key}' must be strings, got {entry!r}", file=path)
    return data
