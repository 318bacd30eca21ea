"""The activation registry: every `Activation` record in this package's modules, by name.

Adding an activation is adding a module here (see `base.py`); nothing else lists them.
"""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np

from bptui.engine.activations.base import FLAT_KINDS, Activation
from bptui.engine.activations.softmax import softmax


def _discover() -> dict[str, Activation]:
    found: dict[str, Activation] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, Activation):
                found[value.name] = value
    return dict(sorted(found.items(), key=lambda item: (item[1].order, item[0])))


ACTIVATIONS: dict[str, Activation] = _discover()
"""Activation records by preset name, in display order."""

HIDDEN_ACTIVATIONS: tuple[str, ...] = tuple(n for n, a in ACTIVATIONS.items() if a.hidden)
OUTPUT_ACTIVATIONS: tuple[str, ...] = tuple(ACTIVATIONS)


def activate(name: str, z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Apply the activation called `name` to z (m, units) into out (m, units)."""
    return ACTIVATIONS[name].function(z, out)


def derivative(name: str, z: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """f'(z) of an elementwise activation into out (m, units); softmax has no elementwise one."""
    grad = ACTIVATIONS[name].derivative
    if grad is None:
        raise ValueError(f"{name} has no elementwise derivative")
    return grad(z, a, out)


__all__ = [
    "ACTIVATIONS",
    "FLAT_KINDS",
    "HIDDEN_ACTIVATIONS",
    "OUTPUT_ACTIVATIONS",
    "Activation",
    "activate",
    "derivative",
    "softmax",
]
