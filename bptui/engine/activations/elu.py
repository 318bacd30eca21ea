"""The exponential linear unit with α = 1 (torch.nn.functional.elu's default)."""

from __future__ import annotations

import numpy as np

from bptui.engine.activations.base import Activation
from bptui.engine.numtext import factor, number


def elu(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """z where z > 0, else e^z − 1: max(z, e^min(z, 0) − 1), as e^z − 1 ≥ z everywhere."""
    np.minimum(z, 0.0, out=out)
    np.expm1(out, out=out)
    return np.maximum(out, z, out=out)


def elu_derivative(z: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """1 where z > 0, else e^z = a + 1: min(a + 1, 1) (1 at z = 0)."""
    np.add(a, 1.0, out=out)
    return np.minimum(out, 1.0, out=out)


ELU = Activation(
    name="elu",
    symbol="elu",
    formula="z if z > 0 else e^z − 1",
    function=elu,
    derivative=elu_derivative,
    slope="1 if z > 0 else a + 1",
    slope_numbers=lambda z, a: f"1 (z = {number(z)})" if z > 0 else f"{factor(a)} + 1",
    flat="saturated",
    low=-1.0,
    high=None,
    order=5,
    summary="z above 0, e^z − 1 below (α = 1): smooth, negative outputs down to −1",
)
