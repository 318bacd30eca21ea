"""What an activation is: one frozen record with its kernels, its formulas and how it looks.

Kernels work on caller-owned buffers: `function(z, out)` writes a = f(z) into `out` (same shape
as z, (m, units) for a batch of m samples) and `derivative(z, a, out)` writes f'(z) into `out`,
from z and a = f(z), whichever is cheaper; both return `out`. Overflow is silent (callers run
under `numpy.errstate(all="ignore")`); a non-finite value shows up in the loss and the stepper
reports divergence.

To add an activation, add a module to this package holding one `Activation` record (and its
kernels): it is found and registered by name; the preset loader, the settings screen, help,
the explain pane, gradient health and the maps all read it from the registry, and the registry
tests check its every part and its derivative against finite differences.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Kernel = Callable[[np.ndarray, np.ndarray], np.ndarray]
Slope = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]

FLAT_KINDS = ("saturated", "dead")
"""How a unit can stop passing the error back: 'saturated' (its mean slope f'(z) over a batch is
below 1%, e.g. sigmoid far from 0) or 'dead' (a ReLU that is 0 on every sample: slope 0)."""


@dataclass(frozen=True)
class Activation:
    """One activation function: kernels, formulas, symbol, flat-unit kind and display range.

    formula and slope are right-hand sides in z and a = f(z) ('1/(1+e^−z)', 'a·(1 − a)');
    `slope_numbers(z, a)` is the slope with one unit's numbers substituted, for the explain
    pane. `flat` says how its units go flat ('saturated', 'dead', or None: never).
    `low`, `high` bound its values (None: unbounded), which fixes the colour scale of maps.
    """

    name: str
    symbol: str
    formula: str
    function: Kernel
    derivative: Slope | None
    slope: str
    slope_numbers: Callable[[float, float], str]
    flat: str | None
    low: float | None
    high: float | None
    summary: str
    order: int = 100
    hidden: bool = True
    """Allowed in hidden layers (softmax is an output layer's only)."""
    monotonic: bool = True
    """False when f'(z) can be negative (GELU, SiLU): gradient health then sums |f'(z)|."""

    @property
    def definition(self) -> str:
        """'σ(z) = 1/(1+e^−z)'."""
        return f"{self.symbol}(z) = {self.formula}"

    @property
    def slope_text(self) -> str:
        """ "σ'(z) = a·(1 − a)"."""
        return f"{self.symbol}'(z) = {self.slope}"
