"""Seeded weight initialization from `numpy.random.default_rng`, one record per scheme.

- `xavier` (Glorot uniform): W ~ U(−r, r), r = √(6 / (n_in + n_out)); b = 0.
- `he`: W ~ N(0, 2 / n_in); b = 0.
- `lecun`: W ~ N(0, 1 / n_in); b = 0.
- `normal`: W ~ N(0, s²) with s = init_scale (default 0.1); b = 0.
- `uniform`: W and b ~ U(−ε, ε), ε = init_epsilon (default 0.12, the course-notes convention).
- `zeros`: W = 0 and b = 0: every unit of a layer computes the same thing and gets the same
  gradient, so they stay identical forever (the symmetry problem).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bptui.engine.hyper import Hyper
from bptui.engine.spec import NetworkSpec

Draw = Callable[[np.random.Generator, int, int, dict], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Init:
    """An initialization scheme: its preset name, settings, formula and how it draws (W, b)."""

    name: str
    formula: str
    draw: Draw
    hypers: tuple[Hyper, ...] = ()


EPSILON = Hyper(
    "init_epsilon", "ε", 0.12, "half-width of the uniform range", 0.0, 10.0, low_open=True
)
SCALE = Hyper("init_scale", "s", 0.1, "standard deviation of the weights", 0.0, 10.0, low_open=True)


def _xavier(rng, n_out, n_in, h):
    r = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-r, r, size=(n_out, n_in)), np.zeros(n_out)


def _he(rng, n_out, n_in, h):
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in)), np.zeros(n_out)


def _lecun(rng, n_out, n_in, h):
    return rng.normal(0.0, np.sqrt(1.0 / n_in), size=(n_out, n_in)), np.zeros(n_out)


def _normal(rng, n_out, n_in, h):
    return rng.normal(0.0, h["init_scale"], size=(n_out, n_in)), np.zeros(n_out)


def _uniform(rng, n_out, n_in, h):
    eps = h["init_epsilon"]
    return rng.uniform(-eps, eps, size=(n_out, n_in)), rng.uniform(-eps, eps, size=n_out)


def _zeros(rng, n_out, n_in, h):
    return np.zeros((n_out, n_in)), np.zeros(n_out)


INITIALIZERS: dict[str, Init] = {
    init.name: init
    for init in (
        Init("xavier", "W ~ U(±√(6/(n_in + n_out))), b = 0", _xavier),
        Init("he", "W ~ N(0, 2/n_in), b = 0", _he),
        Init("lecun", "W ~ N(0, 1/n_in), b = 0", _lecun),
        Init("normal", "W ~ N(0, s²), b = 0", _normal, (SCALE,)),
        Init("uniform", "W, b ~ U(±ε)", _uniform, (EPSILON,)),
        Init("zeros", "W = 0, b = 0 (every unit of a layer stays identical)", _zeros),
    )
}
INITS = tuple(INITIALIZERS)


def initial_parameters(
    spec: NetworkSpec, rng: np.random.Generator
) -> list[tuple[np.ndarray, np.ndarray]]:
    """[(W, b)] per weight layer: W (units_out, units_in), b (units_out,), float64."""
    init = INITIALIZERS.get(spec.init)
    if init is None:
        raise ValueError(f"unknown init {spec.init!r}")
    h = {"init_epsilon": spec.init_epsilon, "init_scale": spec.init_scale}
    return [init.draw(rng, n_out, n_in, h) for n_out, n_in in spec.weight_shapes()]
