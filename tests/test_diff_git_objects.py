"""`sluice diff` reads committed content as git objects: no attributes, filters, textconv
or hooks apply, and symlinks in a revision are judged as in a working tree. Real
repositories, built here with git itself."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from renderer.cli import main
from renderer.diff.compare import ADDED, diff_revisions
from renderer.core.errors import InputError
from renderer.core.revision_tree import materialise
from gitrepos import FIXED_DATE, git, isolated_git_env  # noqa: F401 - fixtures
from trees import write_tree

APP = """
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata: {name: web}
    spec:
      source: {repoURL: https://github.com/example/platform.git, path: web}
      destination: {name: in-cluster, namespace: web}
    """
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {greeting: one}\n"
ADMIN = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: {name: pr-author-is-admin}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
    subjects: [{kind: User, name: mallory, apiGroup: rbac.authorization.k8s.io}]
    """
OUTSIDE_TEXT = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: stolen}\ndata: {token: OUTSIDE-SECRET-4711}\n"


def commit(repo: Path, message: str) -> str:
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", message, cwd=repo, env=FIXED_DATE)
    return git("rev-parse", "HEAD", cwd=repo)


@pytest.fixture
def dry(tmp_path: Path, isolated_git_env: Path) -> Path:  # noqa: F811
    """A one-app dry repository (`web/` is a plain directory of manifests), one commit."""
    repo = write_tree(tmp_path / "dry", {
        "sluice.yaml": "repoURL: https://github.com/example/platform\n",
        "apps/web.yaml": APP,
        "web/cm.yaml": CM,
    })
    git("init", "-q", "-b", "main", cwd=repo)
    commit(repo, "web")
    return repo


def kinds(result: object) -> set[tuple[str, str, str]]:
    return {(ch.key.kind, ch.key.name, ch.status) for c in result.clusters for a in c.apps for ch in a.changes}  # type: ignore[attr-defined]


def test_export_ignore_does_not_hide_a_file_from_the_diff(dry: Path) -> None:
    write_tree(dry, {"web/rbac.yaml": ADMIN, ".gitattributes": "web/rbac.yaml export-ignore\n*.yaml export-ignore\n"})
    commit(dry, "innocent")
    assert ("ClusterRoleBinding", "pr-author-is-admin", ADDED) in kinds(diff_revisions(dry, "HEAD~1", "HEAD"))


def test_filters_textconv_and_fsmonitor_of_the_repository_never_run(dry: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    write_tree(dry, {".gitattributes": "*.yaml filter=evil diff=evil\n", "web/cm.yaml": CM.replace("one", "two")})
    commit(dry, "attributes")
    command = f"sh -c 'touch {marker}; sed s/two/smudged/'"
    git("config", "filter.evil.smudge", command, cwd=dry)
    git("config", "filter.evil.clean", "cat", cwd=dry)
    git("config", "filter.evil.required", "true", cwd=dry)
    git("config", "diff.evil.textconv", f"sh -c 'touch {marker}; cat'", cwd=dry)
    git("config", "core.fsmonitor", f"sh -c 'touch {marker}'", cwd=dry)
    git("config", "core.hooksPath", str(tmp_path / "hooks"), cwd=dry)
    result = diff_revisions(dry, "HEAD~1", "HEAD")
    (change,) = [ch for c in result.clusters for a in c.apps for ch in a.changes]
    assert "+  greeting: two" in change.diff and "smudged" not in change.diff
    assert not marker.exists()


def test_injected_git_environment_is_ignored(dry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hook's GIT_DIR or injected config (GIT_CONFIG_PARAMETERS) does not reach the reads."""
    write_tree(dry, {"web/cm.yaml": CM.replace("one", "two")})
    commit(dry, "two")
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", "'core.attributesFile'='/etc/passwd'")
    assert {k[0] for k in kinds(diff_revisions(dry, "HEAD~1", "HEAD"))} == {"ConfigMap"}


def test_symlinks_inside_the_revision_are_followed(dry: Path) -> None:
    write_tree(dry, {"shared/extra.yaml": CM.replace("name: web", "name: extra")})
    os.symlink("../shared/extra.yaml", dry / "web" / "extra.yaml")
    commit(dry, "linked")
    assert kinds(diff_revisions(dry, "HEAD~1", "HEAD")) == {("ConfigMap", "extra", ADDED)}


@pytest.mark.parametrize("target", ["absolute", "dotdot", "through-another-link"])
def test_symlink_leaving_the_revision_is_refused_when_read(
    dry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str,
) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(OUTSIDE_TEXT)
    link = dry / "web" / "leak.yaml"
    if target == "absolute":
        os.symlink(outside, link)
    elif target == "dotdot":
        os.symlink("../../outside.yaml", link)
    else:  # `here -> .` stays inside; `web/leak.yaml -> ../here/../outside.yaml` does not
        os.symlink(".", dry / "here")
        os.symlink("../here/../outside.yaml", link)
    commit(dry, "leak")
    code = main(["diff", str(dry), "--base", "HEAD~1", "--head", "HEAD"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "web/leak.yaml" in err and "outside the repository" in err and "HEAD" in err
    assert "Traceback" not in err and "OUTSIDE-SECRET" not in out + err


def test_symlink_leaving_the_revision_is_harmless_when_unread(dry: Path, tmp_path: Path) -> None:
    (tmp_path / "outside.yaml").write_text(OUTSIDE_TEXT)
    (dry / "docs").mkdir()
    os.symlink("../../outside.yaml", dry / "docs" / "leak.txt")  # no reader opens a .txt
    write_tree(dry, {"web/cm.yaml": CM.replace("one", "two")})
    commit(dry, "unread link")
    assert {k[0] for k in kinds(diff_revisions(dry, "HEAD~1", "HEAD"))} == {"ConfigMap"}


def test_materialised_revision_keeps_content_modes_and_drops_submodules(dry: Path, tmp_path: Path) -> None:
    script = dry / "web" / "run.sh"
    script.write_bytes(b"#!/bin/sh\necho $Id$\n")
    script.chmod(0o755)
    commit(dry, "script")
    (dry / ".gitattributes").write_text("*.sh ident eol=crlf\n")  # a checkout would expand and convert
    git("add", "-A", cwd=dry)
    head = git("rev-parse", "HEAD", cwd=dry)
    git("update-index", "--add", "--cacheinfo", f"160000,{head},web/vendored", cwd=dry)
    target = git("hash-object", "-w", "--stdin", cwd=dry, input=b"/etc/passwd")
    git("update-index", "--add", "--cacheinfo", f"120000,{target},web/abs", cwd=dry)
    git("commit", "-q", "-m", "modes", cwd=dry, env=FIXED_DATE)
    root = materialise(dry, git("rev-parse", "HEAD", cwd=dry), "web", tmp_path / "m")
    assert sorted(p.name for p in root.iterdir()) == ["abs", "cm.yaml", "run.sh"]
    assert (root / "run.sh").read_bytes() == b"#!/bin/sh\necho $Id$\n"
    assert os.access(root / "run.sh", os.X_OK) and not os.access(root / "cm.yaml", os.X_OK)
    assert (root / "cm.yaml").read_text() == CM
    assert (root / "abs").is_symlink() and (root / "abs").read_bytes() == b""  # a stand-in, never /etc/passwd
    with pytest.raises(InputError, match="does not exist in revision"):
        materialise(dry, head, "no-such-dir", tmp_path / "n")


def test_dry_repository_in_a_subdirectory(tmp_path: Path, isolated_git_env: Path) -> None:  # noqa: F811
    top = tmp_path / "mono"
    dry = write_tree(top / "platform", {
        "sluice.yaml": "repoURL: https://github.com/example/platform\n", "apps/web.yaml": APP, "web/cm.yaml": CM,
    })
    write_tree(top, {"README.md": "monorepo\n"})
    git("init", "-q", "-b", "main", cwd=top)
    commit(top, "one")
    write_tree(dry, {"web/cm.yaml": CM.replace("one", "two")})
    commit(top, "two")
    assert {k[0] for k in kinds(diff_revisions(dry, "HEAD~1", "HEAD"))} == {"ConfigMap"}


def test_entry_this_file_system_cannot_hold_is_a_clean_error(dry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """git accepts names longer than the file system does: exit 2 naming the entry, no traceback."""
    blob = git("hash-object", "-w", "--stdin", cwd=dry, input=CM.encode())
    long_name = "web/" + "x" * 300 + ".yaml"
    git("update-index", "--add", "--cacheinfo", f"100644,{blob},{long_name}", cwd=dry)
    git("commit", "-q", "-m", "long", cwd=dry, env=FIXED_DATE)
    assert main(["diff", str(dry), "--base", "HEAD~1", "--head", "HEAD"]) == 2
    err = capsys.readouterr().err
    assert long_name in err and "cannot write" in err and "Traceback" not in err
