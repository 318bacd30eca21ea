"""Classical momentum: v ← μ·v − η·∇C, θ ← θ + v (bptui's rule since its first version).

With a constant η this is torch.optim.SGD(momentum=μ) (whose buffer is −v/η); under a
learning-rate schedule the classical rule puts η_t inside the velocity.
"""

from __future__ import annotations

import numpy as np

from bptui.engine.hyper import Hyper
from bptui.engine.numtext import factor, number
from bptui.engine.optimizers.base import Formula, Optimizer, Scalar

MOMENTUM = Hyper(
    "momentum",
    "μ",
    0.9,
    "how much of the last step is kept (0 = plain SGD)",
    0.0,
    1.0,
    high_open=True,
)


class Momentum(Optimizer):
    name = "momentum"
    title = "Momentum"
    order = 1
    summary = "keeps a velocity: past steps keep pushing in their direction"
    hypers = (MOMENTUM,)
    buffers = (("v", "velocity: the last update"),)
    default_learning_rate = 0.5
    rule = ("v ← μ·v − η·∇C", "θ ← θ + v")
    delta = "Δθ = μ·v − η·∂C/∂θ"

    def step(self, grad, params, lr, t, state, new_state, delta):
        velocity = new_state[0]
        np.multiply(grad, -lr, out=velocity)
        mu = self.h["momentum"]
        if mu != 0.0:
            velocity += mu * state[0]
        np.copyto(delta, velocity)

    def explain(self, x: Scalar) -> list[Formula]:
        mu = self.h["momentum"]
        return [
            Formula(
                f"Δ{x.label} = v = μ·v − η·g",
                f"{number(mu)}·{factor(x.old['v'])} − {number(x.lr)}·{factor(x.g)}",
                x.new["v"],
            )
        ]
