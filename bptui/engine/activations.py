"""Activation functions and their derivatives.

Every function writes into a caller-owned buffer `out` of the same shape as its input, so the
training loop allocates nothing. Inputs are pre-activations `z` of shape (m, units) for a batch
of m samples. Derivatives take both `z` and `a = f(z)`, whichever is cheaper to use.
Overflow is silent (callers run under `numpy.errstate(all="ignore")`); a non-finite value shows
up in the loss and the stepper reports divergence.
"""

from __future__ import annotations

import numpy as np

LEAKY_SLOPE = 0.01

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
OUTPUT_ACTIVATIONS = HIDDEN_ACTIVATIONS + ("softmax",)


def sigmoid(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(−z)), elementwise."""
    np.negative(z, out=out)
    np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def sigmoid_derivative(z: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """σ'(z) = σ(z)·(1 − σ(z)) = a·(1 − a)."""
    np.subtract(1.0, a, out=out)
    out *= a
    return out


def tanh(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """tanh(z), elementwise."""
    return np.tanh(z, out=out)


def tanh_derivative(z: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """tanh'(z) = 1 − a²."""
    np.multiply(a, a, out=out)
    return np.subtract(1.0, out, out=out)


def relu(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """max(0, z), elementwise."""
    return np.maximum(z, 0.0, out=out)


def relu_derivative(z: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """1 where z > 0, else 0 (0 at z = 0)."""
    return np.greater(z, 0.0, out=out)


def leaky_relu(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """z where z > 0, else 0.01·z."""
    np.multiply(z, LEAKY_SLOPE, out=out)
    return np.maximum(z, out, out=out)


def leaky_relu_derivative(z: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """1 where z > 0, else 0.01 (0.01 at z = 0)."""
    out.fill(LEAKY_SLOPE)
    np.copyto(out, 1.0, where=z > 0.0)
    return out


def linear(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """The identity: a = z."""
    np.copyto(out, z)
    return out


def linear_derivative(z: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """1 everywhere."""
    out.fill(1.0)
    return out


def softmax(z: np.ndarray, out: np.ndarray, lse: np.ndarray | None = None) -> np.ndarray:
    """Row-wise softmax: a_k = e^(z_k) / Σ_j e^(z_j), shifted by the row maximum for stability.

    z, out: (m, K). If lse (m,) is given, the row log-sum-exp ln Σ_j e^(z_j) is written into it.
    Row maxima and sums are taken column by column (K is small), which NumPy does far faster
    than a reduction along a short axis.
    """
    shift = np.maximum(z[:, 0], z[:, 1])
    for k in range(2, z.shape[1]):
        np.maximum(shift, z[:, k], out=shift)
    np.subtract(z, shift[:, None], out=out)
    np.exp(out, out=out)
    total = out @ np.ones(z.shape[1])
    out /= total[:, None]
    if lse is not None:
        np.log(total, out=lse)
        lse += shift
    return out


FUNCTIONS = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
    "linear": (linear, linear_derivative),
    "softmax": (softmax, None),
}

FORMULAS = {
    "sigmoid": ("σ(z) = 1/(1+e^−z)", "σ'(z) = a·(1−a)"),
    "tanh": ("tanh(z)", "tanh'(z) = 1−a²"),
    "relu": ("max(0, z)", "relu'(z) = 1 if z>0 else 0"),
    "leaky_relu": ("z if z>0 else 0.01·z", "1 if z>0 else 0.01"),
    "linear": ("z", "1"),
    "softmax": ("e^z_k / Σ_j e^z_j", "a_k·(δ_kj − a_j)"),
}


def activate(name: str, z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Apply the activation called `name` to z (m, units) into out (m, units)."""
    return FUNCTIONS[name][0](z, out)


def derivative(name: str, z: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """f'(z) of an elementwise activation into out (m, units); softmax has no elementwise one."""
    grad = FUNCTIONS[name][1]
    if grad is None:
        raise ValueError(f"{name} has no elementwise derivative")
    return grad(z, a, out)
