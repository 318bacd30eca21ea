"""Loss curves that grow without copying: the screen reads views, never copies of whole series.

`History` holds the whole-set costs at the evaluation steps (training set and held-out set) and
the batch cost of every training step. Each series is append-only while training runs; undo and
edits cut it back (`truncate_to`, `forget_from`).

A series may be bounded (`max_points`, for long headless runs such as `bptui train --steps
100000000`): it then keeps every `stride`-th value appended (stride 1, 2, 4, ..., doubling each
time the kept values would exceed `max_points`) and, after them, always the latest one, so its
memory stays bounded whatever the number of steps while `values[-1]` is still the last value. The
explorer's series are unbounded: there, values[t] is step t's.
"""

from __future__ import annotations

import numpy as np


class Series:
    """An append-only float64 (or int64) vector with amortized O(1) appends; with a `row`
    shape, an append-only array of rows, (n, *row).

    `values` is a view of the kept part: cheap to take, valid until the next truncation. With
    `max_points` (even, ≥ 2), at most max_points + 1 values are kept: those appended at indices
    0, stride, 2·stride, ... and the latest one (see the module's docstring); len() is the
    number of values appended.
    """

    def __init__(
        self, dtype=np.float64, values=(), row: tuple[int, ...] = (), max_points: int | None = None
    ):
        data = np.asarray(values, dtype=dtype)
        if data.shape[1:] != tuple(row):
            data = data.reshape((-1, *row)) if data.size else np.empty((0, *row), dtype)
        n = data.shape[0]
        if max_points is not None and (max_points < 2 or max_points % 2):
            raise ValueError(f"max_points must be even and at least 2, got {max_points}")
        self.max_points = max_points
        self._data = np.empty((max(16, 2 * n), *row), dtype=dtype)
        self._data[:n] = data
        self._n = n  # values kept: the samples, then maybe the latest value
        self._samples = n  # values kept at indices that are multiples of the stride
        self._count = n  # values appended
        self.stride = 1

    def _grow(self) -> None:
        """Double the capacity (when full)."""
        grown = np.empty((2 * self._data.shape[0], *self._data.shape[1:]), dtype=self._data.dtype)
        grown[: self._n] = self._data[: self._n]
        self._data = grown

    def _slot(self) -> int:
        """Where the value about to be appended goes (and count it)."""
        index = self._count
        self._count += 1
        latest_only = False
        if self.stride > 1 or (self.max_points is not None and self._samples >= self.max_points):
            if index % self.stride == 0 and self._samples >= self.max_points:
                self._samples = (self._samples + 1) // 2  # every other sample, stride doubles
                self._data[: self._samples] = self._data[0 : 2 * self._samples : 2].copy()
                self._n = self._samples
                self.stride *= 2
            latest_only = index % self.stride != 0  # kept only as the latest value
        slot = self._samples
        if slot == self._data.shape[0]:
            self._grow()
        self._n = slot + 1
        if not latest_only:
            self._samples = slot + 1
        return slot

    def append(self, value) -> None:
        """Add one value (or row) at the end."""
        slot = self._slot()  # first: it may grow self._data
        self._data[slot] = value

    def next_row(self) -> np.ndarray:
        """Add one row at the end and return it, (*row), to be filled in place (row series
        only); its entries are undefined until filled. A view, valid until the next append."""
        slot = self._slot()
        return self._data[slot]

    @property
    def values(self) -> np.ndarray:
        """The values kept so far, (n,) (a view)."""
        return self._data[: self._n]

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self.values[index]

    def __iter__(self):
        return iter(self.values.tolist())

    def truncate(self, n: int) -> None:
        """Keep the first n values appended (of a bounded series: those of them it kept, so
        `values[-1]` is the value at index n - 1 only if that was kept)."""
        n = max(0, min(n, self._count))
        if n == self._count:
            return
        self._samples = min(self._samples, -(-n // self.stride))
        self._n = self._samples
        self._count = n

    def copy(self) -> Series:
        """An independent copy."""
        twin = Series(self._data.dtype, self.values, self._data.shape[1:])
        twin.max_points, twin.stride = self.max_points, self.stride
        twin._samples, twin._count = self._samples, self._count
        return twin

    def tolist(self) -> list:
        """The values as a Python list."""
        return self.values.tolist()


class History:
    """eval_steps (k,), loss (k,), test_loss (k, or 0 without a held-out set), batch_loss (steps,),
    optionally a gradient-health `trace` (`health.Trace`, one row per completed step) and
    optionally the update check `first_order` (steps, 2): per completed step t, the first-order
    prediction ∇C·Δθ of the change of its batch's cost and the actual change C(θ + Δθ) − C(θ).

    loss[i] and test_loss[i] are the costs of the whole training / held-out set (with the L2
    term, m = that set's size) at the weights before step eval_steps[i]; batch_loss[t] is the
    cost of step t's batch, from that step's own forward pass. With `max_points` every series
    is bounded (`Series`): eval_steps still names the step of each loss kept, and batch_loss
    keeps steps 0, stride, 2·stride, ... and the latest. `forget_from` needs unbounded series.
    """

    def __init__(
        self,
        eval_steps=(),
        loss=(),
        test_loss=(),
        batch_loss=(),
        trace=None,
        first_order=None,
        max_points: int | None = None,
    ):
        self.eval_steps = Series(np.int64, eval_steps, max_points=max_points)
        self.loss = Series(np.float64, loss, max_points=max_points)
        self.test_loss = Series(np.float64, test_loss, max_points=max_points)
        self.batch_loss = Series(np.float64, batch_loss, max_points=max_points)
        self.trace = trace
        self.first_order: Series | None = first_order

    @property
    def series(self) -> tuple[Series, ...]:
        """The four series (and the trace's rows, if any), in the order of `lengths()`."""
        base = (self.eval_steps, self.loss, self.test_loss, self.batch_loss)
        return base if self.trace is None else (*base, self.trace.rows)

    def lengths(self) -> tuple[int, ...]:
        """Lengths of the series: what a light undo state keeps."""
        return tuple(len(s) for s in self.series)

    def truncate_to(self, lengths: tuple[int, ...]) -> None:
        """Cut every series back to the given lengths (a trace attached after `lengths` were
        taken is cut back to the steps of the batch losses)."""
        for series, n in zip(self.series[:4], lengths):
            series.truncate(n)
        if self.trace is not None:
            self.trace.truncate(lengths[4] if len(lengths) > 4 else len(self.batch_loss))
        if self.first_order is not None:  # a row per completed step: never past the batches
            self.first_order.truncate(len(self.batch_loss))

    def copy(self) -> History:
        """An independent copy."""
        twin = History(
            trace=None if self.trace is None else self.trace.copy(),
            first_order=None if self.first_order is None else self.first_order.copy(),
        )
        twin.eval_steps, twin.loss = self.eval_steps.copy(), self.loss.copy()
        twin.test_loss, twin.batch_loss = self.test_loss.copy(), self.batch_loss.copy()
        return twin

    def evaluated_at(self, step: int) -> bool:
        """Whether the whole-set costs at `step` are recorded (as the latest evaluation)."""
        return len(self.eval_steps) > 0 and int(self.eval_steps[-1]) == step

    def forget_from(self, step: int) -> None:
        """Drop what was recorded at steps ≥ `step` (the weights there have changed)."""
        k = int(np.searchsorted(self.eval_steps.values, step, side="left"))
        self.truncate_to(
            (
                k,
                k,
                min(k, len(self.test_loss)),
                min(step, len(self.batch_loss)),
                min(step, 0 if self.trace is None else len(self.trace)),
            )
        )
