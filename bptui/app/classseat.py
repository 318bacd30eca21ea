"""A student's lesson progress on the class server (`bptui learn --web`): where to resume, and
keeping it (bptui.lesson.classroom is the store; bptui.session writes the network's state).

The app's `seat` (student id and class folder) comes from its server; without one nothing is kept.
Every failure to read or write is a notice at most, never an error: progress is a convenience.
"""

from __future__ import annotations

from dataclasses import dataclass

from bptui.lesson.classroom import ClassStore, LessonEntry, now
from bptui.lesson.progress import Progress
from bptui.preset import PresetError


@dataclass(frozen=True)
class Resume:
    """Where a student continues a lesson: its progress and, if kept, the session's preset and
    stepper at that step."""

    progress: Progress | None
    preset: object = None
    stepper: object = None


def current_lesson(seat, catalog):
    """The lesson the student was last in, unfinished and still served (else None)."""
    record = ClassStore(seat.folder).record(seat.student)
    entry = record.latest if record is not None else None
    if entry is None or entry.finished or catalog is None or not catalog.has_lesson(entry.name):
        return None
    try:
        lesson = catalog.lesson(entry.name)
    except PresetError:
        return None
    return lesson if lesson.ident == entry.ident else None


def resume(seat, lesson) -> Resume:
    """Where the student left `lesson` (nothing kept, or finished: from the start)."""
    store = ClassStore(seat.folder)
    record = store.record(seat.student)
    entry = record.lessons.get(lesson.ident) if record is not None else None
    if entry is None or entry.finished or entry.steps != len(lesson.steps):
        return Resume(None)
    progress = Progress(entry.step, entry.right, entry.asked)
    if record.state != (lesson.ident, entry.step):
        return Resume(progress)
    from bptui.session import load_session

    try:
        preset, stepper = load_session(store.state_path(seat.student))
    except (PresetError, OSError, ValueError):
        return Resume(progress)
    layers = lesson.preset.network.layers
    if (stepper.spec.layers[0], stepper.spec.layers[-1]) != (layers[0], layers[-1]):
        return Resume(progress)
    return Resume(progress, preset, stepper)


def keep(seat, lesson, progress: Progress, name: str, preset, stepper) -> str | None:
    """Store the student's progress in `lesson` and the session (`stepper` None: the step and
    tally only). Returns why it was not kept, or None."""
    state = None
    if stepper is not None:
        from bptui.session import session_bytes

        try:
            state = session_bytes(preset, stepper)
        except PresetError:
            state = None
    entry = LessonEntry(
        lesson.ident,
        name,
        lesson.title,
        progress.step,
        len(lesson.steps),
        progress.right,
        progress.asked,
        now(),
    )
    return ClassStore(seat.folder).save(seat.student, entry, state)
