"""Softplus ln(1 + e^z), a smooth ReLU (torch.nn.functional.softplus, β = 1)."""

from __future__ import annotations

import numpy as np

from bptui.engine.activations.base import Activation
from bptui.engine.numtext import number


def softplus(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """ln(1 + e^z) = max(z, 0) + ln(1 + e^−|z|), which never overflows."""
    np.abs(z, out=out)
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.log1p(out, out=out)
    out += np.maximum(z, 0.0)
    return out


def softplus_derivative(z: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """softplus'(z) = σ(z) = 1 − e^−a (as e^−a = 1/(1 + e^z)), from a alone."""
    np.negative(a, out=out)
    np.expm1(out, out=out)
    return np.negative(out, out=out)


SOFTPLUS = Activation(
    name="softplus",
    symbol="softplus",
    formula="ln(1 + e^z)",
    function=softplus,
    derivative=softplus_derivative,
    slope="σ(z) = 1 − e^−a",
    slope_numbers=lambda z, a: f"1 − e^−{number(a)}",
    flat="saturated",
    low=0.0,
    high=None,
    order=4,
    summary="a smooth ReLU, ln(1 + e^z); its slope is σ(z), vanishing far below 0",
)
