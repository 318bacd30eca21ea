"""The loss around the selected weight (k) or two weights (K): a modal screen with the picture
(`widgets.landscape`) and its numbers. The slice is computed by the engine
(`engine.landscape.slice_loss`) on a copied probe point in a worker thread; a line says it is
being computed when that takes longer than PROGRESS_AFTER seconds."""

from __future__ import annotations

import time

import numpy as np
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import get_current_worker

from bptui.app.guards import DismissOnce
from bptui.app.widgets import landscape
from bptui.engine.address import WeightAddress
from bptui.engine.landscape import POINTS, SPAN, Slice, slice_loss
from bptui.engine.probe import Point

PROGRESS_AFTER = 0.2
RESOLUTIONS = (21, 41, 81)


def g(value: float) -> str:
    """7 significant digits, no −0."""
    return f"{value + 0.0:.7g}"


class SlicePicture(Static):
    """The picture, drawn at this widget's own size and again whenever that changes: the numbers
    below it take their rows after it was first drawn, and a picture taller than its widget
    lost its bottom rows (the lowest loss and the w axis)."""

    def on_resize(self) -> None:
        draw = getattr(self.screen, "draw_picture", None)
        if draw is not None:
            draw()


class SliceScreen(DismissOnce, ModalScreen[None]):
    """One weight (a curve) or two (a heat map) at a probe point; `path` (k, 2): the two
    weights' values over the last steps, oldest first (two weights only)."""

    BINDINGS = [
        Binding("plus", "span(1)", "span×2"),
        Binding("minus", "span(-1)", "span÷2"),
        Binding("r", "resolution", "points"),
        Binding("escape,k,K,q", "dismiss", "Close"),
    ]

    def __init__(
        self,
        point: Point,
        addresses: tuple[WeightAddress, ...],
        path: np.ndarray | None = None,
        span: float = SPAN,
        path_steps: int = 0,
    ):
        super().__init__()
        self.path_steps = path_steps
        self.point = point
        self.addresses = addresses
        self.path = path
        self.span = span
        self.points = POINTS if len(addresses) == 1 else 41
        self.result: Slice | None = None
        self._started = 0.0
        self._ticker = None

    def compose(self) -> ComposeResult:
        with Vertical(id="probe"):
            yield Static("", id="probe-title", classes="title")
            yield SlicePicture("", id="slice-picture")
            yield Static("", id="probe-body")
            yield Static("+ span×2   - span÷2   r resolution   escape closes", id="probe-keys")

    def on_mount(self) -> None:
        self.start()

    def on_resize(self) -> None:
        self.draw()

    def title_text(self) -> str:
        names = " and ".join(f"w {a}" for a in self.addresses)
        return (
            f"The loss around {names} (±{self.span:g}, "
            f"{self.points}{'×' + str(self.points) if len(self.addresses) == 2 else ''} "
            "points) · every other weight held at its current value"
        )

    def start(self) -> None:
        """Compute the slice in a worker; say so if it takes more than PROGRESS_AFTER s."""
        self.query_one("#probe-title", Static).update(self.title_text())
        self._started = time.monotonic()
        if self._ticker is not None:
            self._ticker.stop()
        self._ticker = self.set_interval(PROGRESS_AFTER, self.progress)
        self.compute(self.span, self.points)

    def progress(self) -> None:
        """Still computing: how long so far."""
        if self.result is None or self.result_key != (self.span, self.points):
            seconds = time.monotonic() - self._started
            settings = self.points ** len(self.addresses)
            self.query_one("#probe-body", Static).update(
                Text(f"computing {settings:,} losses of the batch… {seconds:.1f} s", "italic")
            )

    result_key = None

    @work(thread=True, exclusive=True, group="slice")
    def compute(self, span: float, points: int) -> None:
        """The slice, off the UI thread (the point is a copy: nothing else touches it)."""
        result = slice_loss(self.point, self.addresses, span, points)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.computed, result, (span, points))

    def computed(self, result: Slice, key) -> None:
        if not self.is_attached or key != (self.span, self.points):
            return
        self.result, self.result_key = result, key
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        self.draw()

    def draw(self) -> None:
        """The numbers, then the picture at the size the numbers leave it."""
        if self.result is None or not self.is_attached:
            return
        self.query_one("#probe-body", Static).update(self.numbers(self.result))
        self.draw_picture()

    def draw_picture(self) -> None:
        """The picture at the widget's size (redrawn by SlicePicture when that size changes)."""
        result = self.result
        if result is None or not self.is_attached:
            return
        picture = self.query_one("#slice-picture", Static)
        width, height = picture.size.width, picture.size.height
        if width < 12 or height < 3:
            return
        if len(self.addresses) == 1:
            picture.update(landscape.curve_text(result, width, height))
        else:
            picture.update(landscape.heat_text(result, width, height, self.path))

    def numbers(self, result: Slice) -> Text:
        """What the picture shows, in numbers."""
        text = Text()
        point = self.point
        rate = f"η = {point.lr:.4g}"
        if len(self.addresses) == 1:
            address = self.addresses[0]
            text.append("● now ", "bold")
            text.append(
                f"w {address} = {g(result.current[0])}, C = {g(result.loss_current)}, "
                f"slope ∂C/∂w = {g(result.gradient[0])} (the grey tangent)\n"
            )
            text.append("◆ next ", "bold #f58230")
            promised = result.loss_current + result.gradient[0] * (
                result.next[0] - result.current[0]
            )
            text.append(
                f"update ({rate}): w → {g(result.next[0])}, C there = "
                f"{g(result.loss_next)} on this slice (the tangent promised "
                f"{g(promised)}), {g(result.loss_after_update)} after the whole update "
                "(every weight moves, not only this one)"
            )
            inside = abs(result.next[0] - result.current[0]) <= self.span
            if not inside:
                text.append(" (outside the picture: + widens it)", "dim")
            return text
        a, b = self.addresses
        text.append("● now ", "bold")
        text.append(
            f"w {a} = {g(result.current[0])} (across), w {b} = {g(result.current[1])} "
            f"(up), C = {g(result.loss_current)}\n"
        )
        text.append(f"∙→ downhill −∇C = ({g(-result.gradient[0])}, {g(-result.gradient[1])}); ")
        text.append("◆ next ", "bold #f58230")
        text.append(
            f"update ({rate}): C there = {g(result.loss_next)}; · the path of the "
            f"last {self.path_steps} steps\n"
        )
        text.append_text(landscape.legend(result))
        text.append(
            "  (band edges: contour levels; the map is drawn at the current values of "
            "every other weight)",
            "dim",
        )
        return text

    def action_span(self, direction: int) -> None:
        """+ and -: twice or half the span."""
        self.span = min(1e3, max(1e-6, self.span * 2.0**direction))
        self.start()

    def action_resolution(self) -> None:
        """r: the next resolution (21, 41, 81 points per weight)."""
        index = RESOLUTIONS.index(self.points) if self.points in RESOLUTIONS else 0
        self.points = RESOLUTIONS[(index + 1) % len(RESOLUTIONS)]
        self.start()

    def render_text(self) -> str:
        """What the view shows, as plain text (for tests)."""
        return "\n".join(
            str(self.query_one(part, Static).render())
            for part in ("#probe-title", "#slice-picture", "#probe-body")
        )
