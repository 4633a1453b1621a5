"""Packaged charts (.tgz) read within Helm's own bounds.

Why: a chart archive can sit in the repository a pull request controls (a subchart in
`charts/`, a HelmRelease `chart: ./x.tgz`), and a 2 MB gzip stream can declare gigabytes.
Helm's loader refuses a chart that decompresses past 100 MiB, or one file past 5 MiB; every
read of an archive here (its files into memory, an extraction to disk) checks the sizes its
headers declare against the same limits before reading a byte of content, so a bomb fails
as input, in time and memory proportional to the archive.
"""
from __future__ import annotations

import io
import tarfile
from typing import Iterator

from ..core.errors import InputError

MAX_CHART_BYTES = 100 * 1024 * 1024  # Helm's MaxDecompressedChartSize
MAX_FILE_BYTES = 5 * 1024 * 1024  # Helm's MaxDecompressedFileSize
MAX_MEMBERS = 50_000  # headers alone (512 bytes each, compressing to nothing) would still fill memory


def _open(source: str | bytes, shown: str) -> tarfile.TarFile:
    try:
        if isinstance(source, bytes):
            return tarfile.open(fileobj=io.BytesIO(source), mode="r:gz")
        return tarfile.open(source, mode="r:gz")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise InputError(f"{shown} is not a chart archive: {exc}") from None


def members(tar: tarfile.TarFile, shown: str) -> Iterator[tarfile.TarInfo]:
    """The archive's entries, refused (InputError) as soon as their declared sizes or count
    pass Helm's limits."""
    total = 0
    try:
        for count, member in enumerate(tar, 1):
            if count > MAX_MEMBERS:
                raise InputError(f"{shown}: chart archive holds more than {MAX_MEMBERS} entries")
            if member.isfile():
                if member.size > MAX_FILE_BYTES:
                    raise InputError(f"{shown}: {member.name} decompresses to {member.size} bytes, more than the "
                                     f"{MAX_FILE_BYTES} Helm allows one file of a chart")
                total += member.size
                if total > MAX_CHART_BYTES:
                    raise InputError(f"{shown}: decompressed chart is larger than the {MAX_CHART_BYTES} bytes Helm allows")
            yield member
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise InputError(f"{shown} is not a chart archive: {exc}") from None


def archive_files(source: str | bytes, shown: str) -> dict[str, bytes]:
    """Files of a packaged chart, keyed by their path below the archive's top directory."""
    files: dict[str, bytes] = {}
    with _open(source, shown) as tar:
        for member in members(tar, shown):
            if member.isfile() and "/" in member.name:
                f = tar.extractfile(member)
                if f is not None:
                    files[member.name.split("/", 1)[1]] = f.read()
    return files


def check_archive(path: str, shown: str | None = None) -> None:
    """Raise InputError unless the archive at `path` stays within Helm's limits (before an
    extraction to disk)."""
    with _open(path, shown or path) as tar:
        for _member in members(tar, shown or path):
            pass


def extract(path: str, dest: str) -> None:
    """Extract a checked archive into `dest` (tarfile's data filter: no links out, no
    absolute or parent paths, no devices)."""
    check_archive(path)
    with _open(path, path) as tar:
        try:
            tar.extractall(dest, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise InputError(f"{path}: cannot unpack chart archive: {exc}") from None


def has_member(path: str, needle: str) -> bool:
    """Whether a file of the archive has `needle` in its path."""
    with _open(path, path) as tar:
        return any(needle in m.name for m in members(tar, path) if m.isfile())


__all__ = ["MAX_CHART_BYTES", "MAX_FILE_BYTES", "archive_files", "check_archive", "extract", "has_member", "members"]
