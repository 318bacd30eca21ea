"""An immutable copy of what the screens show, taken from the stepper in one go.

The panes render only from a Snapshot, never from the live stepper: while training runs in a
thread, the app takes a snapshot under the training lock and every pane shows the same instant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bptui.engine import metrics
from bptui.engine.stepper import MicroStep, Phase, Stepper


@dataclass(frozen=True, eq=False)
class LayerView:
    """One weight layer l: W (n_out, n_in), b (n_out,), gradients, updates, batch values.

    a_in, z, a, delta: (m, n) for the current batch. Flags say which belong to the current step.
    """

    index: int
    activation: str
    w: np.ndarray
    b: np.ndarray
    dw: np.ndarray
    db: np.ndarray
    update_w: np.ndarray
    update_b: np.ndarray
    w_before: np.ndarray
    b_before: np.ndarray
    a_in: np.ndarray
    z: np.ndarray
    a: np.ndarray
    delta: np.ndarray
    forward_done: bool
    delta_done: bool
    gradient_done: bool


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Everything the panes draw at one instant."""

    title: str
    layers: tuple[int, ...]
    step: int
    epoch: float
    last: MicroStep
    next: MicroStep
    diverged: bool
    updated: bool
    learning_rate: float
    momentum: float
    l2: float
    loss: float
    test_loss: float | None
    accuracy: float | None
    batch_size: int
    batch_rows: np.ndarray
    views: tuple[LayerView, ...]
    loss_history: np.ndarray
    test_loss_history: np.ndarray
    loss_name: str
    output_activation: str
    readout: dict


    @property
    def depth(self) -> int:
        """Weight layers."""
        return len(self.views)

    def column_values(self, column: int, sample: int | None) -> tuple[np.ndarray, np.ndarray | None,
                                                                     bool, bool]:
        """(a (n,), δ (n,) or None, a is current, δ is current) of unit layer `column`.

        Column 0 is the input layer; sample None means the batch mean.
        """
        def pick(values: np.ndarray) -> np.ndarray:
            return values.mean(axis=0) if sample is None else values[min(sample, len(values) - 1)]

        if column == 0:
            return pick(self.views[0].a_in), None, True, False
        view = self.views[column - 1]
        return pick(view.a), pick(view.delta), view.forward_done, view.delta_done


def readouts(stepper: Stepper) -> dict:
    """Accuracy and confusion matrix (classification) or R² (regression), train and test."""
    data = stepper.data
    out: dict = {"task": data.task, "classes": data.class_names}
    for part, x, y in (("train", data.x_train, data.y_train), ("test", data.x_test, data.y_test)):
        if x.shape[0] == 0:
            continue
        with np.errstate(all="ignore"):
            predicted = stepper.predict(x)
            if data.task == "classification":
                out[f"{part}_accuracy"] = metrics.accuracy(predicted, y)
                out[f"{part}_confusion"] = metrics.confusion_matrix(predicted, y)
            else:
                out[f"{part}_r2"] = metrics.r_squared(predicted, y)
    return out


def take(stepper: Stepper, title: str) -> Snapshot:
    """Copy what the screens need out of the stepper."""
    views = []
    for layer in range(stepper.depth):
        update_w, update_b = stepper.pending_update(layer)
        views.append(LayerView(
            layer, stepper.spec.activation(layer),
            stepper.weights[layer].copy(), stepper.biases[layer].copy(),
            stepper.dw[layer].copy(), stepper.db[layer].copy(),
            np.array(update_w, copy=True), np.array(update_b, copy=True),
            stepper.w_before[layer].copy(), stepper.b_before[layer].copy(),
            np.array(stepper.layer_input(layer), copy=True), stepper.ws.z[layer].copy(),
            stepper.ws.a[layer].copy(), stepper.ws.delta[layer].copy(),
            stepper.forward_done(layer), stepper.delta_done(layer),
            stepper.gradient_done(layer)))
    loss = stepper.loss
    readout = readouts(stepper)
    part = "test" if stepper.data.has_test else "train"
    return Snapshot(
        title=title, layers=stepper.spec.layers, step=stepper.step, epoch=stepper.epoch,
        last=stepper.last, next=stepper.next, diverged=stepper.diverged, updated=stepper.updated,
        learning_rate=stepper.learning_rate, momentum=stepper.training.momentum,
        l2=stepper.training.l2, loss=loss, test_loss=stepper.test_loss,
        accuracy=readout.get(f"{part}_accuracy"),
        batch_size=stepper.ws.m, batch_rows=stepper.batch_indices.copy(), views=tuple(views),
        loss_history=np.array(stepper.loss_history), test_loss_history=np.array(stepper.test_loss_history),
        loss_name=stepper.spec.loss, output_activation=stepper.spec.output_activation,
        readout=readout)


__all__ = ["LayerView", "Phase", "Snapshot", "take"]
