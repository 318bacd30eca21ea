"""Panes that paint weights, activations and classes read one Palette from the theme.

The colours are Textual component classes, so the theme (and any CSS) sets them: positive and
negative keep the Playground's blue and orange in every theme; neutral is the theme's background
(a value of 0, p = 0.5) and ink its text colour. A pane reads them once per style update (a
theme change) and publishes them to bptui.app.style, whose cell styles the Line API panes use.
"""

from __future__ import annotations

from textual.color import Color
from textual.widget import Widget

from bptui.app import style
from bptui.app.palette import DEFAULT, Palette


class Paletted(Widget):
    """A widget with `palette`: the app's palette, read from its component classes."""

    COMPONENT_CLASSES = {
        "palette--positive",
        "palette--negative",
        "palette--neutral",
        "palette--ink",
    }
    DEFAULT_CSS = """
    Paletted > .palette--positive { color: #4287f5; }
    Paletted > .palette--negative { color: #f58230; }
    Paletted > .palette--neutral { color: $background; }
    Paletted > .palette--ink { color: $foreground; }
    """

    _palette: Palette | None = None

    @property
    def palette(self) -> Palette:
        """The colours of the current theme (read once per style update)."""
        if self._palette is None:
            if not self._component_styles:  # not styled yet (before it is mounted)
                return DEFAULT
            neutral = self._component_colour("palette--neutral", Color(0, 0, 0))

            def read(name: str) -> tuple[int, int, int]:
                return self._component_colour(name, neutral).rgb

            self._palette = Palette(
                read("palette--positive"),
                read("palette--negative"),
                neutral.rgb,
                read("palette--ink"),
            )
            style.use_palette(self._palette)
        return self._palette

    def _component_colour(self, name: str, under: Color) -> Color:
        """A component class's colour, over `under` where it is translucent."""
        colour = self.get_component_styles(name).color
        return under + colour if colour.a < 1 else colour

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._palette = None
