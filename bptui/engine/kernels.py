"""The arithmetic of one training step, on preallocated buffers.

Notation for a batch of m samples and weight layer l (0-based) with n_in inputs and n_out units:
a_in (m, n_in) the layer's input activations (the batch inputs for l = 0), W (n_out, n_in),
b (n_out,), z and a (m, n_out), δ (m, n_out) per sample, dW (n_out, n_in), db (n_out,).

Every function here is used both by the micro-stepper and by the fast training loop, so the two
produce bit-identical numbers by construction. Sums over the batch are matrix products with a
vector of ones: NumPy reduces along a short axis slowly, BLAS does not.
"""

from __future__ import annotations

import numpy as np

from bptui.engine import activations, losses
from bptui.engine.spec import NetworkSpec


class Plan:
    """What each layer computes, resolved once: activation names and functions per layer."""

    def __init__(self, spec: NetworkSpec):
        self.spec = spec
        self.depth = spec.depth
        self.names = [spec.activation(layer) for layer in range(spec.depth)]
        records = [activations.ACTIVATIONS[name] for name in self.names]
        self.activate = [record.function for record in records]
        self.derivative = [record.derivative for record in records]
        self.softmax_output = spec.output_activation == "softmax"


class Parameters:
    """Weights and biases of every layer as views into one flat float64 vector (P,).

    shapes: (n_out, n_in) per weight layer. `w[l]` is (n_out, n_in) and `b[l]` is (n_out,);
    the whole set updates in one vector operation.
    """

    def __init__(self, shapes: list[tuple[int, int]], flat: np.ndarray | None = None):
        self.shapes = shapes
        size = sum(r * c + r for r, c in shapes)
        self.flat = np.zeros(size) if flat is None else flat
        self.w: list[np.ndarray] = []
        self.b: list[np.ndarray] = []
        offset = 0
        for rows, cols in shapes:
            self.w.append(self.flat[offset : offset + rows * cols].reshape(rows, cols))
            offset += rows * cols
            self.b.append(self.flat[offset : offset + rows])
            offset += rows

    def index(self, layer: int, row: int, col: int | None = None) -> int:
        """Position in `flat` of W[layer][row, col], or of b[layer][row] when col is None."""
        offset = sum(r * c + r for r, c in self.shapes[:layer])
        rows, cols = self.shapes[layer]
        return offset + (rows * cols + row if col is None else row * cols + col)

    def copy(self) -> Parameters:
        """An independent copy."""
        return Parameters(self.shapes, self.flat.copy())


class Workspace:
    """Buffers for one batch size m: per weight layer z, a, δ and a scratch array (m, n_out)."""

    def __init__(self, spec: NetworkSpec, m: int):
        units = spec.layers[1:]
        self.m = m
        self.x = np.empty((m, spec.layers[0]))
        self.y = np.empty((m, spec.layers[-1]))
        self.ones = np.ones(m)
        self.lse = np.empty(m)
        self.z = [np.empty((m, n)) for n in units]
        self.a = [np.empty((m, n)) for n in units]
        self.delta = [np.empty((m, n)) for n in units]
        self.scratch = [np.empty((m, n)) for n in units]


def forward_layer(
    plan: Plan, layer: int, w: np.ndarray, b: np.ndarray, a_in: np.ndarray, ws: Workspace
) -> None:
    """z = a_in·Wᵀ + b and a = f(z) for one layer, into ws.z[layer], ws.a[layer]."""
    z = ws.z[layer]
    np.matmul(a_in, w.T, out=z)
    z += b
    if plan.softmax_output and layer == plan.depth - 1:
        activations.softmax(z, ws.a[layer], ws.lse)
    else:
        plan.activate[layer](z, ws.a[layer])


def forward(
    plan: Plan, weights: list[np.ndarray], biases: list[np.ndarray], x: np.ndarray, ws: Workspace
) -> np.ndarray:
    """Forward pass of x (m, n_in) through every layer; returns the output a (m, K)."""
    a_in = x
    for layer in range(plan.depth):
        forward_layer(plan, layer, weights[layer], biases[layer], a_in, ws)
        a_in = ws.a[layer]
    return a_in


def l2_term(l2: float, m: int, weights: list[np.ndarray]) -> float:
    """λ/(2m) · Σ_l ‖W_l‖² (biases are not regularized)."""
    if l2 == 0.0:
        return 0.0
    return l2 / (2 * m) * sum(float(np.vdot(w, w)) for w in weights)


def l1_term(l1: float, m: int, weights: list[np.ndarray]) -> float:
    """λ1/m · Σ_l Σ |w| (biases are not regularized), scaled like the L2 term."""
    if l1 == 0.0:
        return 0.0
    return l1 / m * sum(float(np.abs(w).sum()) for w in weights)


def cost(
    plan: Plan, l2: float, weights: list[np.ndarray], y: np.ndarray, ws: Workspace, l1: float = 0.0
) -> float:
    """Batch cost from a completed forward pass in ws, with the L2 and L1 terms (m = batch
    size)."""
    spec = plan.spec
    last = plan.depth - 1
    lse = ws.lse if plan.softmax_output else None
    data = losses.data_cost(spec.loss, spec.output_activation, ws.z[last], ws.a[last], y, lse)
    return data + l2_term(l2, ws.m, weights) + l1_term(l1, ws.m, weights)


def output_error(plan: Plan, y: np.ndarray, ws: Workspace) -> None:
    """The output layer's δ (m, K) into ws.delta[-1]."""
    spec = plan.spec
    last = plan.depth - 1
    losses.output_delta(
        spec.loss,
        spec.output_activation,
        ws.z[last],
        ws.a[last],
        y,
        ws.delta[last],
        ws.scratch[last],
    )


def backward_layer(
    plan: Plan,
    layer: int,
    w: np.ndarray,
    a_in: np.ndarray,
    l2: float,
    ws: Workspace,
    dw: np.ndarray,
    db: np.ndarray,
    l1: float = 0.0,
) -> None:
    """Gradients of one layer and δ of the layer below.

    dW = δᵀ·a_in / m + λ/m · W + λ1/m · sign(W);  db = Σ_samples δ / m;
    δ_below = (δ·W) ⊙ f'(z_below), skipped for the first layer.
    (sign(0) = 0: at w = 0 the L1 term adds nothing, as torch's autograd of |w| does.)
    """
    m = ws.m
    delta = ws.delta[layer]
    np.matmul(delta.T, a_in, out=dw)
    dw /= m
    if l2 != 0.0:
        dw += (l2 / m) * w
    if l1 != 0.0:
        dw += (l1 / m) * np.sign(w)
    np.matmul(ws.ones, delta, out=db)
    db /= m
    if layer > 0:
        below = layer - 1
        np.matmul(delta, w, out=ws.delta[below])
        plan.derivative[below](ws.z[below], ws.a[below], ws.scratch[below])
        ws.delta[below] *= ws.scratch[below]


GEMM_BLOCK = 131_072  # weights × rows per product: small enough that OpenBLAS stays single-threaded


def forward_in_blocks(
    weights, biases, activation_names, x: np.ndarray, upto: int | None = None
) -> np.ndarray:
    """Activations (n, units) of weight layer `upto` (default: the output) for many inputs
    x (n, n_in), e.g. every pixel of a map over the input plane.

    The same z = a·Wᵀ + b and a = f(z) as `forward_layer`, with the products taken in row blocks:
    on a busy 2-core machine OpenBLAS's threaded gemm took 15 ms instead of 0.15 ms for a
    4680 × 16 × 16 product. Allocates its own arrays, so it never touches a stepper's buffers.
    """
    last = len(weights) - 1 if upto is None else upto
    a = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        for layer in range(last + 1):
            w = weights[layer]
            z = np.empty((a.shape[0], w.shape[0]))
            rows = max(16, GEMM_BLOCK // max(1, w.size))
            for start in range(0, a.shape[0], rows):
                np.matmul(a[start : start + rows], w.T, out=z[start : start + rows])
            z += biases[layer]
            out = np.empty_like(z)
            activations.activate(activation_names[layer], z, out)
            a = out
    return a
