"""The loss chart: training (and held-out) loss against step, via textual-plotext.

The log scale plots log10(loss) on a linear axis: plotext 5's own log scale can raise a math
domain error on repeated builds. Long histories are downsampled to about twice the plot width.
"""

from __future__ import annotations

import numpy as np
from textual_plotext import PlotextPlot

from bptui.app.snapshot import Snapshot


def downsample(values: np.ndarray, points: int) -> tuple[np.ndarray, np.ndarray]:
    """(steps, values) with at most `points` points, always keeping the last one."""
    n = len(values)
    if n <= points:
        return np.arange(n), values
    steps = np.unique(np.linspace(0, n - 1, points).round().astype(int))
    return steps, values[steps]


class LossChart(PlotextPlot):
    """Plots a Snapshot's loss history; `log` switches to log10(loss)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.log_scale = False
        self._drawn: tuple | None = None
        self._version = 0
        self._rendered = None
        self._render_key = None

    def render(self):
        """plotext rebuilds the whole plot on every render: do it only when something changed."""
        key = (self._version, self.size, self.app.theme)
        if key != self._render_key:
            self._rendered = super().render()
            self._render_key = key
        return self._rendered

    def show(self, snap: Snapshot) -> None:
        """Replot if the history, size or scale changed."""
        key = (len(snap.loss_history), self.log_scale, self.size, snap.diverged)
        if key == self._drawn:
            return
        self._drawn = key
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        points = max(20, 2 * self.size.width)
        label = "log10 loss" if self.log_scale else "loss"
        for values, name, color in ((snap.loss_history, "train", "blue"),
                                    (snap.test_loss_history, "test", "orange")):
            if len(values) == 0:
                continue
            steps, shown = downsample(np.asarray(values, dtype=float), points)
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
