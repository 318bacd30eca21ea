"""Line API support: a widget that draws pre-built Rich Text lines as cached Strips.

Textual's Text → Content → Strip conversion on every repaint is the costliest part of a frame;
widgets here build their text once per change and hand Textual ready Strips (render_line).
"""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

_CONSOLE = Console(width=1000, color_system="truecolor", legacy_windows=False)
"""Only used to turn Text into Segments (Text.render needs a console); it never prints."""


def text_to_strips(text: Text, width: int, height: int, base: Style | None = None) -> list[Strip]:
    """One Strip per line of `text`, cropped/padded to width, padded with blank lines to height.

    `base` (the widget's own colours) sits under every segment.
    """
    text.end = ""
    if base:
        text.style = base + text.style if text.style else base
    segments = list(text.render(_CONSOLE))
    lines = Segment.split_and_crop_lines(segments, width, style=base, pad=True,
                                         include_new_lines=False)
    strips = [Strip(line, width) for _, line in zip(range(height), lines)]
    strips += [Strip.blank(width, base)] * (height - len(strips))
    return strips


class LinesWidget(Widget):
    """Subclasses implement `build() -> Text`. Their reactives' watchers call `schedule()`:
    however many change in one go, the lines are rebuilt once, after them, and only the rows
    that changed are repainted. A hidden widget (another pane in front) rebuilds when shown;
    a theme change rebuilds with the theme's colours."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._strips: list[Strip] | None = None
        self._strip_size = None
        self._scheduled = False
        self._stale = False

    def on_mount(self) -> None:
        self.watch(self.app, "theme", lambda _: self.schedule(), init=False)

    def schedule(self) -> None:
        """Rebuild once, after the current batch of changes (and only when visible)."""
        if not self._scheduled:
            self._scheduled = True
            self.call_later(self._rebuild)

    def _rebuild(self) -> None:
        self._scheduled = False
        if not self.display:
            self._stale = True
            return
        self.redraw()

    def on_show(self) -> None:
        if self._stale:
            self._stale = False
            self.redraw()

    def build(self) -> Text:  # pragma: no cover - abstract
        raise NotImplementedError

    def redraw(self) -> None:
        """Rebuild the lines now and repaint only the rows that changed."""
        size = (self.size.width, self.size.height)
        old = self._strips if self._strip_size == size else None
        if not self.is_mounted or size[0] <= 0 or size[1] <= 0:
            self._strips = None
            self.refresh()
            return
        self._strips = text_to_strips(self.build(), *size, self.rich_style)
        self._strip_size = size
        if old is None or len(old) != len(self._strips):
            self.refresh()
            return
        changed = [y for y, (a, b) in enumerate(zip(old, self._strips)) if a != b]
        if changed:
            self.refresh(*(Region(0, y, size[0], 1) for y in changed))

    def render_line(self, y: int) -> Strip:
        size = (self.size.width, self.size.height)
        if self._strips is None or self._strip_size != size:
            self._strips = text_to_strips(self.build(), *size, self.rich_style)
            self._strip_size = size
        return self._strips[y] if y < len(self._strips) else Strip.blank(size[0])
