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


def explanation_text(lines: list[Line]) -> Text:
    """Headings bold, formulas with their result highlighted (and 8 significant figures beside
    it, to check a source's printed numbers), notes dim, rules (formulas in symbols) bold."""
    text = Text()
    for line in lines:
        if line.kind == "head":
            text.append(("\n" if text else "") + line.text + "\n", "bold underline")
        elif line.kind == "note":
            text.append("  " + line.text + "\n", "dim")
        elif line.kind in RAW:
            text.append("  " + line.text + "\n", RAW[line.kind])
        elif line.kind == "rule":
            text.append("  " + line.text + "\n", "bold")
        else:
            head, _, result = line.text.rpartition(" = ")
            text.append("  " + head + " = ")
            text.append(result, "bold cyan")
            full = f"{line.value:.8g}" if line.value is not None else ""
            if full and full != result and full != number(line.value):
                text.append(f"  ({full})", "dim")
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

    def watch_lines(self, lines: tuple[Line, ...]) -> None:
        heads = [i for i, line in enumerate(lines) if line.kind == "head"]
        cut = heads[-1] if len(heads) > 1 else 0
        earlier = self.query_one("#explain-earlier", Static)
        latest = self.query_one("#explain-latest", Static)
        earlier.update(explanation_text(list(lines[:cut])))
        earlier.display = cut > 0
        latest.update(explanation_text(list(lines[cut:])))
        self.call_after_refresh(self.scroll_to_widget, latest, top=True, animate=False)

    def render_text(self) -> str:
        """What the pane shows, as plain text (for tests)."""
        return "\n".join(
            str(self.query_one(f"#explain-{part}", Static).render())
            for part in ("earlier", "latest")
        )
