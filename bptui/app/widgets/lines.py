"""Line API support: a widget that draws pre-built Rich Text lines as cached Strips.

Textual's Text → Content → Strip conversion on every repaint is the costliest part of a frame;
widgets here build their lines once per change and hand Textual ready Strips (render_line).
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget


def text_to_strips(text: Text, width: int, height: int, base: Style | None = None) -> list[Strip]:
    """One Strip per line of `text`, cropped/padded to width, padded with blank lines to height.

    `base` (the widget's own colours) sits under every segment.
    """
    strips = []
    for line in text.split("\n", allow_blank=True)[:height]:
        segments = [Segment(span_text, base + style if base and style else (style or base))
                    for span_text, style in _runs(line)]
        strips.append(Strip(segments).crop_extend(0, width, base))
    blank = Strip.blank(width, base)
    strips += [blank] * (height - len(strips))
    return strips


def _runs(line: Text):
    """(text, style) runs of a one-line Text, with spans resolved (rich's own divide)."""
    plain = line.plain
    if not line.spans:
        yield plain, line.style or None
        return
    for piece in line.divide(sorted({s.start for s in line.spans} | {s.end for s in line.spans})):
        style = None
        for span in piece.spans:
            style = span.style if style is None else style + span.style
        if piece.plain:
            yield piece.plain, style


class LinesWidget(Widget):
    """Subclasses implement `build() -> Text`; call `redraw()` when what they show changed."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._strips: list[Strip] | None = None
        self._strip_size = None

    def build(self) -> Text:  # pragma: no cover - abstract
        raise NotImplementedError

    def redraw(self) -> None:
        """Forget the cached lines and repaint."""
        self._strips = None
        self.refresh()

    def render_line(self, y: int) -> Strip:
        size = (self.size.width, self.size.height)
        if self._strips is None or self._strip_size != size:
            self._strips = text_to_strips(self.build(), *size, self.rich_style)
            self._strip_size = size
        return self._strips[y] if y < len(self._strips) else Strip.blank(size[0])
