"""One meaning per flag: -o/--output is a format, --out a path, --repo the repository root
(--repository URL=PATH another repository); old spellings still work for one release and say
so on stderr. `sluice appset generate` reads sluice.yaml; `--steps` without RollingSync
is a note, not a failure."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from renderer.cli import cli, main
from renderer.core.yaml import load_documents
from gitrepos import demo_repo, git, isolated_git_env  # noqa: F401 - fixtures
from trees import write_tree

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n"


def test_build_output_is_a_format_and_out_a_file(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "k", {"kustomization.yaml": "resources: [cm.yaml]\n", "cm.yaml": CONFIGMAP})
    runner = CliRunner()
    res = runner.invoke(cli, ["build", str(root), "-o", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}}]}
    target = tmp_path / "out.yaml"
    res = runner.invoke(cli, ["build", str(root), "--out", str(target)])
    assert res.exit_code == 0 and res.stdout == "" and res.stderr == ""
    assert load_documents(target.read_text(), "out")[0]["kind"] == "ConfigMap"
    legacy = tmp_path / "legacy.yaml"
    res = runner.invoke(cli, ["build", str(root), "-o", str(legacy)])  # kubectl kustomize -o FILE, one more release
    assert res.exit_code == 0 and res.stdout == ""
    assert legacy.read_text() == target.read_text()
    assert "deprecated" in res.stderr and f"--out {legacy}" in res.stderr


@pytest.mark.parametrize("command", [["render"], ["diff", "--base", "HEAD"], ["verify"], ["hydrate", "--remote", "x"],
                                     ["history", "--remote", "x", "--branch", "b"], ["report"], ["appset", "generate", "f"],
                                     ["get", "targets"]])
def test_dash_o_is_a_format_everywhere(command: list[str]) -> None:
    """`-o` names a format on every command that prints one; a bad one is a usage error listing the choices."""
    res = CliRunner().invoke(cli, [*command, "-o", "xml"])
    assert res.exit_code == 2
    assert "xml" in res.output and ("json" in res.output or "deprecated" in res.output)


def _fleet_with_appset(tmp_path: Path, strategy: str = "") -> Path:
    repo = write_tree(tmp_path / "repo", {
        "sluice.yaml": "repoURL: https://github.com/example/fleet.git\nclusters: [clusters]\napplications: [apps]\n",
        "clusters/staging.yaml": """
            apiVersion: v1
            kind: Secret
            metadata:
              name: staging
              labels: {argocd.argoproj.io/secret-type: cluster, env: staging}
            stringData: {name: staging, server: https://staging.example.com}
            """,
        "apps/set.yaml": f"""
            apiVersion: argoproj.io/v1alpha1
            kind: ApplicationSet
            metadata: {{name: web}}
            spec:
              generators:
              - matrix:
                  generators:
                  - clusters: {{selector: {{matchLabels: {{env: staging}}}}}}
                  - git:
                      repoURL: https://github.com/example/fleet.git
                      revision: HEAD
                      directories: [{{path: 'services/*'}}]
              template:
                metadata: {{name: '{{{{name}}}}-{{{{path.basename}}}}'}}
                spec:
                  project: default
                  source: {{repoURL: https://github.com/example/fleet.git, path: '{{{{path}}}}'}}
                  destination: {{server: '{{{{server}}}}'}}
              {strategy}
            """,
        "services/web/cm.yaml": CONFIGMAP,
    })
    git("init", "-q", "-b", "main", cwd=repo)
    return repo


def test_appset_generate_reads_sluice_yaml(tmp_path: Path) -> None:
    repo = _fleet_with_appset(tmp_path)
    runner = CliRunner()
    res = runner.invoke(cli, ["appset", "generate", str(repo / "apps/set.yaml"), "-o", "json"])
    assert res.exit_code == 0, res.output
    assert [a["metadata"]["name"] for a in json.loads(res.stdout)] == ["staging-web"]
    res = runner.invoke(cli, ["appset", "generate", str(repo / "apps/set.yaml"), "--no-config"])
    assert res.exit_code == 0 and res.stdout == ""  # without sluice.yaml: no cluster Secrets, nothing generated


def test_steps_without_rolling_sync_is_a_note(tmp_path: Path) -> None:
    repo = _fleet_with_appset(tmp_path)
    res = CliRunner().invoke(cli, ["appset", "generate", str(repo / "apps/set.yaml"), "--steps"])
    assert res.exit_code == 0, res.output
    assert "no RollingSync, every Application syncs at once: staging-web" in res.stdout
    assert "note: " in res.stderr and "apps/set.yaml" in res.stderr
    res = CliRunner().invoke(cli, ["appset", "generate", str(repo / "apps/set.yaml"), "--steps", "-o", "json"])
    assert json.loads(res.stdout) == [{"applicationSet": "web", "rollingSync": False, "steps": [], "unmatched": [],
                                       "applications": ["staging-web"]}]


def test_get_lists_without_rendering(demo_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["get", "targets", str(demo_repo)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["CLUSTER", "APP", "DIR", "KIND", "SOURCE", "BRANCH", "ORIGIN"]
    assert any(line.split()[:3] == ["staging", "staging-web", "web"] for line in lines)
    assert main(["get", "clusters", str(demo_repo), "--cluster", "prod*", "-o", "json"]) == 0
    (production,) = json.loads(capsys.readouterr().out)
    assert production["cluster"] == "production" and production["targets"] >= 3
    assert main(["get", "sources", str(demo_repo), "-o", "json"]) == 0
    sources = json.loads(capsys.readouterr().out)
    assert {"repository": "(this repository)", "path": "overlays/staging/web", "chart": "", "chartRepository": "",
            "targets": 1} in sources
    assert main(["get", "skipped", str(demo_repo), "-o", "json"]) == 0
    assert isinstance(json.loads(capsys.readouterr().out), list)
    assert main(["get", "targets", str(demo_repo / "nope")]) == 2
    assert "repository directory not found" in capsys.readouterr().err


def test_get_skipped_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = write_tree(tmp_path / "repo", {
        "apps/hydrated.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: reads-hydrated}
            spec:
              source: {repoURL: https://github.com/example/fleet.git, path: web, targetRevision: hydrated/in-cluster}
              destination: {name: in-cluster, namespace: web}
            """,
        "apps/web.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: web}
            spec:
              source: {repoURL: https://github.com/example/fleet.git, path: web}
              destination: {name: in-cluster, namespace: web}
            """,
        "web/cm.yaml": CONFIGMAP,
    })
    assert main(["get", "skipped", str(repo)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["REASON", "WHAT"]
    assert "reads-hydrated" in out and "hydrated branch" in out
    assert main(["get", "skipped", str(repo), "-o", "json"]) == 0
    assert [row["reason"] for row in json.loads(capsys.readouterr().out)] == ["not rendered"]


FLUX_CLUSTER = Path(__file__).resolve().parent.parent / "fixtures" / "flux" / "cluster"


def test_get_clusters_lists_flux_cluster_directories(capsys: pytest.CaptureFixture[str]) -> None:
    """A Flux cluster directory is a cluster: `get clusters` names it with its targets, as `get targets` does."""
    assert main(["get", "targets", str(FLUX_CLUSTER), "-o", "json"]) == 0
    per_cluster: dict[str, int] = {}
    for row in json.loads(capsys.readouterr().out):
        per_cluster[row["cluster"]] = per_cluster.get(row["cluster"], 0) + 1
    assert main(["get", "clusters", str(FLUX_CLUSTER), "-o", "json"]) == 0
    rows = {row["cluster"]: row for row in json.loads(capsys.readouterr().out)}
    assert per_cluster == {"dev": 3}
    assert rows["dev"]["targets"] == 3 and rows["dev"]["origin"] == "clusters/dev"
    assert set(rows["dev"]) == set(rows["in-cluster"])  # one row shape: stable keys
    assert main(["get", "clusters", str(FLUX_CLUSTER), "--cluster", "d*", "-o", "json"]) == 0
    assert [row["cluster"] for row in json.loads(capsys.readouterr().out)] == ["dev"]


def test_get_skipped_tells_notes_from_what_is_left_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The detected Flux directories are rendered: their note is information, not a target left out."""
    assert main(["get", "skipped", str(FLUX_CLUSTER), "-o", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["reason"] == "note" and "Flux cluster directories detected" in row["message"]


def test_appset_generate_sees_the_repository_as_render_does(tmp_path: Path) -> None:
    """Zero-config, the repository holding FILE stands for every repoURL (as `sluice render`
    reads it); outside git a sluice.yaml marks the repository; a git generator without a
    checkout names the flag that gives one."""
    repo = _fleet_with_appset(tmp_path)
    (repo / "sluice.yaml").unlink()
    runner = CliRunner()
    res = runner.invoke(cli, ["appset", "generate", str(repo / "apps/set.yaml"), "--clusters", str(repo / "clusters"),
                              "-o", "json"])
    assert res.exit_code == 0, res.output
    assert [a["metadata"]["name"] for a in json.loads(res.stdout)] == ["staging-web"]
    res = runner.invoke(cli, ["appset", "generate", str(repo / "apps/set.yaml"), "--clusters", str(repo / "clusters"),
                              "--no-config"])
    assert res.exit_code == 2
    assert ("no local copy of repository 'https://github.com/example/fleet.git': map it to a checkout with "
            "--repository https://github.com/example/fleet.git=PATH") in res.stderr

    plain = _fleet_with_appset(tmp_path / "no-git")
    import shutil

    shutil.rmtree(plain / ".git")
    res = runner.invoke(cli, ["appset", "generate", str(plain / "apps/set.yaml"), "-o", "json"])
    assert res.exit_code == 0, res.output
    assert [a["metadata"]["name"] for a in json.loads(res.stdout)] == ["staging-web"]  # its sluice.yaml's clusters


def test_appset_generate_takes_the_grants_render_takes(tmp_path: Path) -> None:
    """sluice.yaml naming a checkout outside the repository needs the command line's grant,
    and --repository or --allow-root gives it (as for render), instead of failing either way."""
    repo = _fleet_with_appset(tmp_path)
    services = write_tree(tmp_path / "services-checkout", {"services/web/cm.yaml": CONFIGMAP})
    (repo / "sluice.yaml").write_text("clusters: [clusters]\napplications: [apps]\n"
                                      "repositories: {https://github.com/example/fleet.git: ../services-checkout}\n")
    runner = CliRunner()
    target = str(repo / "apps/set.yaml")
    res = runner.invoke(cli, ["appset", "generate", target])
    assert res.exit_code == 2 and "leads outside the repository" in res.stderr
    for grant in (["--allow-root", str(services)], ["--repository", f"https://github.com/example/fleet.git={services}"]):
        res = runner.invoke(cli, ["appset", "generate", target, *grant, "-o", "json"])
        assert res.exit_code == 0, res.output
        assert [a["metadata"]["name"] for a in json.loads(res.stdout)] == ["staging-web"]


def test_appset_generating_nothing_is_a_note(tmp_path: Path) -> None:
    repo = _fleet_with_appset(tmp_path)
    res = CliRunner().invoke(cli, ["appset", "generate", str(repo / "apps/set.yaml"), "--no-config"])
    assert res.exit_code == 0 and res.stdout == ""
    assert res.stderr.startswith("note: ") and "ApplicationSet web generates no Application" in res.stderr


def test_an_output_that_cannot_be_written_names_it(tmp_path: Path, demo_repo: Path) -> None:
    """--out under a regular file: one line naming the path the user gave (not a scratch
    directory beside it, and not 'cannot read'), exit 2."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    root = write_tree(tmp_path / "k", {"kustomization.yaml": "resources: [cm.yaml]\n", "cm.yaml": CONFIGMAP})
    runner = CliRunner()
    cases = [(["build", str(root), "--out", str(blocker / "out.yaml")], f"cannot write --out {blocker / 'out.yaml'}: "),
             (["render", str(demo_repo), "--out", str(blocker / "out")], f"cannot write the bundles directory {blocker / 'out'}: "),
             (["report", str(demo_repo), "--out", str(blocker / "site")], f"cannot write the report to {blocker / 'site'}: ")]
    for args, message in cases:
        res = runner.invoke(cli, args)
        assert res.exit_code == 2, res.output
        assert res.stderr.startswith(f"error: {message}") and "cannot read" not in res.stderr, res.stderr
        assert "Traceback" not in res.output


def test_render_says_where_it_wrote(demo_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --out the bundles go to sluice.yaml's output.dir, and the last line names it."""
    assert main(["render", str(demo_repo)]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == f"wrote 8 app bundles for 2 clusters to {demo_repo / 'out'}"
    assert (demo_repo / "out" / "staging" / "web" / "manifest.yaml").is_file()
    assert main(["render", str(demo_repo), "--cluster", "staging", "--app", "web", "--out", str(demo_repo / "one")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"wrote 1 app bundle for 1 cluster to {demo_repo / 'one'}"
    import shutil

    shutil.rmtree(demo_repo / "platform")
    write_tree(demo_repo, {"platform/staging/one.yaml": CONFIGMAP})  # a directory source of one resource
    assert main(["render", str(demo_repo), "--cluster", "staging", "--app", "platform", "--out", str(demo_repo / "one")]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "rendered staging/platform: 1 resource (staging-platform, branch hydrated/staging)"


def _options_by_flag() -> dict[str, list[tuple[str, str, str]]]:
    """Every option of every command: long flag -> [(command, flags as --help shows them, help)]."""
    import click

    from cliwalk import leaf_commands

    seen: dict[str, list[tuple[str, str, str]]] = {}
    for name, command, ctx in leaf_commands():
        for param in command.params:
            record = param.get_help_record(ctx) if isinstance(param, click.Option) else None
            if record is not None:
                flag = next(o for o in param.opts if o.startswith("--"))
                seen.setdefault(flag, []).append((name, record[0], param.help or ""))
    return seen


def test_every_flag_is_explained_and_spelled_one_way() -> None:
    """--help explains every option, and a flag several commands take shows the same value
    everywhere (--remote URL|PATH|NAME, --repo ROOT, ...): one meaning per flag. The format
    choices of -o and the file-or-directory of --out are each command's own."""
    seen = _options_by_flag()
    assert not [(command, flag) for flag, uses in seen.items() for command, _shown, text in uses if not text]
    for flag, uses in seen.items():
        if flag in ("--output", "--out"):
            continue
        last = [value.rsplit(", ", 1)[-1] for _command, value, _text in uses]  # "--a, --b VALUE": VALUE
        shown = {flags.split(" ", 1)[1] if " " in flags else "" for flags in last}
        assert len(shown) == 1, (flag, uses)
    assert seen["--remote"][0][1] == "--remote URL|PATH|NAME"
    assert {value for _command, value, _text in seen["--repo"]} == {"--repo ROOT"}


@pytest.mark.parametrize("args", [["--debug", "render", "{missing}"], ["render", "--debug", "{missing}"],
                                  ["render", "{missing}", "--debug"], ["helm", "values", "{missing}", "--debug"]])
def test_debug_shows_the_traceback_wherever_it_is_given(args: list[str], tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "nowhere")
    assert main([a.format(missing=missing) for a in args]) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and err.rstrip().splitlines()[-1].startswith("error: ")
    assert main([a.format(missing=missing) for a in args if a != "--debug"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_bundles_rendered_into_the_repository_are_not_source(tmp_path: Path, isolated_git_env: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """`sluice render --out bundles` inside a zero-config app of apps: the next render, verify
    and get do not discover the child Applications again in the bundles (they were 'defined
    twice'), and hydrate does not count the bundles as uncommitted source."""
    app = ("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: {name}, namespace: argocd}}\nspec:\n"
           "  project: default\n  destination: {{server: 'https://kubernetes.default.svc', namespace: {ns}}}\n"
           "  source: {{repoURL: 'https://git.example.com/fleet.git', path: {path}}}\n")
    repo = write_tree(tmp_path / "repo", {"apps/root.yaml": app.format(name="root", ns="argocd", path="children"),
                                          "children/web.yaml": app.format(name="web", ns="web", path="web"),
                                          "web/cm.yaml": CONFIGMAP})
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "fleet", cwd=repo)
    assert main(["render", str(repo), "--out", str(repo / "bundles")]) == 0
    assert "kind: Application" in (repo / "bundles" / "in-cluster" / "root" / "manifest.yaml").read_text()
    capsys.readouterr()
    for args in (["render", str(repo), "--out", str(repo / "bundles")], ["verify", str(repo)], ["get", "targets", str(repo)]):
        assert main(args) == 0, capsys.readouterr().err
        assert "defined twice" not in capsys.readouterr().err
    bare = tmp_path / "hydrated.git"
    git("init", "-q", "--bare", str(bare))
    assert main(["hydrate", str(repo), "--remote", str(bare)]) == 0, capsys.readouterr().err
    git("add", "-A", cwd=repo)  # sluice's index file marks it; committed bundles are left alone too
    git("commit", "-q", "-m", "bundles committed by mistake", cwd=repo)
    assert main(["verify", str(repo)]) == 0, capsys.readouterr().err
