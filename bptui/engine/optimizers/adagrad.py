"""Adagrad as torch.optim.Adagrad computes it (lr_decay 0, initial accumulator 0):
s ← s + (∇C)², θ ← θ − η·∇C/(√s + ε)."""

from __future__ import annotations

import numpy as np

from bptui.engine.hyper import Hyper
from bptui.engine.numtext import factor, number
from bptui.engine.optimizers.base import Formula, Optimizer, Scalar

EPSILON = "ε keeps the division finite"
DIVIDED_RULE = "θ ← θ − η·∇C/(√s + ε)"
DIVIDED_DELTA = "Δθ = −η·∂C/∂θ/(√s + ε)"


def divided_step(grad, s, epsilon: float, lr: float, delta) -> None:
    """delta ← −η·g/(√s + ε), in torch's order of rounding (Adagrad's and RMSprop's step)."""
    np.sqrt(s, out=delta)
    delta += epsilon
    np.divide(grad, delta, out=delta)
    delta *= -lr


def divided_formula(x: Scalar, epsilon: float) -> Formula:
    """The explain pane's line for divided_step, with the numbers of `x`."""
    return Formula(
        f"Δ{x.label} = −η·g/(√s + ε)",
        f"−{number(x.lr)}·{factor(x.g)}/(√{number(x.new['s'])} + {number(epsilon)})",
        x.delta,
    )


class Adagrad(Optimizer):
    name = "adagrad"
    title = "Adagrad"
    order = 3
    summary = "a step per weight, shrinking as that weight's squared gradients add up"
    hypers = (Hyper("epsilon", "ε", 1e-10, EPSILON, 0.0, 1.0, low_open=True),)
    buffers = (("s", "sum of squared gradients"),)
    default_learning_rate = 0.01
    rule = ("s ← s + (∇C)²", DIVIDED_RULE)
    delta = DIVIDED_DELTA

    def step(self, grad, params, lr, t, state, new_state, delta):
        total = new_state[0]
        np.multiply(grad, grad, out=total)
        total += state[0]
        divided_step(grad, total, self.h["epsilon"], lr, delta)

    def explain(self, x: Scalar) -> list[Formula]:
        return [
            Formula("s = s + g²", f"{number(x.old['s'])} + {factor(x.g)}²", x.new["s"]),
            divided_formula(x, self.h["epsilon"]),
        ]
