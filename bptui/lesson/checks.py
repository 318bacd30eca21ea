"""What a lesson step may require before `n` goes on, and what is still missing.

A check is a table of conditions; all must hold. Each condition, when it does not hold, says
in one line what is missing (shown in the lesson pane). Conditions:

- `at = "forward 2"`: the last micro-step is forward layer 2 (also "error", "backward 1",
  "update", "ready"; layers counted from 1, as on the screen);
- `steps_at_least = N`: at least N training steps done;
- `steps_at_most = N`: at most N training steps done: the step's numbers are those of a run
  from the initial weights (R goes back to step 0; `0` asks for the initial weights themselves;
  at step N with a training condition still missing, R too: training on would pass N);
- `loss_below`, `loss_above`, `test_loss_below`, `test_loss_above = x`: the whole training
  (held-out) set's cost at the current weights;
- `accuracy_at_least = x`: accuracy (held-out if there is a split) at the current weights;
- `diverged = true | false`;
- `setting = "training.learning_rate"` with `at_least`, `at_most` (numbers) or `equals` (of
  the setting's kind: a number, a name such as "adam", true or false for `training.shuffle`,
  an array for `network.layers`, e.g. [2, 3, 1]): a setting of the current session (η is the
  current base η);
- `predicted = N`: at least N right predictions with `P` during this lesson step;
- `showing = "explain" | "boundary" | "health" | "check" | "matrix" | "diagram"`: a pane is on
  screen; `"gradcheck"`: the gradient check's result (g) is in the matrix pane on screen;
  `"nudge" | "slice" | "slice2" | "pull" | "graph" | "event"`: that view (v, k, K, y, G, j)
  was shown during this step.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from bptui.engine.stepper import Phase, Stepper

PANE_TOGGLES = {
    "explain": "toggle_explain",
    "boundary": "toggle_boundary",
    "health": "toggle_health",
    "matrix": "toggle_explain",
    "diagram": "toggle_boundary",
    "check": "toggle_health",
    "gradcheck": "gradient_check",
    "nudge": "nudge",
    "slice": "slice(1)",
    "slice2": "slice(2)",
    "pull": "pull",
    "graph": "unit_graph",
    "event": "event(1)",
}
"""Each pane a check can ask for, and the explorer action that shows it (the views nudge,
slice, slice2, pull, graph and event count once shown during the step)."""
PANES = tuple(PANE_TOGGLES)
CYCLED = {
    "health": ("pane", "h: loss chart → health → update check"),
    "check": ("pane, the update check", "h twice: loss chart → health → update check"),
}
"""Panes that h reaches in turn: how a check asks for them."""
VIEWS = ("nudge", "slice", "slice2", "pull", "graph", "event")
VIEW_WORDS = {
    "nudge": "nudge a weight",
    "slice": "show the loss along a weight",
    "slice2": "show the loss over two weights",
    "pull": "show each sample's pull",
    "graph": "show the unit graph",
    "event": "jump to an event",
    "gradcheck": "run the gradient check",
}
"""How a check's missing line asks for a view (or the gradient check's result), in the words of
its pane or its key's help (no pane is called "the event view")."""
PHASES = tuple(p.value for p in Phase)
SHOWN_AT_START = ("diagram", "matrix")
"""Panes on screen when a lesson starts (the others need their key)."""
FIXED_SETTINGS = ("training.shuffle", "training.eval_every")
"""Settings the settings screen (o) keeps as the preset has them: no key changes them."""
TRAINS = ("run", "finish_step", "update", "micro")
"""Actions that complete training steps: r, s, u, space."""
MOVES = TRAINS + ("forward", "error", "backward", "predict", "undo", "redo", "reset")
"""Actions that move to another micro-step."""


SETTING_LABELS = {
    "training.optimizer": "optimizer",
    "training.schedule": "schedule",
    "network.init": "init",
    "network.hidden_activation": "hidden activation",
    "network.output_activation": "output activation",
    "network.loss": "loss",
    "network.layers": "layers (input first)",
}
"""The settings screen's labels of its fields that are not `Hyper` records (those label
themselves: `Hyper.field_label`)."""


def setting_label(dotted: str) -> str:
    """The label of the settings screen's field for 'training.KEY' or 'network.KEY' (as a
    lesson names the field to change)."""
    from bptui.engine import hyper, initializers, optimizers, schedules

    if dotted in SETTING_LABELS:
        return SETTING_LABELS[dotted]
    key = dotted.partition(".")[2]
    for h in hyper.TRAINING:
        if h.key == key:
            return h.field_label
    for registry in (optimizers.OPTIMIZERS, schedules.SCHEDULES, initializers.INITIALIZERS):
        for record in registry.values():
            for h in record.hypers:
                if h.key == key:
                    return f"{h.key} {h.symbol}"
    return key


def setting_kind(dotted: str) -> str:
    """What a setting holds: "layers" (an array of units), "boolean", "name" (one of
    `setting_choices`) or "number"."""
    if dotted == "network.layers":
        return "layers"
    if dotted == "training.shuffle":
        return "boolean"
    return "name" if setting_choices(dotted) else "number"


def setting_choices(dotted: str) -> tuple[str, ...]:
    """The names a named setting takes (optimizer, schedule, init, activations, loss)."""
    from bptui.engine import activations, initializers, losses, optimizers, schedules

    return {
        "training.optimizer": tuple(optimizers.OPTIMIZERS),
        "training.schedule": tuple(schedules.SCHEDULES),
        "network.init": tuple(initializers.INITIALIZERS),
        "network.hidden_activation": tuple(activations.HIDDEN_ACTIVATIONS),
        "network.output_activation": tuple(activations.OUTPUT_ACTIVATIONS),
        "network.loss": tuple(losses.LOSSES),
    }.get(dotted, ())


def shown(value) -> str:
    """A setting's value as the settings screen shows it: layers 2,3,1; true; 0.1."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass(frozen=True)
class Context:
    """What a check is judged on: the session's stepper, P's right answers in this lesson step,
    and the panes on screen."""

    stepper: Stepper
    predicted: int = 0
    showing: frozenset = field(default_factory=frozenset)
    trains: str = "r"
    """The key the learner trains with in this step (r, or s where the step locks r)."""
    allows: Callable[[str], bool] | None = None
    """Whether the step lets an App action run (None: every one): a missing line names the
    keys the step's text names (N to run to a step, + and - for η), not only r and o."""

    asks: str | None = None
    """What P asks in this step, as the prompt names it ('δ of hidden layer 1, unit 1'; None:
    what the next micro-step computes)."""

    def allowed(self, action: str) -> bool:
        return self.allows is None or self.allows(action)


TRAINED_TO = (
    "steps_at_least",
    "loss_below",
    "loss_above",
    "test_loss_below",
    "test_loss_above",
    "accuracy_at_least",
)
"""Conditions that only training (r, s, u, space) can make hold."""


@dataclass(frozen=True)
class Check:
    """The validated conditions of one step (None: not required)."""

    at: tuple[str, int | None] | None = None
    steps_at_least: int | None = None
    steps_at_most: int | None = None
    loss_below: float | None = None
    loss_above: float | None = None
    test_loss_below: float | None = None
    test_loss_above: float | None = None
    accuracy_at_least: float | None = None
    diverged: bool | None = None
    setting: str | None = None
    at_least: float | None = None
    at_most: float | None = None
    equals: float | str | bool | tuple[int, ...] | None = None
    predicted: int | None = None
    showing: str | None = None

    def needs(self) -> list[tuple[str, tuple[str, ...]]]:
        """(condition, App actions) for each condition that a learner can only bring about with
        one of those actions' keys: the step's `keys` must allow one of them."""
        out = []
        if self.at is not None:
            out.append(("at", MOVES))
        for name in TRAINED_TO:
            if getattr(self, name) is not None:
                out.append((name, TRAINS))
        if self.steps_at_most is not None:
            out.append(("steps_at_most", ("reset",)))
        if self.diverged:
            out.append(("diverged", TRAINS))
        if self.setting is not None and self.setting not in FIXED_SETTINGS:
            out.append(
                (
                    "setting",
                    ("settings", "learning_rate")
                    if self.setting == "training.learning_rate"
                    else ("settings",),
                )
            )
        if self.predicted is not None:
            out.append(("predicted", ("predict",)))
        if self.showing is not None and self.showing not in SHOWN_AT_START:
            out.append(("showing", (PANE_TOGGLES[self.showing].split("(")[0],)))
        return out

    def describe(self) -> str:
        """The conditions as a lesson file writes them: 'at = "forward 1", predicted = 1'."""
        from dataclasses import fields

        from bptui.preset.tomlwrite import value as toml_value

        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if f.name == "at":
                value = value[0] if value[1] is None else f"{value[0]} {value[1]}"
            parts.append(f"{f.name} = {toml_value(value)}")
        return ", ".join(parts)

    @property
    def needs_chart(self) -> bool:
        """Whether the check is about training over many steps (the loss chart should show)."""
        return any(
            v is not None
            for v in (
                self.steps_at_least,
                self.loss_below,
                self.loss_above,
                self.test_loss_below,
                self.test_loss_above,
                self.accuracy_at_least,
                self.diverged,
            )
        )

    def missing(self, ctx: Context) -> list[str]:
        """One line per condition that does not hold (empty: the step is done), in the order a
        learner brings them about: R, a setting, the micro-steps, training, P, a pane."""
        stepper = ctx.stepper
        out = []
        to_predict = self.predicted is not None and ctx.predicted < self.predicted
        trained = self._trained(ctx)
        at_most = self.steps_at_most
        if at_most is not None and (
            stepper.step > at_most or (trained and stepper.step == at_most)
        ):  # at the last step allowed, training on to what is missing would go past it
            out.append(self._reset_line(ctx))  # first: R also moves the micro-step to ready
        if self.diverged is False and stepper.diverged:  # R too, before η and training
            out.append("training must not have diverged (R resets)")
        if self.setting is not None:  # before the micro-steps and training: applying restarts
            out += self._setting(ctx)  # the step, and a run is for the setting it had
        if self.at is not None:
            phase, layer = self.at
            if not reached(stepper.last, phase, layer):
                want = phase if layer is None else f"{phase} layer {layer}"
                now = stepper.last.describe(stepper.depth)
                if to_predict and reached(stepper.next, phase, layer):
                    if ctx.asks:
                        out.append(
                            f"press P and predict {ctx.asks} (a right answer runs "
                            f"{want}; now: {now})"
                        )
                    else:
                        out.append(
                            f"press P and predict what {want} computes (a right "
                            f"answer runs it; now: {now})"
                        )
                    to_predict = False
                elif phase == "ready" and ctx.allowed("reset"):  # only R gets back there
                    out.append(
                        f"press {key_for('reset')} (back to the initial weights) so the "
                        f"top line says ready (now: {now})"
                    )
                else:
                    out.append(f"get to {want} (now: {now})")
        out += trained
        if to_predict:
            more = self.predicted - ctx.predicted
            out.append(
                f"predict {more} more value{'s' if more > 1 else ''} right with P "
                "(a right answer runs the step)"
            )
        if self.showing is not None and self.showing not in ctx.showing:
            key = key_for(PANE_TOGGLES[self.showing])
            kind = "view" if self.showing in VIEWS else "pane"
            if self.showing in CYCLED:
                kind, key = CYCLED[self.showing]
            words = VIEW_WORDS.get(self.showing, f"show the {self.showing} {kind}")
            out.append(words + (f" ({key})" if key else ""))
        return out

    def _trained(self, ctx: Context) -> list[str]:
        """What only training can still bring about: one line each."""
        stepper = ctx.stepper
        out = []
        if self.steps_at_least is not None and stepper.step < self.steps_at_least:
            out.append(
                f"train to step {self.steps_at_least} with {trains(ctx)} (now: {stepper.step})"
            )
        for name, below, part in (
            ("loss_below", True, "train"),
            ("loss_above", False, "train"),
            ("test_loss_below", True, "test"),
            ("test_loss_above", False, "test"),
        ):
            bound = getattr(self, name)
            if bound is None:
                continue
            value = whole_set_cost(stepper, part)
            ok = (
                value is not None
                and math.isfinite(value)
                and (value < bound if below else value > bound)
            )
            if not ok:
                what = "loss" if part == "train" else "test loss"
                now = "n/a" if value is None else f"{value:.4g}"
                out.append(
                    f"train until the {what} is {'below' if below else 'above'} "
                    f"{bound:g} with {trains(ctx)} (now: {now})"
                )
        if self.accuracy_at_least is not None:
            accuracy = stepper.accuracy(*stepper.data.scored)
            if accuracy is None or accuracy < self.accuracy_at_least:
                now = "n/a" if accuracy is None else f"{accuracy:.1%}"
                out.append(
                    f"train until the accuracy is at least "
                    f"{self.accuracy_at_least:.0%} (now: {now})"
                )
        if self.diverged and not stepper.diverged:
            out.append("make training diverge (a much larger η)")
        return out

    def _reset_line(self, ctx: Context) -> str:
        """What `steps_at_most` asks when more steps are done: R, back to step 0."""
        now = f"(now: step {ctx.stepper.step:,})"
        key = key_for("reset")
        if self.steps_at_most == 0:
            return f"press {key}: back to the initial weights, step 0 {now}"
        return (
            f"press {key}: back to the initial weights; this step asks for at most "
            f"{self.steps_at_most:,} training steps from them {now}"
        )

    def _setting(self, ctx: Context) -> list[str]:
        where = None
        if self.setting == "training.learning_rate" and ctx.allowed("learning_rate"):
            where = "(+ doubles, - halves" + (
                f", or {key_for('settings')}: the settings)" if ctx.allowed("settings") else ")"
            )
        return self.setting_missing(setting_value(ctx.stepper, self.setting), where)

    def setting_missing(self, value, where: str | None = None) -> list[str]:
        """What the `setting` condition still needs when the setting is `value`; `where` says
        how to change it (default: in the settings)."""
        if isinstance(value, list):  # network.layers
            value = tuple(value)
        where = where or f"in the settings ({key_for('settings')})"
        field = f"“{setting_label(self.setting)}”"
        if self.equals is not None and value != self.equals:
            return [f"set {field} to {shown(self.equals)} {where} (now: {shown(value)})"]
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        if self.at_least is not None and self.at_least == self.at_most and number != self.at_least:
            return [f"set {field} to {self.at_least:g} {where} (now: {value})"]
        if self.at_least is not None and (number is None or number < self.at_least):
            return [f"set {field} to at least {self.at_least:g} {where} (now: {value})"]
        if self.at_most is not None and (number is None or number > self.at_most):
            return [f"set {field} to at most {self.at_most:g} {where} (now: {value})"]
        return []


def trains(ctx: Context) -> str:
    """The keys that train in this step: r (or s), and N where the step allows run to."""
    if ctx.allowed("run_to"):
        return f"{ctx.trains} or {key_for('run_to')} (run to)"
    return ctx.trains


def reached(step, phase: str, layer: int | None) -> bool:
    """Whether micro-step `step` is `phase` (and weight layer `layer`, counted from 1)."""
    return step.phase.value == phase and (layer is None or step.layer == layer - 1)


def key_for(action: str) -> str | None:
    """How the explorer's key for an App action is written ('x'), if it has one."""
    from bptui.keys import KEYS

    return next((k.name for k in KEYS if k.action == action), None)


def whole_set_cost(stepper: Stepper, part: str) -> float | None:
    """The training ('train') or held-out ('test') set's cost at the current weights."""
    data = stepper.data
    if part == "test":
        return stepper.evaluate(data.x_test, data.y_test) if data.has_test else None
    return stepper.evaluate(data.x_train, data.y_train)


def setting_value(stepper: Stepper, dotted: str):
    """The current value of 'training.KEY' or 'network.KEY' (η: the current base η)."""
    if dotted == "training.learning_rate":
        return stepper.learning_rate
    return spec_setting(stepper.spec, stepper.training, dotted)


def spec_setting(network, training, dotted: str):
    """The value of 'training.KEY' or 'network.KEY' in these specs (None: not set)."""
    from bptui.preset.loader import network_doc, training_doc

    table, _, key = dotted.partition(".")
    doc = training_doc(training) if table == "training" else network_doc(network)
    return doc.get(key)
