"""Helm's `--set` parser (`helm.sh/helm/v4/pkg/strvals`), for HelmRelease `valuesFrom.targetPath`.

`parse_into("a.b[0].c=1,d=x", dest)` writes into `dest` in place, exactly as Helm's
`strvals.ParseInto` does: `.` descends into maps, `[n]` indexes lists (growing them with
nulls), `\\` escapes the next character (`a\\.b` is the key `a.b`), `{x,y}` is a list value,
and values are typed (`true`/`false`/`null`/decimal integers; everything else a string)
unless `as_string` (`ParseIntoString`). Existing nested maps and lists are modified in
place, as Go's maps and slices are.
"""
from __future__ import annotations

import re
from typing import Any

MAX_INDEX = 65536
MAX_NESTED_NAME_LEVEL = 30


class StrvalsError(ValueError):
    pass


class _EOF(Exception):
    pass


class _NotList(Exception):
    pass


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def read(self) -> str | None:
        if self.pos >= len(self.text):
            return None
        ch = self.text[self.pos]
        self.pos += 1
        return ch

    def unread(self) -> None:
        self.pos -= 1

    def until(self, stop: str) -> tuple[str, str | None]:
        """runesUntil: (text read, stop rune or None at end of input)."""
        out: list[str] = []
        while True:
            ch = self.read()
            if ch is None:
                return "".join(out), None
            if ch in stop:
                return "".join(out), ch
            if ch == "\\":
                nxt = self.read()
                if nxt is None:
                    return "".join(out), None
                out.append(nxt)
            else:
                out.append(ch)


def typed_value(text: str, as_string: bool) -> Any:
    """strvals.typedVal."""
    if as_string:
        return text
    low = text.lower()
    if low == "true":
        return True
    if low == "false":
        return False
    if low == "null":
        return None
    if text == "0":
        return 0
    if text and text[0] != "0":
        body = text[1:] if text[0] in "+-" else text
        if body and body.isascii() and body.isdigit():
            value = int(text)
            if -(2**63) <= value < 2**63:
                return value
    return text


class _Parser:
    def __init__(self, text: str, data: dict[str, Any], as_string: bool) -> None:
        self.sc = _Scanner(text)
        self.data = data
        self.as_string = as_string

    def parse(self) -> None:
        while True:
            try:
                self.key(self.data, 0)
            except _EOF:
                return

    def key(self, data: dict[str, Any], level: int) -> None:
        k, last = self.sc.until("=[,.")
        if last is None:
            if not k:
                raise _EOF
            raise StrvalsError(f"key {k!r} has no value")
        if last == "[":
            i = self.key_index()
            existing = data.get(k, [])
            if k in data and not isinstance(existing, list):
                raise StrvalsError(f"unable to parse key: interface conversion: {k!r} is not a list")
            lst, err = self.list_item(existing if k in data else [], i, level)
            _set(data, k, lst)
            if err is not None:
                raise err
            return
        if last == "=":
            try:
                vl = self.val_list()
            except _EOF:
                _set(data, k, "")
                raise
            except _NotList:
                rs, _ = self.sc.until(",")
                _set(data, k, typed_value(rs, self.as_string))
                return
            _set(data, k, vl)
            return
        if last == ",":
            _set(data, k, "")
            raise StrvalsError(f"key {k!r} has no value (cannot end with ,)")
        # last == "."
        level += 1
        if level > MAX_NESTED_NAME_LEVEL:
            raise StrvalsError(f"value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}")
        inner: Any = {}
        if k in data:
            inner = data[k]
            if not isinstance(inner, dict):
                raise StrvalsError(f"unable to parse key: interface conversion: {k!r} is not a map")
        nested_err: BaseException | None = None
        try:
            self.key(inner, level)
        except (_EOF, StrvalsError) as exc:
            nested_err = exc
        if nested_err is None and not inner:
            raise StrvalsError(f"key map {k!r} has no value")
        if inner:
            _set(data, k, inner)
        if nested_err is not None:
            raise nested_err

    def key_index(self) -> int:
        v, last = self.sc.until("]")
        if last is None:
            raise _EOF
        if re.fullmatch(r"[+-]?[0-9]+", v) and len(v) <= 20:  # strconv.Atoi: int64 at most
            return int(v, 10)
        if True:
            raise StrvalsError(f"error parsing index: strconv.Atoi: parsing {v!r}: invalid syntax") from None

    def list_item(self, lst: list[Any], i: int, level: int) -> tuple[list[Any], BaseException | None]:
        if i < 0:
            return lst, StrvalsError(f"negative {i} index not allowed")
        k, last = self.sc.until("[.=")
        if k:
            return lst, StrvalsError(f"unexpected data at end of array index: {k!r}")
        if last is None:
            return lst, _EOF()
        if last == "=":
            try:
                vl = self.val_list()
            except _EOF:
                return _set_index(lst, i, "")
            except _NotList:
                rs, _ = self.sc.until(",")
                return _set_index(lst, i, typed_value(rs, self.as_string))
            return _set_index(lst, i, vl)
        if last == "[":
            next_i = self.key_index()
            crt: list[Any] = []
            if len(lst) > i and lst[i] is not None:
                if not isinstance(lst[i], list):
                    return lst, StrvalsError("unable to parse key: interface conversion: element is not a list")
                crt = lst[i]
            lst2, err = self.list_item(crt, next_i, level)
            if err is not None:
                return lst, err
            return _set_index(lst, i, lst2)
        # last == "."
        inner: dict[str, Any] = {}
        if len(lst) > i:
            if isinstance(lst[i], dict):
                inner = lst[i]
            else:
                lst[i] = inner
        try:
            self.key(inner, level)
        except (_EOF, StrvalsError) as exc:
            return lst, exc
        return _set_index(lst, i, inner)

    def val_list(self) -> list[Any]:
        ch = self.sc.read()
        if ch is None:
            raise _EOF
        if ch != "{":
            self.sc.unread()
            raise _NotList
        out: list[Any] = []
        while True:
            rs, last = self.sc.until(",}")
            if last is None:
                raise StrvalsError("list must terminate with '}'")
            if last == "}":
                nxt = self.sc.read()
                if nxt is not None and nxt != ",":
                    self.sc.unread()
                out.append(typed_value(rs, self.as_string))
                return out
            out.append(typed_value(rs, self.as_string))


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    if key:
        data[key] = value


def _set_index(lst: list[Any], index: int, value: Any) -> tuple[list[Any], BaseException | None]:
    if index < 0:
        return lst, StrvalsError(f"negative {index} index not allowed")
    if index > MAX_INDEX:
        return lst, StrvalsError(f"index of {index} is greater than maximum supported index of {MAX_INDEX}")
    if len(lst) <= index:
        lst = lst + [None] * (index + 1 - len(lst))
    lst[index] = value
    return lst, None


def parse_into(expression: str, dest: dict[str, Any], *, as_string: bool = False) -> None:
    """strvals.ParseInto (or ParseIntoString with `as_string`); raises StrvalsError."""
    parser = _Parser(expression, dest, as_string)
    try:
        parser.parse()
    except _EOF:
        return


def parse(expression: str, *, as_string: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    parse_into(expression, out, as_string=as_string)
    return out
