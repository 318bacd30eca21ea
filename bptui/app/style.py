"""Number formatting and the diverging colour scale shared by the panes.

Positive values are blue and negative values orange (the Playground's convention), more
saturated the larger |v| is relative to the scale of what is shown.
"""

from __future__ import annotations

import math
from functools import lru_cache

from rich.color import Color
from rich.style import Style

POSITIVE = (66, 135, 245)
NEGATIVE = (245, 130, 48)
SURFACE = (30, 30, 36)
LEVELS = 16


def fmt(value: float, width: int = 8) -> str:
    """A number in at most `width` characters with 4 (or fewer) significant digits."""
    if value != value:
        return "nan".rjust(width)
    if math.isinf(value):
        return ("inf" if value > 0 else "-inf").rjust(width)
    for digits in (4, 3, 2, 1):
        text = f"{value:.{digits}g}"
        if len(text) <= width:
            return text.rjust(width)
    if abs(value) < 1:
        decimals = max(0, width - 3)
        return f"{value:.{decimals}f}"[:width].rjust(width)
    return f"{value:.0e}".rjust(width)


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> Color:
    return Color.from_rgb(*(round(x + (y - x) * t) for x, y in zip(a, b)))


@lru_cache(maxsize=None)
def heat_style(level: int, bold: bool = False, underline: bool = False) -> Style:
    """Cell style for a signed level in −LEVELS..LEVELS."""
    t = abs(level) / LEVELS
    colour = POSITIVE if level >= 0 else NEGATIVE
    background = _mix(SURFACE, colour, t)
    foreground = Color.from_rgb(10, 10, 10) if t > 0.55 else Color.from_rgb(225, 225, 225)
    return Style(color=foreground, bgcolor=background, bold=bold, underline=underline)


@lru_cache(maxsize=None)
def line_style(level: int, bright: bool = True) -> Style:
    """Foreground style for an edge of signed level −LEVELS..LEVELS."""
    t = 0.25 + 0.75 * abs(level) / LEVELS
    if not bright:
        t *= 0.45
    return Style(color=_mix(SURFACE, POSITIVE if level >= 0 else NEGATIVE, t))


def level(value: float, scale: float) -> int:
    """The signed colour level of value on a scale (the largest |v| shown maps to ±LEVELS)."""
    if scale <= 0 or value != value:
        return 0
    t = min(1.0, abs(value) / scale) ** 0.6
    return int(round(t * LEVELS)) * (1 if value >= 0 else -1)
