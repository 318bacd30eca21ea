"""Synthetic 2-D classification sets (the Playground's shapes) and a 1-D regression set, one
`Generator` record each.

Each generator takes a seeded `numpy.random.Generator`, a sample count n, a noise level and a
class count and returns (x (n, d), labels (n,)): integer class labels, or float targets for
regression. Classification inputs lie roughly in [−1, 1]². To add a generator, write its
function here and add its record to `GENERATORS`: the [data] table's keys, defaults and errors
come from the record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Generator:
    """One generator: its function, input width, default noise and its classes.

    classes: the default class count; `takes_classes` whether `classes` may change it
    (2..MAX_CLASSES). A regression generator makes one float target per sample.
    """

    name: str
    make: Callable[..., tuple[np.ndarray, np.ndarray]]
    summary: str
    noise: float
    inputs: int = 2
    classes: int = 2
    takes_classes: bool = False
    regression: bool = False

    @property
    def keys(self) -> tuple[str, ...]:
        """Its [data] keys (besides the ones every data source has)."""
        return (
            ("generator", "samples", "noise", "test_fraction")
            + (("classes",) if self.takes_classes else ())
            + (("features",) if self.inputs == 2 else ())
        )


MAX_CLASSES = 10


def xor(
    rng: np.random.Generator, n: int, noise: float, classes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Points in the four quadrants; class 1 where the signs of x₁ and x₂ differ."""
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    x += np.sign(x) * 0.05
    labels = (x[:, 0] * x[:, 1] < 0).astype(np.int64)
    return x + rng.normal(0.0, noise, size=x.shape), labels


def circle(rng, n, noise, classes):
    """Class 1 inside radius 0.5, class 0 on a ring from 0.7 to 1."""
    inner = n // 2
    radius = np.concatenate([rng.uniform(0.0, 0.5, inner), rng.uniform(0.7, 1.0, n - inner)])
    angle = rng.uniform(0.0, 2 * np.pi, n)
    x = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    labels = np.concatenate([np.ones(inner, np.int64), np.zeros(n - inner, np.int64)])
    return x + rng.normal(0.0, noise, size=x.shape), labels


def gaussian(rng, n, noise, classes):
    """Two (or more) round blobs centred on a circle of radius 0.5."""
    labels = np.arange(n) % classes
    angle = 2 * np.pi * labels / classes + np.pi / 4
    centres = 0.5 * np.column_stack([np.cos(angle), np.sin(angle)])
    return centres + rng.normal(0.0, noise, size=(n, 2)), labels.astype(np.int64)


def spiral(rng, n, noise, classes):
    """Interleaved spiral arms, one per class (the CS231n construction)."""
    labels = np.arange(n) % classes
    order = np.argsort(labels, kind="stable")
    labels = labels[order]
    x = np.empty((n, 2))
    for k in range(classes):
        rows = np.flatnonzero(labels == k)
        r = np.linspace(0.05, 1.0, len(rows))
        t = np.linspace(k * 4.0, (k + 1) * 4.0, len(rows)) + rng.normal(0.0, noise, len(rows))
        x[rows] = np.column_stack([r * np.sin(t), r * np.cos(t)])
    return x, labels.astype(np.int64)


def moons(rng, n, noise, classes):
    """Two interleaving half circles."""
    upper = n // 2
    t_upper = rng.uniform(0.0, np.pi, upper)
    t_lower = rng.uniform(0.0, np.pi, n - upper)
    x = np.concatenate(
        [
            np.column_stack([np.cos(t_upper), np.sin(t_upper)]),
            np.column_stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)]),
        ]
    )
    x = (x - [0.5, 0.25]) / 1.5
    labels = np.concatenate([np.zeros(upper, np.int64), np.ones(n - upper, np.int64)])
    return x + rng.normal(0.0, noise, size=x.shape), labels


def sine(rng, n, noise, classes):
    """y = sin(πx) + noise for x uniform in [−1, 1] (regression)."""
    x = rng.uniform(-1.0, 1.0, size=(n, 1))
    y = np.sin(np.pi * x[:, 0]) + rng.normal(0.0, noise, n)
    return x, y


GENERATORS: dict[str, Generator] = {
    g.name: g
    for g in (
        Generator("xor", xor, "four quadrants, class 1 where x1 and x2 differ in sign", 0.05),
        Generator("circle", circle, "a disc inside a ring", 0.05),
        Generator(
            "gaussian", gaussian, "round blobs on a circle, one per class", 0.15, takes_classes=True
        ),
        Generator(
            "spiral",
            spiral,
            "interleaved spiral arms, one per class",
            0.2,
            classes=3,
            takes_classes=True,
        ),
        Generator("moons", moons, "two interleaving half circles", 0.1),
        Generator("sine", sine, "y = sin(πx) + noise (regression)", 0.1, inputs=1, regression=True),
    )
}
"""Generator records by preset name, in display order."""

KEYS: tuple[str, ...] = tuple(dict.fromkeys(k for g in GENERATORS.values() for k in g.keys))
"""Every key some generator takes."""


def generate(
    name: str, rng: np.random.Generator, n: int, noise: float, classes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Run the generator called `name`."""
    return GENERATORS[name].make(rng, n, noise, classes)
