"""Learning-rate schedules: η_t for training step t (mini-batches counted from 0), from the base η.

One class per schedule; the registry `SCHEDULES` is what validation, settings and help read.
The closed forms are PyTorch's (StepLR, ExponentialLR, CosineAnnealingLR) stepped once per
training step, and the classical inverse-time decay.
"""

from __future__ import annotations

import math
from typing import ClassVar

from bptui.engine.hyper import Hyper, resolve

GAMMA_HELP = "factor η is multiplied by"


class Schedule:
    """Base class: `rate(base, t)` gives η_t; `hypers` are its [training] keys."""

    name: ClassVar[str] = ""
    hypers: ClassVar[tuple[Hyper, ...]] = ()
    formula: ClassVar[str] = ""
    summary: ClassVar[str] = ""

    def __init__(self, hyper: dict[str, float] | None = None):
        self.h = resolve(self.hypers, hyper or {})

    def rate(self, base: float, t: int) -> float:
        """η_t for training step t."""
        raise NotImplementedError


class Constant(Schedule):
    name = "constant"
    formula = "η_t = η"
    summary = "the same η at every step"

    def rate(self, base, t):
        return base


class Step(Schedule):
    name = "step"
    hypers = (
        Hyper("gamma", "γ", 0.1, GAMMA_HELP + " every step_size steps", 0.0, 1.0, low_open=True),
        Hyper(
            "step_size", "step size", 1000, "steps between two decays", 1, 10_000_000, integer=True
        ),
    )
    formula = "η_t = η·γ^⌊t / step_size⌋"
    summary = "η drops by a factor γ every step_size steps (PyTorch's StepLR)"

    def rate(self, base, t):
        return base * self.h["gamma"] ** (t // self.h["step_size"])


class Exponential(Schedule):
    name = "exponential"
    hypers = (Hyper("gamma", "γ", 0.999, GAMMA_HELP + " at every step", 0.0, 1.0, low_open=True),)
    formula = "η_t = η·γ^t"
    summary = "η shrinks by a factor γ at every step (PyTorch's ExponentialLR)"

    def rate(self, base, t):
        return base * self.h["gamma"] ** t


class Cosine(Schedule):
    name = "cosine"
    hypers = (
        Hyper("t_max", "T", 1000, "steps from η down to eta_min", 1, 10_000_000, integer=True),
        Hyper("eta_min", "η_min", 0.0, "the smallest η", 0.0, 1000.0),
    )
    formula = "η_t = η_min + (η − η_min)·(1 + cos(π·t / T)) / 2"
    summary = (
        "η follows half a cosine from η down to η_min in T steps (PyTorch's CosineAnnealingLR)"
    )

    def rate(self, base, t):
        low = self.h["eta_min"]
        return low + (base - low) * (1.0 + math.cos(math.pi * t / self.h["t_max"])) / 2.0


class InverseTime(Schedule):
    name = "inverse_time"
    hypers = (Hyper("decay", "k", 0.01, "how fast η falls", 0.0, 1000.0),)
    formula = "η_t = η / (1 + k·t)"
    summary = "η falls like 1/t"

    def rate(self, base, t):
        return base / (1.0 + self.h["decay"] * t)


SCHEDULES: dict[str, type[Schedule]] = {
    cls.name: cls for cls in (Constant, Step, Exponential, Cosine, InverseTime)
}
NAMES: tuple[str, ...] = tuple(SCHEDULES)


def create(name: str, hyper: dict[str, float] | None = None) -> Schedule:
    """A schedule with its settings (defaults filled in)."""
    return SCHEDULES[name](hyper)
