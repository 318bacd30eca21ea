"""Adagrad as torch.optim.Adagrad computes it (lr_decay 0, initial accumulator 0):
s ← s + (∇C)², θ ← θ − η·∇C/(√s + ε)."""

from __future__ import annotations

import numpy as np

from bptui.engine.hyper import Hyper
from bptui.engine.numtext import factor, number
from bptui.engine.optimizers.base import Formula, Optimizer, Scalar

EPSILON = "ε keeps the division finite"


class Adagrad(Optimizer):
    name = "adagrad"
    title = "Adagrad"
    order = 3
    summary = "a step per weight, shrinking as that weight's squared gradients add up"
    hypers = (Hyper("epsilon", "ε", 1e-10, EPSILON, 0.0, 1.0, low_open=True),)
    buffers = (("s", "sum of squared gradients"),)
    default_learning_rate = 0.01
    rule = ("s ← s + (∇C)²", "θ ← θ − η·∇C/(√s + ε)")
    delta = "Δθ = −η·∂C/∂θ/(√s + ε)"

    def step(self, grad, params, lr, t, state, new_state, delta):
        total = new_state[0]
        np.multiply(grad, grad, out=total)
        total += state[0]
        np.sqrt(total, out=delta)
        delta += self.h["epsilon"]
        np.divide(grad, delta, out=delta)
        delta *= -lr

    def explain(self, x: Scalar) -> list[Formula]:
        s = x.new["s"]
        return [Formula("s = s + g²", f"{number(x.old['s'])} + {factor(x.g)}²", s),
                Formula(f"Δ{x.label} = −η·g/(√s + ε)",
                        f"−{number(x.lr)}·{factor(x.g)}/(√{number(s)} + {number(self.h['epsilon'])})",
                        x.delta)]
