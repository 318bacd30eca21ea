"""Number formatting and the diverging colour scale shared by the panes.

Positive values are blue and negative values orange (the Playground's convention), more
saturated the larger |v| is relative to the scale of what is shown; the colours are the app's
one palette (bptui.app.palette), read from the theme by the panes (widgets/paletted.py).
"""

from __future__ import annotations

from functools import lru_cache

from rich.cells import cell_len
from rich.color import Color
from rich.style import Style
from rich.text import Text

from bptui.app.palette import DEFAULT, Palette, luminance, mix
from bptui.engine.numtext import number

LEVELS = 16
_CURRENT = [DEFAULT]
"""The palette of the current theme (see use_palette)."""


def use_palette(palette: Palette) -> None:
    """Draw with `palette` from now on (the panes call it when the theme changes)."""
    _CURRENT[0] = palette


def current() -> Palette:
    """The palette the panes draw with now."""
    return _CURRENT[0]


def fmt(value: float, width: int = 8) -> str:
    """A number in `width` characters, right-aligned (engine.numtext.number: 4 significant digits,
    fewer to fit)."""
    return number(value, width).rjust(width)


def heat_style(level: int, bold: bool = False, underline: bool = False) -> Style:
    """Cell style for a signed level in −LEVELS..LEVELS."""
    return _heat_style(_CURRENT[0], level, bold, underline)


@lru_cache(maxsize=4096)
def _heat_style(palette: Palette, level: int, bold: bool, underline: bool) -> Style:
    t = abs(level) / LEVELS
    background = mix(palette.neutral, palette.positive if level >= 0 else palette.negative, t)
    dark_text = luminance(background) > 0.5
    foreground = Color.from_rgb(10, 10, 10) if dark_text else Color.from_rgb(225, 225, 225)
    return Style(
        color=foreground, bgcolor=Color.from_rgb(*background), bold=bold, underline=underline
    )


def line_style(level: int, bright: bool = True) -> Style:
    """Foreground style for an edge of signed level −LEVELS..LEVELS."""
    return _line_style(_CURRENT[0], level, bright)


@lru_cache(maxsize=1024)
def _line_style(palette: Palette, level: int, bright: bool) -> Style:
    t = 0.25 + 0.75 * abs(level) / LEVELS
    if not bright:
        t *= 0.45
    colour = palette.positive if level >= 0 else palette.negative
    return Style(color=Color.from_rgb(*mix(palette.neutral, colour, t)))


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
        kept = text[: max(0, room - 1)]
        kept = kept[: max(0, kept.rfind(" "))].rstrip()
        if len(kept.strip(" ·│,:")) >= 6:  # a cut part keeps whole words, and enough of them
            out.append(kept, part_style)
        out.append("…", "dim")
        break
    return out
