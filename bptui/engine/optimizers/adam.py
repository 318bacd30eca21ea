"""Adam and AdamW as torch.optim.Adam and torch.optim.AdamW compute them (amsgrad off).

Adam:  m ← β1·m + (1 − β1)·∇C,  v ← β2·v + (1 − β2)·(∇C)²,
       m̂ = m/(1 − β1ᵗ),  v̂ = v/(1 − β2ᵗ),  θ ← θ − η·m̂/(√v̂ + ε)
AdamW: θ ← θ − η·λ·θ first (decoupled weight decay, on weights and biases), then Adam's step.
"""

from __future__ import annotations

import math

import numpy as np

from bptui.engine.hyper import Hyper
from bptui.engine.numtext import factor, number
from bptui.engine.optimizers.adagrad import EPSILON
from bptui.engine.optimizers.base import Formula, Optimizer, Scalar

BETA1 = Hyper(
    "beta1", "β1", 0.9, "how slowly the average gradient m forgets", 0.0, 1.0, high_open=True
)
BETA2 = Hyper(
    "beta2",
    "β2",
    0.999,
    "how slowly the average squared gradient v forgets",
    0.0,
    1.0,
    high_open=True,
)


class Adam(Optimizer):
    name = "adam"
    title = "Adam"
    order = 5
    summary = "momentum and a per-weight step size, with the averages' start-up bias corrected"
    hypers = (BETA1, BETA2, Hyper("epsilon", "ε", 1e-8, EPSILON, 0.0, 1.0, low_open=True))
    buffers = (("m", "average gradient"), ("v", "average squared gradient"))
    default_learning_rate = 0.001
    rule = (
        "m ← β1·m + (1 − β1)·∇C",
        "v ← β2·v + (1 − β2)·(∇C)²",
        "m̂ = m/(1 − β1ᵗ),  v̂ = v/(1 − β2ᵗ)  (t = updates so far)",
        "θ ← θ − η·m̂/(√v̂ + ε)",
    )
    delta = "Δθ = −η·m̂/(√v̂ + ε)"

    def step(self, grad, params, lr, t, state, new_state, delta):
        b1, b2 = self.h["beta1"], self.h["beta2"]
        m, v = new_state
        np.multiply(state[0], b1, out=m)
        np.multiply(grad, 1.0 - b1, out=delta)
        m += delta
        np.multiply(state[1], b2, out=v)
        np.multiply(grad, grad, out=delta)
        delta *= 1.0 - b2
        v += delta
        np.sqrt(v, out=delta)
        delta /= math.sqrt(1.0 - b2**t)
        delta += self.h["epsilon"]
        np.divide(m, delta, out=delta)
        delta *= -(lr / (1.0 - b1**t))

    def explain(self, x: Scalar) -> list[Formula]:
        b1, b2 = self.h["beta1"], self.h["beta2"]
        m, v = x.new["m"], x.new["v"]
        m_hat, v_hat = m / (1.0 - b1**x.t), v / (1.0 - b2**x.t)
        return [
            Formula(
                "m = β1·m + (1 − β1)·g",
                f"{number(b1)}·{factor(x.old['m'])} + {number(1 - b1)}·{factor(x.g)}",
                m,
            ),
            Formula(
                "v = β2·v + (1 − β2)·g²",
                f"{number(b2)}·{number(x.old['v'])} + {number(1 - b2)}·{factor(x.g)}²",
                v,
            ),
            Formula(f"m̂ = m/(1 − β1^t), t = {x.t}", f"{factor(m)}/(1 − {number(b1)}^{x.t})", m_hat),
            Formula("v̂ = v/(1 − β2^t)", f"{number(v)}/(1 − {number(b2)}^{x.t})", v_hat),
            *self._delta(x, m_hat, v_hat),
        ]

    def _delta(self, x: Scalar, m_hat: float, v_hat: float) -> list[Formula]:
        eps = self.h["epsilon"]
        return [
            Formula(
                f"Δ{x.label} = −η·m̂/(√v̂ + ε)",
                f"−{number(x.lr)}·{factor(m_hat)}/(√{number(v_hat)} + {number(eps)})",
                x.delta,
            )
        ]


class AdamW(Adam):
    name = "adamw"
    title = "AdamW"
    order = 6
    summary = "Adam with decoupled weight decay: every weight also shrinks by η·λ of itself"
    hypers = Adam.hypers + (
        Hyper("weight_decay", "λ", 0.01, "decoupled weight decay (weights and biases)", 0.0, 1.0),
    )
    rule = ("θ ← θ − η·λ·θ  (decoupled weight decay)",) + Adam.rule
    delta = "Δθ = −η·λ·θ − η·m̂/(√v̂ + ε)"

    def step(self, grad, params, lr, t, state, new_state, delta):
        super().step(grad, params, lr, t, state, new_state, delta)
        decay = lr * self.h["weight_decay"]
        if decay:
            delta -= decay * params

    def _delta(self, x: Scalar, m_hat: float, v_hat: float) -> list[Formula]:
        eps, wd = self.h["epsilon"], self.h["weight_decay"]
        return [
            Formula(
                f"Δ{x.label} = −η·λ·{x.label} − η·m̂/(√v̂ + ε)",
                f"−{number(x.lr)}·{number(wd)}·{factor(x.theta)} − {number(x.lr)}·"
                f"{factor(m_hat)}/(√{number(v_hat)} + {number(eps)})",
                x.delta,
            )
        ]
