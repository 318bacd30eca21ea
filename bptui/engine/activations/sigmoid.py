"""The logistic sigmoid σ(z) = 1/(1 + e^−z)."""

from __future__ import annotations

import numpy as np

from bptui.engine.activations.base import Activation
from bptui.engine.numtext import factor


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


SIGMOID = Activation(
    name="sigmoid",
    symbol="σ",
    formula="1/(1+e^−z)",
    function=sigmoid,
    derivative=sigmoid_derivative,
    slope="a·(1 − a)",
    slope_numbers=lambda z, a: f"{factor(a)}·(1 − {factor(a)})",
    flat="saturated",
    low=0.0,
    high=1.0,
    order=0,
    summary="squashes z into (0, 1); its slope is at most ¼ and vanishes far from 0",
)
