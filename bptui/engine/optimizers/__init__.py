"""The optimizer registry: every `Optimizer` subclass in this package's modules, by name.

Adding an optimizer is adding a module here (see `base.py`); nothing else lists them.
"""

from __future__ import annotations

import importlib
import pkgutil

from bptui.engine.optimizers.base import Formula, Optimizer, Scalar


def _discover() -> dict[str, type[Optimizer]]:
    found: dict[str, type[Optimizer]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Optimizer)
                and value.name
                and value.__module__ == module.__name__
            ):
                found[value.name] = value
    return dict(sorted(found.items(), key=lambda item: (item[1].order, item[0])))


OPTIMIZERS: dict[str, type[Optimizer]] = _discover()
"""Optimizer classes by preset name, in display order."""

NAMES: tuple[str, ...] = tuple(OPTIMIZERS)


def default_name(momentum: float) -> str:
    """The optimizer of a preset that names none: momentum if μ > 0, else plain SGD."""
    return "momentum" if momentum > 0 else "sgd"


def create(name: str, hyper: dict[str, float] | None = None) -> Optimizer:
    """An optimizer instance with its hyperparameters (defaults filled in)."""
    return OPTIMIZERS[name](hyper)


__all__ = ["NAMES", "OPTIMIZERS", "Formula", "Optimizer", "Scalar", "create", "default_name"]
