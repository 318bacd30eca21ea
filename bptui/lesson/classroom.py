"""A class's lesson progress, kept per student on the server (`bptui learn --web`, `bptui class`).

A student is a random id kept by the browser (a cookie the page sets; no accounts). The store is
a folder (`--class-dir`) holding, per student, `ID.json` (for each lesson: step, P's tally, last
activity; and which lesson is current) and `ID.npz` (the session of the current lesson: the network
state its step needs, written by the app with bptui.session). Nothing else is ever read or written
there, and no name comes from the browser: a file name is a checked id plus a fixed suffix.

Like every file, the store is untrusted: a record that is too large, not JSON, or holds values that
make no sense is ignored (the student starts afresh), never an error. It is bounded: at most
MAX_STUDENTS records (a new student beyond it is not kept), MAX_LESSONS lessons a record, a
state at most MAX_STATE_BYTES (a larger one is not kept: the student resumes at the step, on fresh
weights), and the states together at most MAX_TOTAL_STATE_BYTES (the oldest are dropped to
make room).
"""

from __future__ import annotations

import json
import os
import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from bptui.text import printable

ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
"""What a student id may be: a cookie's value is checked against this before any use."""
FORMAT = "bptui-class"
VERSION = 1
MAX_STUDENTS = 1000
MAX_LESSONS = 100
MAX_RECORD_BYTES = 256 * 1024
MAX_STATE_BYTES = 16 * 2**20
MAX_TOTAL_STATE_BYTES = 1 << 30
MAX_SCAN = 4 * MAX_STUDENTS  # directory entries looked at (a folder stuffed with other files)
MAX_TEXT = 200  # characters of a lesson's name or title kept in a record
MAX_COUNT = 10_000_000


def valid_id(text: object) -> bool:
    """Whether `text` is a student id (ID)."""
    return isinstance(text, str) and ID.fullmatch(text) is not None


@dataclass(frozen=True)
class LessonEntry:
    """One lesson of one student: where they are (0-based `step`; `steps` when finished)."""

    ident: str
    name: str
    title: str
    step: int
    steps: int
    right: int
    asked: int
    updated: float

    @property
    def finished(self) -> bool:
        return self.step >= self.steps

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "step": self.step,
            "steps": self.steps,
            "right": self.right,
            "asked": self.asked,
            "updated": self.updated,
        }


@dataclass(frozen=True)
class Record:
    """A student's record: every lesson they opened, the current one, and whose state the
    `.npz` holds (lesson ident and step; None: no state kept)."""

    student: str
    lessons: dict[str, LessonEntry]
    current: str | None
    state: tuple[str, int] | None

    @property
    def latest(self) -> LessonEntry | None:
        """The current lesson's entry (else the most recently active one)."""
        if self.current in self.lessons:
            return self.lessons[self.current]
        return max(self.lessons.values(), key=lambda e: e.updated, default=None)


def _count(value: object, high: int = MAX_COUNT) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        return None
    return value


def _text(value: object) -> str | None:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        return None
    return printable(value)


def entry_of(ident: str, doc: object) -> LessonEntry | None:
    """A lesson entry from JSON, or None if anything in it makes no sense."""
    if not isinstance(doc, dict) or not isinstance(ident, str) or len(ident) > 4096:
        return None
    steps = _count(doc.get("steps"), 10_000)
    step, right, asked = (_count(doc.get(k)) for k in ("step", "right", "asked"))
    name, title = _text(doc.get("name")), _text(doc.get("title"))
    updated = doc.get("updated")
    if None in (steps, step, right, asked, name, title) or not steps:
        return None
    if (
        step > steps
        or right > asked
        or isinstance(updated, bool)
        or not isinstance(updated, (int, float))
        or not 0 <= updated < 1e11
    ):
        return None
    return LessonEntry(ident, name, title, step, steps, right, asked, float(updated))


def record_of(student: str, doc: object) -> Record | None:
    """A record from its JSON document, or None if it is not one."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("version") != VERSION:
        return None
    raw = doc.get("lessons")
    if not isinstance(raw, dict) or len(raw) > MAX_LESSONS:
        return None
    lessons = {
        ident: entry
        for ident, value in raw.items()
        if (entry := entry_of(ident, value)) is not None
    }
    current = doc.get("current")
    current = current if isinstance(current, str) and current in lessons else None
    state = doc.get("state")
    kept = None
    if (
        isinstance(state, list)
        and len(state) == 2
        and state[0] in lessons
        and _count(state[1]) is not None
    ):
        kept = (state[0], state[1])
    return Record(student, lessons, current, kept)


def read_bounded(path: Path, limit: int) -> bytes | None:
    """The bytes of a regular file (never through a symlink) of at most `limit` bytes; None if
    there is no such file, it cannot be read, or it is larger."""
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as file:
            data = file.read(limit + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) <= limit else None


class ClassStore:
    """The folder of a class's progress (see the module's docstring)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def _path(self, student: str, suffix: str) -> Path:
        if not valid_id(student):
            raise ValueError(f"not a student id: {printable(str(student))[:80]}")
        return self.folder / f"{student}{suffix}"

    def state_path(self, student: str) -> Path:
        """Where the student's current session (.npz) is kept."""
        return self._path(student, ".npz")

    def record(self, student: str) -> Record | None:
        """The student's record, or None (none yet, or one that makes no sense)."""
        raw = read_bounded(self._path(student, ".json"), MAX_RECORD_BYTES)
        if raw is None:
            return None
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None
        return record_of(student, doc)

    def students(self) -> list[str]:
        """The ids that have a record file (at most MAX_STUDENTS, sorted)."""
        found: list[str] = []
        try:
            with os.scandir(self.folder) as entries:
                for seen, entry in enumerate(entries):
                    if seen >= MAX_SCAN or len(found) >= MAX_STUDENTS:
                        break
                    stem, dot, suffix = entry.name.rpartition(".")
                    if dot and suffix == "json" and valid_id(stem):
                        found.append(stem)
        except OSError:
            return []
        return sorted(found)

    def records(self) -> list[Record | str]:
        """Every student's record; the id alone for a record that cannot be read."""
        return [self.record(s) or s for s in self.students()]

    def save(self, student: str, entry: LessonEntry, state: bytes | None) -> str | None:
        """Record the student's progress in `entry`'s lesson (now current) and, if given, the
        session `state` for it. Returns why it was not kept (a sentence), or None."""
        from bptui.export import write_atomically

        path = self._path(student, ".json")
        record = self.record(student)
        try:
            os.makedirs(self.folder, mode=0o700, exist_ok=True)
            if (
                record is None
                and not os.path.lexists(path)
                and len(self.students()) >= MAX_STUDENTS
            ):
                return f"the class folder holds {MAX_STUDENTS} students already"
            lessons = dict(record.lessons) if record else {}
            lessons[entry.ident] = entry
            if len(lessons) > MAX_LESSONS:  # forget the least recently active lesson
                oldest = min(
                    (e for e in lessons.values() if e.ident != entry.ident), key=lambda e: e.updated
                )
                del lessons[oldest.ident]
            kept = record.state if record else None
            why = None
            if state is not None:
                if len(state) > MAX_STATE_BYTES:
                    why = f"the network is larger than {MAX_STATE_BYTES >> 20} MB: not kept"
                    self._drop_state(student)
                    kept = None
                else:
                    self._make_room(student, len(state))
                    write_atomically(self.state_path(student), lambda f: f.write(state))
                    kept = (entry.ident, entry.step)
            if kept is not None and kept[0] not in lessons:
                kept = None
            doc = {
                "format": FORMAT,
                "version": VERSION,
                "current": entry.ident,
                "lessons": {k: e.as_json() for k, e in lessons.items()},
                "state": list(kept) if kept else None,
            }
            text = json.dumps(doc, indent=1).encode("utf-8")
            write_atomically(path, lambda f: f.write(text))
        except OSError as exc:
            return f"cannot write in {printable(str(self.folder))} ({exc.strerror or exc})"
        return why

    def _drop_state(self, student: str) -> None:
        try:
            os.unlink(self.state_path(student))
        except OSError:
            pass

    def _make_room(self, student: str, size: int) -> None:
        """Delete the least recently written states of others until `size` more bytes fit."""
        states = []
        total = size
        for other in self.students():
            if other == student:
                continue
            try:
                info = os.stat(self.state_path(other), follow_symlinks=False)
            except OSError:
                continue
            states.append((info.st_mtime, other))
            total += info.st_size
        for _, other in sorted(states):
            if total <= MAX_TOTAL_STATE_BYTES:
                break
            try:
                total -= os.stat(self.state_path(other), follow_symlinks=False).st_size
            except OSError:
                continue
            self._drop_state(other)

    def reset(self, student: str) -> bool:
        """Forget a student (record and state); whether there was anything to forget."""
        found = False
        for suffix in (".json", ".npz"):
            try:
                os.unlink(self._path(student, suffix))
                found = True
            except FileNotFoundError:
                pass
        return found


def now() -> float:
    """Seconds since the epoch (records' `updated`)."""
    return time.time()
