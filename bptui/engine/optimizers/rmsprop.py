"""RMSprop as torch.optim.RMSprop computes it (no momentum, not centered):
s ← α·s + (1 − α)·(∇C)², θ ← θ − η·∇C/(√s + ε)."""

from __future__ import annotations

import numpy as np

from bptui.engine.hyper import Hyper
from bptui.engine.numtext import factor, number
from bptui.engine.optimizers.adagrad import (
    DIVIDED_DELTA,
    DIVIDED_RULE,
    EPSILON,
    divided_formula,
    divided_step,
)
from bptui.engine.optimizers.base import Formula, Optimizer, Scalar


class RMSprop(Optimizer):
    name = "rmsprop"
    title = "RMSprop"
    order = 4
    summary = "a step per weight, divided by a running average of its squared gradients"
    hypers = (
        Hyper("alpha", "α", 0.99, "how slowly the average of g² forgets", 0.0, 1.0, high_open=True),
        Hyper("epsilon", "ε", 1e-8, EPSILON, 0.0, 1.0, low_open=True),
    )
    buffers = (("s", "running average of squared gradients"),)
    default_learning_rate = 0.01
    rule = ("s ← α·s + (1 − α)·(∇C)²", DIVIDED_RULE)
    delta = DIVIDED_DELTA

    def step(self, grad, params, lr, t, state, new_state, delta):
        alpha = self.h["alpha"]
        average = new_state[0]  # α·s + ((1 − α)·g)·g, in torch's order of rounding
        np.multiply(grad, 1.0 - alpha, out=average)
        average *= grad
        np.multiply(state[0], alpha, out=delta)
        average += delta
        divided_step(grad, average, self.h["epsilon"], lr, delta)

    def explain(self, x: Scalar) -> list[Formula]:
        alpha = self.h["alpha"]
        return [
            Formula(
                "s = α·s + (1 − α)·g²",
                f"{number(alpha)}·{number(x.old['s'])} + {number(1 - alpha)}·{factor(x.g)}²",
                x.new["s"],
            ),
            divided_formula(x, self.h["epsilon"]),
        ]
