"""Training speed as files give it: `[training] speed` in a preset, `speed` in a lesson step.

The explorer's `<` and `>` step through PACES; a preset or a lesson step may start it at one of
them (a step that asks the learner to watch the first steps sets 10: each step is drawn). The
engine never reads it: it is how fast the explorer trains, not what training computes.
"""

from __future__ import annotations

import difflib
import math

from bptui.preset.table import Table, describe

PACES: tuple[float | None, ...] = (1, 10, 100, 1000, None)
"""Training speeds in steps per second, slowest first (None: as fast as it goes)."""
MAX = "max"
"""How a file writes the last pace (None)."""
ALLOWED = 'allowed: 1, 10, 100 or 1000 (steps/s) or "max"'


def pace_text(pace: float | None) -> str:
    """'10 steps/s', '1 step/s' or 'max'."""
    if pace is None:
        return "max"
    return f"{pace:,.0f} step/s" if pace == 1 else f"{pace:,.0f} steps/s"


def read_speed(table: Table, name: str = "speed") -> float | None:
    """The pace a file's `name` key gives (one of PACES; None: "max"), or a PresetError that
    names the closest pace."""
    value = table.raw(name)
    if value == MAX:
        return None
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if number is not None and number in PACES:
        return int(number)
    raise table.error(
        name, f"{describe(value)} is not a training speed ({did_you_mean(value)}{ALLOWED})"
    )


def did_you_mean(value) -> str:
    """'did you mean 10? ' for a number near a pace (or one written as text), 'did you mean
    "max"? ' for a misspelled max; '' when nothing is close."""
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "")
        if text.isascii() and text.isdigit() and int(text) in PACES:
            return f"did you mean {int(text)} (a number, without quotes)? "
        close = difflib.get_close_matches(value.strip().lower(), [MAX], n=1, cutoff=0.5)
        return f'did you mean "{MAX}"? ' if close else ""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return ""
    if value == math.inf:
        return f'did you mean "{MAX}"? '
    numbers = [p for p in PACES if p is not None]
    if value <= 0:
        return f"did you mean {numbers[0]}? "
    if value > numbers[-1]:
        return f'did you mean {numbers[-1]} or "{MAX}"? '
    nearest = min(numbers, key=lambda p: abs(math.log10(value) - math.log10(p)))
    return f"did you mean {nearest}? "
