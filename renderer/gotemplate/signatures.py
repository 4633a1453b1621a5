"""Go parameter types of the template functions, and the checks Go's reflect-based call
makes with them before a function runs (text/template's evalArg and validateType).

Go checks each argument as it evaluates it, left to right, and only then calls the
function: `plural .missing "x" 2` fails on `.missing` (a string parameter given nil)
whatever `plural` would have done with it. sluice keeps one table of parameter types per
function and applies the same checks, with Go's wording.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from renderer.gotemplate.errors import ArgError
from renderer.gotemplate.values import MISSING, FloatConst, go_type

ANY = "interface {}"
VALUE = "reflect.Value"  # a builtin's parameter: takes anything, nil included
MAP = "map[string]interface {}"

# shorthand used in the table below
_T = {"s": "string", "i": "int", "u": "uint32", "f": "float64", "b": "bool", "a": ANY, "v": VALUE, "m": MAP,
      "t": "time.Time", "h": "sprig.HashAlgorithm", "V": "*semver.Version"}


@dataclass(frozen=True)
class Signature:
    """The parameter types of one Go function; the last repeats when `variadic`."""

    params: tuple[str, ...]
    variadic: bool

    def param(self, i: int) -> str:
        if self.variadic and i >= len(self.params) - 1:
            return self.params[-1]
        return self.params[i]


def _sig(spec: str) -> Signature:
    variadic = spec.endswith("*")
    return Signature(tuple(_T[c] for c in spec.rstrip("*")), variadic)


# name: parameter kinds (see _T); '*' marks the last one variadic. From Go's funcs.go,
# Sprig's function map and Argo CD's additions.
_SPECS: dict[str, str] = {
    # text/template builtins ("and"/"or" short-circuit; "slice" is Sprig's)
    "and": "vv*", "or": "vv*", "not": "v", "len": "v", "index": "vv*", "print": "a*", "printf": "sa*", "println": "a*",
    "eq": "vv*", "ne": "vv", "lt": "vv", "le": "vv", "gt": "vv", "ge": "vv", "html": "a*", "js": "a*",
    "urlquery": "a*", "call": "vv*",
    # strings
    "hello": "", "abbrev": "is", "abbrevboth": "iis", "trunc": "is", "trim": "s", "upper": "s", "lower": "s",
    "title": "s", "untitle": "s", "substr": "iis", "repeat": "is", "trimall": "ss", "trimAll": "ss",
    "trimSuffix": "ss", "trimPrefix": "ss", "nospace": "s", "initials": "s", "swapcase": "s", "shuffle": "s",
    "snakecase": "s", "camelcase": "s", "kebabcase": "s", "wrap": "is", "wrapWith": "iss", "contains": "ss",
    "hasPrefix": "ss", "hasSuffix": "ss", "quote": "a*", "squote": "a*", "cat": "a*", "indent": "is",
    "nindent": "is", "replace": "sss", "plural": "ssi", "sha1sum": "s", "sha256sum": "s", "sha512sum": "s",
    "adler32sum": "s", "toString": "a", "split": "ss", "splitList": "ss", "splitn": "sis", "toStrings": "a",
    "join": "sa", "sortAlpha": "a",
    # conversions and numbers
    "atoi": "s", "int64": "a", "int": "a", "float64": "a", "seq": "i*", "toDecimal": "a", "until": "i",
    "untilStep": "iii", "add1": "a", "add": "a*", "sub": "aa", "div": "aa", "mod": "aa", "mul": "aa*",
    "add1f": "a", "addf": "a*", "subf": "aa*", "divf": "aa*", "mulf": "aa*", "biggest": "aa*", "max": "aa*",
    "min": "aa*", "maxf": "aa*", "minf": "aa*", "ceil": "a", "floor": "a", "round": "aif*",
    # defaults, flow, reflection
    "default": "aa*", "empty": "a", "coalesce": "a*", "all": "a*", "any": "a*", "compact": "a", "mustCompact": "a",
    "fromJson": "s", "toJson": "a", "toPrettyJson": "a", "toRawJson": "a", "mustFromJson": "s", "mustToJson": "a",
    "mustToPrettyJson": "a", "mustToRawJson": "a", "ternary": "aab", "deepCopy": "a", "mustDeepCopy": "a",
    "typeOf": "a", "typeIs": "sa", "typeIsLike": "sa", "kindOf": "a", "kindIs": "sa", "deepEqual": "aa",
    "fail": "s", "required": "sa", "toYaml": "a", "fromYaml": "s", "fromYamlArray": "s",
    # paths and encodings
    "base": "s", "dir": "s", "clean": "s", "ext": "s", "isAbs": "s", "osBase": "s", "osClean": "s", "osDir": "s",
    "osExt": "s", "osIsAbs": "s", "b64enc": "s", "b64dec": "s", "b32enc": "s", "b32dec": "s",
    # lists and dicts
    "tuple": "a*", "list": "a*", "dict": "a*", "get": "ms", "set": "msa", "unset": "ms", "hasKey": "ms",
    "pluck": "sm*", "keys": "m*", "pick": "ms*", "omit": "ms*", "merge": "mm*", "mergeOverwrite": "mm*",
    "mustMerge": "mm*", "mustMergeOverwrite": "mm*", "values": "m", "append": "aa", "push": "aa",
    "mustAppend": "aa", "mustPush": "aa", "prepend": "aa", "mustPrepend": "aa", "first": "a", "mustFirst": "a",
    "rest": "a", "mustRest": "a", "last": "a", "mustLast": "a", "initial": "a", "mustInitial": "a",
    "reverse": "a", "mustReverse": "a", "uniq": "a", "mustUniq": "a", "without": "aa*", "mustWithout": "aa*",
    "has": "aa", "mustHas": "aa", "slice": "aa*", "mustSlice": "aa*", "concat": "a*", "dig": "a*", "chunk": "ia",
    "mustChunk": "ia",
    # crypto, semver, regex, urls
    "bcrypt": "s", "htpasswd": "ssh", "genPrivateKey": "s", "derivePassword": "ussss", "encryptAES": "ss",
    "decryptAES": "ss", "randBytes": "i", "uuidv4": "", "semver": "s", "semverCompare": "ss",
    "regexMatch": "ss", "mustRegexMatch": "ss", "regexFindAll": "ssi", "mustRegexFindAll": "ssi",
    "regexFind": "ss", "mustRegexFind": "ss", "regexReplaceAll": "sss", "mustRegexReplaceAll": "sss",
    "regexReplaceAllLiteral": "sss", "mustRegexReplaceAllLiteral": "sss", "regexSplit": "ssi",
    "mustRegexSplit": "ssi", "regexQuoteMeta": "s", "urlParse": "s", "urlJoin": "m",
    # clock and randomness (refused offline, but typed all the same)
    "now": "", "date": "sa", "dateInZone": "sas", "date_in_zone": "sas", "dateModify": "st",
    "date_modify": "st", "mustDateModify": "st", "ago": "a", "duration": "a", "durationRound": "a",
    "htmlDate": "a", "htmlDateInZone": "as", "toDate": "ss", "mustToDate": "ss", "unixEpoch": "t",
    "randAlphaNum": "i", "randAlpha": "i", "randAscii": "i", "randNumeric": "i", "randInt": "ii",
    # Argo CD
    "normalize": "s", "slugify": "a*",
}

SIGNATURES: dict[str, Signature] = {name: _sig(spec) for name, spec in _SPECS.items()}


def signature_of(spec: str) -> Signature:
    """A method's parameter types, in the table's shorthand."""
    return _sig(spec)


def check_count(name: str, sig: Signature, n_args: int, piped: bool) -> None:
    """Go's arity check, made before any argument is evaluated."""
    n_in = n_args + piped
    if sig.variadic:
        if n_in < len(sig.params) - 1:
            raise ArgError(f"wrong number of args for {name}: want at least {len(sig.params) - 1} got {n_args}")
    elif n_in != len(sig.params):
        raise ArgError(f"wrong number of args for {name}: want {len(sig.params)} got {n_in}")


def can_be_nil(typ: str) -> bool:
    return typ in (ANY, VALUE) or typ.startswith(("map[", "[]", "*"))


def _is_int_const(v: Any) -> bool:
    if isinstance(v, bool) or isinstance(v, complex):
        return False
    if isinstance(v, int):
        return True
    return isinstance(v, FloatConst) and v.is_integer() and -(2**63) <= v < 2**63


def check_literal(value: Any, src: str, typ: str) -> Any:
    """A constant of the template text given to a parameter of type `typ` (Go's evalArg)."""
    if typ in (ANY, VALUE):
        return value
    if typ == "string":
        if isinstance(value, str):
            return value
        raise ArgError(f"expected string; found {src}")
    if typ == "bool":
        if isinstance(value, bool):
            return value
        raise ArgError(f"expected bool; found {src}")
    if typ == "int":
        if isinstance(value, str) or not _is_int_const(value):
            raise ArgError(f"expected integer; found {src}")
        return int(value)
    if typ == "uint32":
        if isinstance(value, str) or not _is_int_const(value) or not 0 <= value < 2**32:
            raise ArgError(f"expected unsigned integer; found {src}")
        return int(value)
    if typ == "float64":
        if isinstance(value, (bool, str, complex)):
            raise ArgError(f"expected float; found {src}")
        return float(value)
    raise ArgError(f"can't handle {src} for arg of type {typ}")


def check_nil_literal(typ: str) -> None:
    """The constant `nil`: only types that can be nil take it."""
    if not can_be_nil(typ):
        raise ArgError(f"cannot assign nil to {typ}")


def check_value(value: Any, typ: str, from_field: bool) -> Any:
    """A computed argument (field, variable, pipeline, call) against a parameter type (Go's
    validateType). A nil read from a map field is a typed `interface {}`; a nil a pipeline
    or call produced is Go's invalid value."""
    if typ in (ANY, VALUE):
        return value
    if value is None or value is MISSING:
        if from_field and value is None:
            raise ArgError(f"wrong type for value; expected {typ}; got interface {{}}")
        if can_be_nil(typ):
            return None
        raise ArgError(f"invalid value; expected {typ}")
    actual = go_type(value)
    if actual == typ:
        return int(value) if typ == "int" else value
    raise ArgError(f"wrong type for value; expected {typ}; got {actual}")
