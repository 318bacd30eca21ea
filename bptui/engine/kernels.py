"""The arithmetic of one training step, on preallocated buffers.

Notation for a batch of m samples and weight layer l (0-based) with n_in inputs and n_out units:
a_in (m, n_in) the layer's input activations (the batch inputs for l = 0), W (n_out, n_in),
b (n_out,), z and a (m, n_out), δ (m, n_out) per sample, dW (n_out, n_in), db (n_out,).

Every function here is used both by the micro-stepper and by the fast training loop, so the two
produce bit-identical numbers by construction.
"""

from __future__ import annotations

import numpy as np

from bptui.engine import activations, losses
from bptui.engine.spec import NetworkSpec


class Workspace:
    """Buffers for one batch size m: per weight layer z, a, δ and a scratch array (m, n_out)."""

    def __init__(self, spec: NetworkSpec, m: int, n_in: int | None = None):
        units = spec.layers[1:]
        self.m = m
        self.x = np.empty((m, spec.layers[0] if n_in is None else n_in))
        self.y = np.empty((m, spec.layers[-1]))
        self.z = [np.empty((m, n)) for n in units]
        self.a = [np.empty((m, n)) for n in units]
        self.delta = [np.empty((m, n)) for n in units]
        self.scratch = [np.empty((m, n)) for n in units]


def forward_layer(spec: NetworkSpec, layer: int, w: np.ndarray, b: np.ndarray,
                  a_in: np.ndarray, ws: Workspace) -> None:
    """z = a_in·Wᵀ + b and a = f(z) for one layer, into ws.z[layer], ws.a[layer]."""
    z = ws.z[layer]
    np.matmul(a_in, w.T, out=z)
    z += b
    activations.activate(spec.activation(layer), z, ws.a[layer])


def forward(spec: NetworkSpec, weights: list[np.ndarray], biases: list[np.ndarray],
            x: np.ndarray, ws: Workspace) -> np.ndarray:
    """Forward pass of x (m, n_in) through every layer; returns the output a (m, K)."""
    a_in = x
    for layer in range(spec.depth):
        forward_layer(spec, layer, weights[layer], biases[layer], a_in, ws)
        a_in = ws.a[layer]
    return a_in


def l2_term(l2: float, m: int, weights: list[np.ndarray]) -> float:
    """λ/(2m) · Σ_l ‖W_l‖² (biases are not regularized)."""
    if l2 == 0.0:
        return 0.0
    return l2 / (2 * m) * sum(float(np.vdot(w, w)) for w in weights)


def cost(spec: NetworkSpec, l2: float, weights: list[np.ndarray], y: np.ndarray,
         ws: Workspace) -> float:
    """Batch cost from a completed forward pass in ws, with the L2 term (m = batch size)."""
    last = spec.depth - 1
    data = losses.data_cost(spec.loss, spec.output_activation, ws.z[last], ws.a[last], y)
    return data + l2_term(l2, ws.m, weights)


def output_error(spec: NetworkSpec, y: np.ndarray, ws: Workspace) -> None:
    """The output layer's δ (m, K) into ws.delta[-1]."""
    last = spec.depth - 1
    losses.output_delta(spec.loss, spec.output_activation, ws.z[last], ws.a[last], y,
                        ws.delta[last], ws.scratch[last])


def backward_layer(spec: NetworkSpec, layer: int, w: np.ndarray, a_in: np.ndarray, l2: float,
                   ws: Workspace, dw: np.ndarray, db: np.ndarray) -> None:
    """Gradients of one layer and δ of the layer below.

    dW = δᵀ·a_in / m + λ/m · W;  db = Σ_samples δ / m;
    δ_below = (δ·W) ⊙ f'(z_below), skipped for the first layer.
    """
    m = ws.m
    delta = ws.delta[layer]
    np.matmul(delta.T, a_in, out=dw)
    dw /= m
    if l2 != 0.0:
        dw += (l2 / m) * w
    np.sum(delta, axis=0, out=db)
    db /= m
    if layer > 0:
        below = layer - 1
        np.matmul(delta, w, out=ws.delta[below])
        activations.derivative(spec.activation(below), ws.z[below], ws.a[below], ws.scratch[below])
        ws.delta[below] *= ws.scratch[below]


def update_step(grad: np.ndarray, velocity: np.ndarray, learning_rate: float, momentum: float,
                out: np.ndarray) -> np.ndarray:
    """The update v' = μ·v − η·∇C into out (any shape matching grad)."""
    np.multiply(grad, -learning_rate, out=out)
    if momentum != 0.0:
        out += momentum * velocity
    return out
