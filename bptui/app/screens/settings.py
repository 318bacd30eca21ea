"""The settings screen (key o): change hyperparameters, optimizer, schedule, activations, loss,
initialization and layer sizes live.

Every field comes from a registry record (`engine.hyper.Hyper`): the optimizer's and the
schedule's own settings appear for the one chosen. Learning rate, L2, L1, batch size, optimizer,
schedule, activations and loss keep the weights, the step counter and the history (a different
optimizer starts its state afresh); layer sizes and initialization re-initialize the weights from
the seed. Values are validated exactly like a preset file; an invalid value is refused with the
one-line message in place and nothing changes.

Enter applies from any field (a list that is open takes enter to pick a choice: space, ↑ or ↓
opens it); the focused field is always scrolled into view, and the key hint and Apply stay below
the fields however far they scroll; a lesson step that asks for a setting opens the screen on
that field. Fields are labelled as lessons name them (`setting_label`).
"""

from __future__ import annotations

import copy

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from bptui.app.guards import DismissOnce
from bptui.engine import activations, hyper, initializers, losses, optimizers, schedules
from bptui.engine.hyper import Hyper
from bptui.engine.stepper import Stepper
from bptui.lesson.checks import setting_label
from bptui.preset import Preset, PresetError
from bptui.preset.loader import network_doc, preset_from_dict, training_doc
from bptui.text import to_float, to_int

BASE_FIELDS = hyper.TRAINING
"""η, λ, λ1 and the batch size: the settings of every run."""
PER_LAYER = "per-layer"
"""The hidden-activation choice that reads one name per hidden layer from a text field."""
FAMILIES = {  # select id → (registry of its choices, their settings by key)
    "optimizer": {name: cls.hypers for name, cls in optimizers.OPTIMIZERS.items()},
    "schedule": {name: cls.hypers for name, cls in schedules.SCHEDULES.items()},
    "init": {name: init.hypers for name, init in initializers.INITIALIZERS.items()},
}


def parse_value(text: str):
    """An int or float typed in a field (validation proper happens in the preset checks)."""
    text = text.strip()
    try:
        return to_int(text)
    except ValueError:
        pass
    try:
        return to_float(text)
    except ValueError:
        return text


def shown(value) -> str:
    """A field's text for a value."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def named(names) -> list[tuple[str, str]]:
    """A list field's choices, each shown as its name."""
    return [(name, name) for name in names]


def choice_field(key: str, choices: list[tuple[str, str]], value: str) -> Select:
    """A compact list field for the setting `key`, `value` chosen."""
    return Select(choices, value=value, allow_blank=False, id=key, compact=True)


def family_fields(family: str) -> dict[str, Hyper]:
    """Every setting of a family by key (the first record of a shared key labels its field)."""
    fields: dict[str, Hyper] = {}
    for hypers in FAMILIES[family].values():
        for h in hypers:
            fields.setdefault(h.key, h)
    return fields


SHORT_NAMES = {h.key: h.symbol for h in BASE_FIELDS} | {"batch_size": "batch size"}
"""How the hint after applying names a setting (default: its key, `_` as a space)."""


def setting_values(stepper: Stepper) -> dict:
    """Every setting the screen shows, by key, as it shows them (η: the rate in effect; the
    optimizer's and the schedule's settings as in effect, defaults too: a preset that left
    Adam's β1 out has 0.9, not '–')."""
    training = training_doc(stepper.training) | stepper.optimizer.h | stepper.schedule.h
    training["learning_rate"] = stepper.learning_rate
    return {**network_doc(stepper.spec), **training, "seed": stepper.seed}


def changes(before: Stepper, after: Stepper) -> list[str]:
    """What applying the settings changed, one 'name old → new' each (layers 2,1 → 2,2,1),
    in the screen's order; empty when nothing did."""
    old, new = setting_values(before), setting_values(after)

    def text(value) -> str:
        if isinstance(value, (list, tuple)):
            return ",".join(str(v) for v in value)
        return shown(value)

    return [
        f"{SHORT_NAMES.get(key, key.replace('_', ' '))} {text(old.get(key, '–'))} → "
        f"{text(new.get(key, '–'))}"
        for key in dict.fromkeys([*old, *new])
        if old.get(key) != new.get(key)
    ]


class SettingsScreen(DismissOnce, ModalScreen[tuple[Preset, bool] | None]):
    """Dismisses with (new preset, weights kept) or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "apply", "Apply", priority=True, show=False),
    ]

    def __init__(self, preset: Preset, stepper: Stepper, focus: str | None = None):
        super().__init__()
        self.preset = preset
        self.stepper = stepper
        self.first = focus
        """The id of the field focused first (a lesson step's setting; default: η)."""
        self.values = setting_values(stepper)

    def compose(self) -> ComposeResult:
        fields = VerticalScroll(id="settings-fields")
        fields.can_focus = False  # Tab goes from field to field
        with Vertical(id="settings"):
            yield Static("Settings", classes="title")
            with fields:
                yield Static(
                    Text(
                        "Kept: the weights, step and history (a new optimizer starts its "
                        "state at zero). Re-initialized from the seed: layer sizes, init, seed.",
                        style="dim",
                    )
                )
                with Grid(id="settings-grid"):
                    yield from self.grid()
            # Docked below the fields, always on screen; last, so Tab reaches Apply after seed.
            with Vertical(id="settings-actions"):
                yield Static("", id="settings-error")
                with Horizontal(id="settings-keys"):
                    yield Static(
                        Text("Tab: next field · space: open a list · escape: cancel", style="bold")
                    )
                    yield Button("Apply (enter)", variant="primary", id="apply", compact=True)

    def grid(self) -> ComposeResult:
        """Every setting's label and field, in the order Tab visits them."""
        spec, values = self.stepper.spec, self.values
        for h in BASE_FIELDS:
            yield Label(h.field_label)
            yield Input(shown(values.get(h.key, h.default)), id=h.key, tooltip=h.help, compact=True)
        for family in FAMILIES:
            yield Label(setting_label(("network." if family == "init" else "training.") + family))
            yield choice_field(family, named(FAMILIES[family]), values[family])
            for key, h in family_fields(family).items():
                value = self.field_value(family, values[family], key)
                yield Label(f"  {key} {h.symbol}", id=f"label-{key}")
                yield Input(shown(value), id=key, tooltip=h.help, compact=True)
        yield Label(setting_label("network.hidden_activation"))
        hidden = spec.hidden_activation
        yield choice_field(
            "hidden_activation",
            named(activations.HIDDEN_ACTIVATIONS) + [("per layer…", PER_LAYER)],
            hidden if isinstance(hidden, str) else PER_LAYER,
        )
        yield Label("  per layer", id="label-hidden_per_layer")
        yield Input(
            ", ".join(spec.hidden_activations),
            id="hidden_per_layer",
            compact=True,
            tooltip="one activation per hidden layer, first to last, e.g. relu, tanh",
        )
        yield Label(setting_label("network.output_activation"))
        yield choice_field(
            "output_activation", named(activations.OUTPUT_ACTIVATIONS), spec.output_activation
        )
        yield Label(setting_label("network.loss"))
        yield choice_field("loss", named(losses.LOSSES), spec.loss)
        yield Label(setting_label("network.layers"))
        yield Input(",".join(str(n) for n in spec.layers), id="layers", compact=True)
        yield Label("seed")
        yield Input(
            str(self.stepper.seed),
            id="seed",
            compact=True,
            tooltip="the random seed of the data, the initial weights and the shuffling",
        )

    def on_mount(self) -> None:
        for family in FAMILIES:
            self.show_family(family, self.values[family])
        self.show_per_layer(self.query_one("#hidden_activation", Select).value)
        fields = self.query(f"#{self.first}") if self.first else None
        field = fields.first() if fields else self.query_one("#learning_rate", Input)
        field.focus()

    def on_descendant_focus(self, event) -> None:
        """The focused field is always on screen (at 80×24 the fields outgrow the box)."""
        fields = self.query_one("#settings-fields", VerticalScroll)
        if fields in event.widget.ancestors:  # Apply is below them, always on screen
            fields.scroll_to_widget(event.widget, animate=False)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Enter applies, unless an open list takes it to pick a choice."""
        if action == "apply":
            return not any(select.expanded for select in self.query(Select))
        return True

    def action_apply(self) -> None:
        """Enter, from any field: applies what the fields hold once the keys typed before it
        are in.

        Enter is a priority binding, so it runs as soon as the app reads it, while the keys
        typed just before it may still wait in the focused field's queue (a quick `2,2,1
        enter` applied the old value). A callback posted to that queue runs after them.
        """
        field = self.focused
        if field is None:
            self.apply()
        else:
            field.call_later(self.apply)

    def show_per_layer(self, choice) -> None:
        """The per-layer field shows when the hidden activation is 'per layer…'."""
        for selector in ("#hidden_per_layer", "#label-hidden_per_layer"):
            self.query_one(selector).display = choice == PER_LAYER

    def field_value(self, family: str, choice: str, key: str):
        """A family's setting `key` with `choice` chosen: the value in effect, or `choice`'s own
        default where a key is shared (Adagrad's ε is 1e-10, Adam's 1e-8; the exponential
        schedule's γ 0.999, the step schedule's 0.1); a key `choice` lacks (its field hidden):
        the default of the first that has it."""
        if self.values.get(family) == choice and key in self.values:
            return self.values[key]
        own = {h.key: h for h in FAMILIES[family][choice]}
        return own.get(key, family_fields(family)[key]).default

    def show_family(self, family: str, choice: str) -> None:
        """Show the chosen optimizer's (schedule's, init's) own settings, hide the others'."""
        own = {h.key: h for h in FAMILIES[family][choice]}
        for key in family_fields(family):
            field = self.query_one(f"#{key}", Input)
            visible = key in own
            if visible and not field.display:  # newly shown: the value in effect, or the default
                field.value = shown(self.field_value(family, choice, key))
                field.tooltip = own[key].help
            field.display = visible
            self.query_one(f"#label-{key}", Label).display = visible

    @on(Select.Changed)
    def choice_changed(self, event: Select.Changed) -> None:
        """A different optimizer, schedule or init: its own fields replace the others'."""
        if event.select.id in FAMILIES:
            self.show_family(event.select.id, str(event.value))
        elif event.select.id == "hidden_activation":
            self.show_per_layer(event.value)

    def action_cancel(self) -> None:
        """Close without changes."""
        self.dismiss(None)

    def document(self) -> dict:
        """The preset document with the fields' values written in."""
        doc = copy.deepcopy(self.preset.doc)
        network = doc.setdefault("network", {})
        training: dict = {"shuffle": self.stepper.training.shuffle}
        if self.stepper.training.eval_every:
            training["eval_every"] = self.stepper.training.eval_every
        for h in BASE_FIELDS:
            training[h.key] = parse_value(self.query_one(f"#{h.key}", Input).value)
        for family in FAMILIES:
            choice = self.query_one(f"#{family}", Select).value
            target = network if family == "init" else training
            target[family] = choice
            for key in family_fields(family):
                target.pop(key, None)
            for h in FAMILIES[family][choice]:
                target[h.key] = parse_value(self.query_one(f"#{h.key}", Input).value)
        doc["training"] = training
        for key in ("hidden_activation", "output_activation", "loss"):
            network[key] = self.query_one(f"#{key}", Select).value
        if network["hidden_activation"] == PER_LAYER:
            text = self.query_one("#hidden_per_layer", Input).value
            network["hidden_activation"] = [
                part.strip() for part in text.split(",") if text.strip()
            ]
        text = self.query_one("#layers", Input).value
        try:
            network["layers"] = [to_int(part) for part in text.split(",")]
        except ValueError:
            network["layers"] = text
        doc["seed"] = parse_value(self.query_one("#seed", Input).value)
        if not self.keeps_weights(doc):
            doc.pop("weights", None)
        if network["layers"] != list(self.stepper.spec.layers):
            doc.pop("names", None)  # the weights' own names are for the old layer sizes
        return doc

    def keeps_weights(self, doc: dict) -> bool:
        """Whether the weights carry over: same layer sizes, initialization and seed."""
        network, before = doc["network"], network_doc(self.stepper.spec)
        same_init = all(network.get(k) == before.get(k) for k in ("init", *family_fields("init")))
        return (
            network["layers"] == list(self.stepper.spec.layers)
            and same_init
            and doc.get("seed") == self.stepper.seed
        )

    @on(Input.Submitted)
    @on(Button.Pressed, "#apply")
    def apply(self) -> None:
        """Validate like a preset file; refuse in place, or dismiss with the new preset."""
        doc = self.document()
        try:
            preset = preset_from_dict(doc, self.preset.source, self.preset.name, self.preset.base)
        except PresetError as exc:
            error = self.query_one("#settings-error", Static)
            error.update(Text(f"refused: {exc}", style="bold red"))
            error.display = True  # above the key hint, which stays on screen
            return
        self.dismiss((preset, self.keeps_weights(doc)))
