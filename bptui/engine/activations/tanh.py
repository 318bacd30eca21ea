"""The hyperbolic tangent."""

from __future__ import annotations

import numpy as np

from bptui.engine.activations.base import Activation
from bptui.engine.numtext import factor


def tanh(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """tanh(z), elementwise."""
    return np.tanh(z, out=out)


def tanh_derivative(z: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """tanh'(z) = 1 − a²."""
    np.multiply(a, a, out=out)
    return np.subtract(1.0, out, out=out)


TANH = Activation(
    name="tanh",
    symbol="tanh",
    formula="(e^z − e^−z)/(e^z + e^−z)",
    function=tanh,
    derivative=tanh_derivative,
    slope="1 − a²",
    slope_numbers=lambda z, a: f"1 − {factor(a)}²",
    flat="saturated",
    low=-1.0,
    high=1.0,
    order=1,
    summary="squashes z into (−1, 1), centred on 0; its slope vanishes far from 0",
)
