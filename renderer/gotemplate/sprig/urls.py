"""Sprig's `urlParse` and `urlJoin`, over a re-implementation of Go's net/url parsing and
printing: Go's rules differ from urllib's (scheme detection, opaque URLs, percent-escape
validation, which characters each URL part escapes, its error messages)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from renderer.gotemplate.args import NIL_DEREFERENCE, arg_str
from renderer.gotemplate.errors import FuncError
from renderer.gotemplate.fmt import go_quote
from renderer.gotemplate.sprig.basedec import go_string
from renderer.gotemplate.values import go_kind

PATH, USER, FRAGMENT, HOST = "path", "user", "fragment", "host"
_ALNUM = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_HOST_OK = frozenset(b"!$&'()*+,;=:[]<>\"")
_USERINFO_OK = frozenset("-._:~!$&'()*+,;=%@")


class URLError(Exception):
    """A net/url parse error, worded as Go words it."""


def should_escape(c: int, mode: str) -> bool:
    if c in _ALNUM:
        return False
    if mode == HOST and c in _HOST_OK:
        return False
    if c in b"-_.~":
        return False
    if c in b"$&+,/:;=?@":
        if mode == USER:
            return c in b"@/?:"
        if mode == FRAGMENT:
            return False
        return c == ord("?")  # PATH
    if mode == FRAGMENT and c in b"!()*":
        return False
    return True


def escape(s: str, mode: str) -> str:
    return "".join(f"%{c:02X}" if should_escape(c, mode) else chr(c) for c in s.encode("utf-8"))


def _ishex(c: str) -> bool:
    return c in "0123456789abcdefABCDEF"


def unescape(s: str, mode: str) -> str:
    raw = s.encode("utf-8")
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == ord("%"):
            seg = raw[i : i + 3]
            if i + 2 >= len(raw) or not _ishex(chr(raw[i + 1])) or not _ishex(chr(raw[i + 2])):
                raise URLError("invalid URL escape " + go_quote(seg.decode("utf-8", "replace")))
            if mode == HOST and int(chr(raw[i + 1]), 16) < 8 and seg != b"%25":
                raise URLError("invalid URL escape " + go_quote(seg.decode("utf-8", "replace")))
            i += 3
            continue
        if mode == HOST and c < 0x80 and should_escape(c, mode):
            raise URLError("invalid character " + go_quote(chr(c)) + " in host name")
        i += 1
    out = bytearray()
    i = 0
    while i < len(raw):
        if raw[i] == ord("%"):
            out.append(int(raw[i + 1 : i + 3], 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return go_string(bytes(out))


def _valid_port(port: str) -> bool:
    return port == "" or (port[0] == ":" and all(c in "0123456789" for c in port[1:]))


@dataclass
class URL:
    scheme: str = ""
    opaque: str = ""
    user: tuple[str, str | None] | None = None  # username, password (None: not set)
    host: str = ""
    path: str = ""
    raw_query: str = ""
    fragment: str = ""
    force_query: bool = False
    omit_host: bool = False

    def userinfo(self) -> str:
        if self.user is None:
            return ""
        name, password = self.user
        return escape(name, USER) + ("" if password is None else ":" + escape(password, USER))

    def hostname(self) -> str:
        host = self.host
        colon = host.rfind(":")
        if colon != -1 and _valid_port(host[colon:]):
            host = host[:colon]
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        return host

    def string(self) -> str:
        out = ""
        if self.scheme:
            out += self.scheme + ":"
        if self.opaque:
            out += self.opaque
        else:
            if self.scheme or self.host or self.user is not None:
                if not (self.omit_host and not self.host and self.user is None):
                    if self.host or self.path or self.user is not None:
                        out += "//"
                    if self.user is not None:
                        out += self.userinfo() + "@"
                    if self.host:
                        out += escape(self.host, HOST)
            path = "*" if self.path == "*" else escape(self.path, PATH)
            if path and path[0] != "/" and self.host:
                out += "/"
            if not out and ":" in path.split("/", 1)[0]:
                out += "./"
            out += path
        if self.force_query or self.raw_query:
            out += "?" + self.raw_query
        if self.fragment:
            out += "#" + escape(self.fragment, FRAGMENT)
        return out


def _scheme(raw: str) -> tuple[str, str]:
    for i, c in enumerate(raw):
        if c.isascii() and c.isalpha():
            continue
        if c in "0123456789+-.":
            if i == 0:
                return "", raw
            continue
        if c == ":":
            if i == 0:
                raise URLError("missing protocol scheme")
            return raw[:i], raw[i + 1 :]
        return "", raw
    return "", raw


def _host(host: str) -> str:
    if host.startswith("["):
        i = host.rfind("]")
        if i < 0:
            raise URLError("missing ']' in host")
        if not _valid_port(host[i + 1 :]):
            raise URLError(f"invalid port {go_quote(host[i + 1:])} after host")
    else:
        i = host.rfind(":")
        if i != -1 and not _valid_port(host[i:]):
            raise URLError(f"invalid port {go_quote(host[i:])} after host")
    return unescape(host, HOST)


def _authority(url: URL, authority: str) -> None:
    at = authority.rfind("@")
    url.host = _host(authority[at + 1 :] if at >= 0 else authority)
    if at < 0:
        return
    info = authority[:at]
    if any(not (c.isascii() and c.isalnum()) and c not in _USERINFO_OK for c in info):
        raise URLError("net/url: invalid userinfo")
    if ":" not in info:
        url.user = (unescape(info, USER), None)
    else:
        name, _, password = info.partition(":")
        url.user = (unescape(name, USER), unescape(password, USER))


def _parse(raw: str) -> URL:
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw):
        raise URLError("net/url: invalid control character in URL")
    url = URL()
    if raw == "*":
        url.path = "*"
        return url
    scheme, rest = _scheme(raw)
    url.scheme = scheme.lower()
    if rest.endswith("?") and rest.count("?") == 1:
        url.force_query = True
        rest = rest[:-1]
    else:
        rest, _, url.raw_query = rest.partition("?")
    if not rest.startswith("/"):
        if url.scheme:
            url.opaque = rest
            return url
        if ":" in rest.split("/", 1)[0]:
            raise URLError("first path segment in URL cannot contain colon")
    if (url.scheme or not rest.startswith("///")) and rest.startswith("//"):
        authority, slash, tail = rest[2:].partition("/")
        rest = slash + tail
        _authority(url, authority)
    elif url.scheme and rest.startswith("/"):
        url.omit_host = True
    url.path = unescape(rest, PATH)
    return url


def parse_url(raw: str) -> URL:
    """Go's url.Parse."""
    body, hash_, frag = raw.partition("#")
    try:
        url = _parse(body)
    except URLError as e:
        raise URLError(f"parse {go_quote(body)}: {e}") from None
    if hash_:
        try:
            url.fragment = unescape(frag, FRAGMENT)
        except URLError as e:
            raise URLError(f"parse {go_quote(raw)}: {e}") from None
    return url


def url_parse(v: Any) -> dict[str, Any]:
    try:
        url = parse_url(arg_str(v))
    except URLError as e:
        raise FuncError(f"unable to parse url: {e}") from None
    return {"scheme": url.scheme, "host": url.host, "hostname": url.hostname(), "path": url.path,
            "query": url.raw_query, "opaque": url.opaque, "fragment": url.fragment, "userinfo": url.userinfo()}


def _dict_str(d: dict[str, Any], key: str) -> str:
    if key not in d:
        return ""
    value = d[key]
    if value is None:
        raise FuncError(NIL_DEREFERENCE)
    if not isinstance(value, str):
        raise FuncError(f"unable to parse {key} key, must be of type string, but {go_kind(value)} found")
    return value


def url_join(d: Any) -> str:
    d = d or {}
    url = URL(scheme=_dict_str(d, "scheme"), host=_dict_str(d, "host"), path=_dict_str(d, "path"),
              raw_query=_dict_str(d, "query"), opaque=_dict_str(d, "opaque"), fragment=_dict_str(d, "fragment"))
    info = _dict_str(d, "userinfo")
    if info:
        try:
            url.user = parse_url(f"proto://{info}@host").user
        except URLError as e:
            raise FuncError(f"unable to parse userinfo in dict: {e}") from None
    return url.string()


FUNCS: dict[str, Callable[..., Any]] = {
    "urlParse": url_parse,
    "urlJoin": url_join,
    "hello": lambda: "Hello!",
}
