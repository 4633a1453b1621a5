"""The run's ceilings belong to whoever runs sluice: sluice.yaml `limits` (which a pull
request controls) may lower them, never raise them; `--limit KEY=N` and the Python API's
`raised_limits` raise them for one run, and nothing leaks into the next."""
from __future__ import annotations

from pathlib import Path

import pytest

from renderer.cli import main
from renderer.core.fs import RepoFS
from renderer.core.limits import DEFAULTS, ceilings, raised_limits
from renderer.fleet.config import load_config
from trees import write_tree

REPO_URL = "https://github.com/example/platform.git"


def fleet(root: Path, generated: int, limits: str = "") -> Path:
    """One ApplicationSet whose list generator makes `generated` Applications."""
    elements = ", ".join(f"{{x: '{i}'}}" for i in range(generated))
    return write_tree(root, {
        "sluice.yaml": f"repoURL: {REPO_URL}\n" + (f"limits: {{{limits}}}\n" if limits else ""),
        "apps/set.yaml": f"""
            apiVersion: argoproj.io/v1alpha1
            kind: ApplicationSet
            metadata: {{name: many, namespace: argocd}}
            spec:
              generators:
              - list: {{elements: [{elements}]}}
              template:
                metadata: {{name: "a-{{{{x}}}}"}}
                spec:
                  source: {{repoURL: {REPO_URL}, path: app}}
                  destination: {{name: in-cluster, namespace: a}}
            """,
        "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n",
    })


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out + err


def test_the_repository_cannot_raise_a_ceiling(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = fleet(tmp_path / "repo", 8, "generatedApplications: 1000")
    code, text = run(capsys, "get", "targets", str(repo), "--limit", "generatedApplications=5")
    assert code == 2
    assert "apps/set.yaml" in text and "more than 5 Applications" in text and "--limit generatedApplications=N" in text


def test_a_repository_value_above_the_ceiling_is_a_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = fleet(tmp_path / "repo", 3, "generatedApplications: 1000")
    code, text = run(capsys, "render", str(repo), "--out", str(tmp_path / "out"), "--limit", "generatedApplications=5")
    assert code == 0
    assert "sluice.yaml:2: limits.generatedApplications: 1000 is above this run's ceiling, 5" in text


def test_the_repository_can_lower_a_ceiling(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = fleet(tmp_path / "repo", 4, "generatedApplications: 3")
    code, text = run(capsys, "verify", str(repo))
    assert code == 2 and "more than 3 Applications" in text


def test_the_command_line_raises_a_ceiling_for_one_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = fleet(tmp_path / "repo", 12, "generatedApplications: 12")
    assert run(capsys, "render", str(repo), "--out", str(tmp_path / "out"), "--limit", "generatedApplications=12")[0] == 0
    assert ceilings() == DEFAULTS  # closed with the command
    with raised_limits({"generatedApplications": 3}):
        code, text = run(capsys, "render", str(repo), "--out", str(tmp_path / "out2"))
    assert code == 2 and "more than 3 Applications" in text


def test_api_ceilings_reach_the_config_and_are_restored() -> None:
    fs = RepoFS(Path(__file__).resolve().parent.parent / "fixtures" / "zero-config")
    assert load_config(fs).helm_render_seconds == DEFAULTS["helmRenderSeconds"]
    with raised_limits({"helmRenderSeconds": 600}) as now:
        assert now["helmRenderSeconds"] == 600 and load_config(fs).helm_render_seconds == 600
    assert load_config(fs).helm_render_seconds == DEFAULTS["helmRenderSeconds"]


@pytest.mark.parametrize("bad", ["generatedApplications", "nope=3", "helmRenderSeconds=0", "helmOutputBytes=-1",
                                 "helmRenderSeconds=1e9", "helmRenderSeconds=" + "9" * 40])
def test_a_bad_limit_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str) -> None:
    repo = fleet(tmp_path / "repo", 1)
    code, text = run(capsys, "verify", str(repo), "--limit", bad)
    assert code == 2 and "--limit" in text


def test_unknown_keys_are_refused_by_the_api() -> None:
    from renderer.core.errors import InputError

    with pytest.raises(InputError, match="unknown limit 'nope'"):
        with raised_limits({"nope": 1}):
            pass
