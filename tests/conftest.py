"""Shared test configuration.

TEMPORARY stand-in: until `renderer/yaml.py` lands, install a minimal PyYAML-based
module with the same API (`load_documents`, `load_documents_with_lines`,
`dump_document`, `dump_documents`) so that the render tests can run. It is used only
when `renderer.yaml` cannot be imported; delete this block once the real module exists
(and refresh snapshots with `pytest --snapshot-update`, reviewing the diff).
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("renderer") is None:  # not installed: test the work tree
    sys.path.insert(0, str(REPO_ROOT))


def _install_yaml_standin() -> None:
    try:
        importlib.import_module("renderer.yaml")
        return
    except ModuleNotFoundError as exc:
        if exc.name != "renderer.yaml":
            raise
    import yaml as pyyaml

    from renderer.errors import InputError

    loader_cls = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)
    dumper_cls = getattr(pyyaml, "CSafeDumper", pyyaml.SafeDumper)

    def load_documents_with_lines(text: str, source: str) -> list[tuple[Any, int]]:
        loader = loader_cls(text)
        out: list[tuple[Any, int]] = []
        try:
            while loader.check_node():
                node = loader.get_node()
                out.append((loader.construct_document(node), node.start_mark.line + 1))
        except pyyaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise InputError(f"invalid YAML: {exc.problem or exc}", file=source, line=mark.line + 1 if mark else None) from None
        finally:
            loader.dispose()
        return out

    def load_documents(text: str, source: str) -> list[Any]:
        return [doc for doc, _ in load_documents_with_lines(text, source)]

    def dump_document(obj: Any) -> str:
        return pyyaml.dump(obj, Dumper=dumper_cls, sort_keys=True, default_flow_style=False, allow_unicode=True, width=1 << 30)

    def dump_documents(objs: Any) -> str:
        return "---\n".join(dump_document(obj) for obj in objs)

    module = types.ModuleType("renderer.yaml")
    module.__doc__ = "TEMPORARY test stand-in for renderer/yaml.py (tests/conftest.py)"
    module.load_documents = load_documents  # type: ignore[attr-defined]
    module.load_documents_with_lines = load_documents_with_lines  # type: ignore[attr-defined]
    module.dump_document = dump_document  # type: ignore[attr-defined]
    module.dump_documents = dump_documents  # type: ignore[attr-defined]
    module.STANDIN = True  # type: ignore[attr-defined]
    sys.modules["renderer.yaml"] = module
    import renderer

    renderer.yaml = module  # type: ignore[attr-defined]


_install_yaml_standin()
