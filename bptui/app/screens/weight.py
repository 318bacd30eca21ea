"""Editing one weight by hand (key w): an incoming weight or the bias of the selected unit."""

from __future__ import annotations

import math

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from bptui.app.guards import DismissOnce
from bptui.engine.stepper import Stepper
from bptui.text import to_float, to_int


class WeightEditor(DismissOnce, ModalScreen[str | None]):
    """Dismisses with a sentence describing the edit, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, stepper: Stepper, layer: int, unit: int):
        super().__init__()
        self.stepper = stepper
        self.weight_layer = layer
        self.unit = unit

    def compose(self) -> ComposeResult:
        n_in = self.stepper.weights[self.weight_layer].shape[1]
        with Vertical(id="weight-editor"):
            yield Static(
                f"Edit a weight of layer {self.weight_layer + 1}, unit {self.unit + 1}",
                classes="title",
                markup=False,
            )
            yield Label(
                f"which: an input number 1..{n_in} (W[{self.unit + 1}, i]) or b", markup=False
            )
            yield Input("1", id="which")
            yield Label("new value")
            yield Input(
                f"{float(self.stepper.weights[self.weight_layer][self.unit, 0])!r}", id="value"
            )
            yield Static("", id="weight-error")

    def on_mount(self) -> None:
        self.query_one("#value", Input).focus()

    def action_cancel(self) -> None:
        """Close without changes."""
        self.dismiss(None)

    @on(Input.Changed, "#which")
    def show_current(self, event: Input.Changed) -> None:
        """Prefill the value field with the selected weight's current value."""
        target = self.target(event.value)
        if isinstance(target, tuple):
            array, index = target
            self.query_one("#value", Input).value = repr(float(array[index]))

    def target(self, which: str):
        """(array, index) of the chosen weight, or an error message."""
        which = which.strip().lower()
        if which == "b":
            return self.stepper.biases[self.weight_layer], self.unit
        n_in = self.stepper.weights[self.weight_layer].shape[1]
        try:
            i = to_int(which)
        except ValueError:
            return f"which: {which!r} is not an input number or b (allowed: 1..{n_in}, b)"
        if not 1 <= i <= n_in:
            return f"which: {i} is out of range (allowed: 1..{n_in}, b)"
        return self.stepper.weights[self.weight_layer], (self.unit, i - 1)

    @on(Input.Submitted)
    def apply(self) -> None:
        """Validate and write the weight, or refuse in place."""
        error = self.query_one("#weight-error", Static)
        target = self.target(self.query_one("#which", Input).value)
        if isinstance(target, str):
            error.update(Text(f"refused: {target}", style="bold red"))
            return
        text = self.query_one("#value", Input).value.strip()
        try:
            value = to_float(text)
        except ValueError:
            value = math.nan
            if text.lower() not in ("nan",):
                error.update(Text(f"refused: value: {text!r} is not a number", style="bold red"))
                return
        if not math.isfinite(value) or abs(value) > 1e6:
            error.update(
                Text(
                    f"refused: value: {text} is out of range (allowed: finite, |w| ≤ 1e6)",
                    style="bold red",
                )
            )
            return
        array, index = target
        old = float(array[index])
        array[index] = value
        name = "b" if not isinstance(index, tuple) else f"W[{index[0] + 1},{index[1] + 1}]"
        self.dismiss(f"layer {self.weight_layer + 1} {name}: {old:.6g} → {value:.6g}")
