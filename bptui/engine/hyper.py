"""Hyperparameters as data: one record per setting, read by validation, settings, help and explain.

An optimizer, a learning-rate schedule or an initializer declares its settings as `Hyper`
records; the preset loader validates a key against its record, the settings screen makes a
field of it, and the help screen prints its symbol and help line. Nothing else repeats ranges.
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

    def contains(self, value: float) -> bool:
        """Whether `value` lies in the range."""
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        if self.high is not None and (value >= self.high if self.high_open else value > self.high):
            return False
        return True


LEARNING_RATE = Hyper("learning_rate", "η", 0.5, "the step size (the base η of a schedule)",
                      0.0, 1000.0, low_open=True)
"""η's range, the same from every path: preset files, settings, sessions and the +/- keys."""


def resolve(hypers: tuple[Hyper, ...], given: dict[str, float]) -> dict[str, float]:
    """Every hyperparameter's value: the given one, else its default (no validation here)."""
    return {h.key: given.get(h.key, h.default) for h in hypers}


def text(values: dict[str, float], hypers: tuple[Hyper, ...]) -> str:
    """'β1 0.9, β2 0.999, ε 1e-08' for a status or legend line."""
    return ", ".join(f"{h.symbol} {values[h.key]:g}" for h in hypers)
