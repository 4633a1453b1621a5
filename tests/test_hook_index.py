"""The hook's index (renderer/verify/index.py, tree.py): stat signatures that never hide
an edit, digests of the tree's shapes, a cold run that is a full verify recording its
reads (in worker processes as in one), and planted indexes refused."""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitrepos import demo_fleet, git, isolated_git_env  # noqa: F401 - fixture
from renderer.core.fs import KIND, LISTING, NAMED, TREE
from renderer.verify import verify_repo
from renderer.verify.index import INDEX_FILE, load_index
from renderer.verify.tree import SETTLED_NS, UNREADABLE, Digests, Tree

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo(tmp_path: Path, isolated_git_env: Path) -> Path:
    return demo_fleet(tmp_path)


def _settled(root: Path, rel: str) -> dict[str, tuple[str, str]]:
    """The signature a run starting well after the file's last change records."""
    digests = Digests(root)
    digests.start_ns = time.time_ns() + 2 * SETTLED_NS
    assert digests(rel) is not None
    return dict(digests.settled)


def test_a_signature_never_hides_an_edit_behind_a_restored_mtime(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("value: one\n")
    known = _settled(tmp_path, "a.yaml")
    assert set(known) == {"a.yaml"}
    info = os.stat(tmp_path / "a.yaml")
    (tmp_path / "a.yaml").write_text("value: two\n")  # same size
    os.utime(tmp_path / "a.yaml", ns=(info.st_atime_ns, info.st_mtime_ns))  # mtime as it was; ctime moves on
    assert Digests(tmp_path, known=known)("a.yaml") == Digests(tmp_path)("a.yaml") != known["a.yaml"][1]


def test_a_signature_serves_the_recorded_digest_without_reading(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("value: one\n")
    known = _settled(tmp_path, "a.yaml")
    forged = {"a.yaml": (known["a.yaml"][0], "recorded")}
    assert Digests(tmp_path, known=forged)("a.yaml") == "recorded"  # what makes a no-edit run cheap


def test_a_file_changed_since_the_run_began_is_never_settled(tmp_path: Path) -> None:
    digests = Digests(tmp_path)
    (tmp_path / "a.yaml").write_text("value: one\n")
    assert digests("a.yaml") is not None
    digests.settle("a.yaml", digests("a.yaml") or "")
    assert digests.settled == {}


def test_shapes_of_the_tree(tmp_path: Path) -> None:
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "a.yaml").write_text("a: 1\n")
    (tmp_path / "link").symlink_to("d")
    (tmp_path / ".sourceignore").write_text("x\n")
    before = Digests(tmp_path)
    keys = [LISTING + "d", LISTING + "link", KIND + "d/a.yaml", KIND + "d/b.yaml", KIND + "link", KIND + "d/sub",
            NAMED + ".sourceignore", TREE]
    seen = {k: before(k) for k in keys}
    assert seen[LISTING + "d"] == seen[LISTING + "link"]  # through the symlink, the same directory
    assert (seen[KIND + "d/a.yaml"], seen[KIND + "d/b.yaml"], seen[KIND + "link"], seen[KIND + "d/sub"]) == ("f", None, "l d", "d")
    (tmp_path / "d" / "b.yaml").write_text("b: 1\n")
    after = Digests(tmp_path)
    assert {k for k in keys if after(k) != seen[k]} == {LISTING + "d", LISTING + "link", KIND + "d/b.yaml", TREE}
    (tmp_path / "d" / "sub" / ".sourceignore").write_text("y\n")
    assert Digests(tmp_path)(NAMED + ".sourceignore") != seen[NAMED + ".sourceignore"]


@pytest.mark.parametrize("key", [LISTING + "..", LISTING + "/etc", KIND + "../x", KIND + ".git/config", LISTING + ".git",
                                 "../x", "/etc/passwd", ".git/config", "/unknown shape"])
def test_planted_paths_never_match(tmp_path: Path, key: str) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[core]\n")
    assert Digests(tmp_path)(key) == UNREADABLE


def test_the_tree_listing_ignores_git_and_the_index(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("a: 1\n")
    listing = Tree(tmp_path).listing
    (tmp_path / ".git").mkdir()
    (tmp_path / ".sluice").mkdir()
    (tmp_path / ".sluice" / "reads.json").write_text("{}")
    assert Tree(tmp_path).listing == listing


def _reads(repo: Path) -> dict[str, dict[str, str | None]]:
    index = load_index(repo)
    return {key: index.reads(rec.reads) for key, rec in index.targets.items()}


def test_a_cold_run_is_a_full_verify_recording_its_reads(demo: Path) -> None:
    full = verify_repo(demo)
    one = verify_repo(demo, changed=True, jobs=1)
    in_process = _reads(demo)
    shutil.rmtree(demo / ".sluice")
    two = verify_repo(demo, changed=True, jobs=2)  # in worker processes, as a full verify of a big fleet renders
    assert (one.findings, sorted(one.targets)) == (two.findings, sorted(two.targets)) == (full.findings, sorted(full.targets))
    assert _reads(demo) == in_process
    assert all(any(p.startswith("base/") for p in reads) for key, reads in in_process.items() if "/platform" not in key)


def test_an_index_of_another_version_or_shape_is_cold(demo: Path) -> None:
    verify_repo(demo, changed=True, schemas=False)
    data = json.loads((demo / INDEX_FILE).read_text())
    (demo / INDEX_FILE).write_text(json.dumps({**data, "version": 3}))
    assert load_index(demo).targets == {}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(garbage=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                            max_leaves=12),
       where=st.sampled_from(["entries", "targets", "flux", "path", "sum", "sig", "reads"]))
def test_hostile_indexes_load_or_are_refused(demo: Path, garbage: object, where: str) -> None:
    """Whatever a planted reads.json holds, loading gives a usable index or an empty one,
    and the hook still runs."""
    if not (demo / INDEX_FILE).exists():
        verify_repo(demo, changed=True, schemas=False)
    data = json.loads((demo / INDEX_FILE).read_text())
    if where in ("path", "sum", "sig"):
        data["entries"][where] = garbage
    elif where == "reads":
        next(iter(data["targets"].values()))["reads"] = garbage
    else:
        data[where] = garbage
    (demo / INDEX_FILE).write_text(json.dumps(data))
    index = load_index(demo)
    for rec in index.targets.values():
        index.reads(rec.reads)
    result = verify_repo(demo, changed=True, schemas=False)
    assert len(result.targets) + len(result.skipped) >= 8
