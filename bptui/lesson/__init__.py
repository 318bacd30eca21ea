"""Lessons: a preset, and steps of Markdown text with checks that must hold to go on.

No Textual here: `loader` reads and validates lesson files, `checks` judges a step's check
against the stepper and what the screen shows, `progress` keeps where a learner got to.

`from bptui.lesson import load_lesson` works as usual, but the loader (and the checks it
validates with) loads when first asked for, not with the package: the explorer imports
`bptui.lesson.progress` at start-up, and the loader only with the first lesson.
"""

from __future__ import annotations

__all__ = ["Lesson", "Step", "bundled_lessons", "load_lesson"]


def __getattr__(name: str):
    if name in __all__:
        from bptui.lesson import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
