"""What a shared URL opens (`?lesson=NAME`, `?preset=NAME`, `?set=KEY=VALUE`), and how a browser
session's student id, class folder and URL reach its app process.

The server reads the page's query (`from_query`), checks it against what it serves (`check`: a
bad value is one line on an error page) and hands it to the page as a token (`token`): the page
connects to `/ws/TOKEN`, and the app process gets the token, the student's id (the cookie) and the
class folder in its environment (`ENV_*`, values that are checked ids, base64url or a path the
server chose). The app reads them back with `from_environment` and checks them again: a token is
untrusted (a browser can send any), so names are looked up in the app's catalog and `--set`
values validated as on the command line.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from bptui.lesson.catalog import valid_name
from bptui.text import printable

ENV_STUDENT = "BPTUI_STUDENT"
ENV_OPEN = "BPTUI_OPEN"
ENV_CLASS_DIR = "BPTUI_CLASS_DIR"
PARAMETERS = ("lesson", "preset", "set")
PAGE_PARAMETERS = ("fontsize", "delay", "ping")  # textual-serve's own, left to it
MAX_SETS = 16
MAX_SET_CHARS = 200
MAX_TOKEN = 4096
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,4096}")


class BadOpening(ValueError):
    """A URL's parameters that cannot be opened (the message is one line for the page)."""


@dataclass(frozen=True)
class Opening:
    """What to open: a lesson, or a preset with `--set` overrides (all optional)."""

    lesson: str | None = None
    preset: str | None = None
    sets: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.lesson or self.preset or self.sets)

    def query(self) -> str:
        """The URL query that opens this ('' for nothing)."""
        from urllib.parse import urlencode

        pairs = [(k, v) for k, v in (("lesson", self.lesson), ("preset", self.preset)) if v]
        pairs += [("set", s) for s in self.sets]
        return "?" + urlencode(pairs) if pairs else ""


def from_query(pairs: list[tuple[str, str]]) -> Opening:
    """The opening a URL's query asks for; BadOpening for one it cannot be (syntax only: names
    and overrides are checked against the catalog by `check`)."""
    values: dict[str, list[str]] = {}
    for key, value in pairs:
        if key in PAGE_PARAMETERS:
            continue
        if key not in PARAMETERS:
            raise BadOpening(
                f"?{printable(key)[:40]}= is not a parameter (allowed: "
                f"?lesson=NAME, ?preset=NAME, ?set=KEY=VALUE, ?fontsize=N)"
            )
        values.setdefault(key, []).append(value)
    for key in ("lesson", "preset"):
        if len(values.get(key, ())) > 1:
            raise BadOpening(f"?{key}= is given {len(values[key])} times (give it once)")
        for name in values.get(key, ()):
            if not valid_name(name):
                raise BadOpening(
                    f"?{key}={printable(name)[:60]!r} is not a name (letters, "
                    f"digits, '.', '_', '-'; never a path)"
                )
    sets = tuple(values.get("set", ()))
    if len(sets) > MAX_SETS or any(len(s) > MAX_SET_CHARS or not s.isprintable() for s in sets):
        raise BadOpening(
            f"?set= takes up to {MAX_SETS} overrides of up to {MAX_SET_CHARS} printable characters"
        )
    lesson = (values.get("lesson") or [None])[0]
    preset = (values.get("preset") or [None])[0]
    if lesson and (preset or sets):
        raise BadOpening(
            "?lesson= goes alone: a lesson fixes its preset and settings (give "
            "?preset= and ?set= without it)"
        )
    return Opening(lesson, preset, sets)


def check(opening: Opening, catalog, default_preset) -> None:
    """Load what `opening` names from `catalog` (the default preset under `?set=` alone), so a
    bad name or override is a PresetError (one line) before any app starts."""
    from bptui.preset.loader import with_sets

    if opening.lesson:
        catalog.lesson(opening.lesson)
        return
    preset = catalog.preset(opening.preset) if opening.preset else default_preset
    if opening.sets:
        if preset is None:
            raise BadOpening("?set= goes with ?preset=NAME here")
        with_sets(preset, list(opening.sets), "?set")


def token(opening: Opening) -> str:
    """The opening as a URL path segment (base64url of JSON); '' for nothing to open."""
    if not opening:
        return ""
    doc = {"lesson": opening.lesson, "preset": opening.preset, "set": list(opening.sets)}
    raw = json.dumps(doc, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def from_token(text: str) -> Opening | None:
    """The opening of a token (untrusted: None unless it is one `token` could have made)."""
    if not isinstance(text, str) or not TOKEN.fullmatch(text):
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        doc = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or set(doc) != {"lesson", "preset", "set"}:
        return None
    sets = doc["set"]
    if not isinstance(sets, list) or not all(isinstance(s, str) for s in sets):
        return None
    pairs = [(k, doc[k]) for k in ("lesson", "preset") if isinstance(doc[k], str)]
    if any(doc[k] is not None and not isinstance(doc[k], str) for k in ("lesson", "preset")):
        return None
    try:
        return from_query(pairs + [("set", s) for s in sets])
    except BadOpening:
        return None


@dataclass(frozen=True)
class WebSeat:
    """A browser session's place in a class: its student id and the class folder (the store)."""

    student: str
    folder: Path


def from_environment(environ=None) -> tuple[Opening, WebSeat | None]:
    """(what to open, the student's seat or None) from the app process's environment, as the
    server set it; anything that is not well formed is ignored."""
    from bptui.lesson.classroom import valid_id

    env = os.environ if environ is None else environ
    opening = from_token(env.get(ENV_OPEN, "")) or Opening()
    student, folder = env.get(ENV_STUDENT, ""), env.get(ENV_CLASS_DIR, "")
    seat = WebSeat(student, Path(folder)) if valid_id(student) and folder else None
    return opening, seat
