"""The nudge view (key v): the selected weight nudged by ±ε, the measured slope beside
backpropagation's ∂C/∂w and the chain rule's factors. A modal screen, so that + and - (the
learning-rate keys in the explorer) scale ε while it is open."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from bptui.app.guards import DismissOnce
from bptui.app.insight_text import nudge_lines
from bptui.app.widgets.explainpane import explanation_text
from bptui.engine.address import WeightAddress
from bptui.engine.nudge import default_epsilon, nudge
from bptui.engine.probe import Point

SCALE = 10.0
"""+ and - multiply and divide ε by this."""


class NudgeScreen(DismissOnce, ModalScreen[None]):
    """The nudge of one weight at a probe point (a copy: the stepper is not touched)."""

    BINDINGS = [
        Binding("plus", "scale(1)", "ε×10"),
        Binding("minus", "scale(-1)", "ε÷10"),
        Binding("escape,v,q", "dismiss", "Close"),
    ]

    def __init__(self, point: Point, address: WeightAddress):
        super().__init__()
        self.point = point
        self.address = address
        self.epsilon = default_epsilon(point.value(address))
        self.result = None

    def compose(self) -> ComposeResult:
        with Vertical(id="probe"):
            yield Static("", id="probe-title", classes="title")
            with VerticalScroll(id="probe-scroll"):
                yield Static("", id="probe-body")
            yield Static("+ ε×10   - ε÷10   escape closes", id="probe-keys")

    def on_mount(self) -> None:
        self.compute()

    def compute(self) -> None:
        """Nudge by the current ε and show it."""
        self.result = nudge(self.point, self.address, self.epsilon)
        self.query_one("#probe-title", Static).update(
            f"Nudge one weight: w {self.address} · ε = {self.epsilon:.3g}"
        )
        lines = nudge_lines(self.result, self.point.step)
        self.query_one("#probe-body", Static).update(explanation_text(lines))

    def action_scale(self, direction: int) -> None:
        """+ and -: ε times or divided by 10 (within 1e-12 … 10)."""
        self.epsilon = min(10.0, max(1e-12, self.epsilon * SCALE**direction))
        self.compute()

    def render_text(self) -> str:
        """What the view shows, as plain text (for tests)."""
        return "\n".join(
            str(self.query_one(f"#probe-{part}", Static).render()) for part in ("title", "body")
        )
