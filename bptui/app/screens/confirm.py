"""`q` in a browser asks first: a stray key must not end a student's session (the page then says
only "Session ended")."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from bptui.app.guards import DismissOnce


class QuitScreen(DismissOnce, ModalScreen[bool]):
    """'Leave bptui?': y or enter quits, n or escape stays."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Quit"),
        Binding("n,escape", "answer(False)", "Stay"),
    ]

    def __init__(self, kept: bool):
        super().__init__()
        self.kept = kept

    def compose(self) -> ComposeResult:
        with Vertical(id="predict"):
            yield Static("Leave bptui?", classes="title")
            yield Static(
                "Your lesson progress is kept: open the page again to continue."
                if self.kept
                else "This session ends (the page can start a new one)."
            )
            yield Static(Text("y or enter: quit · n or escape: stay", style="dim"))

    def action_answer(self, quit: bool) -> None:
        self.dismiss(quit)
