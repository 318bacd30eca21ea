"""Plain stochastic gradient descent: θ ← θ − η·∇C (torch.optim.SGD without momentum)."""

from __future__ import annotations

import numpy as np

from bptui.engine.numtext import factor, number
from bptui.engine.optimizers.base import Formula, Optimizer, Scalar


class SGD(Optimizer):
    name = "sgd"
    title = "SGD"
    order = 0
    summary = "plain gradient descent: a step of −η times the gradient"
    default_learning_rate = 0.5
    rule = ("θ ← θ − η·∇C",)
    delta = "Δθ = −η·∂C/∂θ"

    def step(self, grad, params, lr, t, state, new_state, delta):
        np.multiply(grad, -lr, out=delta)

    def explain(self, x: Scalar) -> list[Formula]:
        return [Formula(f"Δ{x.label} = −η·g", f"−{number(x.lr)}·{factor(x.g)}", x.delta)]
