"""Softmax: an output layer's activation over its K units (no elementwise derivative)."""

from __future__ import annotations

import numpy as np

from bptui.engine.activations.base import Activation


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


SOFTMAX = Activation(
    name="softmax",
    symbol="softmax",
    formula="e^z_k / Σ_j e^z_j",
    function=softmax,
    derivative=None,
    slope="a_k·(δ_kj − a_j)",
    slope_numbers=lambda z, a: "",
    flat=None,
    low=0.0,
    high=1.0,
    order=20,
    hidden=False,
    summary="class probabilities over the K output units (they sum to 1)",
)
