"""Gradient health: per layer and per training step, how well the network can still learn.

For a network of L weight layers (H = L − 1 hidden layers) a `Trace` records, once per
completed training step t (at its update):

- `grad_norm` (n, L): ‖∂C/∂W‖, the Frobenius norm of each weight layer's gradient (with the L2
  term; biases left out). A vanishing gradient is a fan of lines, the first layer lowest.
- `update_ratio` (n, L): ‖ΔW‖ / ‖W‖, the update the optimizer applied over the weights before
  it (CS231n's rule of thumb: about 1e-3). inf or nan where W = 0.
- `saturated` (n, H): the share of the units of a hidden layer whose activation record says
  'saturated' (sigmoid, tanh, softplus, ELU, GELU, SiLU) that are saturated on the step's batch:
  their mean slope over the batch, mean |f'(z)|, is below `FLAT` = 0.01, so they pass back less
  than 1% of the error that reaches them (nan for other activations).
- `dead` (n, H): the share of a ReLU hidden layer's units that are dead on the batch: activation
  0 (z ≤ 0) on every sample, so mean f'(z) = 0 (nan for layers of other activations).

Which kind an activation's units can be is its record's `flat` (`activations.ACTIVATIONS`):
leaky ReLU and linear units never go flat (their slope is at least 0.01), so they have no share.
The slope is taken as |f'(z)| for the activations whose f'(z) can be negative (GELU, SiLU).
Everything comes from buffers the step fills anyway (the gradients, the applied update, the
weights before it, and f'(z) of the hidden layers, which the backward pass leaves in the
workspace's scratch arrays), with a fixed handful of NumPy calls per step (BLAS products with a
ones vector for the sums over the batch, as the kernels do). The trace lives in the stepper's
`History` (`History.trace`), so undo, redo and edits cut it back with the loss curves.
"""

from __future__ import annotations

import numpy as np

from bptui.engine.activations import ACTIVATIONS, derivative
from bptui.engine.history import Series

FLAT = 0.01
"""A sigmoid or tanh unit whose mean slope f'(z) over a batch is below this is saturated."""

DOTS_FROM = 400
"""Above this many parameters per weight layer, the squared norms are BLAS dot products of
each weight matrix (a few calls per layer); below it, one elementwise square of each whole
parameter vector and one segmented sum (fewer calls, each dearer per number)."""


def unit_kind(activation: str) -> str | None:
    """'saturated', 'dead', or None for an activation whose units never go flat (its record's
    `flat`)."""
    return ACTIVATIONS[activation].flat


def flat_threshold(activation: str, m: int) -> float:
    """The bound on Σ_batch |f'(z)| (over m samples) below which a unit is flat: 0.01·m for
    saturation, ½ for a dead ReLU (its slopes are 0 or 1, so the sum is 0), −inf for never."""
    kind = unit_kind(activation)
    if kind == "saturated":
        return FLAT * m
    return 0.5 if kind == "dead" else -np.inf


def flat_units(activation: str, z: np.ndarray, a: np.ndarray) -> np.ndarray | None:
    """Which units (n,) of a layer are flat (saturated or dead, see `unit_kind`) on a batch with
    pre-activations z and activations a (m, n); None for activations that cannot go flat."""
    if unit_kind(activation) is None or z.shape[0] == 0:
        return None
    slopes = np.empty_like(z)
    with np.errstate(all="ignore"):
        derivative(activation, z, a, slopes)
    if not ACTIVATIONS[activation].monotonic:
        np.abs(slopes, out=slopes)
    return np.ones(z.shape[0]) @ slopes < flat_threshold(activation, z.shape[0])


def unit_health(stepper, layer: int) -> tuple[str | None, np.ndarray | None]:
    """(kind, flat units (n,)) of hidden weight layer `layer` on the stepper's current batch, for
    marking units in a diagram; (kind, None) until that layer's forward pass of the current
    step is done, (None, None) for the output layer or activations that cannot go flat."""
    if layer >= stepper.depth - 1:
        return None, None
    kind = unit_kind(stepper.plan.names[layer])
    if kind is None or not stepper.forward_done(layer):
        return kind, None
    ws = stepper.ws
    return kind, flat_units(stepper.plan.names[layer], ws.z[layer], ws.a[layer])


class Trace:
    """The gradient-health record of a run: one row per completed training step.

    `rows` (n, 6L + N) holds the raw numbers of each step: the squared sums (3, 2L) of
    [gradient, applied update, weights before the update] over each layer's [W, b] segments of
    the flat parameter vector, then Σ_batch |f'(z)| for each of the N hidden units. `segments`
    [(first step, batch size m, index into `layouts`)] say from which step on a batch size and
    a set of hidden activations held (they change rarely: the last batch of an epoch, a
    settings change). The properties compute the documented quantities (fresh arrays). Steps
    before the trace was attached are nan. (With `DOTS_FROM` exceeded, the b entries of the
    squared sums are left 0: nothing reads them.)
    """

    def __init__(
        self,
        shapes: list[tuple[int, int]],
        rows=(),
        segments=(),
        layouts=(),
        max_rows: int | None = None,
        max_points: int | None = None,
    ):
        self.shapes = list(shapes)
        self.max_rows = max_rows
        """Steps recorded at most (None: all): the explorer bounds the trace's memory."""
        self.max_points = max_points
        """Rows kept at most (None: all): every `rows.stride`-th step and the latest one
        (`history.Series`), for long headless runs."""
        self.depth = len(self.shapes)
        self.hidden = self.depth - 1
        units = [r for r, _ in self.shapes[:-1]]
        self._sums = 6 * self.depth
        self.rows = Series(np.float64, rows, (self._sums + sum(units),), max_points)
        self.segments: list[tuple[int, int, int]] = list(segments)
        self.layouts: list[tuple[str, ...]] = list(layouts)
        sizes = [size for r, c in self.shapes for size in (r * c, r)]
        self._starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
        self._squares = np.empty((3, int(sum(sizes))))
        self._square_rows = tuple(self._squares)
        self._dots = sum(sizes) > DOTS_FROM * self.depth
        bounds = [self._sums, *(self._sums + np.cumsum(units)).tolist()]
        self._unit_slices = tuple(slice(a, b) for a, b in zip(bounds[:-1], bounds[1:]))
        self._current: tuple | None = None  # (m, plan) of the last segment, once checked
        self._signed: tuple[bool, ...] = (False,) * self.hidden

    @classmethod
    def for_stepper(cls, stepper, budget: int | None = None) -> Trace:
        """An empty trace shaped for the stepper's network; with a `budget` in bytes, it records
        the first steps that fit (at least 1,000)."""
        shapes = stepper.spec.weight_shapes()
        if budget is None:
            return cls(shapes)
        width = 6 * len(shapes) + sum(r for r, _ in shapes[:-1])
        return cls(shapes, max_rows=max(1000, budget // (8 * width)))

    def __len__(self) -> int:
        return len(self.rows)

    def _segment(self, step: int, m: int, plan) -> None:
        """Note that from `step` on, batches have m samples and the plan's hidden activations."""
        names = tuple(plan.names[: self.hidden])
        if names not in self.layouts:
            self.layouts.append(names)
        segment = (step, m, self.layouts.index(names))
        if not self.segments or self.segments[-1][1:] != segment[1:]:
            self.segments.append(segment)
        self._current = (m, plan)
        self._signed = tuple(not ACTIVATIONS[name].monotonic for name in names)

    def record(self, stepper) -> None:
        """Append step `stepper.step`'s row; call right after its update was applied (with
        `stepper.before` holding the weights before it) and before the step counter moves on.
        Steps missing before it are filled with nan; a step already recorded is left alone."""
        rows = self.rows
        if self.max_rows is not None and stepper.step >= self.max_rows:
            return
        if len(rows) != stepper.step:
            if len(rows) > stepper.step:
                return
            while len(rows) < stepper.step:
                rows.next_row().fill(np.nan)
        ws = stepper.ws
        current = self._current
        if current is None or current[0] != ws.m or current[1] is not stepper.plan:
            self._segment(stepper.step, ws.m, stepper.plan)
        row = rows.next_row()
        if self._dots:
            row[: self._sums] = 0.0
            column = 0
            for vectors in (stepper.grads.w, stepper.applied.w, stepper.before.w):
                for w in vectors:
                    row[column] = np.vdot(w, w)
                    column += 2
        else:
            grads, applied, before = self._square_rows
            np.multiply(stepper.grads.flat, stepper.grads.flat, out=grads)
            np.multiply(stepper.applied.flat, stepper.applied.flat, out=applied)
            np.multiply(stepper.before.flat, stepper.before.flat, out=before)
            np.add.reduceat(
                self._squares,
                self._starts,
                axis=1,
                out=row[: self._sums].reshape(3, 2 * self.depth),
            )
        for layer, units in enumerate(self._unit_slices):
            slopes = ws.scratch[layer]
            if self._signed[layer]:  # f'(z) can be negative: sum |f'(z)|
                slopes = np.abs(slopes)
            np.dot(ws.ones, slopes, out=row[units])

    def _squared(self, which: int) -> np.ndarray:
        """Squared Frobenius norms (n, L) of the W segments of gradient (0), update (1) or
        weights before the update (2)."""
        sums = self.rows.values[:, : self._sums].reshape(-1, 3, 2 * self.depth)
        return sums[:, which, 0::2]

    @property
    def grad_norm(self) -> np.ndarray:
        """‖∂C/∂W‖ per step and weight layer, (n, L)."""
        return np.sqrt(self._squared(0))

    @property
    def update_ratio(self) -> np.ndarray:
        """‖ΔW‖ / ‖W‖ per step and weight layer, (n, L): inf (or nan) where W = 0."""
        with np.errstate(all="ignore"):
            return np.sqrt(self._squared(1) / self._squared(2))

    def _shares(self, wanted: str) -> np.ndarray:
        """Share of the hidden units of each layer that are `wanted` ('saturated' or 'dead')
        per step, (n, H); nan for layers whose activation has no such units."""
        rows = self.rows.values
        out = np.full((rows.shape[0], self.hidden), np.nan)
        stride = self.rows.stride  # row j is step j·stride's (the last row: the latest step's)
        starts = [-(-segment[0] // stride) for segment in self.segments]
        for i, (_, m, layout) in enumerate(self.segments):
            first = starts[i]
            last = starts[i + 1] if i + 1 < len(starts) else rows.shape[0]
            names = self.layouts[layout]
            for layer, units in enumerate(self._unit_slices):
                if unit_kind(names[layer]) == wanted:
                    flat = rows[first:last, units] < flat_threshold(names[layer], m)
                    out[first:last, layer] = flat.mean(axis=1)
        out[np.isnan(rows[:, 0])] = np.nan  # steps before the trace was attached
        return out

    @property
    def saturated(self) -> np.ndarray:
        """Share of saturated units per step and hidden layer, (n, H); nan where n/a."""
        return self._shares("saturated")

    @property
    def dead(self) -> np.ndarray:
        """Share of dead units per step and hidden layer, (n, H); nan where n/a."""
        return self._shares("dead")

    def truncate(self, n: int) -> None:
        """Keep the first n steps."""
        self.rows.truncate(n)
        while self.segments and self.segments[-1][0] >= len(self.rows):
            self.segments.pop()
        self._current = None

    def copy(self) -> Trace:
        """An independent copy."""
        twin = Trace(self.shapes, (), self.segments, self.layouts, self.max_rows, self.max_points)
        twin.rows = self.rows.copy()
        return twin
