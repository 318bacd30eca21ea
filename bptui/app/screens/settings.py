"""The settings screen (key o): change hyperparameters, activations, loss and layer sizes live.

Learning rate, momentum, L2, batch size, shuffling, activations and loss keep the weights (and
the momentum, step counter and loss history); changing the layer sizes re-initializes the
weights from the seed. Values are validated exactly like a preset file; an invalid value is
refused with the one-line message in place and nothing changes.
"""

from __future__ import annotations

import copy

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from bptui.app.guards import DismissOnce
from bptui.engine import activations, losses
from bptui.engine.stepper import Stepper
from bptui.preset import Preset, PresetError
from bptui.preset.loader import preset_from_dict

NUMBER_FIELDS = (("learning_rate", "learning rate η"), ("momentum", "momentum μ"),
                 ("l2", "L2 λ"), ("batch_size", "batch size (0 = full)"))


def parse_value(text: str):
    """An int or float typed in a field (validation proper happens in the preset checks)."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


class SettingsScreen(DismissOnce, ModalScreen[tuple[Preset, bool] | None]):
    """Dismisses with (new preset, weights kept) or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, preset: Preset, stepper: Stepper):
        super().__init__()
        self.preset = preset
        self.stepper = stepper

    def compose(self) -> ComposeResult:
        spec, training = self.stepper.spec, self.stepper.training
        values = {"learning_rate": self.stepper.learning_rate, "momentum": training.momentum,
                  "l2": training.l2, "batch_size": training.batch_size}
        with Vertical(id="settings"):
            yield Static("Settings", classes="title")
            yield Static(Text("Keep the weights: η, μ, λ, batch size, activations, loss. "
                              "Re-initialize them (same seed): layer sizes.", style="dim"))
            with Grid(id="settings-grid"):
                for key, label in NUMBER_FIELDS:
                    yield Label(label)
                    yield Input(f"{values[key]:g}" if isinstance(values[key], float)
                                else str(values[key]), id=key)
                yield Label("hidden activation")
                yield Select([(a, a) for a in activations.HIDDEN_ACTIVATIONS],
                             value=spec.hidden_activation, allow_blank=False, id="hidden_activation")
                yield Label("output activation")
                yield Select([(a, a) for a in activations.OUTPUT_ACTIVATIONS],
                             value=spec.output_activation, allow_blank=False, id="output_activation")
                yield Label("loss")
                yield Select([(a, a) for a in losses.LOSSES], value=spec.loss,
                             allow_blank=False, id="loss")
                yield Label("layers (input first)")
                yield Input(",".join(str(n) for n in spec.layers), id="layers")
            yield Static("", id="settings-error")
            yield Button("Apply (enter)", variant="primary", id="apply")

    def action_cancel(self) -> None:
        """Close without changes."""
        self.dismiss(None)

    def document(self) -> dict:
        """The preset document with the fields' values written in."""
        doc = copy.deepcopy(self.preset.doc)
        network = doc.setdefault("network", {})
        training = doc.setdefault("training", {})
        for key, _ in NUMBER_FIELDS:
            training[key] = parse_value(self.query_one(f"#{key}", Input).value)
        for key in ("hidden_activation", "output_activation", "loss"):
            network[key] = self.query_one(f"#{key}", Select).value
        text = self.query_one("#layers", Input).value
        try:
            network["layers"] = [int(part) for part in text.split(",")]
        except ValueError:
            network["layers"] = text
        if network["layers"] != list(self.stepper.spec.layers):
            doc.pop("weights", None)
        return doc

    @on(Input.Submitted)
    @on(Button.Pressed, "#apply")
    def apply(self) -> None:
        """Validate like a preset file; refuse in place, or dismiss with the new preset."""
        doc = self.document()
        try:
            preset = preset_from_dict(doc, self.preset.source, self.preset.name, self.preset.base)
        except PresetError as exc:
            self.query_one("#settings-error", Static).update(Text(f"refused: {exc}", style="bold red"))
            return
        self.dismiss((preset, preset.network.layers == self.stepper.spec.layers))
