"""The sharded pipelines people copy (examples/github/shards.yml, examples/argo-workflows/
sluice-shards.yaml): linted (actionlint; the Workflow checked structurally), and their shell
steps run here in a simulation of the fan-out (each shard's steps in its own clone) and the
fan-in (the join), against a bare remote: the same branches as one `sluice hydrate`."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

try:
    from tests.gitrepos import git, init_bare, isolated_git_env, refs_of
    from tests.test_ci_examples import _lint
    from tests.test_scale import FIXED, _dry
except ModuleNotFoundError:  # tests/ is not a package
    from gitrepos import git, init_bare, isolated_git_env, refs_of
    from test_ci_examples import _lint
    from test_scale import FIXED, _dry

__all__ = ["isolated_git_env"]

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / "examples" / "github" / "shards.yml"
ARGO = ROOT / "examples" / "argo-workflows" / "sluice-shards.yaml"


def _bash(script: str, cwd: Path, env: dict[str, str]) -> None:
    bindir = Path(sys.executable).parent  # sluice as installed here (the steps install it only when absent)
    full = {**os.environ, **env, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-c", script], cwd=cwd, env=full, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def _single(tmp_path: Path, root: Path) -> dict[str, str]:
    remote = init_bare(tmp_path / "single.git")
    _bash(f"sluice hydrate . --remote {remote}", root, FIXED)
    return refs_of(remote)


def test_github_workflow_lints() -> None:
    assert _lint([GITHUB]) == {str(GITHUB): []}


def _gh_steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if "run" in s and not s.get("name", "").startswith("Install")]


def test_github_matrix_simulated(tmp_path: Path, isolated_git_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in FIXED.items():
        monkeypatch.setenv(key, value)
    root = _dry(tmp_path)
    expected = _single(tmp_path, root)
    workflow = yaml.safe_load(GITHUB.read_text())
    render, hydrate = workflow["jobs"]["render"], workflow["jobs"]["hydrate"]
    assert hydrate["needs"] == "render"
    shards = render["strategy"]["matrix"]["shard"]
    remote = init_bare(tmp_path / "joined.git")
    downloaded = tmp_path / "runner-hydrate"
    git("clone", "--quiet", str(root), str(downloaded))
    git("remote", "set-url", "origin", str(remote), cwd=downloaded)
    for shard in shards:  # fan-out: one runner (clone) per matrix entry
        runner = tmp_path / f"runner-{shard}"
        git("clone", "--quiet", str(root), str(runner))
        for step in _gh_steps(render):
            script = step["run"].replace("${{ matrix.shard }}", str(shard)).replace("~/.cache", str(tmp_path / "cache"))
            env = {k: str(v).replace("${{ matrix.shard }}", str(shard)) for k, v in (step.get("env") or {}).items()}
            _bash(script, runner, env)
        shutil.copytree(runner / f"shard-{shard}", tmp_path / "temp" / "shards" / f"shard-{shard}")  # up + download
    for step in _gh_steps(hydrate):  # fan-in
        _bash(step["run"], downloaded, {**FIXED, "RUNNER_TEMP": str(tmp_path / "temp")})
    assert refs_of(remote) == expected


ARGO_SCHEMA = ROOT / "fixtures" / "schemas" / "argo-workflows" / "schema.json.gz"


def test_argo_workflow_validates_against_argo_workflows_schema() -> None:
    """The Workflow against Argo Workflows' own JSON Schema (vendored with its licence), and
    the schema does catch a wrong type there (so the check can fail)."""
    import copy
    import gzip
    import json

    import jsonschema

    schema = json.loads(gzip.decompress(ARGO_SCHEMA.read_bytes()))
    workflow = {"$schema": schema["$schema"], "definitions": schema["definitions"],
                "$ref": "#/definitions/io.argoproj.workflow.v1alpha1.Workflow"}
    validator = jsonschema.Draft202012Validator(workflow)
    doc = yaml.safe_load(ARGO.read_text())
    assert [e.message for e in validator.iter_errors(doc)] == []
    broken = copy.deepcopy(doc)
    broken["spec"]["entrypoint"] = 5
    assert list(validator.iter_errors(broken))


def test_argo_workflow_structure() -> None:
    wf = yaml.safe_load(ARGO.read_text())
    assert wf["apiVersion"] == "argoproj.io/v1alpha1" and wf["kind"] == "Workflow"
    spec = wf["spec"]
    templates = {t["name"]: t for t in spec["templates"]}
    assert spec["entrypoint"] in templates and len(templates) == len(spec["templates"])
    params = {p["name"] for p in spec["arguments"]["parameters"]}
    tasks = templates["main"]["dag"]["tasks"]
    names = {t["name"] for t in tasks}
    for task in tasks:
        assert task["template"] in templates
        for dep in re.findall(r"[A-Za-z0-9-]+", task.get("depends", "")):
            assert dep in names
    for template in templates.values():
        for ref in re.findall(r"\{\{workflow\.parameters\.([\w-]+)\}\}", yaml.safe_dump(template)):
            assert ref in params, ref
        declared = {p["name"] for p in template.get("inputs", {}).get("parameters", [])}
        for ref in re.findall(r"\{\{inputs\.parameters\.([\w-]+)\}\}", yaml.safe_dump(template)):
            assert ref in declared, ref
        if "container" in template:
            assert set(template["container"]) <= {"image", "command", "args", "env", "resources"}
    shard_out = templates["render-shard"]["outputs"]["artifacts"][0]["s3"]["key"]
    assert templates["hydrate"]["inputs"]["artifacts"][0]["s3"]["key"] == shard_out  # fan-in reads the fan-out
    assert "requirements/runtime.txt" in templates["render-shard"]["container"]["args"][0]


def test_argo_fan_out_fan_in_simulated(tmp_path: Path, isolated_git_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in FIXED.items():
        monkeypatch.setenv(key, value)
    root = _dry(tmp_path)
    expected = _single(tmp_path, root)
    wf = yaml.safe_load(ARGO.read_text())
    templates = {t["name"]: t for t in wf["spec"]["templates"]}
    count = 3
    remote = init_bare(tmp_path / "joined.git")
    params = {"repo": str(root), "revision": "main", "remote": str(remote), "shards": str(count)}
    store = tmp_path / "artifacts"

    def run_pod(template: dict[str, Any], inputs: dict[str, str], pod: Path) -> None:
        def sub(text: str) -> str:
            text = re.sub(r"\{\{workflow\.parameters\.([\w-]+)\}\}", lambda m: params[m.group(1)], text)
            return re.sub(r"\{\{inputs\.parameters\.([\w-]+)\}\}", lambda m: inputs[m.group(1)], text)
        env = {e["name"]: sub(e["value"]) for e in template["container"]["env"]}
        script = template["container"]["args"][0].replace("/tmp/", f"{pod}/")
        pod.mkdir(parents=True)
        _bash(script, pod, {**env, **FIXED})

    for shard in range(1, count + 1):  # fan-out: one pod per item of withSequence
        pod = tmp_path / f"pod-{shard}"
        run_pod(templates["render-shard"], {"shard": str(shard)}, pod)
        shutil.copytree(pod / "out", store, dirs_exist_ok=True)  # the artifact key collects every shard
    pod = tmp_path / "pod-hydrate"
    (pod / "shards").parent.mkdir(parents=True)
    shutil.copytree(store, pod / "shards")
    hydrate = templates["hydrate"]
    env = {e["name"]: re.sub(r"\{\{workflow\.parameters\.([\w-]+)\}\}", lambda m: params[m.group(1)], e["value"])
           for e in hydrate["container"]["env"]}
    _bash(hydrate["container"]["args"][0].replace("/tmp/", f"{pod}/"), pod, {**env, **FIXED})
    assert refs_of(remote) == expected
