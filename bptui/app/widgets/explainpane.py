"""The explain pane (key x): the selected unit's arithmetic for the current step, with numbers."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from bptui.engine.explain import Line


def explanation_text(lines: list[Line]) -> Text:
    """Headings bold, formulas with their result highlighted, notes dim."""
    text = Text()
    for line in lines:
        if line.kind == "head":
            text.append(("\n" if text else "") + line.text + "\n", "bold underline")
        elif line.kind == "note":
            text.append("  " + line.text + "\n", "dim")
        else:
            head, _, result = line.text.rpartition(" = ")
            text.append("  " + head + " = ")
            text.append(result + "\n", "bold cyan")
    return text


class ExplainPane(Static):
    """Shows explain.Lines, bound to the app's `explain` (computed by the engine)."""

    DEFAULT_CSS = """
    ExplainPane { height: 1fr; width: 1fr; }
    """

    lines: reactive[tuple[Line, ...]] = reactive((), init=False)
    """The explanation shown."""

    def watch_lines(self, lines: tuple[Line, ...]) -> None:
        self.update(explanation_text(list(lines)), layout=False)
