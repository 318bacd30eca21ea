"""Numerical gradient check by central differences.

For every checked parameter θ: (C(θ + ε) − C(θ − ε)) / 2ε (ε = STEP) against the analytic
∂C/∂θ from backpropagation, on the same batch and weights. Per layer the relative error is
‖num − ana‖ / max(‖num‖ + ‖ana‖, tiny): around 1e-7 or below means the backward pass is right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bptui.engine import kernels
from bptui.engine.kernels import Plan, Workspace
from bptui.engine.spec import NetworkSpec

STEP = 1e-6
"""ε of the central differences (the lessons and the matrix pane write ε)."""
MAX_ENTRIES = 400


@dataclass(frozen=True)
class LayerCheck:
    """Result for one weight layer: relative errors of W and b, and entries compared."""

    layer: int
    relative_error_w: float
    relative_error_b: float
    max_abs_difference: float
    checked: int
    total: int

    @property
    def relative_error(self) -> float:
        """The larger of the two relative errors."""
        return max(self.relative_error_w, self.relative_error_b)


def analytic_gradients(
    spec: NetworkSpec,
    l2: float,
    weights: list[np.ndarray],
    biases: list[np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    l1: float = 0.0,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Backpropagation on batch x (m, n_in), y (m, K): ([dW (n_out, n_in)], [db (n_out,)])."""
    plan = Plan(spec)
    ws = Workspace(spec, x.shape[0])
    dws = [np.empty_like(w) for w in weights]
    dbs = [np.empty_like(b) for b in biases]
    with np.errstate(all="ignore"):
        kernels.forward(plan, weights, biases, x, ws)
        kernels.output_error(plan, y, ws)
        for layer in range(spec.depth - 1, -1, -1):
            a_in = x if layer == 0 else ws.a[layer - 1]
            kernels.backward_layer(
                plan, layer, weights[layer], a_in, l2, ws, dws[layer], dbs[layer], l1
            )
    return dws, dbs


def batch_cost(
    spec: NetworkSpec,
    l2: float,
    weights: list[np.ndarray],
    biases: list[np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    ws: Workspace,
    l1: float = 0.0,
) -> float:
    """Cost of the batch with the L2 and L1 terms."""
    plan = Plan(spec)
    with np.errstate(all="ignore"):
        kernels.forward(plan, weights, biases, x, ws)
        return kernels.cost(plan, l2, weights, y, ws, l1)


def _relative(num: np.ndarray, ana: np.ndarray) -> float:
    scale = float(np.linalg.norm(num) + np.linalg.norm(ana))
    if scale == 0.0:
        return 0.0
    return float(np.linalg.norm(num - ana)) / scale


def _numeric(param: np.ndarray, indices: np.ndarray, cost) -> np.ndarray:
    flat = param.reshape(-1)
    out = np.empty(len(indices))
    for i, index in enumerate(indices):
        keep = flat[index]
        flat[index] = keep + STEP
        plus = cost()
        flat[index] = keep - STEP
        minus = cost()
        flat[index] = keep
        out[i] = (plus - minus) / (2 * STEP)
    return out


def gradient_check(
    spec: NetworkSpec,
    l2: float,
    weights: list[np.ndarray],
    biases: list[np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    max_entries: int = MAX_ENTRIES,
    seed: int = 0,
    l1: float = 0.0,
) -> list[LayerCheck]:
    """Compare numerical and analytic gradients per layer; weights are left unchanged.

    Layers with more than `max_entries` weights are checked on a seeded random sample of them.
    """
    weights = [w.copy() for w in weights]
    biases = [b.copy() for b in biases]
    dws, dbs = analytic_gradients(spec, l2, weights, biases, x, y, l1)
    ws = Workspace(spec, x.shape[0])
    rng = np.random.default_rng(seed)

    def cost() -> float:
        return batch_cost(spec, l2, weights, biases, x, y, ws, l1)

    results = []
    for layer, (w, b) in enumerate(zip(weights, biases)):
        indices = np.arange(w.size)
        if w.size > max_entries:
            indices = np.sort(rng.choice(w.size, size=max_entries, replace=False))
        num_w = _numeric(w, indices, cost)
        ana_w = dws[layer].reshape(-1)[indices]
        b_indices = np.arange(b.size)
        num_b = _numeric(b, b_indices, cost)
        ana_b = dbs[layer]
        diff = max(
            float(np.max(np.abs(num_w - ana_w), initial=0.0)),
            float(np.max(np.abs(num_b - ana_b), initial=0.0)),
        )
        results.append(
            LayerCheck(
                layer,
                _relative(num_w, ana_w),
                _relative(num_b, ana_b),
                diff,
                len(indices) + b.size,
                w.size + b.size,
            )
        )
    return results
