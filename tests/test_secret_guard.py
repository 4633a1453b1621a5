"""`render` and `hydrate` refuse to write a plaintext Secret unless the user opted in
(`--allow-secrets`, sluice.yaml `allowPlaintextSecrets`, the annotation); encrypted forms
pass. A refusal is exit 2 naming cluster, app, resource and files, with nothing written
or pushed and no value printed."""
from __future__ import annotations

import base64
from pathlib import Path

import pytest

from renderer import render
from renderer.cli import main
from renderer.core.errors import InputError
from gitrepos import FIXED_DATE, git, init_bare, isolated_git_env, refs_of  # noqa: F401 - fixtures
from trees import write_tree

APP = """
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata: {name: web}
    spec:
      source: {repoURL: https://github.com/example/platform.git, path: web}
      destination: {name: in-cluster, namespace: web}
    """
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {a: b}\n"
VALUE = "Plain-Text-Password-99"
PLAIN = f"apiVersion: v1\nkind: Secret\nmetadata: {{name: db}}\ndata: {{password: {base64.b64encode(VALUE.encode()).decode()}}}\n"


def fleet(root: Path, secret: str, config: str = "") -> Path:
    return write_tree(root, {
        "sluice.yaml": "repoURL: https://github.com/example/platform\n" + config,
        "apps/web.yaml": APP, "web/cm.yaml": CM, "web/secret.yaml": secret,
    })


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in err and VALUE not in out + err
    return code, err


def test_render_refuses_a_plaintext_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = fleet(tmp_path / "dry", PLAIN)
    code, err = run(["render", str(repo), "--out", str(tmp_path / "out")], capsys)
    assert code == 2
    assert "apps/web.yaml: refusing to write 1 plaintext Secret(s)" in err
    assert "cluster in-cluster, app web: Secret web/db (from source web, declared in apps/web.yaml)" in err
    assert "--allow-secrets" in err and "allowPlaintextSecrets" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("how", ["flag", "config", "annotation"])
def test_opting_in_writes_the_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str) -> None:
    secret = PLAIN
    if how == "annotation":
        secret = secret.replace("metadata: {name: db}", "metadata: {name: db, annotations: {sluice.dev/allow-plaintext-secret: 'true'}}")
    repo = fleet(tmp_path / "dry", secret, "allowPlaintextSecrets: true\n" if how == "config" else "")
    args = ["render", str(repo), "--out", str(tmp_path / "out")] + (["--allow-secrets"] if how == "flag" else [])
    assert main(args) == 0, capsys.readouterr().err
    assert "kind: Secret" in (tmp_path / "out" / "in-cluster" / "web" / "manifest.yaml").read_text()


@pytest.mark.parametrize("secret", [
    "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata: {password: 'ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]'}\n",
    "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata: {password: abc}\nsops: {mac: 'ENC[AES256_GCM,data:x]'}\n",
    "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: db}\nspec: {encryptedData: {password: AgBy3i}}\n",
    "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata: {name: db}\nspec: {secretStoreRef: {name: vault}}\n",
    "apiVersion: v1\nkind: Secret\nmetadata: {name: empty}\ntype: kubernetes.io/service-account-token\n",
])
def test_encrypted_and_empty_secrets_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str], secret: str) -> None:
    repo = fleet(tmp_path / "dry", secret)
    assert main(["render", str(repo), "--out", str(tmp_path / "out")]) == 0, capsys.readouterr().err


def test_secret_inside_a_list_is_refused_too(tmp_path: Path) -> None:
    listed = "apiVersion: v1\nkind: List\nmetadata: {name: l}\nitems:\n- " + PLAIN.replace("\n", "\n  ").rstrip() + "\n"
    repo = fleet(tmp_path / "dry", listed)
    with pytest.raises(InputError, match=r"Secret db in List web/l \(from source web"):
        render(repo, tmp_path / "out", write=True)
    assert not (tmp_path / "out").exists()
    assert render(repo, tmp_path / "out", write=True, allow_secrets=True).apps


def test_hydrate_refuses_before_pushing(tmp_path: Path, isolated_git_env: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    repo = fleet(tmp_path / "dry", PLAIN)
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "secret", cwd=repo, env=FIXED_DATE)
    bare = init_bare(tmp_path / "hydrated.git")
    code, err = run(["hydrate", str(repo), "--remote", str(bare)], capsys)
    assert code == 2 and "plaintext Secret" in err
    assert not [r for r in refs_of(bare) if r.startswith("refs/heads/")]
    assert main(["hydrate", str(repo), "--remote", str(bare), "--allow-secrets"]) == 0, capsys.readouterr().err
    assert "refs/heads/hydrated/in-cluster" in refs_of(bare)


# -- a malformed Secret: the reader fails before it knows the document is a Secret -------------

SECRET_TOKEN = "Hunter2TopSecretValue"
BROKEN_VALUES = [
    f"!!int {SECRET_TOKEN}", f"!!float {SECRET_TOKEN}", f"!!bool {SECRET_TOKEN}", f"!!null {SECRET_TOKEN}",
    f"!!timestamp {SECRET_TOKEN}", f"!!binary {SECRET_TOKEN}%", f'"{SECRET_TOKEN}" trailing', f"[{SECRET_TOKEN}",
    f"{SECRET_TOKEN}: nested", f'"{SECRET_TOKEN}\\q"', f"!!int 0x{SECRET_TOKEN}",
]


@pytest.mark.parametrize("value", BROKEN_VALUES)
@pytest.mark.parametrize("command", ["build", "render", "verify"])
def test_a_malformed_secret_value_is_never_quoted(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  value: str, command: str) -> None:
    secret = f"apiVersion: v1\nkind: Secret\nmetadata: {{name: db}}\nstringData:\n  password: {value}\n"
    root = fleet(tmp_path / "repo", secret)
    (root / "web" / "kustomization.yaml").write_text("resources: [cm.yaml, secret.yaml]\n")
    args = {"build": ["build", str(root / "web")], "render": ["render", str(root), "--out", str(tmp_path / "out")],
            "verify": ["verify", str(root)]}[command]
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 2 and "secret.yaml" in err and "Traceback" not in err
    assert SECRET_TOKEN not in out + err
