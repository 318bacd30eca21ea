"""Line API support: a widget that draws pre-built lines as cached Strips.

Textual's Text → Content → Strip conversion on every repaint is the costliest part of a frame;
widgets here build their lines once per change and hand Textual ready Strips (render_line).

A line is a tuple of runs (text, style): the Segments Rich's `Text.render` gives for that line
of a Text, before the widget's own colours go under them. Equal lines draw equal strips, so a
line is also its own cache key, and only lines that changed are converted again. The
conversion builds Segments directly (no console, no Text.render): per line ~10× cheaper.
"""

from __future__ import annotations

from bisect import bisect_right

from rich.console import Console
from rich.control import strip_control_codes
from rich.segment import Segment
from rich.style import Style
from rich.text import Span, Text
from textual.geometry import Region
from textual.strip import Strip

from bptui.app.widgets.paletted import Paletted

Run = tuple[str, Style | None]
Line = tuple[Run, ...]

_CONSOLE = Console(width=1000, color_system="truecolor", legacy_windows=False)
"""Only used to resolve style names ("dim") and render the rare line whose styles overlap
(Text.render needs a console); it never prints."""
_NULL = Style.null()


_NAMED: dict[str, Style] = {}
"""Styles by name ("dim", "bold red"), resolved once."""


def _style(style: str | Style) -> Style:
    """A span's style as Text.render resolves it (a name through the console's theme)."""
    if isinstance(style, Style):
        return style
    named = _NAMED.get(style)
    if named is None:
        named = _NAMED[style] = _CONSOLE.get_style(style, default=_NULL)
    return named


def text_lines(text: Text) -> list[Line]:
    """`text` split at newlines into lines of runs: for each line, exactly the (text, style)
    of the Segments `Text.render` gives for that line of `text.split("\\n", allow_blank=True)`
    (a line without styled parts is one unstyled run, whatever the text's own style)."""
    plain = text.plain
    pieces = plain.split("\n")
    spans = text.spans
    if not spans:
        return [((piece, None),) for piece in pieces]
    starts, position = [], 0
    for piece in pieces:
        starts.append(position)
        position += len(piece) + 1
    clipped: list[list | None] = [None] * len(pieces)
    for start, end, style in spans:  # as Text.divide clips them (empty pieces dropped)
        i = max(0, bisect_right(starts, start) - 1)
        while i < len(pieces) and starts[i] < end:
            line_start = starts[i]
            new_start = max(start, line_start) - line_start
            new_end = min(end, line_start + len(pieces[i])) - line_start
            if new_end > new_start:
                if clipped[i] is None:
                    clipped[i] = []
                clipped[i].append((new_start, new_end, style))
            i += 1
    under = _style(text.style)
    combined: dict = {}
    out: list[Line] = []
    for piece, line_spans in zip(pieces, clipped, strict=True):
        if line_spans is None:
            out.append(((piece, None),))
            continue
        runs, position = [], 0
        for start, end, style in line_spans:
            if start < position:  # overlapping styles: Rich combines them (rare)
                runs = _rendered(piece, line_spans, text.style)
                break
            if start > position:
                runs.append((piece[position:start], under))
            key = style
            resolved = combined.get(key)
            if resolved is None:
                resolved = combined[key] = Style.combine((under, _style(style)))
            runs.append((piece[start:end], resolved))
            position = end
        else:
            if position < len(piece):
                runs.append((piece[position:], under))
        out.append(tuple(runs))
    return out


def _rendered(piece: str, spans: list, style: str | Style) -> list[Run]:
    """Text.render's runs of one line with overlapping spans."""
    line = Text(piece, style=style, spans=[Span(*span) for span in spans])
    return [(segment.text, segment.style) for segment in line.render(_CONSOLE)]


def runs_line(runs: list[tuple[str, Style | str | None]]) -> Line:
    """The line a Text built by appending these runs would render as (see text_lines): empty
    runs dropped, unstyled runs next to each other joined, control codes removed, and a line
    with no style at all is one unstyled run. Builders that know their runs skip the Text."""
    plain = "".join([text for text, _ in runs])
    if strip_control_codes(plain) != plain:
        runs = [(strip_control_codes(text), style) for text, style in runs]
        plain = "".join([text for text, _ in runs])
    out: list[Run] = []
    styled = joinable = False
    for text, style in runs:
        if not text:
            continue
        if style:
            styled, joinable = True, False
            out.append((text, style if style.__class__ is Style else _style(style)))
        elif joinable:
            out[-1] = (out[-1][0] + text, _NULL)
        else:
            joinable = True
            out.append((text, _NULL))
    return tuple(out) if styled else ((plain, None),)


def lines_text(lines: list[Line]) -> Text:
    """A Text of these lines (for readers of `build()`; drawing uses the lines)."""
    text = Text(no_wrap=True, overflow="crop")
    for y, line in enumerate(lines):
        if y:
            text.append("\n")
        for run_text, style in line:
            text.append(run_text, style)
    return text


class LinesBuilder:
    """Lines built as a Text is, by `append` and `append_text`, without the Text: `lines()` are
    the lines `text_lines` gives for the Text the same calls build."""

    def __init__(self):
        self._lines: list[Line] = []
        self._runs: list[tuple[str, Style | str | None]] = []  # of the line being built

    def append(self, text: str, style: Style | str | None = None) -> LinesBuilder:
        """Add text (it may hold newlines) in one style to the end."""
        if "\n" not in text:
            self._runs.append((text, style))
            return self
        first, *rest = text.split("\n")
        self._runs.append((first, style))
        for piece in rest:
            self._lines.append(runs_line(self._runs))
            self._runs = [(piece, style)]
        return self

    def append_text(self, text: Text) -> LinesBuilder:
        """Add a Text's lines to the end."""
        under = _style(text.style) if text.style else None
        for k, line in enumerate(text_lines(text)):
            if k:
                self.append("\n")
            self._runs.extend((run, style or under) for run, style in line)
        return self

    def lines(self) -> list[Line]:
        """The lines so far (the last one may be empty)."""
        return [*self._lines, runs_line(self._runs)]


class LineStrips:
    """Lines → Strips at one width and base style, remembering the Strips of the lines it
    converted last time (a line that did not change returns the same Strip)."""

    def __init__(self, width: int, base: Style | None):
        self.width = width
        self.base = base
        self._styles: dict = {}  # run style → the segment's style (base under it)
        self._strips: dict = {}  # Line → Strip, of the last conversion

    def strip(self, line: Line) -> Strip:
        """One line as a Strip, cropped or padded to the width (as Segment.adjust_line_length
        does, over Text.render's segments with the base style applied)."""
        base, styles = self.base, self._styles
        segments = []
        for text, style in line:
            applied = styles.get(style)
            if applied is None:
                applied = styles[style] = (base + style) if base else style
            segments.append(Segment(text, applied))
        return Strip(
            Segment.adjust_line_length(segments, self.width, style=base, pad=True), self.width
        )

    def convert(self, lines: list[Line], height: int) -> list[Strip]:
        """The first `height` lines as Strips, blank lines below them; only lines not among
        the last conversion's are converted."""
        strips: list[Strip] = []
        fresh: dict = {}
        old = self._strips
        for line in lines[:height]:
            strip = fresh.get(line) or old.get(line)
            if strip is None:
                strip = self.strip(line)
            fresh[line] = strip
            strips.append(strip)
        strips += [Strip.blank(self.width, self.base)] * (height - len(strips))
        self._strips = fresh
        return strips


def text_to_strips(text: Text, width: int, height: int, base: Style | None = None) -> list[Strip]:
    """One Strip per line of `text`, cropped/padded to width, padded with blank lines to height;
    `base` (the widget's own colours) sits under every segment."""
    return LineStrips(width, base).convert(text_lines(text), height)


class LinesWidget(Paletted):
    """Subclasses implement `build() -> Text` (or `build_lines()`, which drawing uses). Their
    reactives' watchers call `schedule()`: however many change in one go, the lines are rebuilt
    once, after them, and only the rows that changed are repainted. A hidden widget (another
    pane in front) rebuilds when shown; a theme change rebuilds with the theme's colours (the
    palette, read before building)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._strips: list[Strip] | None = None
        self._strip_size = None
        self._converter: LineStrips | None = None  # at the current size and colours
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

    def build_lines(self) -> list[Line]:
        """The lines to draw (by default `build()`'s, split; a builder that knows its runs
        overrides this and makes `build()` its Text)."""
        return text_lines(self.build())

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
        changed = [
            y
            for y, (a, b) in enumerate(zip(old, self._strips, strict=True))
            if a is not b and a != b
        ]
        if changed:
            self.refresh(*(Region(0, y, size[0], 1) for y in changed))

    def _convert(self, size: tuple[int, int]) -> list[Strip]:
        """Build and convert the lines (reusing strips of unchanged lines at the same size
        and colours, which are read afresh here: once per rebuild, not per line drawn)."""
        self._colours = None
        look = self._look(size)
        if look != self._strip_size or self._converter is None:
            self._converter = LineStrips(size[0], look[1])
        self._strip_size = look
        return self._converter.convert(self.build_lines(), size[1])

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
        size = self.size
        size = (size.width, size.height)
        if self._strips is None or self._strip_size != self._look(size):
            self._strips = self._convert(size)
        return self._strips[y] if y < len(self._strips) else Strip.blank(size[0], self.rich_style)
