"""Number formatting and the diverging colour scale shared by the panes.

Positive values are blue and negative values orange (the Playground's convention), more
saturated the larger |v| is relative to the scale of what is shown.
"""

from __future__ import annotations

from functools import lru_cache

from rich.cells import cell_len
from rich.color import Color
from rich.style import Style
from rich.text import Text

from bptui.engine.numtext import number

POSITIVE = (66, 135, 245)
NEGATIVE = (245, 130, 48)
LEVELS = 16
SURFACE = [(30, 30, 36)]
"""The background the colour scale starts from: the theme's (see use_theme)."""


def use_theme(background: tuple[int, int, int]) -> None:
    """Start the colour scale from the theme's background (called when the theme changes)."""
    if SURFACE[0] != background:
        SURFACE[0] = background
        heat_style.cache_clear()
        line_style.cache_clear()


def _luminance(rgb) -> float:
    return (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255


def fmt(value: float, width: int = 8) -> str:
    """A number in `width` characters, right-aligned (engine.numtext.number: 4 significant digits,
    fewer to fit)."""
    return number(value, width).rjust(width)


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


@lru_cache(maxsize=None)
def heat_style(level: int, bold: bool = False, underline: bool = False) -> Style:
    """Cell style for a signed level in −LEVELS..LEVELS."""
    t = abs(level) / LEVELS
    colour = POSITIVE if level >= 0 else NEGATIVE
    background = _mix(SURFACE[0], colour, t)
    dark_text = _luminance(background) > 0.5
    foreground = Color.from_rgb(10, 10, 10) if dark_text else Color.from_rgb(225, 225, 225)
    return Style(color=foreground, bgcolor=Color.from_rgb(*background), bold=bold,
                 underline=underline)


@lru_cache(maxsize=None)
def line_style(level: int, bright: bool = True) -> Style:
    """Foreground style for an edge of signed level −LEVELS..LEVELS."""
    t = 0.25 + 0.75 * abs(level) / LEVELS
    if not bright:
        t *= 0.45
    return Style(color=Color.from_rgb(*_mix(SURFACE[0], POSITIVE if level >= 0 else NEGATIVE, t)))


def level(value: float, scale: float) -> int:
    """The signed colour level of value on a scale (the largest |v| shown maps to ±LEVELS)."""
    if scale <= 0 or value != value:
        return 0
    t = min(1.0, abs(value) / scale) ** 0.6
    return int(round(t * LEVELS)) * (1 if value >= 0 else -1)


def fitted(parts: list[tuple[str, Style | str | None]], width: int) -> Text:
    """One line of styled parts cut to `width` cells: never mid-word (a part is cut at its last
    space that fits, or left out) and never mid-number; "…" marks the cut."""
    out = Text(no_wrap=True, overflow="crop")
    for text, part_style in parts:
        room = width - out.cell_len
        if cell_len(text) <= room:
            out.append(text, part_style)
            continue
        kept = text[:max(0, room - 1)]
        kept = kept[:max(0, kept.rfind(" "))].rstrip()
        if len(kept.strip(" ·│,:")) >= 6:  # a cut part keeps whole words, and enough of them
            out.append(kept, part_style)
        out.append("…", "dim")
        break
    return out
