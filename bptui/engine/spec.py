"""Immutable descriptions of a network, its training and its data.

These are what a preset file turns into; the engine never reads files itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class NetworkSpec:
    """Architecture and cost of a fully connected network.

    layers: units per layer, input first, e.g. (2, 2, 1) has two weight layers with W of
    shapes (2, 2) and (1, 2). hidden_activation: one name for every hidden layer, or a tuple
    of names, one per hidden layer (len(layers) − 2 of them).
    """

    layers: tuple[int, ...]
    hidden_activation: str | tuple[str, ...] = "sigmoid"
    output_activation: str = "sigmoid"
    loss: str = "quadratic"
    init: str = "xavier"
    init_epsilon: float = 0.12
    init_scale: float = 0.1

    @property
    def depth(self) -> int:
        """Number of weight layers."""
        return len(self.layers) - 1

    @property
    def hidden_activations(self) -> tuple[str, ...]:
        """The activation of every hidden layer, first to last."""
        if isinstance(self.hidden_activation, str):
            return (self.hidden_activation,) * (self.depth - 1)
        return tuple(self.hidden_activation)

    def activation(self, layer: int) -> str:
        """Activation of weight layer `layer` (0-based): hidden, or output for the last."""
        if layer == self.depth - 1:
            return self.output_activation
        if isinstance(self.hidden_activation, str):
            return self.hidden_activation
        return self.hidden_activation[layer]

    def weight_shapes(self) -> list[tuple[int, int]]:
        """(units_out, units_in) of every weight layer."""
        return [(n_out, n_in) for n_in, n_out in zip(self.layers[:-1], self.layers[1:])]

    def parameter_count(self) -> int:
        """Weights and biases together."""
        return sum(r * c + r for r, c in self.weight_shapes())


@dataclass(frozen=True)
class TrainingSpec:
    """Training settings. batch_size 0 means the full batch.

    optimizer: a name from `optimizers.OPTIMIZERS` ("" resolves to momentum if momentum > 0,
    else sgd); schedule: a name from `schedules.SCHEDULES`; options: the optimizer's and the
    schedule's own settings as (preset key, value) pairs (defaults fill the rest); momentum: μ
    of momentum and nesterov (ignored by the others; after construction it is the μ in effect,
    else 0). l2, l1: the weights' L2 and L1 penalties λ and λ1 (see `hyper.L2`, `hyper.L1`).
    eval_every: steps between evaluations of the whole training and held-out sets
    (0: every step with full batches, once per epoch with mini-batches).
    """

    learning_rate: float = 0.5
    batch_size: int = 0
    l2: float = 0.0
    momentum: float = 0.0
    shuffle: bool = False
    optimizer: str = ""
    schedule: str = "constant"
    options: tuple[tuple[str, float], ...] = ()
    eval_every: int = 0
    l1: float = 0.0

    def __post_init__(self):
        from bptui.engine import optimizers

        options = dict(self.options)
        name = self.optimizer or optimizers.default_name(self.momentum)
        hypers = {h.key: h for h in optimizers.OPTIMIZERS[name].hypers}
        if "momentum" in hypers:
            options.setdefault(
                "momentum", self.momentum if self.momentum > 0 else hypers["momentum"].default
            )
        else:
            options.pop("momentum", None)
        object.__setattr__(self, "optimizer", name)
        object.__setattr__(self, "options", tuple(sorted(options.items())))
        object.__setattr__(self, "momentum", float(options.get("momentum", 0.0)))

    @property
    def settings(self) -> dict[str, float]:
        """The options as a dict."""
        return dict(self.options)

    def make_optimizer(self):
        """The optimizer these settings describe."""
        from bptui.engine import optimizers

        return optimizers.create(self.optimizer, self.settings)

    def make_schedule(self):
        """The learning-rate schedule these settings describe."""
        from bptui.engine import schedules

        return schedules.create(self.schedule, self.settings)


@dataclass(frozen=True, eq=False)
class Dataset:
    """Training and held-out data, float64, one sample per row.

    x_train: (m, n_in); y_train: (m, K); x_test: (m_test, n_in); y_test: (m_test, K), where
    m_test may be 0. task is "classification" (one-hot or 0/1 targets) or "regression".
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    task: str = "regression"
    feature_names: tuple[str, ...] = ()
    class_names: tuple[str, ...] = ()
    notes: dict = field(default_factory=dict)
    image: tuple[int, int] | None = None
    """(rows, cols) when each input row is a picture, pixel by pixel row by row."""

    @property
    def has_test(self) -> bool:
        """Whether there is a held-out set."""
        return self.x_test.shape[0] > 0

    @property
    def scored(self) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) that accuracy and goals are judged on: the held-out set, else the training set."""
        return (self.x_test, self.y_test) if self.has_test else (self.x_train, self.y_train)
