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

from bptui.app.widgets.paletted import Paletted

_CONSOLE = Console(width=1000, color_system="truecolor", legacy_windows=False)
"""Only used to turn Text into Segments (Text.render needs a console); it never prints."""


def line_key(line: Text) -> tuple:
    """What a line looks like: equal keys draw equal strips."""
    return line.plain, line.style, tuple(line.spans)


def text_to_strips(text: Text, width: int, height: int, base: Style | None = None,
                   reuse: dict | None = None) -> list[Strip]:
    """One Strip per line of `text`, cropped/padded to width, padded with blank lines to height.

    `base` (the widget's own colours) sits under every segment. `reuse` maps line_key → Strip
    of lines converted before (at this width and base): only new lines are converted (the
    conversion is the costly part), and it is refilled with this text's lines.
    """
    strips: list[Strip] = []
    fresh: dict = {}
    for line in text.split("\n", allow_blank=True)[:height]:
        key = line_key(line)
        strip = fresh.get(key) or (reuse or {}).get(key)
        if strip is None:
            line.end = ""
            segments = list(line.render(_CONSOLE))
            if base:  # (Text.render drops the line's own style when it has no spans)
                segments = list(Segment.apply_style(segments, base))
            cropped = Segment.adjust_line_length(segments, width, style=base, pad=True)
            strip = Strip(cropped, width)
        fresh[key] = strip
        strips.append(strip)
    strips += [Strip.blank(width, base)] * (height - len(strips))
    if reuse is not None:
        reuse.clear()
        reuse.update(fresh)
    return strips


class LinesWidget(Paletted):
    """Subclasses implement `build() -> Text`. Their reactives' watchers call `schedule()`:
    however many change in one go, the lines are rebuilt once, after them, and only the rows
    that changed are repainted. A hidden widget (another pane in front) rebuilds when shown;
    a theme change rebuilds with the theme's colours (the palette, read before building)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._strips: list[Strip] | None = None
        self._strip_size = None
        self._converted: dict = {}  # line_key → Strip, at the current size and colours
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
        if not self.is_mounted or size[0] <= 0 or size[1] <= 0:
            self._strips = None
            self.refresh()
            return
        old, old_look = self._strips, self._strip_size
        self._strips = self._convert(size)
        if old is None or old_look != self._strip_size or len(old) != len(self._strips):
            self.refresh()
            return
        changed = [y for y, (a, b) in enumerate(zip(old, self._strips)) if a is not b and a != b]
        if changed:
            self.refresh(*(Region(0, y, size[0], 1) for y in changed))

    def _convert(self, size: tuple[int, int]) -> list[Strip]:
        """Build and convert the lines (reusing strips of unchanged lines at the same size
        and colours, which are read afresh here: once per rebuild, not per line drawn)."""
        self._colours = None
        look = self._look(size)
        if look != self._strip_size:
            self._converted.clear()
        self._strip_size = look
        return text_to_strips(self.build(), *size, look[1], self._converted)

    _colours: tuple | None = None
    """(rich_style, palette) of the last rebuild or style update (rich_style walks the DOM:
    too slow to read for every line drawn)."""

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._colours = None

    def _look(self, size: tuple[int, int]) -> tuple:
        """What the strips depend on besides the text: the size and the colours (reading the
        palette publishes it to the style helpers that build() uses)."""
        if self._colours is None:
            self._colours = (self.rich_style, self.palette)
        return (size, *self._colours)

    def render_line(self, y: int) -> Strip:
        size = (self.size.width, self.size.height)
        if self._strips is None or self._strip_size != self._look(size):
            self._strips = self._convert(size)
        return self._strips[y] if y < len(self._strips) else Strip.blank(size[0], self.rich_style)
