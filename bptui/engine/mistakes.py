"""The usual mistakes, computed: what a learner who makes each one would answer (P's diagnosis).

`usual_mistakes` is called with the stepper just after the micro-step that computed the asked
quantity (see `predict.ask`): everything the quantity's formula uses is the engine's own state
then. Each mistake recomputes the formula with one thing done wrong (forgot f'(z), forgot the
bias, wrong sign, z instead of a, the incoming instead of the outgoing weights, the weights
already updated, the batch sum instead of the mean, the wrong input, η or momentum left out, the
previous value …). A mistake is offered only where it applies and gives a number that can be
told apart from the right one. No Textual here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bptui.engine import activations
from bptui.engine.stepper import Stepper

TOLERANCE = 0.005
"""Relative: three significant figures (P's grading rule, and a mistake's match)."""
ZERO = 1e-12
"""Below this a value is 0."""


@dataclass(frozen=True)
class Mistake:
    """One usual mistake: its name (as the issue lists it), what the learner is told (never the
    value) and the value it gives."""

    name: str
    says: str
    value: float


def close(guess: float, value: float) -> bool:
    """Whether `guess` is `value` to three significant figures (an exact 0 needs ≤ 1e-12)."""
    if not (math.isfinite(guess) and math.isfinite(value)):
        return False
    if abs(value) <= ZERO:
        return abs(guess) <= ZERO
    return abs(guess - value) <= TOLERANCE * abs(value)


def activate(name: str, z: float) -> float:
    """f(z) for an elementwise activation."""
    out = np.empty((1, 1))
    activations.activate(name, np.array([[z]]), out)
    return float(out[0, 0])


def slope(name: str, z: float, a: float) -> float:
    """f'(z) as the engine computes it (from z and a)."""
    out = np.empty((1, 1))
    activations.derivative(name, np.array([[z]]), np.array([[a]]), out)
    return float(out[0, 0])


def slope_of_z(name: str, z: float) -> float | None:
    """f'(z) written with z where the formula takes a (σ: z·(1 − z); tanh: 1 − z²)."""
    if name == "sigmoid":
        return z * (1 - z)
    if name == "tanh":
        return 1 - z * z
    return None


def usual_mistakes(
    stepper: Stepper,
    quantity: str,
    layer: int,
    unit: int,
    weight: int,
    sample: int,
    previous: float | None,
    updated: list[np.ndarray] | None,
) -> tuple[Mistake, ...]:
    """The mistakes that apply to `quantity` ('a', 'z', 'δ', '∂C/∂w', 'new w') of unit `unit`
    of weight layer `layer` (incoming weight `weight` for the last two), for batch sample
    `sample`; `previous` is the quantity's value before this micro-step (None: none),
    `updated` W per layer after this step's update (None: unknown)."""
    found = {
        "a": _activation,
        "z": _weighted_sum,
        "δ": _delta,
        "∂C/∂w": _gradient,
        "new w": _new_weight,
    }[quantity](stepper, layer, unit, weight, sample, updated)
    if previous is not None:
        found.append(
            Mistake(
                "the previous value",
                "that is the value from before this micro-step: it computes a new one",
                previous,
            )
        )
    right = value_now(stepper, quantity, layer, unit, weight, sample)
    out, seen = [], []
    for m in found:
        if not math.isfinite(m.value) or abs(m.value) <= ZERO or close(m.value, right):
            continue
        if any(close(m.value, v) for v in seen):
            continue  # two mistakes giving the same number: the first one names it
        seen.append(m.value)
        out.append(m)
    return tuple(out)


def value_now(
    stepper: Stepper, quantity: str, layer: int, unit: int, weight: int, sample: int
) -> float:
    """The engine's value of the quantity now."""
    if quantity == "a":
        return float(stepper.ws.a[layer][sample, unit])
    if quantity == "z":
        return float(stepper.ws.z[layer][sample, unit])
    if quantity == "δ":
        return float(stepper.ws.delta[layer][sample, unit])
    if quantity == "∂C/∂w":
        return float(stepper.dw[layer][unit, weight])
    return float(stepper.weights[layer][unit, weight])


def _inputs(stepper: Stepper, layer: int, sample: int) -> np.ndarray:
    return np.asarray(stepper.layer_input(layer)[sample], dtype=np.float64)


def _wrong_inputs(stepper: Stepper, layer: int, sample: int) -> list[tuple[str, np.ndarray]]:
    """Inputs a learner may take by mistake: the right ones in reverse order, and, above the
    first layer, the network's inputs x instead of the layer below's a."""
    a_in = _inputs(stepper, layer, sample)
    out = []
    if a_in.size > 1 and not np.array_equal(a_in, a_in[::-1]):
        out.append(("the inputs in the wrong order (w_1 goes with a_1)", a_in[::-1]))
    x = np.asarray(stepper.batch_x[sample], dtype=np.float64)
    if layer > 0 and x.shape == a_in.shape:
        out.append(("the network's inputs x, not the a of the layer below", x))
    return out


def _activation(stepper, layer, unit, weight, sample, updated) -> list[Mistake]:
    name = stepper.spec.activation(layer)
    ws = stepper.ws
    z = float(ws.z[layer][sample, unit])
    a = float(ws.a[layer][sample, unit])
    w = stepper.weights[layer][unit]
    b = float(stepper.biases[layer][unit])
    found = [
        Mistake(
            "z instead of a",
            "that is z, the weighted sum: a = f(z) applies the activation to it",
            z,
        ),
        Mistake("wrong sign", "the sign is wrong", -a),
    ]
    if name == "softmax":
        return found
    found.append(
        Mistake(
            "forgot the bias",
            "that is f(z) without the bias: z = Σ w·a_in + b",
            activate(name, z - b),
        )
    )
    if name == "sigmoid":
        found.append(
            Mistake(
                "wrong sign",
                "the sign is wrong: σ(z) = 1/(1 + e^(−z)), with e to the minus z",
                activate(name, -z),
            )
        )
    for what, inputs in _wrong_inputs(stepper, layer, sample):
        found.append(
            Mistake(
                "wrong input",
                f"that multiplies the weights by {what}",
                activate(name, float(w @ inputs) + b),
            )
        )
    return found


def _weighted_sum(stepper, layer, unit, weight, sample, updated) -> list[Mistake]:
    ws = stepper.ws
    z = float(ws.z[layer][sample, unit])
    w = stepper.weights[layer][unit]
    b = float(stepper.biases[layer][unit])
    found = [
        Mistake("forgot the bias", "that leaves out the bias: z = Σ w·a_in + b", z - b),
        Mistake("wrong sign", "the sign is wrong", -z),
    ]
    if stepper.spec.activation(layer) != "softmax":
        found.append(
            Mistake(
                "a instead of z",
                "that is a = f(z): z is the sum before the activation",
                float(ws.a[layer][sample, unit]),
            )
        )
    for what, inputs in _wrong_inputs(stepper, layer, sample):
        found.append(
            Mistake("wrong input", f"that multiplies the weights by {what}", float(w @ inputs) + b)
        )
    return found


def _output_scale(stepper) -> float:
    """δ's factor on (a − y): 1 for the quadratic cost, 2/K for the mean squared error."""
    return 1.0 if stepper.spec.loss == "quadratic" else 2.0 / stepper.ws.a[-1].shape[1]


def _delta(stepper, layer, unit, weight, sample, updated) -> list[Mistake]:
    spec = stepper.spec
    ws = stepper.ws
    name = spec.activation(layer)
    z = float(ws.z[layer][sample, unit])
    a = float(ws.a[layer][sample, unit])
    delta = float(ws.delta[layer][sample, unit])
    found = [
        Mistake(
            "wrong sign",
            "the sign is wrong: δ = ∂C/∂z, and a − y (not y − a) at the output",
            -delta,
        )
    ]
    if name == "softmax":
        return found
    f1 = slope(name, z, a)
    f_z = slope_of_z(name, z)
    if layer == stepper.depth - 1:
        y = float(stepper.batch_y[sample, unit])
        if spec.loss == "cross_entropy":
            found.append(
                Mistake(
                    "multiplied by f'(z)",
                    "cross-entropy's δ has no f'(z): on a sigmoid output it cancels, δ = a − y",
                    (a - y) * f1,
                )
            )
            found.append(Mistake("z instead of a", "that uses z where δ = a − y takes a", z - y))
            return found
        scale = _output_scale(stepper)
        found.append(
            Mistake(
                "forgot f'(z)",
                "that is (a − y) without the factor f'(z): δ = (a − y)·f'(z)",
                scale * (a - y),
            )
        )
        found.append(
            Mistake("z instead of a", "that uses z where the formula takes a", scale * (z - y) * f1)
        )
        if f_z is not None:
            found.append(
                Mistake(
                    "z instead of a",
                    "that computes f'(z) with z where its formula takes a",
                    scale * (a - y) * f_z,
                )
            )
        return found
    above = stepper.weights[layer + 1]
    deltas = ws.delta[layer + 1][sample]
    total = float(above[:, unit] @ deltas)
    found.append(Mistake("forgot f'(z)", "that is Σ_k w_kj·δ_k without the factor f'(z)", total))
    if f_z is not None:
        found.append(
            Mistake(
                "z instead of a",
                "that computes f'(z) with z where its formula takes a",
                total * f_z,
            )
        )
    n_above = above.shape[0]
    if above.shape[1] == n_above and unit < n_above:
        found.append(
            Mistake(
                "summed the incoming instead of the outgoing weights",
                "that sums the weights entering a unit of the next layer (a row "
                "of W): δ needs the weights leaving this unit (a column)",
                float(above[unit] @ deltas) * f1,
            )
        )
    own = stepper.weights[layer][unit]
    if own.shape[0] == n_above:
        found.append(
            Mistake(
                "summed the incoming instead of the outgoing weights",
                "that sums this unit's incoming weights: δ needs the weights "
                "leaving it, to the next layer",
                float(own @ deltas) * f1,
            )
        )
    if updated is not None:
        found.append(
            Mistake(
                "used the weights already updated",
                "that uses the weights after the update: backpropagation uses "
                "the weights of the forward pass (the update comes last)",
                float(updated[layer + 1][:, unit] @ deltas) * f1,
            )
        )
    return found


def _gradient_parts(stepper, layer, unit, weight):
    """(δ of the unit per sample, a_in per sample, the L2 term of ∂C/∂w)."""
    delta = np.asarray(stepper.ws.delta[layer][:, unit], dtype=np.float64)
    a_in = np.asarray(stepper.layer_input(layer), dtype=np.float64)
    mean = float(delta @ a_in[:, weight]) / delta.shape[0]
    return delta, a_in, float(stepper.dw[layer][unit, weight]) - mean


def _gradient(stepper, layer, unit, weight, sample, updated) -> list[Mistake]:
    spec = stepper.spec
    ws = stepper.ws
    delta, a_in, l2 = _gradient_parts(stepper, layer, unit, weight)
    m = delta.shape[0]
    g = float(stepper.dw[layer][unit, weight])
    found = [Mistake("wrong sign", "the sign is wrong: ∂C/∂w = δ·a_in", -g)]
    if m > 1:
        found.append(
            Mistake(
                "forgot 1/m",
                "that is the sum over the batch: ∂C/∂w is its mean, 1/m Σ_x δ·a_in",
                float(delta @ a_in[:, weight]) + l2,
            )
        )
        found.append(
            Mistake(
                "forgot 1/m",
                "that is one sample's δ·a_in: ∂C/∂w is the mean over the batch",
                float(delta[sample] * a_in[sample, weight]) + l2,
            )
        )
    for k in range(a_in.shape[1]):
        if k != weight:
            found.append(
                Mistake(
                    "wrong input",
                    f"that multiplies δ by input {k + 1}: this weight carries input {weight + 1}",
                    float(delta @ a_in[:, k]) / m + l2,
                )
            )
    own = np.asarray(ws.a[layer][:, unit], dtype=np.float64)
    found.append(
        Mistake(
            "wrong input",
            "that multiplies δ by this unit's own a: it takes the a the weight carries in",
            float(delta @ own) / m + l2,
        )
    )
    if layer > 0:
        x = np.asarray(stepper.batch_x, dtype=np.float64)
        if weight < x.shape[1]:
            found.append(
                Mistake(
                    "wrong input",
                    "that multiplies δ by the network's input x, not the a of the layer below",
                    float(delta @ x[:, weight]) / m + l2,
                )
            )
        z_in = np.asarray(ws.z[layer - 1][:, weight], dtype=np.float64)
        found.append(
            Mistake(
                "z instead of a",
                "that multiplies δ by the input's z: it takes its a",
                float(delta @ z_in) / m + l2,
            )
        )
    name = spec.activation(layer)
    if name != "softmax" and not (layer == stepper.depth - 1 and spec.loss == "cross_entropy"):
        z = ws.z[layer][:, unit]
        a = ws.a[layer][:, unit]
        slopes = np.array([slope(name, float(zi), float(ai)) for zi, ai in zip(z, a)])
        with np.errstate(all="ignore"):
            bare = np.where(slopes != 0, delta / slopes, np.nan)
        if np.all(np.isfinite(bare)):
            found.append(
                Mistake(
                    "forgot f'(z)",
                    "that leaves f'(z) out of δ",
                    float(bare @ a_in[:, weight]) / m + l2,
                )
            )
    if l2:
        found.append(Mistake("forgot the L2 term", "that leaves out L2's λ/m·w", g - l2))
    return found


def _new_weight(stepper, layer, unit, weight, sample, updated) -> list[Mistake]:
    """At the update: the weight before it, its gradient and the optimizer's state before it."""
    opt = stepper.optimizer
    i = stepper.params.index(layer, unit, weight)
    w = float(stepper.before.flat[i])
    g = float(stepper.grads.flat[i])
    change = float(stepper.applied.flat[i])
    rate = stepper.last_rate
    state = stepper.opt_before[:, [i]]

    def moved(grad: float, lr: float = rate) -> float:
        out = np.zeros(1)
        opt.step(
            np.array([grad]), np.array([w]), lr, stepper.opt_t, state, np.zeros_like(state), out
        )
        return w + float(out[0])

    found = [
        Mistake("the previous value", "that is the weight before the update: add Δw", w),
        Mistake(
            "wrong sign", "the sign of Δw is wrong: the step goes against the gradient", w - change
        ),
        Mistake("forgot η", "that leaves out the learning rate η", moved(g, 1.0)),
        Mistake("gave Δw", "that is Δw, the change: the new weight is w + Δw", change),
    ]
    if opt.buffers:
        found.append(
            Mistake(
                "forgot momentum",
                f"that is a plain gradient step: {opt.title} "
                "also uses its state (the velocity or averages)",
                w - rate * g,
            )
        )
    delta, a_in, l2 = _gradient_parts(stepper, layer, unit, weight)
    m = delta.shape[0]
    if m > 1:
        found.append(
            Mistake(
                "forgot 1/m",
                "that uses the sum over the batch: ∂C/∂w is its mean",
                moved(float(delta @ a_in[:, weight]) + l2),
            )
        )
    for k in range(a_in.shape[1]):
        if k != weight:
            found.append(
                Mistake(
                    "wrong input",
                    f"that uses the gradient of input {k + 1}'s weight",
                    moved(float(delta @ a_in[:, k]) / m + l2),
                )
            )
    return found
