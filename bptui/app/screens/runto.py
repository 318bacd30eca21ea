"""Run to (key N): train a given number of steps, to a step, or until the loss is below a value."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from bptui.app.guards import DismissOnce, TypeAhead
from bptui.app.trainer import Goal, parse_run_to


class RunToScreen(TypeAhead, DismissOnce, ModalScreen[Goal | None]):
    """Asks where the run should stop; dismisses with a Goal, or None (escape)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, step: int):
        super().__init__()
        self.step = step

    def compose(self) -> ComposeResult:
        with Vertical(id="run-to"):
            yield Static("Run to…", classes="title")
            yield Static(Text(f"The run is at step {self.step:,}. Train until:"))
            yield Static(
                Text(
                    "  500         500 more steps\n"
                    "  step 2000   step 2,000\n"
                    "  loss 0.01   the loss (the whole training set's, as the\n"
                    "              top line shows it) is below 0.01 (or r pauses)",
                    style="dim",
                )
            )
            yield Input(placeholder="500, step 2000 or loss 0.01", id="run-to-input", compact=True)
            yield Static("", id="run-to-error")

    def on_mount(self) -> None:
        self.query_one("#run-to-input", Input).focus()

    def action_cancel(self) -> None:
        """Close without running."""
        self.dismiss(None)

    @on(Input.Submitted)
    def answer(self, event: Input.Submitted) -> None:
        goal = parse_run_to(event.value, self.step)
        if isinstance(goal, str):
            self.refuse("#run-to-error", goal)
            return
        self.dismiss(goal)
