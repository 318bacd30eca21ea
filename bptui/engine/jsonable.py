"""Engine arrays as JSON values (JSON has no inf or nan: those become null)."""

from __future__ import annotations

import math

import numpy as np

from bptui.engine.stepper import Stepper


def finite_or_none(value: float) -> float | None:
    """JSON has no inf or nan: write null."""
    return value if math.isfinite(value) else None


def matrix_to_json(array: np.ndarray) -> list:
    """Nested lists with non-finite entries as None."""
    if np.isfinite(array).all():
        return array.tolist()
    return [matrix_to_json(row) if row.ndim else finite_or_none(float(row)) for row in array]


def layers_to_json(stepper: Stepper, gradients: bool = True) -> list[dict]:
    """Per weight layer: W, b and (optionally) the last step's dW, db."""
    layers = []
    for layer in range(stepper.depth):
        entry = {
            "W": matrix_to_json(stepper.weights[layer]),
            "b": matrix_to_json(stepper.biases[layer]),
        }
        if gradients:
            entry["dW"] = matrix_to_json(stepper.dw[layer])
            entry["db"] = matrix_to_json(stepper.db[layer])
        layers.append(entry)
    return layers


def floats_to_json(values) -> list:
    """A float series as a JSON list (non-finite entries as null)."""
    return [finite_or_none(v) for v in np.asarray(values, dtype=np.float64).tolist()]
