"""Lessons: a preset, and steps of Markdown text with checks that must hold to go on.

No Textual here: `loader` reads and validates lesson files, `checks` judges a step's check
against the stepper and what the screen shows, `progress` keeps where a learner got to.
"""

from bptui.lesson.loader import Lesson, Step, bundled_lessons, load_lesson

__all__ = ["Lesson", "Step", "bundled_lessons", "load_lesson"]
