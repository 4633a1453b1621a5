"""The Python API mirrors the commands (build, render, verify, diff, hydrate) and returns
typed results, on the demo fleet as a real git repository."""
from __future__ import annotations

from pathlib import Path

import renderer
from gitrepos import FIXED_DATE, demo_repo, git, init_bare, isolated_git_env, refs_of  # noqa: F401 - fixtures


def test_api_mirrors_the_commands(demo_repo: Path, tmp_path: Path) -> None:
    bundles = renderer.render(demo_repo)
    assert {a.cluster for a in bundles.apps} == {"production", "staging"}

    result = renderer.verify_repo(demo_repo, schemas=False)
    assert len(result.targets) == len(bundles.apps) and not result.errors

    git("commit", "-q", "--allow-empty", "-m", "second", cwd=demo_repo, env=FIXED_DATE)
    changes = renderer.diff_revisions(demo_repo, "HEAD~1", "HEAD")
    assert not changes.changed  # an empty commit renders the same

    remote = init_bare(tmp_path / "hydrated.git")
    outcome = renderer.hydrate(demo_repo, str(remote))
    assert outcome.result.pushed and outcome.dirty == ()
    assert outcome.dry.dry_sha == git("rev-parse", "HEAD", cwd=demo_repo).strip()
    assert any(ref.startswith("refs/heads/hydrated/") for ref in refs_of(remote))
