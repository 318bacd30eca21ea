"""An immutable copy of what the screens show, taken from the stepper in one go.

The panes render only from a Snapshot, never from the live stepper: while training runs in a
thread, the training thread takes the snapshot and every pane shows the same instant. A snapshot
copies only what the panes draw: weights and gradients, and of each per-sample array (m, n) a
window of rows around the selected sample (or the batch mean), never a whole data set. Loss
curves are views of the engine's append-only history. Readouts (whole-set costs, accuracy,
confusion matrix, R²) come from a cache that recomputes them only after the weights changed, and
at most READOUTS_PER_SECOND times a second while training runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from bptui.engine import metrics
from bptui.engine.health import Trace, unit_health
from bptui.engine.spec import Dataset
from bptui.engine.stepper import MicroStep, Phase, Stepper

WINDOW = 8  # sample rows copied around the selected one
READOUTS_PER_SECOND = 4  # while training runs, at most
READOUT_SHARE = 0.1  # and at most this share of the training thread's time


@dataclass(frozen=True, eq=False)
class Rows:
    """Per-sample values (m, n) of the batch, as the panes use them: rows start..start+r−1 as
    `window` (r, n), or the batch mean (n,) when no sample is selected."""

    window: np.ndarray
    start: int
    mean: np.ndarray | None
    m: int

    def row(self, sample: int | None) -> np.ndarray:
        """The selected sample's row, or the batch mean (sample None). NaNs when the snapshot
        was taken for another selection (while training runs, until the next snapshot)."""
        if sample is None:
            return self.mean if self.mean is not None else np.full(self.window.shape[1], np.nan)
        row = min(sample, self.m - 1) - self.start
        if 0 <= row < self.window.shape[0]:
            return self.window[row]
        return np.full(self.window.shape[1], np.nan)


def window_start(sample: int | None, m: int, rows: int = WINDOW) -> int:
    """First row of a window of `rows` rows around `sample` within a batch of m."""
    if sample is None:
        return 0
    sample = min(sample, m - 1)
    return max(0, min(sample - rows // 2, m - rows))


def rows_of(values: np.ndarray, sample: int | None) -> Rows:
    """Copy the window (and the mean, in batch-mean mode) out of a batch array (m, n)."""
    m = values.shape[0]
    if sample is None:
        return Rows(np.empty((0, values.shape[1])), 0, values.mean(axis=0), m)
    start = window_start(sample, m)
    return Rows(values[start : start + WINDOW].copy(), start, None, m)


@dataclass(frozen=True, eq=False)
class LayerView:
    """One weight layer l: W (n_out, n_in), b (n_out,), gradients, updates, batch values.

    a_in, z, a, delta: Rows of (m, n) arrays of the current batch. Flags say which belong to
    the current step (a_in: the inputs, or the layer below's a once computed).
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
    a_in: Rows
    z: Rows
    a: Rows
    delta: Rows
    input_done: bool
    forward_done: bool
    delta_done: bool
    gradient_done: bool
    flat_kind: str | None = None
    """'saturated' or 'dead' for hidden layers whose units can go flat, else None."""
    flat: np.ndarray | None = None
    """Which units (n_out,) are flat on this step's batch (once its forward pass is done)."""


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
    rate: float
    optimizer: str
    update_formula: str
    l2: float
    loss: float
    test_loss: float | None
    batch_loss: float
    accuracy: float | None
    batch_size: int
    full_batch: bool
    sample: int | None
    batch_rows: np.ndarray
    views: tuple[LayerView, ...]
    eval_steps: np.ndarray
    loss_history: np.ndarray
    test_loss_history: np.ndarray
    batch_loss_history: np.ndarray
    loss_name: str
    output_activation: str
    readout: dict
    data: Dataset
    """The session's data (a reference, never a copy)."""
    trace: Trace | None = None
    """The gradient-health trace (a reference: read its first `trace_rows` steps)."""
    trace_rows: int = 0
    first_order: np.ndarray | None = None
    """The update check per completed step (steps, 2): ∇C·Δθ and the actual change (a view of
    the history; None when the stepper does not check its updates)."""

    @property
    def depth(self) -> int:
        """Weight layers."""
        return len(self.views)

    def column_values(
        self, column: int, sample: int | None
    ) -> tuple[np.ndarray, np.ndarray | None, bool, bool]:
        """(a (n,), δ (n,) or None, a is current, δ is current) of unit layer `column`.

        Column 0 is the input layer; sample None means the batch mean.
        """
        if column == 0:
            return self.views[0].a_in.row(sample), None, True, False
        view = self.views[column - 1]
        return view.a.row(sample), view.delta.row(sample), view.forward_done, view.delta_done


def readouts(stepper: Stepper) -> dict:
    """Whole-set costs, and accuracy and confusion matrix (classification) or R² (regression),
    train and test: one forward pass per set."""
    data = stepper.data
    out: dict = {"task": data.task, "classes": data.class_names}
    for part, x, y in (("train", data.x_train, data.y_train), ("test", data.x_test, data.y_test)):
        if x.shape[0] == 0:
            continue
        with np.errstate(all="ignore"):
            out[f"{part}_loss"], predicted = stepper.assess(x, y)
            if data.task == "classification":
                out[f"{part}_accuracy"] = metrics.accuracy(predicted, y)
                out[f"{part}_confusion"] = metrics.confusion_matrix(predicted, y)
            else:
                out[f"{part}_r2"] = metrics.r_squared(predicted, y)
    return out


class ReadoutCache:
    """The last readouts, recomputed only when the weights changed (the stepper's `version`)
    and, unless `fresh`, at most READOUTS_PER_SECOND times a second and in at most
    READOUT_SHARE of the time (a large data set's readouts take long: they wait longer)."""

    def __init__(self):
        self.key = None
        self.value: dict | None = None
        self.when = 0.0
        self.cost = 0.0

    def get(self, stepper: Stepper, fresh: bool = True) -> dict:
        """Readouts for the stepper now (or recent ones while training runs)."""
        key = (id(stepper), stepper.version)
        now = time.monotonic()
        gap = max(1.0 / READOUTS_PER_SECOND, self.cost / READOUT_SHARE)
        stale_ok = not fresh and now - self.when < gap
        if self.value is None or key != self.key and (not stale_ok or self.key[0] != key[0]):
            self.value, self.key = readouts(stepper), key
            self.when = time.monotonic()
            self.cost = self.when - now
        return self.value


def take(
    stepper: Stepper,
    title: str,
    sample: int | None = 0,
    cache: ReadoutCache | None = None,
    fresh: bool = True,
) -> Snapshot:
    """Copy what the screens need out of the stepper (see the module docstring)."""
    pending = stepper.pending_update()
    views = []
    ws = stepper.ws
    for layer in range(stepper.depth):
        views.append(
            LayerView(
                layer,
                stepper.spec.activation(layer),
                stepper.weights[layer].copy(),
                stepper.biases[layer].copy(),
                stepper.dw[layer].copy(),
                stepper.db[layer].copy(),
                pending.w[layer].copy(),
                pending.b[layer].copy(),
                stepper.w_before[layer].copy(),
                stepper.b_before[layer].copy(),
                rows_of(stepper.layer_input(layer), sample),
                rows_of(ws.z[layer], sample),
                rows_of(ws.a[layer], sample),
                rows_of(ws.delta[layer], sample),
                layer == 0 or stepper.forward_done(layer - 1),
                stepper.forward_done(layer),
                stepper.delta_done(layer),
                stepper.gradient_done(layer),
                *unit_health(stepper, layer),
            )
        )
    readout = (cache or ReadoutCache()).get(stepper, fresh)
    part = "test" if stepper.data.has_test else "train"
    history = stepper.history
    start = window_start(sample, ws.m)
    return Snapshot(
        title=title,
        layers=stepper.spec.layers,
        step=stepper.step,
        epoch=stepper.epoch,
        last=stepper.last,
        next=stepper.next,
        diverged=stepper.diverged,
        updated=stepper.updated,
        learning_rate=stepper.learning_rate,
        rate=stepper.last_rate,
        optimizer=stepper.optimizer.settings_text(),
        update_formula=stepper.optimizer.delta,
        l2=stepper.training.l2,
        loss=readout.get("train_loss", float("nan")),
        test_loss=readout.get("test_loss"),
        batch_loss=float(history.batch_loss[-1]) if len(history.batch_loss) else float("nan"),
        accuracy=readout.get(f"{part}_accuracy"),
        batch_size=ws.m,
        full_batch=stepper.full_batch,
        sample=sample,
        batch_rows=stepper.batch_indices[start : start + WINDOW].copy(),
        views=tuple(views),
        eval_steps=history.eval_steps.values,
        loss_history=history.loss.values,
        test_loss_history=history.test_loss.values,
        batch_loss_history=history.batch_loss.values,
        loss_name=stepper.spec.loss,
        output_activation=stepper.spec.output_activation,
        readout=readout,
        data=stepper.data,
        trace=stepper.trace,
        trace_rows=0 if stepper.trace is None else len(stepper.trace),
        first_order=None if history.first_order is None else history.first_order.values,
    )


__all__ = ["LayerView", "Phase", "ReadoutCache", "Rows", "Snapshot", "take"]
