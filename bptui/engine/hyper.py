"""Hyperparameters as data: one record per setting, read by validation, settings, help and explain.

An optimizer, a learning-rate schedule or an initializer declares its settings as `Hyper`
records, and `TRAINING` holds the ones every run has (η, λ, λ1, the batch size); the preset
loader validates a key against its record, the settings screen makes a field of it, the ghost
labels use its symbol, and the help screen prints its symbol and help line. Nothing else repeats
ranges.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hyper:
    """One numeric setting: preset key, symbol, type, range, default and one line of help.

    The range is low ≤ value ≤ high, with `<` where `low_open` / `high_open`; None is unbounded.
    """

    key: str
    symbol: str
    default: float | int
    help: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    integer: bool = False
    label: str = ""
    """The settings screen's label (default: 'key symbol')."""

    @property
    def field_label(self) -> str:
        """The settings screen's label of the field."""
        return self.label or f"{self.key} {self.symbol}"

    def contains(self, value: float) -> bool:
        """Whether `value` lies in the range."""
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        if self.high is not None and (value >= self.high if self.high_open else value > self.high):
            return False
        return True


LEARNING_RATE = Hyper(
    "learning_rate",
    "η",
    0.5,
    "the step size (the base η of a schedule)",
    0.0,
    1000.0,
    low_open=True,
    label="learning rate η",
)
"""η's range, the same from every path: preset files, settings, sessions and the +/- keys."""

L2 = Hyper(
    "l2",
    "λ",
    0.0,
    "L2 penalty: adds λ/(2m)·Σ w² to the cost, λ/m·w to ∂C/∂w (weights only, not biases)",
    0.0,
    1000.0,
    label="L2 λ",
)
L1 = Hyper(
    "l1",
    "λ1",
    0.0,
    "L1 penalty: adds λ1/m·Σ |w| to the cost, λ1/m·sign(w) to ∂C/∂w (weights only, not biases)",
    0.0,
    1000.0,
    label="L1 λ1",
)
BATCH_SIZE = Hyper(
    "batch_size",
    "batch",
    0,
    "samples per step (0 = the full batch)",
    0,
    None,
    integer=True,
    label="batch size (0 = full)",
)
TRAINING = (LEARNING_RATE, L2, L1, BATCH_SIZE)
"""The [training] settings of every run, whatever its optimizer and schedule."""


def resolve(hypers: tuple[Hyper, ...], given: dict[str, float]) -> dict[str, float]:
    """Every hyperparameter's value: the given one, else its default (no validation here)."""
    return {h.key: given.get(h.key, h.default) for h in hypers}


def text(values: dict[str, float], hypers: tuple[Hyper, ...]) -> str:
    """'β1 0.9, β2 0.999, ε 1e-08' for a status or legend line."""
    return ", ".join(f"{h.symbol} {values[h.key]:g}" for h in hypers)
