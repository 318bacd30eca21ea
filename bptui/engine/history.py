"""Loss curves that grow without copying: the screen reads views, never copies of whole series.

`History` holds the whole-set costs at the evaluation steps (training set and held-out set) and
the batch cost of every training step. Each series is append-only while training runs; undo and
edits cut it back (`truncate_to`, `forget_from`).
"""

from __future__ import annotations

import numpy as np


class Series:
    """An append-only float64 (or int64) vector with amortized O(1) appends; with a `row`
    shape, an append-only array of rows, (n, *row).

    `values` is a view of the filled part: cheap to take, valid until the next truncation.
    """

    def __init__(self, dtype=np.float64, values=(), row: tuple[int, ...] = ()):
        data = np.asarray(values, dtype=dtype)
        if data.shape[1:] != tuple(row):
            data = data.reshape((-1, *row)) if data.size else np.empty((0, *row), dtype)
        n = data.shape[0]
        self._data = np.empty((max(16, 2 * n), *row), dtype=dtype)
        self._data[:n] = data
        self._n = n

    def _grow(self) -> None:
        """Double the capacity (when full)."""
        grown = np.empty((2 * self._n, *self._data.shape[1:]), dtype=self._data.dtype)
        grown[:self._n] = self._data[:self._n]
        self._data = grown

    def append(self, value) -> None:
        """Add one value (or row) at the end."""
        if self._n == self._data.shape[0]:
            self._grow()
        self._data[self._n] = value
        self._n += 1

    def next_row(self) -> np.ndarray:
        """Add one row at the end and return it, (*row), to be filled in place (row series
        only); its entries are undefined until filled. A view, valid until the next append."""
        if self._n == self._data.shape[0]:
            self._grow()
        self._n += 1
        return self._data[self._n - 1]

    @property
    def values(self) -> np.ndarray:
        """The values so far, (n,) (a view)."""
        return self._data[:self._n]

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, index):
        return self.values[index]

    def __iter__(self):
        return iter(self.values.tolist())

    def truncate(self, n: int) -> None:
        """Keep the first n values."""
        self._n = max(0, min(n, self._n))

    def copy(self) -> "Series":
        """An independent copy."""
        return Series(self._data.dtype, self.values, self._data.shape[1:])

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
    cost of step t's batch, from that step's own forward pass.
    """

    def __init__(self, eval_steps=(), loss=(), test_loss=(), batch_loss=(), trace=None,
                 first_order=None):
        self.eval_steps = Series(np.int64, eval_steps)
        self.loss = Series(np.float64, loss)
        self.test_loss = Series(np.float64, test_loss)
        self.batch_loss = Series(np.float64, batch_loss)
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

    def copy(self) -> "History":
        """An independent copy."""
        return History(self.eval_steps.values, self.loss.values, self.test_loss.values,
                       self.batch_loss.values, None if self.trace is None else self.trace.copy(),
                       None if self.first_order is None else self.first_order.copy())

    def evaluated_at(self, step: int) -> bool:
        """Whether the whole-set costs at `step` are recorded (as the latest evaluation)."""
        return len(self.eval_steps) > 0 and int(self.eval_steps[-1]) == step

    def forget_from(self, step: int) -> None:
        """Drop what was recorded at steps ≥ `step` (the weights there have changed)."""
        k = int(np.searchsorted(self.eval_steps.values, step, side="left"))
        self.truncate_to((k, k, min(k, len(self.test_loss)), min(step, len(self.batch_loss)),
                          min(step, 0 if self.trace is None else len(self.trace))))
