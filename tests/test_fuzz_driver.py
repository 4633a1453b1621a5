"""tools/fuzz_cli.py, the fuzz campaign against the untrusted pull request promise: a case
is a function of its seed (replayable from the log), and its checks catch what they are
for (a planted value in any base64 alignment, a marker from outside)."""
from __future__ import annotations

import base64
import hashlib
import os
import random
import shutil
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parent.parent / "tools"
sys.path.insert(0, str(TOOLS))

import fuzz_cli  # noqa: E402
import fuzz_mutators as fm  # noqa: E402


def _build(base: Path, seed: str) -> dict[str, str]:
    """The repository case `seed` builds from the demo fleet: path -> digest (links by target)."""
    rng = random.Random(seed)
    repo = base / "repo"
    (base / "outside").mkdir(parents=True)
    repo.mkdir()
    _name, src, parts = fuzz_cli.seeds(fuzz_cli.HERE)[0]
    for part in parts:
        s = src / part
        shutil.copytree(s, repo / part, symlinks=True) if s.is_dir() else shutil.copy2(s, repo / part)
    fuzz_cli.harness(repo, rng, rng.random() < 0.75)
    fm.mutate(repo, rng)
    out = {}
    for dirpath, dirnames, files in os.walk(os.fsencode(repo)):
        dirnames.sort()
        for name in sorted(files + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, os.fsencode(repo)).decode("utf-8", "surrogateescape")
            if os.path.islink(path):
                out[rel] = "-> " + os.readlink(path).decode("utf-8", "surrogateescape").replace(str(base), "BASE")
            elif os.path.isfile(path) and os.path.getsize(path) < 50_000_000:
                with open(path, "rb") as fh:
                    out[rel] = hashlib.sha256(fh.read().replace(os.fsencode(base), b"BASE")).hexdigest()
            else:
                out[rel] = "special"
    fm.make_unreadable_safe(repo)
    return out


@pytest.mark.parametrize("seed", ["7:0", "7:1", "7:2", "7:3", "7:4", "7:5"])
def test_a_case_is_the_same_repository_on_every_run(tmp_path: Path, seed: str) -> None:
    first, second = _build(tmp_path / "a", seed), _build(tmp_path / "b", seed)
    assert first == second
    assert any(first != _build(tmp_path / f"c{i}", f"7:{i + 100}") for i in range(3))


@pytest.mark.parametrize("prefix", ["", "x", "xy"])
def test_the_secret_check_finds_a_value_in_any_base64_alignment(prefix: str) -> None:
    checks = fuzz_cli.Checks()
    encoded = base64.b64encode((prefix + fm.secret_value(42) + "tail").encode()).decode()
    assert checks.scan(f"data:\n  password: {encoded}\n", False) == ["leak-secret"]
    assert checks.scan(f"data:\n  password: {encoded}\n", True) == []
    assert checks.scan("password: <redacted>", False) == []


def test_the_outside_checks_name_the_marker() -> None:
    checks = fuzz_cli.Checks()
    assert checks.scan(f"error: {fm.OUTSIDE_MARKER}", False) == [f"leak-outside:{fm.OUTSIDE_MARKER}"]
    assert checks.scan("root:x:0:0:root:/root:/bin/bash", False) == ["leak-outside:root:x:0:0:"]
