"""The rectified linear unit max(0, z)."""

from __future__ import annotations

import numpy as np

from bptui.engine.activations.base import Activation
from bptui.engine.numtext import number


def relu(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """max(0, z), elementwise."""
    return np.maximum(z, 0.0, out=out)


def relu_derivative(z: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """1 where z > 0, else 0 (0 at z = 0)."""
    return np.greater(z, 0.0, out=out)


RELU = Activation(
    name="relu",
    symbol="relu",
    formula="max(0, z)",
    function=relu,
    derivative=relu_derivative,
    slope="1 if z > 0 else 0",
    slope_numbers=lambda z, a: f"{'1' if z > 0 else '0'} (z = {number(z)})",
    flat="dead",
    low=0.0,
    high=None,
    order=2,
    summary="z where z > 0, else 0; a unit negative on every sample is dead (slope 0)",
)
