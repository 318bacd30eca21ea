"""Writing a preset document back as TOML (the standard library reads TOML but cannot write it).

Handles what presets contain: strings, booleans, integers, floats (written with repr, so they
read back bit for bit), arrays of those, tables, and arrays of tables.
"""

from __future__ import annotations

import json
import math
import re

BARE = re.compile(r"[A-Za-z0-9_-]+")


def value(v) -> str:
    """One TOML value."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):  # an inline table (inside a table, or in an array)
        return "{" + ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def key(name: str) -> str:
    """A key, quoted unless it is bare (letters, digits, _ and -)."""
    return name if BARE.fullmatch(name) else json.dumps(name, ensure_ascii=False)


def _is_table_array(v) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def dumps(doc: dict) -> str:
    """A document of scalars at the top, then [tables] and [[arrays of tables]] (tables and
    arrays of tables inside those are written inline)."""
    lines = []
    for name, v in doc.items():
        if not isinstance(v, dict) and not _is_table_array(v):
            lines.append(f"{key(name)} = {value(v)}")
    for name, v in doc.items():
        if isinstance(v, dict):
            lines += ["", f"[{key(name)}]"] + [f"{key(k)} = {value(x)}" for k, x in v.items()]
        elif _is_table_array(v):
            for table in v:
                lines += ["", f"[[{key(name)}]]"] + [
                    f"{key(k)} = {value(x)}" for k, x in table.items()
                ]
    return "\n".join(lines) + "\n"
