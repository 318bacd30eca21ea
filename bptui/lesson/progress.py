"""Where a learner got to in each lesson: one small JSON file in the user's data directory
(platformdirs, which Textual already installs), written atomically.

The file is untrusted like any other: anything malformed in it is ignored (the lesson simply
starts at the beginning), never an error that stops the app.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

FILE = "lessons.json"
MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class Progress:
    """Lesson step reached (0-based) and the predictions tally."""

    step: int = 0
    right: int = 0
    asked: int = 0


def data_dir() -> Path:
    """The user's data directory for bptui."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("bptui", appauthor=False))


def _read_all() -> dict:
    path = data_dir() / FILE
    try:
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            return {}
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def load(ident: str, steps: int) -> Progress | None:
    """Saved progress of a lesson with `steps` steps, if any and if it makes sense."""
    entry = _read_all().get(ident)
    if not isinstance(entry, dict):
        return None
    values = [entry.get(k) for k in ("step", "right", "asked")]
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
        return None
    step, right, asked = values
    if step >= steps or right > asked or asked > 10_000_000:
        return None
    return Progress(step, right, asked) if step or asked else None


def _write_all(doc: dict) -> None:
    """Replace the file (failures to write are ignored: progress is a convenience)."""
    from bptui.export import write_atomically

    try:
        folder = data_dir()
        os.makedirs(folder, exist_ok=True)
        text = json.dumps(doc, indent=1).encode("utf-8")
        write_atomically(folder / FILE, lambda f: f.write(text))
    except OSError:
        pass


def save(ident: str, progress: Progress) -> None:
    """Remember a lesson's progress."""
    doc = _read_all()
    doc[ident] = {"step": progress.step, "right": progress.right, "asked": progress.asked}
    _write_all(doc)


def forget(ident: str) -> None:
    """Start a lesson afresh next time."""
    doc = _read_all()
    if doc.pop(ident, None) is not None:
        _write_all(doc)
