"""The sigmoid linear unit (swish) z·σ(z) (torch.nn.functional.silu)."""

from __future__ import annotations

import numpy as np

from bptui.engine.activations.base import Activation
from bptui.engine.activations.sigmoid import sigmoid
from bptui.engine.numtext import factor, number


def silu(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """z / (1 + e^−z) = z·σ(z)."""
    np.negative(z, out=out)
    np.exp(out, out=out)
    out += 1.0
    return np.divide(z, out, out=out)


def silu_derivative(z: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """σ(z) + z·σ(z)·(1 − σ(z)) = σ(z)·(1 + z − a)."""
    sigmoid(z, out)
    rest = np.subtract(z, a)
    rest += 1.0
    out *= rest
    return out


SILU = Activation(
    name="silu",
    symbol="silu",
    formula="z·σ(z)",
    function=silu,
    derivative=silu_derivative,
    slope="σ(z)·(1 + z − a)",
    slope_numbers=lambda z, a: f"σ({number(z)})·(1 + {factor(z)} − {factor(a)})",
    flat="saturated",
    low=-0.2785,
    high=None,
    order=7,
    monotonic=False,
    summary="z·σ(z) (swish): smooth, dips slightly below 0 for negative z",
)
