"""Sprig's path functions (Go's `path` package: always slash-separated)."""
from __future__ import annotations

import posixpath
from typing import Any, Callable

from renderer.gotemplate.args import arg_str


def path_base(p: Any) -> str:
    s = arg_str(p)
    if s == "":
        return "."
    s = s.rstrip("/")
    if s == "":
        return "/"
    return s.rsplit("/", 1)[-1]


def path_clean(p: Any) -> str:

    s = arg_str(p)
    if s == "":
        return "."
    out = posixpath.normpath(s)
    return "/" + out.lstrip("/") if out.startswith("//") else out


def _path_dir(p: Any) -> str:
    s = arg_str(p)
    i = s.rfind("/")
    return path_clean(s[: i + 1])


def _path_ext(p: Any) -> str:
    s = arg_str(p)
    for i in range(len(s) - 1, -1, -1):
        if s[i] == "/":
            break
        if s[i] == ".":
            return s[i:]
    return ""


FUNCS: dict[str, Callable[..., Any]] = {
    "base": path_base,
    "dir": _path_dir,
    "clean": path_clean,
    "ext": _path_ext,
    "isAbs": lambda p: arg_str(p).startswith("/"),
    "osBase": path_base,
    "osDir": _path_dir,
    "osClean": path_clean,
    "osExt": _path_ext,
    "osIsAbs": lambda p: arg_str(p).startswith("/"),
}
