"""Predict, then reveal (key P): type a value the engine is about to compute."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from bptui.app.guards import DismissOnce, TypeAhead
from bptui.engine.predict import RULE, Question
from bptui.text import to_float


class PredictScreen(TypeAhead, DismissOnce, ModalScreen[float | None]):
    """Asks for one number; dismisses with it, or None (escape)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: Question, prompt: str):
        super().__init__()
        self.question = question
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical(id="predict"):
            yield Static("Predict, then reveal", classes="title")
            yield Static(Text(self.prompt))
            yield Static(Text(f"{RULE[0].upper()}{RULE[1:]}. Escape: no answer.", style="dim"))
            yield Input(
                placeholder=f"your value of {self.question.symbol}", id="guess", compact=True
            )
            yield Static("", id="predict-error")

    def on_mount(self) -> None:
        self.query_one("#guess", Input).focus()

    def action_cancel(self) -> None:
        """Close without answering."""
        self.dismiss(None)

    @on(Input.Submitted)
    def answer(self, event: Input.Submitted) -> None:
        """A number closes the screen with it; anything else is refused in place."""
        try:
            value = to_float(event.value.strip().replace("−", "-"))
        except ValueError:
            self.refuse("#predict-error", f"{event.value.strip()[:40]!r} is not a number")
            return
        self.dismiss(value)
