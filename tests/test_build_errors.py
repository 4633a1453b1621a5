"""Bad input to `sluice build`: a clear message naming the file (and line), exit code 2,
and no output written."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from renderer.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "kustomize"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        ("missing-resource", ["missing-resource/kustomization.yaml", "does-not-exist.yaml"]),
        ("escape-absolute", ["absolute path", "/etc/hostname"]),
        ("malformed-yaml", ["malformed-yaml/service.yaml:"]),
        ("cycle/a", ["cycle", "cycle/a", "cycle/b"]),
        ("unknown-field", ["unknown-field/kustomization.yaml", "namePrefx"]),
        ("duplicate-resource", ["already registered id", "one.yaml", "two.yaml"]),
        ("yaml-bomb", ["yaml-bomb/bomb.yaml"]),
        ("bad-patch-target", ["no resource matches strategic merge patch", "not-there"]),
        ("remote-resource", ["https://github.com/example/repo//deploy?ref=v1", "offline"]),
    ],
)
def test_bad_input_exits_2_naming_the_file(scenario: str, expected: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "out.yaml"
    code, out, err = run(["build", str(FIXTURES / scenario), "--out", str(out_file)], capsys)
    assert code == 2, err
    assert out == ""
    assert not out_file.exists(), "nothing is written on error"
    for needle in expected:
        assert needle in err, f"{needle!r} not in {err!r}"
    assert err.startswith("error: ") and err.count("\n") == 1, "one line, no traceback"


def test_escape_without_a_repository_is_judged_by_the_load_restrictor(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --repo the boundary is kustomize's: `../../../../etc/passwd` is either absent
    where the checkout lives or outside the kustomization root; both are exit 2."""
    code, out, err = run(["build", str(FIXTURES / "escape-dotdot")], capsys)
    assert code == 2 and out == ""
    assert ("does not exist" in err or "LoadRestrictionsRootOnly" in err) and "root:" not in err


def test_escape_from_a_named_repository_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["build", str(FIXTURES / "escape-dotdot"), "--repo", str(FIXTURES)], capsys)
    assert code == 2 and out == ""
    assert "escapes the repository root" in err and err.count("\n") == 1


def test_malformed_yaml_names_the_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(["build", str(FIXTURES / "malformed-yaml")], capsys)
    assert code == 2
    line = int(err.split("service.yaml:")[1].split(":")[0])
    assert 5 <= line <= 7, err


def test_symlink_out_of_the_repository_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stolen\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    app = repo / "app"
    app.mkdir()
    os.symlink(outside / "secret.yaml", app / "secret.yaml")
    (app / "kustomization.yaml").write_text("resources:\n- secret.yaml\n")
    code, out, err = run(["build", str(app)], capsys)
    assert code == 2
    assert "symlink" in err and "secret.yaml" in err
    assert out == ""


def test_symlink_within_the_kustomization_is_fine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = tmp_path / "repo" / "app"
    (app / "shared").mkdir(parents=True)
    (app / "shared" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n")
    os.symlink(app / "shared" / "cm.yaml", app / "cm.yaml")
    (app / "kustomization.yaml").write_text("resources:\n- cm.yaml\n")
    code, out, err = run(["build", str(app)], capsys)
    assert code == 0, err
    assert "name: shared" in out


def test_symlink_to_elsewhere_in_the_repository_is_refused_as_kubectl_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """kustomize's root-only restrictor judges the resolved path: a symlink in the
    kustomization directory to a file beside it (not below it) is refused."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "shared").mkdir()
    (repo / "shared" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n")
    app = repo / "app"
    app.mkdir()
    os.symlink(repo / "shared" / "cm.yaml", app / "cm.yaml")
    (app / "kustomization.yaml").write_text("resources:\n- cm.yaml\n")
    code, out, err = run(["build", str(app)], capsys)
    assert code == 2 and out == ""
    assert "LoadRestrictionsRootOnly" in err


def test_load_restrictor_none_lifts_the_root_only_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "common").mkdir()
    (repo / "common" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: common\n")
    (repo / "app").mkdir()
    (repo / "app" / "kustomization.yaml").write_text("resources:\n- ../common/cm.yaml\n")
    code, _out, err = run(["build", str(repo / "app")], capsys)
    assert code == 2 and "LoadRestrictionsRootOnly" in err
    code, out, err = run(["build", str(repo / "app"), "--load-restrictor", "LoadRestrictionsNone"], capsys)
    assert code == 0, err
    assert "name: common" in out
