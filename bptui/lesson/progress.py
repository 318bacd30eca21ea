"""Where a learner got to in each lesson: one small JSON file in the user's data directory
(platformdirs, which Textual already installs), written atomically.

The file is untrusted like any other, and never an error that stops the app: a lesson entry
that makes no sense is ignored (the lesson starts at the beginning); a file that is not a
progress file at all (not JSON, nested too deeply, too large, not an object) is set aside as
`lessons.json.bad` (or `.bad.1`, ...: an older one is never overwritten) when it is read, so
saving never replaces it and the other lessons' progress can still be recovered by hand.

Beside it, in `lesson-states/`, the network each lesson's current step starts from: a session
file (bptui.session) written when the learner goes on to a step, so that resuming at that step
restores the weights, the settings and the micro-step the step expects. It is read back as any
session file is (untrusted; a bad one is ignored and the lesson starts at its first step).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from bptui.text import printable

FILE = "lessons.json"
STATES = "lesson-states"
VIEWS = {
    "left": ("diagram", "boundary"),
    "right": ("matrix", "explain"),
    "bottom": ("chart", "health", "check"),
}
"""The panes a resumed step shows as the learner left them (app reactives → their values)."""
MAX_BYTES = 1_000_000
MAX_SET_ASIDE = 100
NOTICES: list[str] = []
"""Sentences about a progress file set aside, until `take_notices` hands them to the user."""


@dataclass(frozen=True)
class Progress:
    """Lesson step reached (0-based) and the predictions tally."""

    step: int = 0
    right: int = 0
    asked: int = 0
    view: dict = field(default_factory=dict, compare=False)
    """The panes in front when the step began (`VIEWS`)."""


def data_dir() -> Path:
    """The user's data directory for bptui."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("bptui", appauthor=False))


class Unreadable(Exception):
    """The progress file exists but is not a progress file (the message says why)."""


def _parse(path: Path) -> dict:
    """The progress file's document; raises Unreadable, or OSError when it cannot be opened."""
    if not path.is_file():
        raise Unreadable("not a regular file")
    with open(path, "rb") as file:
        raw = file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise Unreadable(f"larger than {MAX_BYTES:,} bytes")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise Unreadable("not UTF-8 text") from None
    except RecursionError:
        raise Unreadable("nested too deeply") from None
    except ValueError:
        raise Unreadable("not JSON") from None
    if not isinstance(doc, dict):
        raise Unreadable("not a JSON object")
    return doc


def set_aside(path: Path) -> Path | None:
    """Rename an unreadable file to the first free name of FILE.bad, FILE.bad.1, ... (an older
    one is never overwritten); None if it could not be renamed."""
    for i in range(MAX_SET_ASIDE):
        target = path.with_name(f"{path.name}.bad" + (f".{i}" if i else ""))
        try:
            os.link(path, target, follow_symlinks=False)  # fails if the name is taken
        except FileExistsError:
            continue
        except OSError:  # no hard links here (or a folder): rename if the name is free
            if os.path.lexists(target):
                continue
            try:
                os.rename(path, target)
            except OSError:
                return None
            return target
        try:
            os.unlink(path)
        except OSError:
            return None
        return target
    return None


def _read_all() -> tuple[dict, bool]:
    """(every lesson's progress, whether the file may be written). A file that is not a
    progress file is set aside first (so saving never replaces what it held); one that cannot
    be read or set aside is left alone, and nothing is written over it."""
    path = data_dir() / FILE
    try:
        if not os.path.lexists(path):
            return {}, True
        return _parse(path), True
    except OSError:
        return {}, False
    except Unreadable as exc:
        why = str(exc)
    kept = set_aside(path)
    if kept is None:
        NOTICES.append(
            f"{printable(str(path))} cannot be read ({why}) nor renamed: lesson "
            f"progress is not saved"
        )
        return {}, False
    NOTICES.append(
        f"{printable(str(path))} could not be read ({why}): kept as "
        f"{printable(kept.name)}; lesson progress starts afresh"
    )
    return {}, True


def take_notices() -> list[str]:
    """What happened to an unreadable progress file since the last call (for the user)."""
    notices = NOTICES[:]
    NOTICES.clear()
    return notices


def load(ident: str, steps: int) -> Progress | None:
    """Saved progress of a lesson with `steps` steps, if any and if it makes sense."""
    entry = _read_all()[0].get(ident)
    if not isinstance(entry, dict):
        return None
    values = [entry.get(k) for k in ("step", "right", "asked")]
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
        return None
    step, right, asked = values
    if step >= steps or right > asked or asked > 10_000_000:
        return None
    view = entry.get("view")
    view = (
        {k: v for k, v in view.items() if v in VIEWS.get(k, ())} if isinstance(view, dict) else {}
    )
    return Progress(step, right, asked, view) if step or asked else None


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
    doc, writable = _read_all()
    if writable:
        doc[ident] = {"step": progress.step, "right": progress.right, "asked": progress.asked}
        if progress.view:
            doc[ident]["view"] = dict(progress.view)
        _write_all(doc)


def forget(ident: str) -> None:
    """Start a lesson afresh next time."""
    doc, writable = _read_all()
    if writable and doc.pop(ident, None) is not None:
        _write_all(doc)
    forget_states(ident)


def state_stem(ident: str) -> str:
    """The states' file-name stem of a lesson: its name made safe, and a digest of its ident
    (two lesson files of one name in different folders never share a state)."""
    from bptui.text import safe_stem

    digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{safe_stem(Path(ident).stem, 'lesson')}-{digest}"


def state_file(ident: str, step: int) -> Path:
    """Where the network that step `step` (0-based) of a lesson starts from is kept."""
    return data_dir() / STATES / f"{state_stem(ident)}.step{step + 1}.npz"


def save_state(ident: str, step: int, contents: bytes) -> None:
    """Keep the session `contents` as the start of step `step` (the lesson's other steps'
    states go: only the step the progress names is ever resumed). Failures are ignored."""
    from bptui.export import write_atomically

    try:
        os.makedirs(data_dir() / STATES, exist_ok=True)
        write_atomically(state_file(ident, step), lambda f: f.write(contents))
    except OSError:
        return
    forget_states(ident, keep=step)


def forget_states(ident: str, keep: int | None = None) -> None:
    """Remove a lesson's saved states (all, or all but step `keep`'s)."""
    folder = data_dir() / STATES
    kept = state_file(ident, keep).name if keep is not None else None
    try:
        names = [p for p in folder.glob(f"{state_stem(ident)}.step*.npz") if p.name != kept]
    except OSError:
        return
    for path in names:
        try:
            path.unlink()
        except OSError:
            pass
