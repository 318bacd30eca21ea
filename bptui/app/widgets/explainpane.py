"""The explain pane (key x): the selected unit's arithmetic for the current step, with numbers."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Static

from bptui.engine.explain import Line
from bptui.engine.numtext import number

RAW = {"raw": "", "pos": "#4287f5", "neg": "#f58230", "mark": "bold"}
"""Lines kept as they are (bars, trees), plain or in a value's colour (blue +, orange −)."""


INDENT, HANGING = 2, 4
"""Cells before a line of the explanation, and before the rest of a line that wraps."""


def line_text(line: Line) -> tuple[Text, int]:
    """One line of the explanation, styled, and its indent (headings have none)."""
    if line.kind == "head":
        return Text(line.text, "bold underline"), 0
    if line.kind == "note":
        return Text(line.text, "dim"), INDENT
    if line.kind in RAW:
        return Text(line.text, RAW[line.kind]), INDENT
    if line.kind == "rule":
        return Text(line.text, "bold"), INDENT
    head, _, result = line.text.rpartition(" = ")
    text = Text(head + " = ")
    text.append(result, "bold cyan")
    full = f"{line.value:.8g}" if line.value is not None else ""
    if full and full != result and full != number(line.value):
        text.append(f"  ({full})", "dim")
    return text, INDENT


def explanation_text(lines: list[Line], width: int | None = None, console=None) -> Text:
    """Headings bold, formulas with their result highlighted (and 8 significant figures beside
    it, to check a source's printed numbers), notes dim, rules (formulas in symbols) bold. Given
    the pane's `width` (and a console to measure with), a line too long for it wraps between
    words onto lines indented further (a formula's continuation stands out from the next
    formula); bars and trees (RAW) are never wrapped."""
    text = Text()
    for line in lines:
        part, indent = line_text(line)
        if line.kind == "head" and text:
            text.append("\n")
        if width is None or console is None or line.kind in RAW or part.cell_len + indent <= width:
            text.append(" " * indent)
            text.append_text(part)
            text.append("\n")
            continue
        rows = part.wrap(console, max(10, width - HANGING), overflow="fold")
        for i, row in enumerate(rows):
            row.rstrip()
            text.append(" " * (indent if i == 0 else HANGING))
            text.append_text(row)
            text.append("\n")
    return text


class ExplainPane(VerticalScroll, can_focus=False):
    """Shows explain.Lines, bound to the app's `explanation` (computed by the engine); scrolled
    to the end, where the newest section (what the last micro-step computed) is."""

    DEFAULT_CSS = """
    ExplainPane { height: 1fr; width: 1fr; }
    """

    lines: reactive[tuple[Line, ...]] = reactive((), init=False, repaint=False)
    """The explanation shown."""

    def compose(self):
        yield Static(id="explain-earlier")
        yield Static(id="explain-latest")

    _width: int | None = None  # the text width the lines were wrapped to

    def text_width(self) -> int | None:
        """The cells a line may take: the pane's, less its scroll bar (None before layout)."""
        width = self.content_region.width - 1
        return width if width > 10 else None

    def watch_lines(self, lines: tuple[Line, ...]) -> None:
        self.show(lines)

    def show(self, lines: tuple[Line, ...]) -> None:
        heads = [i for i, line in enumerate(lines) if line.kind == "head"]
        cut = heads[-1] if len(heads) > 1 else 0
        earlier = self.query_one("#explain-earlier", Static)
        latest = self.query_one("#explain-latest", Static)
        self._width = width = self.text_width()
        console = self.app.console
        earlier.update(explanation_text(list(lines[:cut]), width, console))
        earlier.display = cut > 0
        latest.update(explanation_text(list(lines[cut:]), width, console))
        self.call_after_refresh(self.scroll_to_widget, latest, top=True, animate=False)

    def on_resize(self) -> None:
        if self.text_width() != self._width:
            self.show(self.lines)

    def render_text(self) -> str:
        """What the pane shows, as plain text (for tests)."""
        return "\n".join(
            str(self.query_one(f"#explain-{part}", Static).render())
            for part in ("earlier", "latest")
        )
