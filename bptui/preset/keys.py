"""The keys of a preset's [network] and [training] tables, read off the engine's registries
(an initializer, an optimizer or a schedule brings its own setting keys)."""

from __future__ import annotations

from bptui.engine import hyper, initializers, optimizers, schedules

MAX_LAYERS = 12  # network.layers: at most this many layers
MAX_UNITS = 4096  # ... of at most this many units (a target's classes included)

INIT_KEYS = tuple(
    dict.fromkeys(h.key for init in initializers.INITIALIZERS.values() for h in init.hypers)
)
NETWORK_KEYS = ("layers", "hidden_activation", "output_activation", "loss", "init") + INIT_KEYS
OPTIMIZER_KEYS = tuple(
    dict.fromkeys(h.key for cls in optimizers.OPTIMIZERS.values() for h in cls.hypers)
)
SCHEDULE_KEYS = tuple(
    dict.fromkeys(h.key for cls in schedules.SCHEDULES.values() for h in cls.hypers)
)
TRAINING_KEYS = (
    tuple(h.key for h in hyper.TRAINING)
    + ("shuffle", "optimizer", "schedule", "eval_every")
    + OPTIMIZER_KEYS
    + SCHEDULE_KEYS
)
TRAINING_VIEW_KEYS = ("speed",)
"""[training] keys the explorer reads and the engine does not (bptui.preset.speed): not a
setting that a lesson's check can name."""
