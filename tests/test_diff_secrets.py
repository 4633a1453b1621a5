"""`sluice diff` never prints a Secret's values (text, markdown, json) unless asked to; it
says which keys were added, removed or changed. Error messages that quote a document do
not print them either."""
from __future__ import annotations

import base64
import json
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renderer.fleet.bundle import AppBundle, Bundles
from renderer.cli import main
from renderer.diff.compare import CHANGED, compare_bundles, report_json, report_markdown, report_text
from gitrepos import FIXED_DATE, git, isolated_git_env  # noqa: F401 - fixtures
from trees import write_tree


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def bundles(*resources: dict[str, Any]) -> Bundles:
    app = AppBundle(cluster="prod", app="web", app_dir="web", branch="hydrated/prod", source_path="web",
                    origin="apps/web.yaml", files={}, resources=tuple(resources))
    return Bundles(apps=(app,))


def secret(name: str = "db", data: dict[str, str] | None = None, string_data: dict[str, str] | None = None,
           **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": "web"}}
    if data is not None:
        body["data"] = data
    if string_data is not None:
        body["stringData"] = string_data
    body.update(extra)
    return body


def outputs(old: Bundles, new: Bundles, **kw: Any) -> str:
    result = compare_bundles(old, new, base_label="main", head_label="pr", **kw)
    return report_text(result) + report_markdown(result, max_bytes=10**7) + report_json(result)


def only_change(old: Bundles, new: Bundles) -> Any:
    result = compare_bundles(old, new)
    (change,) = [ch for c in result.clusters for a in c.apps for ch in a.changes]
    return change


def test_changed_value_shows_as_changed_key_never_as_value() -> None:
    old = bundles(secret(data={"password": b64("hunter2-old"), "user": b64("admin-user")}))
    new = bundles(secret(data={"password": b64("hunter2-new"), "user": b64("admin-user"), "extra": b64("brand-new")}))
    change = only_change(old, new)
    assert change.status == CHANGED
    (keys,) = change.secret_keys
    assert (keys.secret, keys.added, keys.removed, keys.changed) == ("Secret web/db", ("extra",), (), ("password",))
    assert "-  password: '<redacted: old value>'" in change.diff and "+  password: '<redacted: new value>'" in change.diff
    text = outputs(old, new)
    for value in ("hunter2-old", "hunter2-new", "admin-user", "brand-new"):
        assert value not in text and b64(value) not in text
    assert "Secret web/db keys added: extra; changed: password" in text
    assert json.loads(report_json(compare_bundles(old, new)))["clusters"][0]["apps"][0]["resources"][0]["secretKeys"] == [
        {"secret": "Secret web/db", "added": ["extra"], "removed": [], "changed": ["password"]}]


def test_show_secrets_prints_values() -> None:
    old = bundles(secret(string_data={"password": "hunter2-old"}))
    new = bundles(secret(string_data={"password": "hunter2-new"}))
    shown = outputs(old, new, show_secrets=True)
    assert "hunter2-old" in shown and "hunter2-new" in shown
    assert "Secret web/db keys changed: password" in shown


def test_added_and_removed_secrets_and_last_applied_annotation() -> None:
    applied = json.dumps({"stringData": {"password": "in-the-annotation"}})
    gone = secret("gone", string_data={"token": "removed-token"})
    added = secret("new", data={"key": b64("added-value")},
                   metadata={"name": "new", "annotations": {"kubectl.kubernetes.io/last-applied-configuration": applied}})
    text = outputs(bundles(gone), bundles(added))
    assert "removed-token" not in text and "added-value" not in text and "in-the-annotation" not in text
    assert "Secret web/gone keys removed: token" in text and "Secret new keys added: key" in text


def test_secret_inside_a_list() -> None:
    def as_list(value: str) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "List", "metadata": {"name": "bundle"},
                "items": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"a": "b"}},
                          secret(string_data={"password": value})]}

    old, new = bundles(as_list("list-secret-old")), bundles(as_list("list-secret-new"))
    text = outputs(old, new)
    assert "list-secret-old" not in text and "list-secret-new" not in text
    assert "Secret web/db keys changed: password" in text


def test_string_data_and_data_are_compared_by_value() -> None:
    old = bundles(secret(string_data={"password": "same-value"}))
    new = bundles(secret(data={"password": b64("same-value")}))
    change = only_change(old, new)
    (keys,) = change.secret_keys
    assert (keys.added, keys.removed, keys.changed) == ((), (), ())
    assert "same-value" not in change.diff and b64("same-value") not in change.diff
    assert "Secret web/db keys unchanged (values redacted)" in report_text(compare_bundles(old, new))


def test_malformed_secret_fields_are_redacted_whole() -> None:
    old = bundles(secret(data="not-a-mapping-1"))  # type: ignore[arg-type]
    new = bundles(secret(data="not-a-mapping-2"))  # type: ignore[arg-type]
    text = outputs(old, new)
    assert "not-a-mapping" not in text


KEYS = st.text(alphabet=string.ascii_lowercase + "-_.", min_size=1, max_size=8)
VALUES = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=10, max_size=24)


@settings(max_examples=60, deadline=None)
@given(
    old_data=st.dictionaries(KEYS, VALUES, max_size=4), old_string=st.dictionaries(KEYS, VALUES, max_size=3),
    new_data=st.dictionaries(KEYS, VALUES, max_size=4), new_string=st.dictionaries(KEYS, VALUES, max_size=3),
    in_list=st.booleans(), present=st.sampled_from(["both", "old", "new"]),
)
def test_no_secret_value_in_any_output_format(old_data: dict[str, str], old_string: dict[str, str],
                                              new_data: dict[str, str], new_string: dict[str, str],
                                              in_list: bool, present: str) -> None:
    def doc(data: dict[str, str], string_data: dict[str, str]) -> dict[str, Any]:
        body = secret(data={k: b64(v) for k, v in data.items()}, string_data=string_data)
        return {"apiVersion": "v1", "kind": "List", "metadata": {"name": "l"}, "items": [body]} if in_list else body

    old = bundles(doc(old_data, old_string)) if present != "new" else bundles()
    new = bundles(doc(new_data, new_string)) if present != "old" else bundles()
    text = outputs(old, new)
    for value in [*old_data.values(), *old_string.values(), *new_data.values(), *new_string.values()]:
        assert value not in text
        assert b64(value) not in text
    before = {**{k: v for k, v in old_data.items()}, **old_string} if present != "new" else {}
    after = {**{k: v for k, v in new_data.items()}, **new_string} if present != "old" else {}
    result = compare_bundles(old, new)
    keys = [k for c in result.clusters for a in c.apps for ch in a.changes for k in ch.secret_keys]
    if before != after or keys:
        (only,) = keys
        assert set(only.added) == set(after) - set(before)
        assert set(only.removed) == set(before) - set(after)
        assert set(only.changed) == {k for k in set(before) & set(after) if before[k] != after[k]}


# -- end to end: a real repository, the CLI, every format -------------------------------------

APP = """
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata: {name: web}
    spec:
      source: {repoURL: https://github.com/example/platform.git, path: web}
      destination: {name: in-cluster, namespace: web}
    """


@pytest.fixture
def secret_repo(tmp_path: Path, isolated_git_env: Path) -> Path:  # noqa: F811
    repo = write_tree(tmp_path / "dry", {
        "sluice.yaml": "repoURL: https://github.com/example/platform\nallowPlaintextSecrets: true\n",
        "apps/web.yaml": APP,
        "web/secret.yaml": f"""
            apiVersion: v1
            kind: Secret
            metadata: {{name: db}}
            data: {{password: {b64("Base-Password-1")}, user: {b64("Admin-User-7")}}}
            stringData: {{old-token: Old-Token-Value}}
            """,
    })
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "one", cwd=repo, env=FIXED_DATE)
    write_tree(repo, {"web/secret.yaml": f"""
        apiVersion: v1
        kind: Secret
        metadata: {{name: db}}
        data: {{password: {b64("Head-Password-2")}, user: {b64("Admin-User-7")}}}
        stringData: {{api-key: New-Api-Key-Value}}
        """})
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "two", cwd=repo, env=FIXED_DATE)
    return repo


SECRET_VALUES = ("Base-Password-1", "Head-Password-2", "Admin-User-7", "Old-Token-Value", "New-Api-Key-Value")


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_cli_diff_redacts_secrets(secret_repo: Path, capsys: pytest.CaptureFixture[str], snapshot: Any, fmt: str) -> None:
    assert main(["diff", str(secret_repo), "--base", "HEAD~1", "--head", "HEAD", "--output", fmt, "--color", "never"]) == 0
    out, err = capsys.readouterr()
    for value in SECRET_VALUES:
        assert value not in out + err and b64(value) not in out + err
    assert out == snapshot


def test_cli_diff_show_secrets(secret_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(secret_repo), "--base", "HEAD~1", "--head", "HEAD", "--show-secrets"]) == 0
    out = capsys.readouterr().out
    assert b64("Head-Password-2") in out and "New-Api-Key-Value" in out


def test_error_quoting_a_secret_value_is_scrubbed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The YAML emitter quotes a string it cannot print; for a Secret, not the value."""
    repo = write_tree(tmp_path / "dry", {
        "sluice.yaml": "repoURL: https://github.com/example/platform\n",
        "apps/web.yaml": APP,
        "web/secret.yaml": 'apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: "Sup3rSecret\\x7fValue"}\n',
    })
    assert main(["render", str(repo), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "control characters" in err and "Sup3rSecret" not in err and "<redacted>" in err
    assert not (tmp_path / "out").exists()
