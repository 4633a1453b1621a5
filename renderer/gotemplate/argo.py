"""The functions Argo CD's ApplicationSet controller adds to Sprig."""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Callable

from renderer.gotemplate.args import arg_int, arg_str
from renderer.gotemplate.errors import ArgError
from renderer.gotemplate.values import go_type


def sanitize_name(name: str) -> str:
    """Argo CD's `normalize`: lowercase, [^-a-z0-9.] → '-', at most 253 bytes, trim '-' and '.'."""
    name = arg_str(name).lower()
    name = re.sub(r"[^-a-z0-9.]", "-", name)
    name = name[:253]
    return name.strip("-.")


def slugify(*args: Any) -> str:
    """Argo CD's `slugify [maxSize=50] [smartTruncate=true] name` (gosimple/slug on normalize)."""
    max_size, smart, name = 50, True, ""
    for idx, a in enumerate(args):
        if idx == len(args) - 1:
            name = arg_str(a)
        elif idx == 0:
            max_size = arg_int(a)
        elif idx == 1:
            if not isinstance(a, bool):
                raise ArgError(f"wrong type for value; expected bool; got {go_type(a)}")
            smart = a
    text = sanitize_name(name)
    # gosimple/slug.Make: transliterate, lowercase, non [a-z0-9-_] runs become '-', trim '-' and '_'
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9\-_]+", "-", text.lower())
    text = re.sub(r"-+", "-", text).strip("-_")
    if max_size > 0 and len(text) > max_size:
        if smart:
            cut = text[: max_size + 1]
            last = cut.rfind("-")
            text = text[:last] if last > 0 else text[:max_size]
        else:
            text = text[:max_size]
        text = text.strip("-_")
    return text


FUNCS: dict[str, Callable[..., Any]] = {
    "normalize": sanitize_name,
    "slugify": slugify,
}
