"""Predict, then reveal: the value the next micro-step will compute for one unit, to be guessed.

`ask` looks one micro-step ahead without changing anything the learner sees: it saves the
stepper's state, takes the micro-step, reads the engine's value and the explanation of its
arithmetic, and restores the state exactly (the engine is deterministic, so taking the step
again later gives the same number). What is asked depends on the next micro-step:

- forward layer l: a of a unit of layer l;
- error: δ of an output unit;
- backward layer l: δ of a unit of layer l − 1 (the layer below), or, for the first weight
  layer (no δ below the inputs), ∂C/∂w_1 of a unit of that layer;
- update: the new value of the unit's first incoming weight w_1.

The unit is the selected one when it is in the layer concerned, else the unit with the same
index there (clamped). A guess is right within 0.5% of the value or 1e-4, whichever is larger.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bptui.engine.explain import Line, explain
from bptui.engine.stepper import Phase, Stepper

RELATIVE = 0.005
ABSOLUTE = 1e-4
RULE = "right when within 0.5% of the engine's value or 1e-4, whichever is larger"


@dataclass(frozen=True)
class Question:
    """What to predict: `quantity` of unit `unit` (0-based) of weight layer `layer` for batch
    sample `sample`; `value` is the engine's answer and `reveal` its arithmetic."""

    quantity: str
    layer: int
    unit: int
    sample: int
    step_text: str
    value: float
    reveal: tuple[Line, ...]

    def prompt(self, depth: int, batch: int) -> str:
        """E.g. 'forward layer 1/2 will compute a of hidden 1, unit 2 (sample 3 of 4)'."""
        where = "output" if self.layer == depth - 1 else f"hidden {self.layer + 1}"
        of = f" (sample {self.sample + 1} of {batch})" if batch > 1 else ""
        return f"{self.step_text} will compute {self.quantity} of {where}, unit {self.unit + 1}{of}"

    def grade(self, guess: float) -> bool:
        """Whether `guess` is right (see RULE)."""
        if not math.isfinite(guess) or not math.isfinite(self.value):
            return False
        return abs(guess - self.value) <= max(RELATIVE * abs(self.value), ABSOLUTE)


def target(stepper: Stepper, layer: int, unit: int) -> tuple[str, int, int] | None:
    """(quantity, weight layer, unit) the next micro-step computes, near the selected unit."""
    nxt = stepper.next
    depth = stepper.depth
    if nxt.phase == Phase.FORWARD:
        where, quantity = nxt.layer, "a"
    elif nxt.phase == Phase.ERROR:
        where, quantity = depth - 1, "δ"
    elif nxt.phase == Phase.BACKWARD:
        where, quantity = (nxt.layer - 1, "δ") if nxt.layer > 0 else (0, "∂C/∂w_1")
    elif nxt.phase == Phase.UPDATE:
        where, quantity = (layer if 0 <= layer < depth else 0), "new w_1"
    else:
        return None
    return quantity, where, min(max(unit, 0), stepper.spec.layers[where + 1] - 1)


def value_of(stepper: Stepper, quantity: str, layer: int, unit: int, sample: int) -> float:
    """The engine's current value of the quantity."""
    if quantity == "a":
        return float(stepper.ws.a[layer][sample, unit])
    if quantity == "δ":
        return float(stepper.ws.delta[layer][sample, unit])
    if quantity == "∂C/∂w_1":
        return float(stepper.dw[layer][unit, 0])
    return float(stepper.weights[layer][unit, 0])


def ask(stepper: Stepper, layer: int, unit: int, sample: int = 0) -> Question | None:
    """The question for the next micro-step near unit `unit` of weight layer `layer`; None once
    training has diverged. The stepper is left exactly as it was."""
    if stepper.diverged:
        return None
    quantity, where, unit = target(stepper, layer, unit)
    step_text = stepper.next.describe(stepper.depth)
    saved = stepper.state()
    try:
        stepper.micro_step()
        sample = min(max(sample, 0), stepper.ws.m - 1)
        value = value_of(stepper, quantity, where, unit, sample)
        lines = explain(stepper, where, unit, sample)
    finally:
        stepper.restore(saved)
    heads = [i for i, line in enumerate(lines) if line.kind == "head"]
    reveal = tuple(lines[heads[-1]:] if heads else lines)
    return Question(quantity, where, unit, sample, step_text, value, reveal)
