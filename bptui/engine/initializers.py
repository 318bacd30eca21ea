"""Seeded weight initialization from `numpy.random.default_rng`.

- `xavier` (Glorot uniform): W ~ U(−r, r), r = √(6 / (n_in + n_out)); b = 0.
- `he`: W ~ N(0, 2 / n_in); b = 0.
- `uniform`: W and b ~ U(−ε, ε), ε = 0.12 unless given (the course-notes convention).
"""

from __future__ import annotations

import numpy as np

from bptui.engine.spec import NetworkSpec

INITS = ("xavier", "he", "uniform")


def initial_parameters(spec: NetworkSpec, rng: np.random.Generator
                       ) -> list[tuple[np.ndarray, np.ndarray]]:
    """[(W, b)] per weight layer: W (units_out, units_in), b (units_out,), float64."""
    params = []
    for n_out, n_in in spec.weight_shapes():
        if spec.init == "xavier":
            r = np.sqrt(6.0 / (n_in + n_out))
            w = rng.uniform(-r, r, size=(n_out, n_in))
            b = np.zeros(n_out)
        elif spec.init == "he":
            w = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
            b = np.zeros(n_out)
        elif spec.init == "uniform":
            eps = spec.init_epsilon
            w = rng.uniform(-eps, eps, size=(n_out, n_in))
            b = rng.uniform(-eps, eps, size=n_out)
        else:
            raise ValueError(f"unknown init {spec.init!r}")
        params.append((w, b))
    return params
