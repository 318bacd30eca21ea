"""Predict, then reveal: a value the engine is about to compute, to be guessed, graded, and a
wrong answer diagnosed.

What is asked is a `Target`: a quantity (a, z, δ, ∂C/∂w_i, new w_i) of one unit. A lesson step
may name it; otherwise `near` takes what the next micro-step computes for the selected unit:

- forward layer l: a of a unit of layer l;
- error: δ of an output unit;
- backward layer l: δ of a unit of layer l − 1 (the layer below), or, for the first weight
  layer (no δ below the inputs), ∂C/∂w_1 of a unit of that layer;
- update: the new value of the unit's first incoming weight w_1;

the unit is the selected one when it is in the layer concerned, else the unit with the same
index there (clamped).

`ask` looks ahead without changing anything the learner sees: it saves the stepper's state, takes
the micro-steps up to the one that computes the target (a right answer takes them for real),
reads the engine's value, the explanation of its arithmetic and what each usual mistake would
give (`mistakes`), and restores the state exactly (the engine is deterministic).

A guess is right to three significant figures: within 0.5% of the value (an exact 0 needs
|guess| ≤ 1e-12).
"""

from __future__ import annotations

from dataclasses import dataclass

from bptui.engine.explain import Line, explain
from bptui.engine.mistakes import Mistake, close, usual_mistakes, value_now
from bptui.engine.names import Names, bias_name, short_names, unit_name, weight_name
from bptui.engine.stepper import MicroStep, Phase, Stepper

INPUT_NAME = 12  # the longest an input's name is written in P's prompt and formulas
RULE = "right to 3 significant figures (within 0.5%)"
QUANTITIES = ("a", "z", "δ", "∂C/∂w", "new w")
"""What P can ask for (∂C/∂w and new w of one incoming weight)."""


@dataclass(frozen=True)
class Target:
    """Quantity `quantity` (one of QUANTITIES) of unit `unit` of weight layer `layer` (both
    0-based); `weight` is the incoming weight (0-based) of ∂C/∂w and new w."""

    quantity: str
    layer: int
    unit: int
    weight: int = 0

    def position(self, depth: int) -> int:
        """The micro-step (position in the training step, 1..2L+2) that computes it."""
        if self.quantity in ("a", "z"):
            return self.layer + 1
        if self.quantity == "δ":
            return depth + 1 if self.layer == depth - 1 else 2 * depth - self.layer
        if self.quantity == "∂C/∂w":
            return 2 * depth + 1 - self.layer
        return 2 * depth + 2

    def symbol(self, names: Names | None = None) -> str:
        """'a', 'δ', '∂C/∂w_1' (or the preset's name: '∂C/∂w1'), 'new w5'."""
        if self.quantity in ("∂C/∂w", "new w"):
            name = weight_name(names, self.layer, self.unit, self.weight)
            return f"∂C/∂{name}" if self.quantity == "∂C/∂w" else f"new {name}"
        return self.quantity

    def what(self, depth: int, names: Names | None = None) -> str:
        """'δ of hidden layer 1, unit 2': how prompts, lesson texts and hints name it."""
        return f"{self.symbol(names)} of {unit_name(self.layer, self.unit, depth)}"


def near(stepper: Stepper, layer: int, unit: int) -> Target | None:
    """What the next micro-step computes, near the selected unit (see the module's text)."""
    nxt = stepper.next
    depth = stepper.depth
    if nxt.phase == Phase.FORWARD:
        where, quantity = nxt.layer, "a"
    elif nxt.phase == Phase.ERROR:
        where, quantity = depth - 1, "δ"
    elif nxt.phase == Phase.BACKWARD:
        where, quantity = (nxt.layer - 1, "δ") if nxt.layer > 0 else (0, "∂C/∂w")
    elif nxt.phase == Phase.UPDATE:
        where, quantity = (layer if 0 <= layer < depth else 0), "new w"
    else:
        return None
    return Target(quantity, where, min(max(unit, 0), stepper.spec.layers[where + 1] - 1))


def fits(stepper: Stepper, target: Target) -> bool:
    """Whether the target names a unit (and weight) of this network."""
    layers = stepper.spec.layers
    return (
        0 <= target.layer < stepper.depth
        and 0 <= target.unit < layers[target.layer + 1]
        and 0 <= target.weight < layers[target.layer]
    )


def micro_at(stepper: Stepper, position: int) -> MicroStep:
    """The micro-step at `position` of the current (or, after an update, the next) step."""
    return stepper._micro(position, stepper.next.step)


def steps_ahead(stepper: Stepper, target: Target) -> int:
    """Micro-steps until the one that computes the target is done (0: already done in this
    step: it cannot be predicted now)."""
    now = 0 if stepper.position == stepper.steps_per_training_step else stepper.position
    return max(0, target.position(stepper.depth) - now)


def not_ahead(stepper: Stepper, target: Target, names: Names | None = None) -> str | None:
    """Why the target cannot be asked now (None: it can)."""
    if not fits(stepper, target):
        return f"this network has no {target.what(stepper.depth, names)}"
    if steps_ahead(stepper, target):
        return None
    when = micro_at(stepper, target.position(stepper.depth)).describe(stepper.depth)
    return (
        f"{target.what(stepper.depth, names)} was computed by {when}, already done in this "
        "training step"
    )


@dataclass(frozen=True)
class Question:
    """The question: `target` for batch sample `sample`, computed by micro-step `step_text`
    `ahead` micro-steps from now; `value` is the engine's answer, `reveal` its arithmetic with
    the numbers, `formula` the same with symbols only, `mistakes` what the usual mistakes give.
    `key` tells one question from another (a second answer to the same one is a retry)."""

    target: Target
    sample: int
    step_text: str
    what: str
    value: float
    reveal: tuple[Line, ...]
    formula: tuple[str, ...]
    mistakes: tuple[Mistake, ...]
    ahead: int
    key: tuple
    source: str = ""
    """The input a weight of the first layer multiplies, by the data's name ('' otherwise)."""

    @property
    def symbol(self) -> str:
        """'a', 'δ', '∂C/∂w1' …"""
        return self.what.split(" of ")[0]

    def prompt(self, batch: int) -> str:
        """E.g. 'Forward layer 1/2 will compute a of hidden layer 1, unit 2 (sample 3 of 4).';
        ∂C/∂w and new w belong to the whole batch: 'the mean over the batch of 4'."""
        if batch > 1 and self.target.quantity in ("∂C/∂w", "new w"):
            of = (
                f" (the mean over the batch of {batch})"
                if self.target.quantity == "∂C/∂w"
                else f" (from the mean ∂C/∂w over the batch of {batch})"
            )
        else:
            of = f" (sample {self.sample + 1} of {batch})" if batch > 1 else ""
        text = f"{self.step_text} will compute {self.what}{of}."
        if self.source:
            text += f" That weight multiplies the input {self.source}."
        if self.ahead > 1:
            text += f" A right answer runs the {self.ahead} micro-steps up to it."
        return text[0].upper() + text[1:]

    def grade(self, guess: float) -> bool:
        """Whether `guess` is right (see RULE)."""
        return close(guess, self.value)

    def diagnose(self, guess: float) -> Mistake | None:
        """The usual mistake a wrong `guess` matches (to three significant figures), if any."""
        if self.grade(guess):
            return None
        return next((m for m in self.mistakes if close(guess, m.value)), None)


def ask(
    stepper: Stepper,
    layer: int,
    unit: int,
    sample: int = 0,
    target: Target | None = None,
    names: Names | None = None,
) -> Question | None:
    """The question about `target` (default: the next micro-step's, near unit `unit` of weight
    layer `layer`); None once training has diverged, or when the target cannot be asked now
    (`not_ahead`). The stepper is left exactly as it was."""
    if stepper.diverged:
        return None
    target = target if target is not None else near(stepper, layer, unit)
    if target is None or not_ahead(stepper, target, names) is not None:
        return None
    ahead = steps_ahead(stepper, target)
    depth = stepper.depth
    step_text = micro_at(stepper, target.position(depth)).describe(depth)
    key = (stepper.next.step, stepper.position, target)
    saved = stepper.state()
    try:
        previous = None
        if target.quantity != "new w" and 0 <= sample < stepper.ws.m:
            previous = value_now(
                stepper, target.quantity, target.layer, target.unit, target.weight, sample
            )
        for _ in range(ahead):
            stepper.micro_step()
        sample = min(max(sample, 0), stepper.ws.m - 1)
        args = (target.quantity, target.layer, target.unit, target.weight, sample)
        value = value_now(stepper, *args)
        lines = explain(stepper, target.layer, target.unit, sample, names)
        formula = formula_lines(stepper, target, names)
        at_target = stepper.state()
        stepper.finish_step() if not stepper.updated else None
        updated = [w.copy() for w in stepper.weights] if stepper.updated else None
        stepper.restore(at_target)
        mistakes = usual_mistakes(stepper, *args[:4], sample, previous, updated)
    finally:
        stepper.restore(saved)
    heads = [i for i, line in enumerate(lines) if line.kind == "head"]
    reveal = tuple(lines[heads[-1] :] if heads else lines)
    source = ""
    named = input_names(stepper)
    if (
        target.quantity in ("∂C/∂w", "new w")
        and target.layer == 0
        and named != [f"x{i + 1}" for i in range(len(named))]
    ):
        source = named[target.weight]
    return Question(
        target,
        sample,
        step_text,
        target.what(depth, names),
        value,
        reveal,
        formula,
        mistakes,
        ahead,
        key + (sample,),
        source,
    )


def input_names(stepper: Stepper) -> list[str]:
    """The network's inputs as the data calls them (a CSV's columns, shortened to stay
    distinct: sep_len, pet_wid), else x1, x2 …"""
    return short_names(stepper.data.feature_names, stepper.spec.layers[0], INPUT_NAME)


def inputs_text(stepper: Stepper, layer: int) -> tuple[list[str], str]:
    """The symbols of a layer's inputs ('x1', 'x2' or 'a1', 'a2') and what they are."""
    n_in = stepper.spec.layers[layer]
    if layer == 0:
        return input_names(stepper), "the network's inputs"
    return (
        [f"a{i + 1}" for i in range(n_in)],
        f"the a of the units of {unit_name(layer - 1, 0, stepper.depth).split(',')[0]}",
    )


def weighted_sum(stepper: Stepper, layer: int, unit: int, names: Names | None) -> str:
    """'w1·x1 + w2·x2 + b1' (Σ_i w_i·a_i + b past four inputs)."""
    symbols, _ = inputs_text(stepper, layer)
    bias = bias_name(names, layer, unit)
    if len(symbols) > 4:
        return f"Σ_i w_i·a_i + {bias}"
    terms = [f"{weight_name(names, layer, unit, i)}·{s}" for i, s in enumerate(symbols)]
    return " + ".join(terms + [bias])


SLOPES = {
    "sigmoid": "σ'(z) = a·(1 − a)",
    "tanh": "tanh'(z) = 1 − a²",
    "relu": "relu'(z) = 1 if z > 0 else 0",
    "leaky_relu": "leaky_relu'(z) = 1 if z > 0 else 0.01",
    "linear": "linear'(z) = 1",
}
FUNCTIONS = {
    "sigmoid": "σ(z) = 1/(1 + e^(−z))",
    "tanh": "tanh(z)",
    "relu": "max(0, z)",
    "leaky_relu": "z if z > 0 else 0.01·z",
    "linear": "z",
    "softmax": "e^z / Σ_k e^z_k",
}


def formula_lines(stepper: Stepper, target: Target, names: Names | None = None) -> tuple[str, ...]:
    """How the target is computed, in symbols only (no numbers): P's first hint."""
    spec = stepper.spec
    layer, unit, weight = target.layer, target.unit, target.weight
    name = spec.activation(layer)
    _, inputs = inputs_text(stepper, layer)
    q = target.quantity
    if q in ("a", "z"):
        z = f"z = {weighted_sum(stepper, layer, unit, names)}  ({inputs})"
        return (f"a = {FUNCTIONS[name]}", z) if q == "a" else (z,)
    if q == "δ":
        if layer == stepper.depth - 1:
            if spec.loss == "cross_entropy":
                return ("δ = a − y  (cross-entropy on a sigmoid or softmax output: f'(z) cancels)",)
            if name == "softmax":
                return ("δ_k = a_k·(g_k − Σ_j g_j·a_j), g = ∂C/∂a",)
            scale = "" if spec.loss == "quadratic" else "2/K·"
            return (f"δ = {scale}(a − y)·f'(z)", f"f'(z): {SLOPES[name]}")
        above = spec.layers[layer + 2]
        ws = [weight_name(names, layer + 1, k, unit) for k in range(min(above, 4))]
        where = unit_name(layer + 1, 0, stepper.depth).split(",")[0]
        total = (
            " + ".join(f"{w}·δ{k + 1}" for k, w in enumerate(ws)) if above <= 4 else "Σ_k w_kj·δ_k"
        )
        leaving = (
            f"δ = ({total})·f'(z)  (the weights leaving this unit, times the δ of the "
            f"units of the {where} they enter)"
        )
        return (leaving, f"f'(z): {SLOPES.get(name, 'f′(z)')}")
    symbols, _ = inputs_text(stepper, layer)
    w = weight_name(names, layer, unit, weight)
    m = stepper.ws.m
    l2 = f" + λ/m·{w}" if stepper.training.l2 else ""
    grad = (
        f"∂C/∂{w} = δ·{symbols[weight]}{l2}"
        if m == 1
        else f"∂C/∂{w} = 1/m Σ_x δ·{symbols[weight]}{l2}  (the mean over the batch)"
    )
    if q == "∂C/∂w":
        return (f"{grad}  (δ of this unit, times the input {w} carries: {inputs})",)
    delta = stepper.optimizer.delta.replace("∂C/∂θ", f"∂C/∂{w}").replace("θ", w)
    return (f"new {w} = {w} + Δ{w}", delta, grad)
