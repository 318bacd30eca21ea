"""Engineered inputs for 2-input generated data, as in TensorFlow Playground: the network's
inputs are chosen functions of the plane's coordinates (x1, x2), one `Feature` record each.

`[data] features = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]`: any subset, in
the order given, each once; the names become the network's input names.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bptui.preset.table import Table, describe, type_name


@dataclass(frozen=True)
class Feature:
    """One engineered input: its name and its values from the plane's points xy (n, 2)."""

    name: str
    compute: Callable[[np.ndarray], np.ndarray]


FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature("x1", lambda xy: xy[:, 0]),
        Feature("x2", lambda xy: xy[:, 1]),
        Feature("x1^2", lambda xy: xy[:, 0] ** 2),
        Feature("x2^2", lambda xy: xy[:, 1] ** 2),
        Feature("x1*x2", lambda xy: xy[:, 0] * xy[:, 1]),
        Feature("sin(x1)", lambda xy: np.sin(xy[:, 0])),
        Feature("sin(x2)", lambda xy: np.sin(xy[:, 1])),
    )
}
"""Feature records by name, in the Playground's order."""


def expand(names: tuple[str, ...], xy: np.ndarray) -> np.ndarray:
    """The features `names` of points xy (n, 2), as inputs (n, len(names))."""
    out = np.empty((xy.shape[0], len(names)))
    for column, name in enumerate(names):
        out[:, column] = FEATURES[name].compute(xy)
    return out


def spelled(name: str) -> str:
    """A name as the records spell it: 'x1²' → 'x1^2', 'x1·x2' → 'x1*x2', no spaces."""
    for other, ours in (("²", "^2"), ("·", "*"), ("×", "*"), (" ", "")):
        name = name.replace(other, ours)
    return name


def read_features(table: Table) -> tuple[str, ...]:
    """`features`: a non-empty array of distinct feature names; unknown names are one error
    naming them all, with the closest known name of each."""
    key = "features"
    value = table.raw(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise table.error(
            key,
            f"expected a non-empty array of feature names, got "
            f"{type_name(value)} {describe(value)} (allowed: "
            f"{', '.join(FEATURES)})",
        )
    unknown = [name for name in value if name not in FEATURES]
    if unknown:
        hints = []
        for name in unknown:
            close = (
                [spelled(name)]
                if spelled(name) in FEATURES
                else difflib.get_close_matches(name, FEATURES, n=1)
            )
            if close:
                hints.append(f"{close[0]!r}" + (f" for {name!r}" if len(unknown) > 1 else ""))
        hint = f"did you mean {', '.join(hints)}? " if hints else ""
        named = ", ".join(
            repr(describe(name)) if len(name) > 40 else repr(name) for name in unknown
        )
        verb = "is not a feature" if len(unknown) == 1 else "are not features"
        raise table.error(key, f"{named} {verb} ({hint}allowed: {', '.join(FEATURES)})")
    twice = [name for name in dict.fromkeys(value) if value.count(name) > 1]
    if twice:
        raise table.error(
            key,
            f"{', '.join(repr(n) for n in twice)} given more than once (each feature is one input)",
        )
    return tuple(value)
