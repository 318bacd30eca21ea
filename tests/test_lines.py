"""The Line API conversion (widgets/lines.py) gives exactly the Segments Rich's Text.render did:
same texts, same styles, same cuts, so the panes draw as before, only faster."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Span, Text

from bptui.app.widgets.lines import (
    LinesBuilder,
    LineStrips,
    lines_text,
    runs_line,
    text_lines,
    text_to_strips,
)

CONSOLE = Console(width=1000, color_system="truecolor", legacy_windows=False)
BASE = Style(color="#e0e0e0", bgcolor="#121212")
HEAT = Style(color="#0a0a0a", bgcolor="#4287f5", bold=True, underline=True)
DIM = Style(dim=True)


def reference(text: Text, width: int, height: int, base: Style | None) -> list[list[Segment]]:
    """The conversion through Text.split and Text.render that lines.py replaced."""
    out = []
    for line in text.split("\n", allow_blank=True)[:height]:
        line.end = ""
        segments = list(line.render(CONSOLE))
        if base:
            segments = list(Segment.apply_style(segments, base))
        out.append(Segment.adjust_line_length(segments, width, style=base, pad=True))
    blank = [Segment(" " * width, base)]
    return out + [blank] * (height - len(out))


def texts() -> list[Text]:
    """Lines with styles, names of styles, gaps, overlaps, braille and empty lines."""
    plain = Text("plain line\n\nno style at all")
    parts = Text(no_wrap=True, overflow="crop")
    parts.append("Layer 1/3", Style(bold=True))
    parts.append("  2 → 8 units", DIM)
    parts.append("…", "dim")
    parts.append("\n unit 1  ")
    parts.append("  0.4213", HEAT)
    parts.append(" ")
    parts.append(" -0.1000", Style(color="#e1e1e1", bgcolor="#f58230"))
    parts.append("\n")
    parts.append("⠁⠂⠄⡀⢀⠠⠐⠈ edges", Style(color="#4287f5"))
    parts.append("⣿⣿", Style(color="#4287f5"))  # equal style, its own span: its own segment
    parts.append("\n│ ← ✕ δ · ‹ › end\n")
    overlapping = Text(
        "overlapping styles here",
        spans=[Span(0, 11, "bold"), Span(5, 18, "italic red"), Span(12, 23, Style(underline=True))],
    )
    across = Text(
        "span across\nthree\nlines",
        style="on blue",
        spans=[Span(6, 20, "green"), Span(0, 0, "red")],
    )
    unordered = Text("late early", spans=[Span(5, 10, "bold"), Span(0, 4, "italic")])
    return [plain, parts, overlapping, across, unordered, Text(""), Text("\n\n")]


@pytest.mark.parametrize("width", [4, 9, 12, 17, 40])
@pytest.mark.parametrize("base", [BASE, None])
def test_the_strips_hold_the_segments_text_render_gave(width, base):
    for text in texts():
        height = len(text.plain.split("\n")) + 2
        strips = text_to_strips(text, width, height, base)
        assert [list(strip) for strip in strips] == reference(text, width, height, base), text
        assert all(strip.cell_length == width for strip in strips)


def test_lines_taller_than_the_pane_are_cut():
    text = Text("a\nb\nc\nd", spans=[Span(2, 5, "bold")])
    strips = text_to_strips(text, 3, 2, BASE)
    assert [list(strip) for strip in strips] == reference(text, 3, 2, BASE)


def test_an_unchanged_line_returns_the_same_strip_and_a_changed_one_a_new_strip():
    converter = LineStrips(10, BASE)
    first = converter.convert(text_lines(Text("same\nold", spans=[Span(5, 8, "bold")])), 2)
    second = converter.convert(text_lines(Text("same\nnew", spans=[Span(5, 8, "bold")])), 2)
    assert second[0] is first[0]
    assert second[1] is not first[1] and list(second[1]) != list(first[1])
    restyled = converter.convert(text_lines(Text("same\nnew", spans=[Span(5, 8, "italic")])), 2)
    assert list(restyled[1]) != list(second[1]), "the same text in another style is redrawn"


def test_runs_line_is_the_line_of_the_text_the_runs_make():
    runs_lists = [
        [("  ", None), ("h1", Style(bold=True)), ("   ", None), (" ", None), ("⠉⠉", DIM)],
        [("all plain", None), (" still", None)],
        [("", DIM), ("x", None), ("y", "dim"), ("", None)],
        [("", None)],
        [("bell\a", DIM), ("\rreturn", None)],
        [("a", None), ("b", "none"), ("c", None), ("d", None)],
    ]
    for runs in runs_lists:
        text = Text()
        for run_text, style in runs:
            text.append(run_text, style)
        assert runs_line(runs) == text_lines(text)[0], runs
        assert lines_text([runs_line(runs)]).plain == text.plain


def test_the_builder_gives_the_lines_of_the_text_the_same_calls_build():
    fitted = Text("fitted head", spans=[Span(0, 6, Style(bold=True)), Span(7, 11, "dim")])
    styled_whole = Text("whole\nstyle", style="italic", spans=[Span(2, 8, "red")])
    calls = [
        ("append", ("title", DIM)),
        ("append", ("\n",)),
        ("append_text", (fitted,)),
        ("append", (" gap ",)),
        ("append", ("two\nlines\n", HEAT)),
        ("append", ("\n",)),
        ("append_text", (styled_whole,)),
        ("append", ("\a tail", "bold")),
    ]
    text, builder = Text(no_wrap=True, overflow="crop"), LinesBuilder()
    for name, args in calls:
        getattr(text, name)(*args)
        getattr(builder, name)(*args)
        assert builder.lines() == text_lines(text), name
