"""Sprig's semver functions (Masterminds/semver v3 semantics)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

import re2

from renderer.gotemplate.args import NIL_DEREFERENCE, arg_str
from renderer.gotemplate.errors import FuncError
from renderer.gotemplate.printf import quote
from renderer.gotemplate.values import GoObject, Uint64
# Masterminds' looseSemVerRegex (its NewVersion coerces by default): no spaces, ASCII digits
_SEMVER_RE = re.compile(
    r"v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:-([0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*))?(?:\+([0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*))?"
)


@dataclass(frozen=True)
class _Semver:
    major: int
    minor: int
    patch: int
    pre: str
    meta: str
    original: str

    def as_dict(self) -> dict[str, Any]:
        return {"Major": self.major, "Minor": self.minor, "Patch": self.patch, "Prerelease": self.pre, "Metadata": self.meta, "Original": self.original}


def _segment(text: str | None) -> int:
    """strconv.ParseUint(text, 10, 64), with Masterminds' wording when it overflows."""
    if not text:
        return 0
    n = int(text)
    if n >= 2**64:
        raise FuncError(f'error parsing version segment: strconv.ParseUint: parsing "{text}": value out of range')
    return n


def _parse_semver(v: str) -> _Semver:
    """Masterminds' coerceNewVersion: the loose form, leading zeros allowed in the version
    but not in a numeric prerelease part."""
    m = _SEMVER_RE.fullmatch(v)
    if not m:
        raise FuncError("invalid semantic version")
    major, minor, patch = _segment(m.group(1)), _segment(m.group(2)), _segment(m.group(3))
    pre = m.group(4) or ""
    if any(p.isdigit() and len(p) > 1 and p[0] == "0" for p in pre.split(".")) if pre else False:
        raise FuncError("version segment starts with 0")
    return _Semver(major, minor, patch, pre, m.group(5) or "", v)


def _pre_key(pre: str) -> tuple[Any, ...]:
    if not pre:
        return (1,)
    parts = []
    for p in pre.split("."):
        parts.append((0, int(p), "") if p.isdigit() else (1, 0, p))
    return (0, tuple(parts))


def _sv_key(v: _Semver) -> tuple[Any, ...]:
    return (v.major, v.minor, v.patch, _pre_key(v.pre))


class Version(GoObject):
    """Masterminds/semver's *Version, with the methods templates call on it."""

    go_type = "*semver.Version"
    methods = {"Major": "", "Minor": "", "Patch": "", "Prerelease": "", "Metadata": "", "Original": "",
               "String": "", "IncPatch": "", "IncMinor": "", "IncMajor": "", "Compare": "V",
               "LessThan": "V", "GreaterThan": "V", "Equal": "V"}

    def __init__(self, sv: _Semver) -> None:
        self.sv = sv

    def __str__(self) -> str:
        sv = self.sv
        return f"{sv.major}.{sv.minor}.{sv.patch}" + (f"-{sv.pre}" if sv.pre else "") + (f"+{sv.meta}" if sv.meta else "")

    def _next(self, major: int, minor: int, patch: int) -> Version:
        prefix = "v" if self.sv.original.startswith("v") else ""
        return VersionValue(_Semver(major, minor, patch, "", "", f"{prefix}{major}.{minor}.{patch}"))

    def _cmp(self, other: Any) -> int:
        if other is None:
            raise FuncError(NIL_DEREFERENCE)
        a, b = _sv_key(self.sv), _sv_key(other.sv)
        return (a > b) - (a < b)

    def go_Major(self) -> Uint64:
        return Uint64(self.sv.major)

    def go_Minor(self) -> Uint64:
        return Uint64(self.sv.minor)

    def go_Patch(self) -> Uint64:
        return Uint64(self.sv.patch)

    def go_Prerelease(self) -> str:
        return self.sv.pre

    def go_Metadata(self) -> str:
        return self.sv.meta

    def go_Original(self) -> str:
        return self.sv.original

    def go_String(self) -> str:
        return str(self)

    def go_IncPatch(self) -> Version:
        sv = self.sv
        return self._next(sv.major, sv.minor, sv.patch if sv.pre else sv.patch + 1)

    def go_IncMinor(self) -> Version:
        return self._next(self.sv.major, self.sv.minor + 1, 0)

    def go_IncMajor(self) -> Version:
        return self._next(self.sv.major + 1, 0, 0)

    def go_Compare(self, other: Any) -> int:
        return self._cmp(other)

    def go_LessThan(self, other: Any) -> bool:
        return self._cmp(other) < 0

    def go_GreaterThan(self, other: Any) -> bool:
        return self._cmp(other) > 0

    def go_Equal(self, other: Any) -> bool:
        return self._cmp(other) == 0


class VersionValue(Version):
    """A semver.Version (not a pointer), as the Inc* methods return: the methods with
    pointer receivers (Original, Compare, LessThan...) are not in its method set."""

    go_type = "semver.Version"
    methods = {k: v for k, v in Version.methods.items()
               if k not in ("Original", "Compare", "LessThan", "GreaterThan", "Equal")}


def _semver(v: Any) -> Version:
    return Version(_parse_semver(arg_str(v)))


_VERSION_TEXT = r"v?[0-9xX*]+(?:\.[0-9xX*]+){0,2}(?:-[0-9A-Za-z\-.]+)?(?:\+[0-9A-Za-z\-.]+)?"
_HYPHEN_RANGE = re.compile(rf"\s*({_VERSION_TEXT})\s+-\s+({_VERSION_TEXT})\s*")


# Masterminds/semver's constraint grammar (constraints.go), checked before anything else
_OPS = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^"
_CV = (r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?"
       r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?")
_VALID_CONSTRAINT = re2.compile(rf"^(\s*({_OPS})\s*({_CV})\s*)((?:\s+|,\s*)({_OPS})\s*({_CV})\s*)*$")
_RANGE = re2.compile(rf"\s*({_CV})\s+-\s+({_CV})\s*")


def _check_constraint(c: str) -> None:
    """NewConstraint's validation: hyphen ranges rewritten, then each `||` part must match
    the grammar, or `improper constraint: "PART"`."""
    for m in _RANGE.finditer(c):
        c = c.replace(m.group(0), f">= {m.group(1)}, <= {m.group(11)} ", 1)
    for part in c.split("||"):
        if not _VALID_CONSTRAINT.search(part):
            raise FuncError(f"improper constraint: {quote(part)}")


def _semver_compare(constraint: Any, version: Any) -> bool:
    c = arg_str(constraint)
    _check_constraint(c)
    v = _parse_semver(arg_str(version))
    for alt in c.split("||"):
        alt = _HYPHEN_RANGE.sub(r" >=\1, <=\2 ", alt)  # "1.2 - 1.4" is ">= 1.2, <= 1.4"
        alt = re.sub(r"(!=|>=|<=|~>|[=><~^])\s+", r"\1", alt)  # ">= 1.2" is one term
        terms = [t for t in re.split(r"\s*,\s*|\s+(?=[<>=!~^\d])", alt.strip()) if t]
        if not terms:
            continue
        if all(_semver_term(t, v) for t in terms):
            return True
    return False


def _semver_term(term: str, v: _Semver) -> bool:
    m = re.match(r"^\s*(=|!=|>=|<=|>|<|~>|~|\^)?\s*v?([0-9xX*]+(?:\.[0-9xX*]+)?(?:\.[0-9xX*]+)?(?:-[0-9A-Za-z\-.]+)?(?:\+[0-9A-Za-z\-.]+)?)\s*$", term)
    if not m:
        raise FuncError(f"improper constraint: {term}")
    op = m.group(1) or "="
    raw = m.group(2)
    core, _, pre = raw.partition("-")
    pre = pre.split("+")[0]
    parts = core.split("+")[0].split(".")
    wild = [p in ("x", "X", "*") for p in parts]
    nums = [0 if w else int(p) for p, w in zip(parts, wild)]
    given = len(parts)
    while len(nums) < 3:
        nums.append(0)
        wild.append(True)
    if v.pre and not pre:
        return False  # prereleases only match constraints that name one
    cv = _Semver(nums[0], nums[1], nums[2], pre, "", raw)
    key = _sv_key(v)
    ck = _sv_key(cv)

    def upper(level: int) -> tuple[Any, ...]:
        b = list(nums)
        b[level] += 1
        for i in range(level + 1, 3):
            b[i] = 0
        return (b[0], b[1], b[2], (0, ((0, 0, ""),)))  # exclusive upper, below any prerelease

    first_wild = next((i for i, w in enumerate(wild) if w), None)
    if op == "=":
        if first_wild is not None:
            if first_wild == 0:
                return True
            return ck <= key < upper(first_wild - 1)
        return key == ck
    if op == "!=":
        if first_wild is not None:
            return not (first_wild == 0 or ck <= key < upper(first_wild - 1))
        return key != ck
    if op == ">":
        if first_wild is not None and first_wild > 0:
            return key >= upper(first_wild - 1)
        return key > ck
    if op == ">=":
        return key >= ck
    if op == "<":
        return key < ck
    if op == "<=":
        if first_wild is not None and first_wild > 0:
            return key < upper(first_wild - 1)
        return key <= ck
    if op in ("~", "~>"):
        level = 1 if given >= 2 else 0
        return ck <= key < upper(level)
    if op == "^":
        if nums[0] > 0 or given == 1:
            level = 0
        elif nums[1] > 0 or given == 2:
            level = 1
        else:
            level = 2 if not wild[2] else 1
        return ck <= key < upper(level)
    return False


FUNCS: dict[str, Callable[..., Any]] = {
    "semver": _semver,
    "semverCompare": _semver_compare,
}
