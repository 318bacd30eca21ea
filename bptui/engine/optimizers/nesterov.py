"""Nesterov momentum as torch.optim.SGD(momentum=μ, nesterov=True) computes it:
b ← μ·b + ∇C, θ ← θ − η·(∇C + μ·b)."""

from __future__ import annotations

import numpy as np

from bptui.engine.hyper import Hyper
from bptui.engine.numtext import factor, number
from bptui.engine.optimizers.base import Formula, Optimizer, Scalar


class Nesterov(Optimizer):
    name = "nesterov"
    title = "Nesterov"
    order = 2
    summary = "momentum that looks ahead: the step uses the gradient plus μ times the buffer"
    hypers = (
        Hyper(
            "momentum",
            "μ",
            0.9,
            "how much of the buffer is kept",
            0.0,
            1.0,
            low_open=True,
            high_open=True,
        ),
    )
    buffers = (("b", "momentum buffer: a decaying sum of gradients"),)
    default_learning_rate = 0.5
    rule = ("b ← μ·b + ∇C", "θ ← θ − η·(∇C + μ·b)")
    delta = "Δθ = −η·(∂C/∂θ + μ·b)"

    def step(self, grad, params, lr, t, state, new_state, delta):
        mu = self.h["momentum"]
        buffer = new_state[0]
        np.multiply(state[0], mu, out=buffer)
        buffer += grad
        np.multiply(buffer, mu, out=delta)
        delta += grad
        delta *= -lr

    def explain(self, x: Scalar) -> list[Formula]:
        mu = self.h["momentum"]
        return [
            Formula(
                "b = μ·b + g", f"{number(mu)}·{factor(x.old['b'])} + {factor(x.g)}", x.new["b"]
            ),
            Formula(
                f"Δ{x.label} = −η·(g + μ·b)",
                f"−{number(x.lr)}·({factor(x.g)} + {number(mu)}·{factor(x.new['b'])})",
                x.delta,
            ),
        ]
