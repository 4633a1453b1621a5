"""Every command outside a git work tree: what needs git says so in one line (exit 2), what
does not need git works; `sluice build` confines reads as `kubectl kustomize` does."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import renderer
import renderer.core.errors
from renderer.cli import main

from gitrepos import DEMO_FILES, REPO_ROOT, copy_names
from trees import write_tree

KUBECTL = shutil.which("kubectl")
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def tarball_tree(tmp_path: Path) -> Path:
    """An overlay naming `../../base`, as extracted from a tarball: no `.git` anywhere above."""
    root = tmp_path / "extracted"
    write_tree(root, {
        "base/kustomization.yaml": "resources: [cm.yaml]\n",
        "base/cm.yaml": CONFIGMAP,
        "overlays/prod/kustomization.yaml": "resources: [../../base]\nnamePrefix: prod-\n",
    })
    assert not any((p / ".git").exists() for p in [root, *root.parents])
    return root


def test_build_reads_a_base_outside_the_directory_like_kubectl(tarball_tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["build", str(tarball_tree / "overlays/prod")], capsys)
    assert code == 0, err
    assert "name: prod-settings" in out
    if KUBECTL:
        oracle = subprocess.run([KUBECTL, "kustomize", str(tarball_tree / "overlays/prod")], capture_output=True, text=True, check=True)
        assert out == oracle.stdout


def test_python_api_build_has_the_same_boundary(tarball_tree: Path) -> None:
    docs = renderer.build(tarball_tree / "overlays/prod")
    assert [d["metadata"]["name"] for d in docs] == ["prod-settings"]


def test_build_with_repo_confines_to_the_repository(tarball_tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(["build", str(tarball_tree / "overlays/prod"), "--repo", str(tarball_tree / "overlays")], capsys)
    assert code == 2
    assert "escapes the repository root" in err and err.count("\n") == 1
    with pytest.raises(renderer.core.errors.InputError):
        renderer.build(tarball_tree / "overlays/prod", repo=tarball_tree / "overlays")


def test_load_restrictor_refuses_a_file_outside_the_kustomization(tarball_tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tarball_tree, {"overlays/prod/kustomization.yaml": "configMapGenerator:\n- name: gen\n  files: [../../base/cm.yaml]\n"})
    code, _out, err = run(["build", str(tarball_tree / "overlays/prod")], capsys)
    assert code == 2
    assert "LoadRestrictionsRootOnly" in err and str(tarball_tree / "overlays/prod/kustomization.yaml") in err
    code, out, err = run(["build", str(tarball_tree / "overlays/prod"), "--load-restrictor", "LoadRestrictionsNone"], capsys)
    assert code == 0, err
    assert "name: gen-" in out


def test_load_restrictor_follows_symlinks_as_kustomize_does(tmp_path: Path, tarball_tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A symlink inside the kustomization directory to a file outside it is refused: the
    check is on the resolved path, as kustomize's own (symlinks evaluated)."""
    secret = tmp_path / "outside.txt"
    secret.write_text("token=hunter2\n")
    os.symlink(secret, tarball_tree / "overlays/prod/leak.txt")
    write_tree(tarball_tree, {"overlays/prod/kustomization.yaml": "configMapGenerator:\n- name: gen\n  files: [leak.txt]\n"})
    code, out, err = run(["build", str(tarball_tree / "overlays/prod")], capsys)
    assert code == 2 and out == ""
    assert "hunter2" not in err and "LoadRestrictionsRootOnly" in err
    if KUBECTL:
        oracle = subprocess.run([KUBECTL, "kustomize", str(tarball_tree / "overlays/prod")], capture_output=True, text=True)
        assert oracle.returncode != 0


@pytest.fixture
def fleet_without_git(tmp_path: Path) -> Path:
    return copy_names(DEMO_FILES, REPO_ROOT, tmp_path / "fleet")


def test_commands_that_need_no_git_work(fleet_without_git: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(["render", str(fleet_without_git), "--out", str(tmp_path / "bundles")], capsys)
    assert code == 0, err
    assert list((tmp_path / "bundles").glob("*/*/manifest.yaml"))
    code, out, err = run(["verify", str(fleet_without_git)], capsys)
    assert code == 0, err + out
    code, out, err = run(["verify", str(fleet_without_git), "--changed"], capsys)
    assert code == 0, err + out


@pytest.mark.parametrize(("args", "needle"), [
    (["diff", "{repo}", "--base", "HEAD"], "not inside a git work tree"),
    (["hydrate", "{repo}", "--remote", "{tmp}/remote.git"], "not a git work tree"),
])
def test_commands_that_need_git_say_so_in_one_line(args: list[str], needle: str, fleet_without_git: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    argv = [a.format(repo=fleet_without_git, tmp=tmp_path) for a in args]
    code, out, err = run(argv, capsys)
    assert code == 2
    assert needle in err and err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err + out
    assert not (tmp_path / "remote.git").exists()


def test_every_command_the_readme_lists_works_without_git(fleet_without_git: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """get, report, appset, helm and flux outside a git work tree: the repository is the
    directory holding sluice.yaml, else the current directory (as REPO defaults to .)."""
    import json

    code, out, err = run(["get", "targets", str(fleet_without_git), "-o", "json"], capsys)
    assert code == 0 and len(json.loads(out)) == 8, err
    code, out, err = run(["report", str(fleet_without_git), "-o", "json"], capsys)
    assert code == 0 and json.loads(out)["summary"]["apps"] == 4, err
    code, out, err = run(["appset", "generate", str(fleet_without_git / "apps" / "worker-appset.yaml"), "-o", "json"], capsys)
    assert code == 0, err
    assert sorted(a["metadata"]["name"] for a in json.loads(out)) == ["production-worker", "staging-worker"]

    helm = copy_names(("operator", "releases", "values"), REPO_ROOT / "fixtures" / "helm", tmp_path / "charts")
    monkeypatch.chdir(helm)
    code, out, err = run(["helm", "values", "releases/operator.yaml"], capsys)
    assert code == 0 and "replicas: 2" in out, err
    flux = copy_names(("apps", "clusters", "components", "infra"), REPO_ROOT / "fixtures" / "flux" / "cluster", tmp_path / "flux")
    monkeypatch.chdir(flux)
    code, out, err = run(["flux", "build", "clusters/dev", "-o", "summary"], capsys)
    assert code == 0, err
    assert [row["kustomization"] for row in json.loads(out)] == ["flux-system/flux-system", "flux-system/infra", "flux-system/apps"]
