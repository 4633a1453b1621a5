"""Shared test configuration: test the work tree even when sluice is not installed."""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests check behaviour, not speed (timing lives in bench/): no per-example deadline,
# which a loaded 2-core runner would trip. In CI (CI set, as forges and .ci/run set it) the
# examples are derandomised, so a run is repeatable; locally each run explores anew.
settings.register_profile("sluice", deadline=None, suppress_health_check=[HealthCheck.too_slow],
                          derandomize=bool(os.environ.get("CI")))
settings.load_profile("sluice")

REPO_ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("renderer") is None:  # not installed: test the work tree
    sys.path.insert(0, str(REPO_ROOT))

# the oracles (kubectl, helm) install into the interpreter's bin dir: find them even
# when the venv is not activated (`.venv/bin/python -m pytest`)
_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")


@pytest.fixture
def user_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user with no Helm or Docker configuration of their own (credentials tests write theirs)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var in ("HELM_REGISTRY_CONFIG", "HELM_REPOSITORY_CONFIG", "HELM_CONFIG_HOME", "DOCKER_CONFIG", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(var, raising=False)
    return home


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    """Print the kustomize conformance counts (structural and byte-identical) after the run."""
    from collections import Counter

    counts: Counter[str] = Counter()
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []) + terminalreporter.stats.get("xfailed", []):
        nodeid = report.nodeid
        if "test_conformance_kustomize.py::test_" not in nodeid or report.when != "call":
            continue
        name = nodeid.split("::")[1].split("[")[0]
        counts[(name, report.outcome == "passed")] += 1  # type: ignore[index]
    rows = [("structural", "test_structural"), ("byte-identical", "test_byte_identical"), ("own cases, byte-identical", "test_own_cases_byte_identical")]
    lines = []
    for label, name in rows:
        ok, bad = counts[(name, True)], counts[(name, False)]  # type: ignore[index]
        if ok or bad:
            lines.append(f"kustomize conformance, {label}: {ok} passed, {bad} failed")
    if lines:
        terminalreporter.write_sep("-", "conformance against kubectl kustomize")
        for line in lines:
            terminalreporter.write_line(line)
