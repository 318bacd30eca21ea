"""`bptui learn FILE --check`: what a validated lesson holds, one line per step."""

from __future__ import annotations

from bptui.keys import BY_NAME
from bptui.lesson.loader import Lesson
from bptui.preset.speed import pace_text
from bptui.text import printable

SNIPPET = 40


def summary(lesson: Lesson) -> list[str]:
    """A heading line, then one line per step: its check, its keys, its hints, its first words."""
    steps = len(lesson.steps)
    preset = (
        "an inline preset"
        if lesson.preset.source == lesson.source
        else f"preset {lesson.preset.name}"
    )
    plural = "s" if steps > 1 else ""
    lines = [f'{lesson.source}: ok: "{lesson.title}" on {preset}, {steps} step{plural}']
    for i, step in enumerate(lesson.steps, start=1):
        check = step.check.describe() if step.check is not None else "no check"
        keys = (
            "every key"
            if step.keys is None
            else "keys " + " ".join(BY_NAME[k].name for k in step.keys)
        )
        hints = f"{len(step.hints)} hint{'s' if len(step.hints) != 1 else ''}"
        words = " ".join(step.text.split())
        words = words if len(words) <= SNIPPET else words[: SNIPPET - 1] + "…"
        speed = f" · speed {pace_text(step.pace)}" if step.sets_pace else ""
        lines.append(f'step {i}/{steps}: {check} · {keys} · {hints}{speed} · "{words}"')
    return [printable(line) for line in lines]
