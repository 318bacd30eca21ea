"""Leaky ReLU with slope 0.01 for z < 0 (torch.nn.functional.leaky_relu's default)."""

from __future__ import annotations

import numpy as np

from bptui.engine.activations.base import Activation
from bptui.engine.numtext import number

LEAKY_SLOPE = 0.01


def leaky_relu(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """z where z > 0, else 0.01·z."""
    np.multiply(z, LEAKY_SLOPE, out=out)
    return np.maximum(z, out, out=out)


def leaky_relu_derivative(z: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """1 where z > 0, else 0.01 (0.01 at z = 0)."""
    out.fill(LEAKY_SLOPE)
    np.copyto(out, 1.0, where=z > 0.0)
    return out


LEAKY_RELU = Activation(
    name="leaky_relu",
    symbol="leaky_relu",
    formula=f"z if z > 0 else {LEAKY_SLOPE:g}·z",
    function=leaky_relu,
    derivative=leaky_relu_derivative,
    slope=f"1 if z > 0 else {LEAKY_SLOPE:g}",
    slope_numbers=lambda z, a: f"{'1' if z > 0 else f'{LEAKY_SLOPE:g}'} (z = {number(z)})",
    flat=None,
    low=None,
    high=None,
    order=3,
    summary="ReLU with a slope of 0.01 below 0, so no unit dies",
)
