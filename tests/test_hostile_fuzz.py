"""Regressions found by the fuzz campaign (tools/fuzz_cli.py) against the untrusted pull
request promise: each case is the minimised repository of one failure, played as the CI job
plays it (a subprocess bounded in memory and time, see test_hostile_pr.py), asserting exit
2, a message naming the file, no traceback and nothing from outside the boundary."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renderer.core.errors import InputError
from renderer.core.yaml import MAX_ALIAS_NODES, SCALAR_CHARS_PER_NODE, load_documents
from test_hostile_pr import APP, MARKER, REPO_URL, assert_refused, make_repo, sluice

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
CHART_FILES = {"chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n", "chart/templates/cm.yaml": CM,
               "apps/web.yaml": APP.format(name="web", url=REPO_URL, path="chart")}


@pytest.mark.parametrize("files, needles", [
    ({"app/kustomization.yaml": 'resources: [cm.yaml]\npatchesJson6902:\n- target: {kind: ConfigMap, name: x}\n  path: "a\\0b"\n'},
     ["app/kustomization.yaml", "NUL"]),
    ({"sluice.yaml": f'repoURL: {REPO_URL}\nrepositories:\n  https://example.com/o.git: "a\\0b"\n'},
     ["sluice.yaml:3", "NUL"]),
    ({"app/Chart.yaml": 'apiVersion: v2\nname: c\nversion: 0.1.0\ndependencies:\n- {name: sub, version: 0.1.0, repository: "file://a\\0b"}\n',
      "app/templates/cm.yaml": CM},
     ["file://a\\x00b", "NUL"]),
])
def test_a_nul_character_in_a_path_is_an_input_error(tmp_path: Path, files: dict[str, str], needles: list[str]) -> None:
    """Python's file system calls raise ValueError on a NUL; a path a pull request writes
    with one (YAML's "\\0" escape) is refused as input instead."""
    repo = make_repo(tmp_path, {"app/cm.yaml": CM, "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="app"),
                                **files})
    assert_refused(sluice(tmp_path, "render", str(repo)), *needles)
    run = sluice(tmp_path, "build", str(repo / "app"), "--repo", str(repo))
    assert run.code in (0, 2) and "Traceback" not in run.out, run.out


@pytest.mark.parametrize("kustomization", [
    "resources: [fifo]\n",
    "configMapGenerator:\n- name: g\n  files: [fifo]\n",
    "secretGenerator:\n- name: g\n  envs: [fifo]\n",
])
@pytest.mark.parametrize("command", ["render", "build"])
def test_a_fifo_is_refused_not_waited_on(tmp_path: Path, kustomization: str, command: str) -> None:
    """Opening a FIFO for reading blocks until a writer comes, which none does: the read is
    non-blocking and only regular files are read (a checkout step or a workspace left by an
    earlier CI step can hold one, git cannot)."""
    repo = make_repo(tmp_path, {"app/kustomization.yaml": kustomization,
                                "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="app")})
    os.mkfifo(repo / "app" / "fifo")
    args = ["render", str(repo)] if command == "render" else ["build", str(repo / "app"), "--repo", str(repo)]
    assert_refused(sluice(tmp_path, *args), "app/fifo", "not a regular file")


@pytest.mark.parametrize("values", [
    "stringData: {password: {nested: VALUE}}\n",
    "stringData: {password: [VALUE]}\n",
    "data: {password: [VALUE]}\n",
    "data: VALUE\n",
    "stringData: VALUE\n",
])
@pytest.mark.parametrize("output", ["text", "json", "markdown"])
def test_schema_errors_in_a_secret_never_quote_its_values(tmp_path: Path, values: str, output: str) -> None:
    """jsonschema's messages quote the failing instance: for a Secret's data and stringData
    that is the value itself, so verify names the field and the check instead."""
    value = "hunter2-s3cret-value"
    repo = make_repo(tmp_path, {
        "app/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n" + values.replace("VALUE", value),
        "app/kustomization.yaml": "resources: [secret.yaml]\n",
        "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="app"),
    })
    run = sluice(tmp_path, "verify", str(repo), "-o", output)
    assert run.code == 1 and "Traceback" not in run.out, run.out
    assert "schema" in run.out and "<redacted>" in run.out, run.out
    assert value not in run.out


@pytest.mark.parametrize("generator, env", [
    ("secretGenerator:\n- name: g\n  literals: [VALUE]\n", None),
    ("secretGenerator:\n- name: g\n  literals: [ok=1, VALUE]\n", None),
    ("secretGenerator:\n- name: g\n  envs: [s.env]\n", "A=1\nexport PASSWORD VALUE\n"),
])
@pytest.mark.parametrize("command", ["render", "build"])
def test_a_malformed_secret_generator_entry_is_not_quoted(tmp_path: Path, generator: str, env: str | None,
                                                          command: str) -> None:
    """A secretGenerator literal or env line without its `=` may be the secret itself: the
    error names the entry (its number, the file and line), not its text."""
    value = "hunter2-s3cret-value"
    files = {"app/kustomization.yaml": generator.replace("VALUE", value),
             "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="app")}
    if env is not None:
        files["app/s.env"] = env.replace("VALUE", value)
    repo = make_repo(tmp_path, files)
    args = [command, str(repo)] if command != "build" else ["build", str(repo / "app"), "--repo", str(repo)]
    run = sluice(tmp_path, *args)
    assert_refused(run, "app/s.env:2" if env else "app/kustomization.yaml", "not shown")
    assert value not in run.out


def test_a_malformed_config_map_generator_entry_is_still_quoted(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"app/kustomization.yaml": "configMapGenerator:\n- name: g\n  literals: [novalue]\n",
                                "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="app")})
    assert_refused(sluice(tmp_path, "render", str(repo)), "app/kustomization.yaml", "'novalue'")


def _bomb_tgz(size: int) -> bytes:
    """A chart archive whose template declares `size` bytes of zeros: gzip members
    concatenated (a valid stream), each of 1 MiB of zeros, so a 2 GiB file costs 2 MB."""
    import gzip
    import io
    import tarfile

    head = io.BytesIO()
    with tarfile.open(fileobj=head, mode="w") as tar:
        chart = b"apiVersion: v2\nname: bomb\nversion: 0.1.0\n"
        info = tarfile.TarInfo("bomb/Chart.yaml")
        info.size = len(chart)
        tar.addfile(info, io.BytesIO(chart))
        big = tarfile.TarInfo("bomb/templates/big.yaml")
        big.size = size
        prefix = head.getvalue()[: head.tell()] + big.tobuf(format=tarfile.GNU_FORMAT)
    mib = gzip.compress(b"\0" * (1 << 20), compresslevel=9)
    whole, rest = divmod(size + 1024, 1 << 20)  # the data, then the archive's two zero end blocks
    return gzip.compress(prefix) + mib * whole + gzip.compress(b"\0" * rest)


FLUX_SYNC = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-system, namespace: flux-system}
spec: {path: ./clusters/prod, sourceRef: {kind: GitRepository, name: flux-system}}
"""


@pytest.mark.parametrize("layout", ["helmrelease", "subchart"])
def test_a_chart_archive_bomb_is_refused_before_it_is_read(tmp_path: Path, layout: str) -> None:
    """A 2 MB archive declaring a 2 GiB template: refused from its header with Helm's own
    limits (5 MiB a file, 100 MiB a chart), not read into memory (a MemoryError) or onto disk."""
    if layout == "helmrelease":
        files = {"clusters/prod/flux-system/gotk-sync.yaml": FLUX_SYNC, "clusters/prod/release.yaml": """
            apiVersion: helm.toolkit.fluxcd.io/v2
            kind: HelmRelease
            metadata: {name: web, namespace: flux-system}
            spec:
              chart:
                spec: {chart: ./bomb.tgz, sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}}
            """}
        archive = "bomb.tgz"
    else:
        files = {"chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n"
                                     "dependencies: [{name: bomb, version: 0.1.0, repository: 'https://example.com/c'}]\n",
                 "chart/templates/cm.yaml": CM, "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="chart")}
        archive = "chart/charts/bomb-0.1.0.tgz"
    repo = make_repo(tmp_path, files)
    (repo / archive).parent.mkdir(parents=True, exist_ok=True)
    (repo / archive).write_bytes(_bomb_tgz(2 << 30))
    run = sluice(tmp_path, "render", str(repo))
    assert run.code == 2 and "Traceback" not in run.out and "MemoryError" not in run.out, run.out[-3000:]
    assert "decompress" in run.out and "/tmp/" not in run.out.replace(str(tmp_path), ""), run.out


@pytest.mark.parametrize("directory, command", [
    ("{}", "render"), ("{recurse: true, include: '*.yaml'}", "render"), ("{recurse: true, exclude: 'x*'}", "verify"),
    ("{recurse: true, include: '*.yaml'}", "get"),
])
def test_a_file_name_that_is_not_utf8_is_an_input_error(tmp_path: Path, directory: str, command: str) -> None:
    """git commits any bytes as a name; Python hands them over as surrogates, which RE2
    (globs), YAML and JSON refuse to encode. The working tree is judged as a revision is
    (`diff` reads names from git objects): the name is refused, shown as bytes."""
    repo = make_repo(tmp_path, {"app/cm.yaml": CM, "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="app").replace(
        "path: app}", f"path: app, directory: {directory}}}")})
    with open(os.path.join(os.fsencode(repo / "app"), b"\xff\xfe.yaml"), "wb") as fh:
        fh.write(CM.replace("name: x", "name: y").encode())
    args = ["get", "targets", str(repo)] if command == "get" else [command, str(repo)]
    assert_refused(sluice(tmp_path, *args), "b'app/\\xff\\xfe.yaml'", "not UTF-8")


AMPLIFIERS = [
    "{{ $l := list 1 }}{{ range until 40 }}{{ $l = concat $l $l }}{{ end }}{{ len $l }}",
    '{{ $s := "a" }}{{ range until 40 }}{{ $s = print $s $s }}{{ end }}{{ len $s }}',
    '{{ $s := "ab" }}{{ range until 40 }}{{ $s = replace "" $s $s }}{{ end }}{{ len $s }}',
    '{{ $s := "ab" }}{{ range until 40 }}{{ $s = regexReplaceAll "" $s $s }}{{ end }}{{ len $s }}',
    '{{ indent 2000000000 "a" }}',
    '{{ nindent 2000000000 "a" }}',
    '{{ $s := repeat 5000000 "a" }}{{ $l := list }}{{ range until 300 }}{{ $l = append $l $s }}{{ end }}{{ $l }}',
    '{{ $s := repeat 5000000 "a" }}{{ $l := list }}{{ range until 300 }}{{ $l = append $l $s }}{{ end }}{{ join "," $l }}',
    '{{ $s := repeat 5000000 "a" }}{{ $l := list }}{{ range until 300 }}{{ $l = append $l $s }}{{ end }}{{ toJson $l }}',
    '{{ $s := repeat 9000000 "a" }}{{ range until 100 }}{{ $t := print $s "b" }}{{ end }}',
]


@pytest.mark.parametrize("template", AMPLIFIERS)
def test_a_template_that_amplifies_values_is_stopped(tmp_path: Path, template: str) -> None:
    """Go templates bound steps and output; values built along the way (a list doubled forty
    times, a million references to one long string printed) are bounded too: each function's
    result, everything functions return in one execution, and what a value prints to."""
    repo = make_repo(tmp_path, {"apps/set.yaml": f"""
        apiVersion: argoproj.io/v1alpha1
        kind: ApplicationSet
        metadata: {{name: s, namespace: argocd}}
        spec:
          goTemplate: true
          generators:
          - list: {{elements: [{{name: a}}]}}
          template:
            metadata: {{name: x}}
            spec:
              project: '{template}'
              source: {{repoURL: {REPO_URL}, path: app}}
              destination: {{name: in-cluster, namespace: a}}
        """, "app/cm.yaml": CM})
    run = sluice(tmp_path, "appset", "generate", str(repo / "apps" / "set.yaml"), "--repo", str(repo))
    assert_refused(run, "apps/set.yaml", "template")
    assert "MemoryError" not in run.out and ("more than sluice generates" in run.out or "larger than" in run.out
                                             or "more than" in run.out), run.out[-2000:]


@pytest.mark.parametrize("uses", ["${BIG}", "${SMALL//a/${BIG}}", "${BIG:-x}${BIG}"])
def test_flux_substitution_cannot_amplify_a_variable_without_bound(tmp_path: Path, uses: str) -> None:
    """A 5 MB postBuild variable written 2000 times would be 10 GB of YAML: what
    substitution adds to one Kustomization's resources is bounded (64 Mi characters)."""
    big = "x" * 5_000_000
    repo = make_repo(tmp_path, {
        "clusters/prod/flux-system/gotk-sync.yaml": FLUX_SYNC,
        "clusters/prod/app.yaml": f"""
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata: {{name: app, namespace: flux-system}}
            spec:
              path: ./app
              sourceRef: {{kind: GitRepository, name: flux-system}}
              postBuild:
                substitute: {{BIG: {big}, SMALL: {"a" * 2000}}}
            """,
        "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: amp}\ndata:\n"
                       + "".join(f"  k{i}: '{uses}'\n" for i in range(2000 if "//" not in uses else 1)),
    })
    run = sluice(tmp_path, "render", str(repo))
    assert_refused(run, "Kustomization flux-system/app", "more than 67108864 characters")


@pytest.mark.parametrize("where", ["data", "annotations"])
def test_aliases_of_a_long_scalar_are_a_yaml_bomb(tmp_path: Path, where: str) -> None:
    """2000 aliases of one 5 MB string: 2000 nodes, 10 GB once printed. A scalar weighs by
    its length in the alias budget, in annotations (kept as text) as elsewhere."""
    big = "x" * 5_000_000
    aliases = "".join(f"    k{i}: *big\n" for i in range(2000))
    doc = (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: amp\n  labels: {{a: &big {big}}}\n  annotations:\n{aliases}"
           if where == "annotations" else
           f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: amp}}\ndata:\n  k: &big {big}\n{aliases.replace('    ', '  ')}")
    repo = make_repo(tmp_path, {"app/cm.yaml": doc, "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="app")})
    assert_refused(sluice(tmp_path, "render", str(repo)), "app/cm.yaml:", "YAML bomb")


@settings(max_examples=60, deadline=None)
@given(length=st.integers(min_value=1, max_value=200_000), copies=st.integers(min_value=1, max_value=3000))
def test_alias_expansion_is_bounded_by_characters(length: int, copies: int) -> None:
    """Property: a document whose aliases copy a scalar of `length` characters `copies`
    times loads when that stays within the budget (or within ten times the document) and
    is refused as a bomb otherwise, whatever the mix of length and count."""
    text = "k: &a " + "x" * length + "\nl:\n" + "".join("- *a\n" for _ in range(copies))
    weight = 1 + length // SCALAR_CHARS_PER_NODE
    direct = weight + 4  # the anchored scalar, two keys, the mapping and the list
    bomb = weight * copies > MAX_ALIAS_NODES and weight * copies > 10 * direct
    try:
        docs = load_documents(text, "t.yaml")
    except InputError as exc:
        assert bomb and "YAML bomb" in str(exc)
    else:
        assert not bomb and len(docs[0]["l"]) == copies


@pytest.mark.parametrize("link, target", [(".sluice", "OUTSIDE/cache"), (".sluice/.gitignore", "OUTSIDE/cache/created")])
def test_verify_changed_never_writes_through_a_committed_link(tmp_path: Path, link: str, target: str) -> None:
    """`verify --changed` keeps its index in `.sluice/`; a pull request can commit that
    directory (or its .gitignore) as a symlink, and the index is then neither read nor
    written through it."""
    repo = make_repo(tmp_path, {"app/cm.yaml": CM, "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="app")},
                     {link: target})
    (tmp_path / "outside" / "cache").mkdir()
    run = sluice(tmp_path, "verify", str(repo), "--changed")
    assert run.code == 0 and "Traceback" not in run.out, run.out
    assert not any((tmp_path / "outside" / "cache").iterdir())


SCHEMA_LEAKS = [
    '{"properties": {"a": {"$ref": "file://OUTSIDE/schema.json"}}}',
    '{"$id": "file://OUTSIDE/", "properties": {"a": {"$ref": "schema.json"}}}',
    '{"properties": {"a": {"$ref": "../../../../../../../../OUTSIDE/schema.json"}}}',
    '{"$schema": "https://json-schema.org/draft/2020-12/schema", "properties": {"a": {"$dynamicRef": "file://OUTSIDE/schema.json"}}}',
    '{"$schema": "file://OUTSIDE/schema.json", "type": "object"}',
    '{"properties": {"a": {"$ref": "http://127.0.0.1:9/schema.json"}}}',
]


@pytest.mark.parametrize("schema, layout, engine", [
    *((schema, "chart", "in-process") for schema in SCHEMA_LEAKS),
    (SCHEMA_LEAKS[1], "chart", "cli"), (SCHEMA_LEAKS[1], "packaged-subchart", "in-process"),
    (SCHEMA_LEAKS[2], "packaged-subchart", "cli"),
])
def test_a_values_schema_cannot_refer_outside_itself(tmp_path: Path, schema: str, layout: str, engine: str) -> None:
    """Helm's JSON Schema loader follows `$ref` to file:// paths (relative ones from the file
    system root) and http(s) URLs, and its error quotes what it found (`value must be
    'OUTSIDE-MARKER'`): every schema of the chart, packaged subcharts included, may only
    refer inside itself before either engine renders."""
    import io
    import tarfile

    from renderer.helm.engine import find_helm_binary

    if engine == "cli" and find_helm_binary() is None:
        pytest.skip("no helm binary")
    (tmp_path / "outside").mkdir(exist_ok=True)
    (tmp_path / "outside" / "schema.json").write_text('{"type": "string", "enum": ["%s"]}' % MARKER)
    schema = schema.replace("OUTSIDE", str(tmp_path / "outside").lstrip("/") if "../" in schema else str(tmp_path / "outside"))
    files = {"app/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n", "app/values.yaml": "a: hello\n",
             "app/templates/cm.yaml": CM, "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="app"),
             "sluice.yaml": f"repoURL: {REPO_URL}\nhelm: {{engine: {engine}}}\n"}
    if layout == "chart":
        files["app/values.schema.json"] = schema
    repo = make_repo(tmp_path, files)
    if layout == "packaged-subchart":
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            for name, text in (("sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n"), ("sub/values.schema.json", schema),
                               ("sub/values.yaml", "a: hello\n")):
                info = tarfile.TarInfo(name)
                info.size = len(text.encode())
                tar.addfile(info, io.BytesIO(text.encode()))
        (repo / "app" / "charts").mkdir()
        (repo / "app" / "charts" / "sub-0.1.0.tgz").write_bytes(buf.getvalue())
    run = sluice(tmp_path, "render", str(repo))
    assert_refused(run, "values.schema.json", "leads outside the schema")
    assert "/tmp/sluice-" not in run.out, run.out


@pytest.mark.parametrize("secret", [
    """
    apiVersion: v1
    kind: Secret
    metadata:
      name: s
      annotations:
        sluice.dev/allow-plaintext-secret: "true"
        kubectl.kubernetes.io/last-applied-configuration: '{"kind":"Secret","stringData":{"password":"VALUE"}}'
    stringData: {password: other}
    """,
    """
    apiVersion: v1
    kind: List
    items:
    - apiVersion: v1
      kind: Secret
      metadata: {name: s, annotations: {sluice.dev/allow-plaintext-secret: "true"}}
      stringData: {password: VALUE}
    """,
])
@pytest.mark.parametrize("output", ["site", "json"])
def test_the_report_masks_every_copy_of_a_secret_value(tmp_path: Path, secret: str, output: str) -> None:
    """The report shows each resource as written to the branch, a Secret with its values
    masked: the last-applied annotation that copies them and a List's Secrets too."""
    value = "hunter2-s3cret-value"
    repo = make_repo(tmp_path, {"app/s.yaml": secret.replace("VALUE", value),
                                "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="app")})
    site = tmp_path / "site"
    run = sluice(tmp_path, "report", str(repo), "--out", str(site), *(["-o", "json"] if output == "json" else []))
    assert run.code == 0 and "Traceback" not in run.out, run.out
    written = "".join(p.read_text(errors="replace") for p in site.rglob("*") if p.is_file())
    assert "<redacted>" in written or "&lt;redacted&gt;" in written
    assert value not in run.out and value not in written


@pytest.mark.parametrize("template", [
    "{{ $l := list 1 }}{{ range until 34 }}{{ $l = concat $l $l }}{{ end }}{{ len $l }}",
    '{{ indent 2000000000 "a" | len }}',
])
@pytest.mark.parametrize("engine", ["in-process", "cli"])
def test_a_chart_template_that_exhausts_memory_is_stopped(tmp_path: Path, template: str, engine: str) -> None:
    """Go has no hard memory limit: a template doubling a list 34 times asks for 256 GiB.
    In process, Go's `fatal error: out of memory` aborted sluice (exit 134, a Go stack
    dump); the binary printed its goroutines as the message. Templates run in a process
    limited to limits.helmRenderMemory, and running out is one line naming that key."""
    from renderer.helm.engine import find_helm_binary

    if engine == "cli" and find_helm_binary() is None:
        pytest.skip("no helm binary")
    repo = make_repo(tmp_path, {
        **CHART_FILES, "chart/templates/cm.yaml": template + "\n",
        "sluice.yaml": f"repoURL: {REPO_URL}\nhelm: {{engine: {engine}}}\nlimits: {{helmRenderMemory: 2147483648}}\n",
    })
    run = sluice(tmp_path, "render", str(repo))
    assert_refused(run, "apps/web.yaml", "more than 2147483648 bytes of memory", "limits.helmRenderMemory")
    assert "goroutine" not in run.out, run.out[-3000:]


def test_preserve_globs_run_in_linear_time(tmp_path: Path) -> None:
    """sluice.yaml `preserve` globs were matched on Python's backtracking engine against the
    previous hydrated tip: `*a*a*a*...c` against an app directory of sixty a's (a valid
    Application name) ran for ever. They run on RE2, as every other repository pattern."""
    import subprocess

    name = "a" * 60
    repo = make_repo(tmp_path, {
        "sluice.yaml": f"repoURL: {REPO_URL}\npreserve: ['**/{'*a' * 14}*c']\n",
        "app/cm.yaml": CM, "apps/app.yaml": APP.format(name=name, url=REPO_URL, path="app"),
    })
    bare = tmp_path / "hydrated.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    git = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", "-c", "commit.gpgsign=false"]
    for step in range(2):  # the second hydration matches the globs against the first one's tip
        run = sluice(tmp_path, "hydrate", str(repo), "--remote", str(bare))
        assert run.code == 0 and "Traceback" not in run.out, run.out
        (repo / "app" / "cm.yaml").write_text(CM + f"data: {{step: '{step}'}}\n")
        subprocess.run([*git, "commit", "-qam", "change"], cwd=repo, check=True)


def _many(n: int, text: str) -> str:
    return "".join(text.format(i=i) for i in range(n))


AMPLIFYING_KUSTOMIZATIONS = {
    "json-patch-copy": ("resources: [cm.yaml]\npatches:\n- target: {kind: ConfigMap}\n  patch: |\n"
                        + _many(40, "    - {{op: copy, from: /data, path: /data/k{i}}}\n"), "copy operations duplicate"),
    "replacements": ("resources: [cm.yaml, big.yaml]\nreplacements:\n- source: {kind: ConfigMap, name: big, fieldPath: data.big}\n"
                     "  targets:\n  - select: {kind: ConfigMap, name: x}\n    options: {create: true}\n    fieldPaths:\n"
                     + _many(3000, "      - data.k{i}\n"), "replacements write more than"),
    "vars": ("resources: [cm.yaml, big.yaml]\nvars:\n- name: BIG\n  objref: {kind: ConfigMap, name: big, apiVersion: v1}\n"
             "  fieldref: {fieldpath: data.big}\nconfigurations: [conf.yaml]\n", "vars expand to more than"),
    "common-annotations": ("resources: [many.yaml]\ncommonAnnotations: {big: " + "x" * 2_000_000 + "}\n",
                           "output would be larger than"),
}


@pytest.mark.parametrize("case", sorted(AMPLIFYING_KUSTOMIZATIONS))
def test_a_kustomization_cannot_amplify_its_input_without_bound(tmp_path: Path, case: str) -> None:
    """Kustomize writes values by reference: a 2 MB value written to 3000 fields (a
    replacement, a var, an annotation every resource gets) or a map copied into itself
    forty times (a JSON patch) is gigabytes from a 2 MB pull request. Each is bounded (what
    copies, replacements and vars may write; what one dump may spell out) and fails as input."""
    kustomization, needle = AMPLIFYING_KUSTOMIZATIONS[case]
    repo = make_repo(tmp_path, {
        "app/kustomization.yaml": kustomization,
        "app/cm.yaml": CM.replace("{name: x}", "{name: x}\ndata: {a: b}") + (
            "spec: {args: [" + ", ".join(["'x$(BIG)'"] * 3000) + "]}\n" if case == "vars" else ""),
        "app/big.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {big: " + "x" * 2_000_000 + "}\n",
        "app/conf.yaml": "varReference:\n- {path: spec/args, kind: ConfigMap}\n",
        "app/many.yaml": _many(3000, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n"),
        "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="app"),
    })
    for args in (["render", str(repo)], ["build", str(repo / "app"), "--repo", str(repo)]):
        run = sluice(tmp_path, *args)
        assert_refused(run, needle)
        assert "MemoryError" not in run.out


def test_report_base_with_a_cluster_the_change_removes_whole(tmp_path: Path) -> None:
    """`report --base` on a pull request that removes every app of one cluster: the changes
    page links a cluster the head no longer has (a jinja2 UndefinedError traceback before)."""
    other = APP.format(name="app2", url=REPO_URL, path="app").replace("name: in-cluster", "name: other")
    repo = make_repo(tmp_path, {
        "app/cm.yaml": CM, "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="app") + "---\n" + other,
        "clusters.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: c\n  namespace: argocd\n"
                         "  labels: {argocd.argoproj.io/secret-type: cluster}\nstringData: {name: other, server: 'https://o'}\n",
    })
    (repo / "apps" / "app.yaml").write_text(other)
    run = sluice(tmp_path, "report", str(repo), "--out", str(tmp_path / "site"), "--base", "HEAD")
    assert run.code == 0 and "Traceback" not in run.out, run.out
    assert (tmp_path / "site" / "changes" / "in-cluster.html").is_file()


@pytest.mark.parametrize("shape", ["many-applications", "many-fields"])
def test_an_applicationset_cannot_amplify_a_parameter_without_bound(tmp_path: Path, shape: str) -> None:
    """A 2 MB parameter written into each of 3000 generated Applications (a matrix with a
    3000-element list), or into 3000 fields of one, is 6 GB; what one ApplicationSet's
    templates render is bounded, and the message quoting the parameters stays short."""
    big = "x" * 2_000_000
    if shape == "many-applications":
        elements = ", ".join(f"{{i: '{i}'}}" for i in range(3000))
        generators = f"- matrix:\n      generators:\n      - list: {{elements: [{{big: {big}}}]}}\n      - list: {{elements: [{elements}]}}"
        annotations = "{a: 'p{{.big}}'}"
    else:
        generators = f"- list: {{elements: [{{big: {big}, i: '0'}}]}}"
        annotations = "{" + ", ".join(f"a{i}: 'p{{{{.big}}}}'" for i in range(3000)) + "}"
    repo = make_repo(tmp_path, {"app/cm.yaml": CM, "apps/set.yaml": f"""\
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {{name: s, namespace: argocd}}
spec:
  goTemplate: true
  generators:
  {generators}
  template:
    metadata: {{name: 'x-{{{{.i}}}}', annotations: {annotations}}}
    spec:
      project: default
      source: {{repoURL: {REPO_URL}, path: app}}
      destination: {{name: in-cluster, namespace: a}}
"""})
    run = sluice(tmp_path, "appset", "generate", str(repo / "apps" / "set.yaml"), "--repo", str(repo))
    assert_refused(run, "apps/set.yaml", "render more than")
    assert len(run.out) < 5000, len(run.out)


@pytest.mark.parametrize("field", ["namePrefix: VALUE", "nameSuffix: VALUE", "images: [{name: nginx, newName: VALUE}]",
                                   "images: [{name: nginx, newTag: VALUE}]"])
def test_a_name_or_image_part_no_kubernetes_name_can_hold_is_refused(tmp_path: Path, field: str) -> None:
    """A prefix or an image name is concatenated into every name (and reference) or
    container it applies to: 2 MB of it over 3000 resources is gigabytes of new strings.
    No Kubernetes name holds more than 253 characters, no image part more than a few
    hundred: longer ones are refused as input."""
    repo = make_repo(tmp_path, {
        "app/kustomization.yaml": "resources: [many.yaml]\n" + field.replace("VALUE", "x" * 2_000_000) + "\n",
        "app/many.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n"
                         "      containers:\n" + _many(3000, "      - {{name: c{i}, image: nginx}}\n"),
        "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="app"),
    })
    assert_refused(sluice(tmp_path, "render", str(repo)), "app/kustomization.yaml", "characters long")


def test_diff_of_a_large_resource_changed_everywhere_is_fast_enough(tmp_path: Path) -> None:
    """difflib took minutes on a 50,000-line ConfigMap whose every other line a pull request
    changed (`sluice diff` on every CI run); above 2000 lines git's diff computes the hunks.
    The bound is ten times what the diff takes now: it catches the runaway, not slowness."""
    import random
    import subprocess

    rng = random.Random(1)
    lines = [f"  k{i}: v{rng.randrange(10**9)}\n" for i in range(50000)]
    repo = make_repo(tmp_path, {"app/cm.yaml": CM + "data:\n" + "".join(lines),
                                "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="app")})
    changed = [line.replace(": v", ": w") if i % 2 == 0 else line for i, line in enumerate(lines)]
    (repo / "app" / "cm.yaml").write_text(CM + "data:\n" + "".join(changed))
    git = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "commit", "-qam", "change"], cwd=repo, check=True)
    run = sluice(tmp_path, "diff", str(repo), "--base", "HEAD~1", "--head", "HEAD", "-o", "json", timeout=100)
    assert run.code == 0 and "Traceback" not in run.out, run.out[-2000:]
    assert "-  k0: v" in run.out and "+  k0: w" in run.out and "k1: v" in run.out


@pytest.mark.parametrize("command", ["render", "get", "diff"])
def test_directories_nested_past_the_recursion_limit_are_named(tmp_path: Path, command: str) -> None:
    """git commits a directory 1100 levels deep; the walks (and `diff`'s checkout of a
    revision) recursed per level into a RecursionError, reported as "input nests too deeply"
    naming nothing. The depth is bounded and the message names the path."""
    import subprocess

    repo = make_repo(tmp_path, {"app/cm.yaml": CM, "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="app")})
    deep = str(repo / "app")
    for _ in range(1100):  # one level at a time: os.makedirs and pathlib recurse per level too
        deep = os.path.join(deep, "d")
        os.mkdir(deep)
    with open(os.path.join(deep, "cm.yaml"), "w") as fh:
        fh.write(CM.replace("name: x", "name: deep"))
    git = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "deep"], cwd=repo, check=True)
    args = {"render": ["render", str(repo)], "get": ["get", "targets", str(repo)],
            "diff": ["diff", str(repo), "--base", "HEAD", "--head", "HEAD"]}[command]
    try:
        assert_refused(sluice(tmp_path, *args), "app/d/d/d/", "deeper than 200 levels")
    finally:
        # pytest's own clean-up of old temporary directories (shutil.rmtree) recurses per
        # level too: the chain is taken down here, bottom up
        os.remove(os.path.join(deep, "cm.yaml"))
        while deep != str(repo / "app"):
            os.rmdir(deep)
            deep = os.path.dirname(deep)


def test_a_chain_of_1200_kustomizations_is_named(tmp_path: Path) -> None:
    """Each overlay naming the next: the build recursed per level into a RecursionError
    ("input nests too deeply", no file). The depth is bounded (100) and the chain named."""
    files = {f"k{i}/kustomization.yaml": f"resources: [../k{i + 1}]\n" for i in range(1199)}
    files.update({"k1199/kustomization.yaml": "resources: [cm.yaml]\n", "k1199/cm.yaml": CM,
                  "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="k0")})
    repo = make_repo(tmp_path, files)
    for args in (["render", str(repo)], ["build", str(repo / "k0"), "--repo", str(repo)]):
        assert_refused(sluice(tmp_path, *args), "k99/kustomization.yaml", "nest deeper than 100 levels", "k0 -> k1")


def test_a_repo_url_longer_than_any_path_is_not_a_file_error(tmp_path: Path) -> None:
    """sluice.yaml `repoURL` of 5000 characters: asking whether it names a local path raised
    ENAMETOOLONG, reported as "cannot read 9999...: File name too long"."""
    url = "https://example.com/" + "9" * 5000
    repo = make_repo(tmp_path, {"sluice.yaml": f"repoURL: {url}\n", "app/cm.yaml": CM,
                                "apps/app.yaml": APP.format(name="app", url=url, path="app")})
    run = sluice(tmp_path, "render", str(repo))
    assert run.code == 0 and "Traceback" not in run.out, run.out[-500:]
