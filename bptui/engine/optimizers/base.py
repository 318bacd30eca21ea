"""What an optimizer is: its settings, its state buffers, its update and how it explains itself.

Parameters θ of every layer live in one flat vector (P,) (see `kernels.Parameters`), so an
optimizer works on flat vectors: the gradient g (P,), θ (P,) and its state, B buffers of P
floats each held as one array (B, P) (e.g. Adam's m and v). The stepper double-buffers that
state, which makes undo, sessions and "the update that would be applied now" exact.

To add an optimizer, add a module to this package with one subclass of `Optimizer`: it is found
and registered by name; validation, the settings screen, help, explain, the matrix pane, undo,
sessions and export all read it from the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from bptui.engine.hyper import Hyper, resolve, text
from bptui.engine.numtext import number


@dataclass(frozen=True)
class Scalar:
    """One parameter's update, with the engine's numbers: for the explain pane.

    label: what θ is called in the text ('w_1', 'b'); g: ∂C/∂θ; theta, theta_new: θ before and
    after; delta: the Δθ applied; lr: η of this step; t: the update's number (1 for the
    optimizer's first); old, new: the state buffers' values before and after, by buffer name.
    """

    label: str
    g: float
    theta: float
    theta_new: float
    delta: float
    lr: float
    t: int
    old: dict
    new: dict


@dataclass(frozen=True)
class Formula:
    """'symbolic = with numbers = result' as one explain line (the result is the engine's)."""

    symbolic: str
    numbers: str
    value: float

    @property
    def text(self) -> str:
        """The printed line."""
        return f"{self.symbolic} = {self.numbers} = {number(self.value)}"


class Optimizer:
    """Base class: a subclass declares the class attributes and implements `step` and `explain`.

    Instances hold the resolved hyperparameters (`self.h`, by preset key).
    """

    name: ClassVar[str] = ""
    """The preset value of `training.optimizer`."""
    title: ClassVar[str] = ""
    """A display name, e.g. 'Adam'."""
    order: ClassVar[int] = 100
    """Position in lists (settings, help)."""
    summary: ClassVar[str] = ""
    """One line for help: what it does."""
    hypers: ClassVar[tuple[Hyper, ...]] = ()
    """Its own hyperparameters (besides the learning rate), as preset keys of [training]."""
    buffers: ClassVar[tuple[tuple[str, str], ...]] = ()
    """State buffers: (name, what it holds), each a flat vector like the parameters."""
    default_learning_rate: ClassVar[float] = 0.5
    """η when the preset gives none (PyTorch's default where PyTorch has one)."""
    rule: ClassVar[tuple[str, ...]] = ()
    """The update rule, one assignment per line, for help and the README."""
    delta: ClassVar[str] = ""
    """Δθ as one formula, for the matrix pane's headers, e.g. 'Δθ = −η·∂C/∂θ'."""

    def __init__(self, hyper: dict[str, float] | None = None):
        self.h = resolve(self.hypers, hyper or {})

    @property
    def state_size(self) -> int:
        """B: state buffers per parameter."""
        return len(self.buffers)

    def new_state(self, size: int) -> np.ndarray:
        """A fresh (zero) state (B, P)."""
        return np.zeros((self.state_size, size))

    def step(
        self,
        grad: np.ndarray,
        params: np.ndarray,
        lr: float,
        t: int,
        state: np.ndarray,
        new_state: np.ndarray,
        delta: np.ndarray,
    ) -> None:
        """Δθ (P,) into `delta` and the state after this update into `new_state` (B, P).

        grad: ∂C/∂θ (P,); params: θ before the update (P,); lr: η of this step; t: the number
        of this update (1 for the optimizer's first); state: (B, P) before it, never written.
        """
        raise NotImplementedError

    def explain(self, x: Scalar) -> list[Formula]:
        """The update of one parameter as formulas with its numbers, ending with Δθ."""
        raise NotImplementedError

    def settings_text(self) -> str:
        """E.g. 'adam (β1 0.9, β2 0.999, ε 1e-08)'."""
        return f"{self.name} ({text(self.h, self.hypers)})" if self.hypers else self.name
