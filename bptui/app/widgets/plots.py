"""Charts drawn with textual-plotext that follow the app's snapshot: the base class.

A replot costs 10–40 ms whatever the size, so a chart replots only when what it shows changed
(`key`), only when visible, and while training runs at most REPLOTS_PER_SECOND times a second.
plotext rebuilds its whole picture on every render, so the rendered picture is cached too.
plotext itself (and textual-plotext) is loaded after the first frame: a chart mounts its plot
once the screen is up, which keeps start-up short.
Log scales plot log10 values on a linear axis: plotext 5's own log scale can raise a math domain
error on repeated builds. Long series are downsampled to about twice the plot's width.
"""

from __future__ import annotations

import time

import numpy as np
from functools import cache

from textual.containers import Container
from textual.reactive import reactive

from bptui.app.snapshot import Snapshot

REPLOTS_PER_SECOND = 4
COLOURS = ("blue", "orange", "green", "magenta", "cyan", "red", "yellow", "white")


def downsample(steps: np.ndarray, values: np.ndarray, points: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """(steps, values) with at most `points` points, always keeping the last one."""
    n = len(values)
    if n <= points:
        return steps[:n], values
    keep = np.unique(np.linspace(0, n - 1, points).round().astype(int))
    return steps[keep], values[keep]


@cache
def plot_class():
    """textual-plotext's widget, with its rendered picture cached by version, size and theme."""
    from textual_plotext import PlotextPlot

    class CachedPlot(PlotextPlot):
        DEFAULT_CSS = "CachedPlot { width: 1fr; height: 1fr; }"
        version = 0
        _rendered = None
        _render_key = None

        def render(self):
            key = (self.version, self.size, self.app.theme)
            if key != self._render_key:
                self._rendered = super().render()
                self._render_key = key
            return self._rendered

    return CachedPlot


class SnapshotPlot(Container):
    """A chart of the snapshot. Subclasses implement `key(snap)` and `draw(snap)` on `plt`."""

    DEFAULT_CSS = """
    SnapshotPlot { width: 1fr; height: 1fr; }
    """

    snapshot: reactive[Snapshot | None] = reactive(None, init=False, repaint=False)
    """What is plotted."""
    running: reactive[bool] = reactive(False, init=False, repaint=False)
    """Training runs: replot at most REPLOTS_PER_SECOND times a second (else at once)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._drawn = None
        self._last_plot = 0.0
        self._timer = None
        self.plot = None

    def on_mount(self) -> None:
        self.call_after_refresh(self.attach_plot)

    def attach_plot(self) -> None:
        """Mount the plot (loading plotext) once the first frame is on the screen."""
        if self.plot is None:
            self.plot = plot_class()()
            self.mount(self.plot)
            self.call_after_refresh(self.soon)

    @property
    def plt(self):
        """plotext's drawing functions of the mounted plot."""
        return self.plot.plt

    def watch_snapshot(self) -> None:
        self.soon()

    def on_show(self) -> None:
        self.soon()

    def on_resize(self) -> None:
        self.soon()

    def soon(self) -> None:
        """Replot now, or when the rate allows."""
        if self.snapshot is None or not self.display or self._timer is not None or self.plot is None:
            return
        wait = self._last_plot + 1.0 / REPLOTS_PER_SECOND - time.monotonic()
        if wait <= 0 or not self.running:
            self._replot()
        else:
            self._timer = self.set_timer(wait, self._replot)

    def _replot(self) -> None:
        self._timer = None
        self._last_plot = time.monotonic()
        snap = self.snapshot
        if snap is None:
            return
        key = (self.key(snap), self.size)
        if key == self._drawn:
            return
        self._drawn = key
        self.plt.clear_data()
        self.plt.clear_figure()
        self.draw(snap)
        if self.compact:  # every row for the plot: the pane's border says what it shows
            self.plt.title("")
            self.plt.xlabel("")
        self.plot.version += 1
        self.plot.refresh()

    @property
    def compact(self) -> bool:
        """Too short for a title and an axis label besides at least 6 plot rows."""
        return self.size.height < 11

    def key(self, snap: Snapshot):  # pragma: no cover - abstract
        """What the picture depends on: it is redrawn only when this changes."""
        raise NotImplementedError

    def draw(self, snap: Snapshot) -> None:  # pragma: no cover - abstract
        """Plot on `self.plt` (cleared)."""
        raise NotImplementedError

    def curve(self, steps, values, label: str | None, color: str, log: bool = False,
              plt=None, tag: str | None = None) -> bool:
        """One downsampled line (log10 of the values if `log`), with `tag` written at its last
        point; False if nothing is finite."""
        steps, shown = downsample(np.asarray(steps), np.asarray(values, dtype=float),
                                  max(20, 2 * self.size.width))
        with np.errstate(all="ignore"):
            if log:
                shown = np.log10(shown)
        keep = np.isfinite(shown)
        if not keep.any():
            return False
        plt = plt or self.plt
        plt.plot(steps[keep].tolist(), shown[keep].tolist(), label=label, color=color,
                 marker="braille")
        if tag:
            plt.text(tag, float(steps[keep][-1]), float(shown[keep][-1]), color=color,
                     alignment="right")
        return True
