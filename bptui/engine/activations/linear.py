"""The identity."""

from __future__ import annotations

import numpy as np

from bptui.engine.activations.base import Activation


def linear(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """The identity: a = z."""
    np.copyto(out, z)
    return out


def linear_derivative(z: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """1 everywhere."""
    out.fill(1.0)
    return out


LINEAR = Activation(
    name="linear",
    symbol="linear",
    formula="z",
    function=linear,
    derivative=linear_derivative,
    slope="1",
    slope_numbers=lambda z, a: "1",
    flat=None,
    low=None,
    high=None,
    order=9,
    summary="a = z: no non-linearity (for regression outputs)",
)
