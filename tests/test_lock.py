"""The lock is the install: it must follow pyproject.toml, and the pre-commit hook must pin
what it pins (tools/lock.py; `make lock` refreshes both)."""
from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("sluice_lock_tool", ROOT / "tools" / "lock.py")
assert _spec and _spec.loader
lock_tool = importlib.util.module_from_spec(_spec)
sys.modules["sluice_lock_tool"] = lock_tool
_spec.loader.exec_module(lock_tool)


def test_lock_and_hook_pins_are_up_to_date() -> None:
    assert lock_tool.problems() == []


def test_every_declared_requirement_is_locked_at_an_allowed_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = lock_tool.locked_pins((ROOT / "requirements" / "lock.txt").read_text())
    declared = list(project["dependencies"]) + list(project["optional-dependencies"]["test"])
    for text in declared:
        req = Requirement(text)
        name = lock_tool._canonical(req.name)
        assert name in pins, f"{req.name} is declared but not locked"
        assert req.specifier.contains(pins[name][0], prereleases=True), f"{req.name}=={pins[name][0]} outside {req.specifier}"


def test_every_locked_package_is_hash_pinned() -> None:
    text = (ROOT / "requirements" / "lock.txt").read_text()
    blocks = [b for b in text.split("\n") if b and not b.startswith((" ", "#"))]
    assert blocks, "empty lock"
    for line in blocks:
        assert "==" in line and line.rstrip().endswith("\\"), f"not pinned with hashes: {line}"


def test_a_changed_requirement_is_detected(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text((ROOT / "pyproject.toml").read_text().replace('"click>=8.1"', '"click>=8.2"'))
    monkeypatch.setattr(lock_tool, "PYPROJECT", pyproject)
    assert any("does not match pyproject.toml" in p for p in lock_tool.problems())
