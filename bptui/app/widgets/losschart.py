"""The loss chart: against step, the cost of each step's batch (thin, for mini-batches) and the
whole training (and held-out) set's cost at the evaluation steps, via textual-plotext.

The log scale plots log10(loss) on a linear axis: plotext 5's own log scale can raise a math
domain error on repeated builds. Long histories are downsampled to about twice the plot width.
"""

from __future__ import annotations

import time

import numpy as np
from textual.reactive import reactive
from textual_plotext import PlotextPlot

from bptui.app.snapshot import Snapshot

REPLOTS_PER_SECOND = 4


def downsample(steps: np.ndarray, values: np.ndarray, points: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """(steps, values) with at most `points` points, always keeping the last one."""
    n = len(values)
    if n <= points:
        return steps[:n], values
    keep = np.unique(np.linspace(0, n - 1, points).round().astype(int))
    return steps[keep], values[keep]


def with_current(snap: Snapshot, values: np.ndarray, now: float | None, name: str, color: str):
    """(steps, values, name, color) of an evaluated series, ending with the cost at the current
    weights (from the readouts) when the history has not recorded it yet."""
    steps = snap.eval_steps
    if now is not None and np.isfinite(now) and len(values) and int(steps[-1]) < snap.step:
        return np.append(steps, snap.step), np.append(values, now), name, color
    return steps, values, name, color


class LossChart(PlotextPlot):
    """Plots a Snapshot's loss history, bound to the app's view state; replotted at most
    REPLOTS_PER_SECOND times a second (a replot costs 10–40 ms), and only when visible."""

    snapshot: reactive[Snapshot | None] = reactive(None, init=False)
    """Whose histories are plotted."""
    log_scale: reactive[bool] = reactive(False, init=False)
    """Plot log10(loss)."""
    running: reactive[bool] = reactive(False, init=False)
    """Training runs: replot at most REPLOTS_PER_SECOND times a second (else at once)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._drawn: tuple | None = None
        self._version = 0
        self._rendered = None
        self._render_key = None
        self._last_plot = 0.0
        self._timer = None

    def watch_snapshot(self) -> None:
        self._soon()

    watch_log_scale = watch_snapshot

    def on_show(self) -> None:
        self._soon()

    def on_resize(self) -> None:
        self._soon()

    def _soon(self) -> None:
        """Replot now, or when the rate allows."""
        if self.snapshot is None or not self.display or self._timer is not None:
            return
        wait = self._last_plot + 1.0 / REPLOTS_PER_SECOND - time.monotonic()
        if wait <= 0 or not self.running:
            self._replot()
        else:
            self._timer = self.set_timer(wait, self._replot)

    def _replot(self) -> None:
        self._timer = None
        self._last_plot = time.monotonic()
        if self.snapshot is not None:
            self.show(self.snapshot)

    def render(self):
        """plotext rebuilds the whole plot on every render: do it only when something changed."""
        key = (self._version, self.size, self.app.theme)
        if key != self._render_key:
            self._rendered = super().render()
            self._render_key = key
        return self._rendered

    def show(self, snap: Snapshot) -> None:
        """Replot if the history, size or scale changed."""
        key = (len(snap.loss_history), len(snap.batch_loss_history), snap.step, self.log_scale,
               self.size, snap.diverged)
        if key == self._drawn:
            return
        self._drawn = key
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        points = max(20, 2 * self.size.width)
        label = "log10 loss" if self.log_scale else "loss"
        series = [with_current(snap, snap.loss_history, snap.loss, "train", "blue"),
                  with_current(snap, snap.test_loss_history, snap.test_loss, "test", "orange")]
        if not snap.full_batch:
            batch = snap.batch_loss_history
            series.insert(0, (np.arange(len(batch)), batch, "batch", "gray"))
        for at, values, name, color in series:
            if len(values) == 0:
                continue
            steps, shown = downsample(at, values, points)
            with np.errstate(all="ignore"):
                if self.log_scale:
                    shown = np.log10(shown)
            keep = np.isfinite(shown)
            if keep.any():
                plt.plot(steps[keep].tolist(), shown[keep].tolist(), label=name, color=color,
                         marker="braille")
        plt.xlabel("step")
        plt.title(label)
        self._version += 1
        self.refresh()
