"""Nudge one weight: the measured slope of the cost beside backpropagation's ∂C/∂w, and ∂C/∂w
taken apart into the chain rule's factors.

For weight w = W[l][j, i] into unit j of weight layer l (or its bias b_j), on a point's batch
(`probe.Point`) of m samples:

    slope = (C(w + ε) − C(w − ε)) / 2ε          (central difference, ε = 1e-4·max(1, |w|))
    ∂C/∂w = 1/m Σ_x ∂C_x/∂a_j · f'(z_j) · a_in  (+ λ/m·w with L2; a_in = 1 for a bias)

with ∂C_x/∂a_j = Σ_k w_kj·δ_k for a hidden unit (each term k kept) and the loss derivative at
the output. Where the output's δ does not split into ∂C/∂a·f'(z) elementwise (softmax, and
cross-entropy, whose δ = a − y is what the engine computes), the factors are δ = ∂C_x/∂z_j and
a_in. Every factor is kept per sample and as its batch mean; `gradient` is the engine's own
backward pass (the kernels the stepper uses), at the point, with the point's own buffers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bptui.engine.address import WeightAddress
from bptui.engine.kernels import Workspace
from bptui.engine.probe import Pass, Point, batch_cost

EPSILON = 1e-4

DERIVATIVE_NAMES = {
    "sigmoid": "σ'(z)",
    "tanh": "tanh'(z)",
    "relu": "relu'(z)",
    "leaky_relu": "leaky_relu'(z)",
    "linear": "linear'(z)",
}


@dataclass(frozen=True, eq=False)
class Factor:
    """One factor of ∂C/∂w: its name, batch mean `value` and values per sample (m,)."""

    name: str
    value: float
    per_sample: np.ndarray


@dataclass(frozen=True, eq=False)
class Term:
    """One term w_kj·δ_k of ∂C/∂a_j for a hidden unit j: unit k (0-based) of the layer above,
    w_kj, and δ_k and the product per sample (m,) with their batch means."""

    unit: int
    weight: float
    delta: float
    value: float
    delta_per_sample: np.ndarray
    per_sample: np.ndarray


@dataclass(frozen=True, eq=False)
class Nudge:
    """The nudge of one weight (see the module). `products` (m,) are each sample's own ∂C_x/∂w
    before averaging (δ_j·a_in), `data_gradient` their mean, `l2_term` λ/m·w (0 for a bias
    or without L2); `gradient` = data_gradient + l2_term as backpropagation computes it."""

    address: WeightAddress
    weight: float
    epsilon: float
    loss_minus: float
    loss: float
    loss_plus: float
    slope: float
    gradient: float
    factors: tuple[Factor, ...]
    terms: tuple[Term, ...]
    products: np.ndarray
    data_gradient: float
    l2_term: float
    rows: np.ndarray

    @property
    def relative_difference(self) -> float:
        """|slope − ∂C/∂w| / (|slope| + |∂C/∂w|), 0 when both are 0."""
        return relative_difference(self.slope, self.gradient)


def relative_difference(a: float, b: float) -> float:
    """|a − b| / (|a| + |b|), 0 when both are 0 (nan if either is not finite)."""
    scale = abs(a) + abs(b)
    if scale == 0.0:
        return 0.0
    return abs(a - b) / scale


def default_epsilon(weight: float) -> float:
    """1e-4·max(1, |w|)."""
    return EPSILON * max(1.0, abs(weight))


def nudge(point: Point, address: WeightAddress, epsilon: float | None = None) -> Nudge:
    """Nudge the weight at `address` by ±ε on the point's batch (see the module)."""
    index = address.flat_index(point.shapes)
    w = float(point.params[index])
    eps = default_epsilon(w) if epsilon is None else float(epsilon)
    backward = Pass(point)
    ws = Workspace(point.spec, point.m)
    flat = point.params.copy()
    flat[index] = w + eps
    plus_w = float(flat[index])
    loss_plus = batch_cost(point, flat, ws, backward.plan)
    flat[index] = w - eps
    minus_w = float(flat[index])
    loss_minus = batch_cost(point, flat, ws, backward.plan)
    width = plus_w - minus_w
    with np.errstate(all="ignore"):
        slope = (loss_plus - loss_minus) / width if width else float("nan")
    gradient = float(backward.grads.flat[index])
    with np.errstate(all="ignore"):  # a diverged run: inf and nan, shown as they are
        factors, terms, delta = chain(backward, address)
        products = delta * factors[-1].per_sample
        data_gradient = float(products.mean())
    l2_term = 0.0 if address.is_bias or not point.l2 else point.l2 / point.m * w
    return Nudge(
        address,
        w,
        eps,
        loss_minus,
        backward.cost,
        loss_plus,
        slope,
        gradient,
        factors,
        terms,
        products,
        data_gradient,
        l2_term,
        point.rows,
    )


def chain(
    backward: Pass, address: WeightAddress
) -> tuple[tuple[Factor, ...], tuple[Term, ...], np.ndarray]:
    """(factors, terms of ∂C/∂a_j for a hidden unit, δ_j per sample (m,)) of the weight."""
    layer, j = address.layer, address.unit
    ws = backward.ws
    delta = ws.delta[layer][:, j].copy()
    if address.source is None:
        a_in = Factor("a_in = 1 (bias)", 1.0, np.ones(backward.point.m))
    else:
        source = backward.layer_input(layer)[:, address.source].copy()
        a_in = Factor(f"a_in = {address.source_name()}", float(source.mean()), source)
    depth = backward.plan.depth
    spec = backward.point.spec
    slopes = backward.slopes(layer)
    split = layer < depth - 1 or (slopes is not None and spec.loss != "cross_entropy")
    if not split:
        return (Factor("δ = ∂C/∂z", float(delta.mean()), delta), a_in), (), delta
    by_a = backward.cost_by_activation(layer)[:, j].copy()
    slope = slopes[:, j].copy()
    factors = (
        Factor("∂C/∂a", float(by_a.mean()), by_a),
        Factor(DERIVATIVE_NAMES[backward.plan.names[layer]], float(slope.mean()), slope),
        a_in,
    )
    terms: tuple[Term, ...] = ()
    if layer < depth - 1:
        above = backward.params.w[layer + 1][:, j]
        deltas = ws.delta[layer + 1]
        terms = tuple(
            Term(
                k,
                float(above[k]),
                float(deltas[:, k].mean()),
                float((above[k] * deltas[:, k]).mean()),
                deltas[:, k].copy(),
                above[k] * deltas[:, k],
            )
            for k in range(above.shape[0])
        )
    return factors, terms, delta
