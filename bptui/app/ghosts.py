"""Pinned runs ("ghosts", key c): a run's loss curves kept to compare with the next run.

A ghost keeps copies of its loss curves and the settings it ran with, as flat dotted keys. Its
label says what differs from the current settings: "η 0.5", "adam", "seed 3", "init zeros".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bptui.engine import hyper, initializers, optimizers, schedules
from bptui.preset.loader import network_doc, training_doc

MAX_GHOSTS = 4
LABEL_WIDTH = 24
NAMED = {"training.optimizer", "training.schedule", "network.hidden_activation"}
"""Settings whose value alone says what they are (adam, cosine, relu)."""


def symbols() -> dict[str, str]:
    """Short names of settings: the registries' symbols (η, λ, λ1, batch, β1, μ, γ, …)."""
    out = {f"training.{h.key}": h.symbol for h in hyper.TRAINING}
    out |= {
        "network.output_activation": "output",
        "network.init": "init",
        "network.loss": "loss",
        "network.layers": "layers",
        "training.shuffle": "shuffle",
        "training.eval_every": "eval every",
    }
    for family in (optimizers.OPTIMIZERS.values(), schedules.SCHEDULES.values()):
        for cls in family:
            out.update({f"training.{h.key}": h.symbol for h in cls.hypers})
    for init in initializers.INITIALIZERS.values():
        out.update({f"network.{h.key}": h.symbol for h in init.hypers})
    return out


SYMBOLS = symbols()


def settings_of(stepper, seed: int) -> dict:
    """The run's settings as {dotted key: value} (η: the current base η)."""
    training = training_doc(stepper.training)
    training["learning_rate"] = stepper.learning_rate
    flat = {f"network.{k}": v for k, v in network_doc(stepper.spec).items()}
    flat.update({f"training.{k}": v for k, v in training.items()})
    flat["seed"] = seed
    return {k: tuple(v) if isinstance(v, list) else v for k, v in flat.items()}


def describe(key: str, value) -> str:
    """One setting, short: 'η 0.5', 'adam', 'layers 2-8-1', 'seed 3'."""
    if key in NAMED:  # one per hidden layer: 'relu/tanh'
        return str(value) if isinstance(value, str) else "/".join(value)
    if key == "network.layers":
        return "-".join(str(n) for n in value)
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{SYMBOLS.get(key, key.split('.')[-1])} {shown}"


@dataclass(frozen=True, eq=False)
class Ghost:
    """A pinned run: its evaluation steps, training and held-out costs (copies) and settings."""

    steps: np.ndarray
    loss: np.ndarray
    test_loss: np.ndarray
    settings: dict
    number: int

    @classmethod
    def of(cls, snapshot, stepper, seed: int, number: int) -> Ghost:
        """Pin the snapshot's curves with the stepper's settings."""
        return cls(
            snapshot.eval_steps.copy(),
            snapshot.loss_history.copy(),
            snapshot.test_loss_history.copy(),
            settings_of(stepper, seed),
            number,
        )

    def label(self, current: dict) -> str:
        """What differs from the current settings, or 'run N' if nothing does."""
        differs = [describe(k, v) for k, v in self.settings.items() if current.get(k) != v]
        if not differs:
            return f"run {self.number}"
        text = ", ".join(differs)
        return text if len(text) <= LABEL_WIDTH else text[: LABEL_WIDTH - 1] + "…"
