"""Cost functions and the output layer's error δ.

The cost of a batch of m samples is the mean of per-sample costs C_x, with K output units:

- `quadratic`: C_x = ½ Σ_k (a_k − y_k)², so C = 1/(2m) Σ_x Σ_k (a − y)²
- `mse`: C_x = 1/K Σ_k (a_k − y_k)², so C = 1/(m·K) Σ_x Σ_k (a − y)²
- `cross_entropy` with softmax: C_x = −Σ_k y_k ln a_k
- `cross_entropy` with sigmoid: C_x = −Σ_k [y_k ln a_k + (1 − y_k) ln(1 − a_k)]

δ is per sample: δ_x = ∂C_x/∂z of the output layer, shape (m, K); the gradient of the batch
cost is the batch mean of the per-sample gradients. Cross-entropy is computed from z (log-sum-exp
and softplus), so a saturated output gives a large finite cost rather than ln 0.
"""

from __future__ import annotations

import numpy as np

from bptui.engine import activations

LOSSES = ("quadratic", "mse", "cross_entropy")
CROSS_ENTROPY_OUTPUTS = ("sigmoid", "softmax")

FORMULAS = {
    "quadratic": "C = 1/(2m) Σ (a − y)²",
    "mse": "C = 1/(m·K) Σ (a − y)²",
    "cross_entropy/softmax": "C = −1/m Σ y·ln a",
    "cross_entropy/sigmoid": "C = −1/m Σ [y·ln a + (1−y)·ln(1−a)]",
}


def formula(loss: str, output_activation: str) -> str:
    """The cost formula as text, for screens and help."""
    if loss == "cross_entropy":
        return FORMULAS[f"cross_entropy/{output_activation}"]
    return FORMULAS[loss]


def is_valid_pair(loss: str, output_activation: str) -> bool:
    """Cross-entropy needs a sigmoid or softmax output; the other losses take any output."""
    return loss != "cross_entropy" or output_activation in CROSS_ENTROPY_OUTPUTS


def log_sum_exp(z: np.ndarray) -> np.ndarray:
    """ln Σ_k e^(z_k) per row of z (m, K), shape (m,)."""
    lse = np.empty(z.shape[0])
    activations.softmax(z, np.empty_like(z), lse)
    return lse


def data_cost(
    loss: str,
    output_activation: str,
    z: np.ndarray,
    a: np.ndarray,
    y: np.ndarray,
    lse: np.ndarray | None = None,
) -> float:
    """Mean per-sample cost of a batch, without regularization.

    z, a, y: (m, K) output pre-activations, activations and targets; lse (m,) the row
    log-sum-exp of z when the forward pass kept it (softmax), else it is computed here.
    """
    m, k = a.shape
    if loss == "cross_entropy":
        if output_activation == "softmax":
            # −Σ y·(z − lse) = Σ_x lse_x·Σ_k y_xk − Σ y·z
            lse = log_sum_exp(z) if lse is None else lse
            return (float(np.vdot(y @ np.ones(k), lse)) - float(np.vdot(y, z))) / m
        return (float(np.logaddexp(0.0, z).sum()) - float(np.vdot(y, z))) / m
    diff = a - y
    squares = float(np.vdot(diff, diff))
    if loss == "quadratic":
        return squares / (2 * m)
    return squares / (m * k)


def sample_costs(
    loss: str, output_activation: str, z: np.ndarray, a: np.ndarray, y: np.ndarray
) -> np.ndarray:
    """Per-sample costs C_x, shape (m,), for showing how the batch mean is formed."""
    k = a.shape[1]
    if loss == "cross_entropy":
        if output_activation == "softmax":
            return -(y * (z - log_sum_exp(z)[:, None])).sum(axis=1)
        return (np.logaddexp(0.0, z) - y * z).sum(axis=1)
    squares = ((a - y) ** 2).sum(axis=1)
    return squares / 2 if loss == "quadratic" else squares / k


def cost_gradient(loss: str, a: np.ndarray, y: np.ndarray, out: np.ndarray) -> np.ndarray:
    """∂C_x/∂a per sample for the squared losses, into out (m, K)."""
    np.subtract(a, y, out=out)
    if loss == "mse":
        out *= 2.0 / a.shape[1]
    return out


def output_delta(
    loss: str,
    output_activation: str,
    z: np.ndarray,
    a: np.ndarray,
    y: np.ndarray,
    out: np.ndarray,
    scratch: np.ndarray,
) -> np.ndarray:
    """δ = ∂C_x/∂z of the output layer per sample, into out (m, K); scratch is (m, K) too.

    Cross-entropy with its matching output gives δ = a − y (targets of a softmax sum to 1).
    Otherwise δ = ∂C_x/∂a ⊙ f'(z), or for softmax δ_k = a_k·(g_k − Σ_j g_j a_j).
    """
    if loss == "cross_entropy":
        return np.subtract(a, y, out=out)
    cost_gradient(loss, a, y, out)
    if output_activation == "softmax":
        np.multiply(out, a, out=scratch)
        out -= (scratch @ np.ones(a.shape[1]))[:, None]
        out *= a
        return out
    activations.derivative(output_activation, z, a, scratch)
    out *= scratch
    return out


def stacked_data_costs(
    loss: str, output_activation: str, z: np.ndarray, a: np.ndarray | None, y: np.ndarray
) -> np.ndarray:
    """`data_cost` of p variants of one batch at once: z, a (p, m, K) (a may be None for
    cross-entropy, which needs only z), y (m, K) shared; returns (p,). The same formulas."""
    p, m, k = z.shape
    if loss == "cross_entropy":
        yz = np.einsum("pmk,mk->p", z, y)
        if output_activation == "softmax":
            lse = log_sum_exp(z.reshape(p * m, k)).reshape(p, m)
            return (lse @ (y @ np.ones(k)) - yz) / m
        return (np.logaddexp(0.0, z).reshape(p, -1).sum(axis=1) - yz) / m
    diff = a - y
    squares = np.einsum("pmk,pmk->p", diff, diff)
    return squares / (2 * m) if loss == "quadratic" else squares / (m * k)
