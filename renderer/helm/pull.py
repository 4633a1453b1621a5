"""One chart downloaded by Helm itself (`helm pull`), from an HTTP repository or an OCI
registry, into the chart cache.

sluice speaks no repository or registry protocol: Helm resolves the version constraint,
authenticates and verifies. It runs with private HELM_CONFIG_HOME/CACHE/DATA directories
(nothing of a render's or the user's Helm state changes), but reads credentials where Helm
and Docker keep them: the registry config (HELM_REGISTRY_CONFIG, default
~/.config/helm/registry/config.json, falling back to Docker's config.json, DOCKER_CONFIG)
for OCI, and the entry of the user's repositories.yaml (HELM_REPOSITORY_CONFIG, default
~/.config/helm/repositories.yaml) whose URL is the repository's, for HTTP.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import urllib.parse
from pathlib import Path
from typing import Any, Mapping

from ..core.errors import InputError, RenderError
from ..core.yaml import dump_document, load_documents
from .cachekey import chart_cache_key

__all__ = ["helm_pull", "repository_entry"]

TIMEOUT = 300
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _helm() -> str:
    from .engine import find_helm_binary

    exe = find_helm_binary()
    if not exe:
        raise RenderError("`sluice helm pull` runs Helm's own pull and no helm binary was found: "
                          "run `python tools/install_helm.py` (installs it into the venv)")
    return exe


def _user_config(env: Mapping[str, str], variable: str, *default: str) -> Path:
    if env.get(variable):
        return Path(env[variable])
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else Path(env.get("HOME", "~")).expanduser() / ".config"
    return base.joinpath("helm", *default)


def _same_url(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def repository_entry(url: str, env: Mapping[str, str]) -> dict[str, Any] | None:
    """The user's repositories.yaml entry for `url` (credentials, TLS files), if any."""
    path = _user_config(env, "HELM_REPOSITORY_CONFIG", "repositories.yaml")
    try:
        docs = load_documents(path.read_text(encoding="utf-8"), str(path), dialect="config")
    except OSError:
        return None
    repos = ((docs[0] if docs else None) or {}).get("repositories") or []
    for entry in repos if isinstance(repos, list) else []:
        if isinstance(entry, dict) and _same_url(str(entry.get("url") or ""), url):
            return entry
    return None


def _environment(home: Path, env: Mapping[str, str]) -> dict[str, str]:
    """Helm's own state in `home`; the user's registry credentials and Docker config kept."""
    out = {k: v for k, v in env.items() if not k.startswith("HELM_")}
    out.update({
        "HELM_CONFIG_HOME": str(home / "config"),
        "HELM_CACHE_HOME": str(home / "cache"),
        "HELM_DATA_HOME": str(home / "data"),
        "HELM_REPOSITORY_CONFIG": str(home / "repositories.yaml"),
        "HELM_REPOSITORY_CACHE": str(home / "cache" / "repository"),
        "HELM_REGISTRY_CONFIG": str(_user_config(env, "HELM_REGISTRY_CONFIG", "registry", "config.json")),
    })
    return out


def _run(args: list[str], env: Mapping[str, str], what: str) -> None:
    try:
        proc = subprocess.run([_helm(), *args], env=dict(env), capture_output=True, timeout=TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(f"{what}: helm {args[0]} failed: {exc}") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"{what}: helm {args[0]} failed: {message[-1] if message else 'exit ' + str(proc.returncode)}")


def helm_pull(repo_url: str, chart: str, constraint: str, cache_dir: Path, *, oci: bool,
              env: Mapping[str, str] | None = None) -> Path:
    """Pull the newest `chart` matching `constraint` ('*': any) from the repository
    `repo_url` into `cache_dir/<chart_cache_key(repo_url)>/`; returns the archive."""
    env = dict(os.environ if env is None else env)
    what = f"chart {chart} {constraint} from {repo_url}"
    version = [] if constraint in ("", "*") else ["--version", constraint]
    target = cache_dir / chart_cache_key(repo_url)
    with tempfile.TemporaryDirectory(prefix="sluice-helm-pull-") as tmp:
        home = Path(tmp)
        out = home / "out"
        out.mkdir()
        helm_env = _environment(home, env)
        if oci:
            ref = repo_url if repo_url.startswith("oci://") else "oci://" + repo_url.split("://", 1)[-1]
            host = urllib.parse.urlparse(ref).hostname or ""
            # like Docker, a registry on the loopback interface is spoken to over plain HTTP
            plain = ["--plain-http"] if host in LOOPBACK else []
            _run(["pull", f"{ref.rstrip('/')}/{chart}", *version, *plain, "--destination", str(out)], helm_env, what)
        else:
            entry = dict(repository_entry(repo_url, env) or {})
            entry.update({"name": "sluice", "url": repo_url})
            Path(helm_env["HELM_REPOSITORY_CONFIG"]).write_text(
                dump_document({"apiVersion": "", "generated": "0001-01-01T00:00:00Z", "repositories": [entry]}),
                encoding="utf-8")
            _run(["repo", "update", "sluice"], helm_env, what)
            _run(["pull", f"sluice/{chart}", *version, "--destination", str(out)], helm_env, what)
        archives = sorted(out.glob("*.tgz"))
        if len(archives) != 1:
            raise InputError(f"{what}: helm pull left {len(archives)} archives, expected one")
        target.mkdir(parents=True, exist_ok=True)
        archive = target / archives[0].name
        data = archives[0].read_bytes()
        if not archive.is_file() or archive.read_bytes() != data:
            shutil.move(str(archives[0]), archive)
    return archive
