"""Charts drawn with textual-plotext that follow the app's snapshot: the base class.

A replot costs 10–40 ms whatever the size, so a chart replots only when what it shows changed
(`key`), only when visible, and while training runs at most REPLOTS_PER_SECOND times a second
(REPLOTS_PER_SECOND_WEB in a browser).
plotext rebuilds its whole picture on every render, so the rendered picture is cached too.
plotext itself (and textual-plotext) is loaded after the first frame: a chart mounts its plot
once the screen is up, which keeps start-up short.
Log scales plot log10 values on a linear axis: plotext 5's own log scale can raise a math domain
error on repeated builds. Long series are downsampled to about twice the plot's width.
"""

from __future__ import annotations

import math
import time
from functools import cache

import numpy as np
from rich.text import Text
from textual.containers import Container
from textual.message import Message
from textual.reactive import reactive

from bptui.app.snapshot import Snapshot
from bptui.engine.numtext import number

REPLOTS_PER_SECOND = 4
REPLOTS_PER_SECOND_WEB = 1
"""Served to a browser (`bptui --web`), while training runs. There a replot also goes through
the server to the browser's terminal (a chart's ~13 KB), and a class shares one machine: at 4 a
second the charts took about half of what five learners' screens cost, and the five trained at
10 % of a lone learner's rate (2 cores); at 1 a second, about twice as fast."""


def replot_rate(web: bool) -> float:
    """Replots a second while training runs, in a browser (`web`) or a terminal."""
    return REPLOTS_PER_SECOND_WEB if web else REPLOTS_PER_SECOND


COLOURS = ("blue", "orange", "green", "magenta", "cyan", "red", "orange+", "white")
"""plotext's colour names (plotext has no "yellow": it drew a series so named in its own first
colour; "orange+" is the bright yellow of the terminal)."""
PLOTEXT_CODES = {
    "black": 0,
    "red": 1,
    "green": 2,
    "orange": 3,
    "blue": 4,
    "magenta": 5,
    "cyan": 6,
    "gray+": 7,
    "gray": 8,
    "red+": 9,
    "green+": 10,
    "orange+": 11,
    "blue+": 12,
    "magenta+": 13,
    "cyan+": 14,
    "white": 15,
}
"""The terminal colour number plotext 5.3.2 draws each of its colour names in (its color_codes:
"orange" is the terminal's yellow), so that a legend outside the plot has the curves' colours."""
LEGEND_MARK = "━━"


def rich_colour(name: str) -> str:
    """The Rich colour of a plotext colour name: the same terminal colour."""
    return f"color({PLOTEXT_CODES[name]})" if name in PLOTEXT_CODES else "default"


def legend_text(entries: tuple[tuple[str, str], ...], width: int) -> Text:
    """'━━ train  ━━ test': each labelled series' mark in its colour, then its label, within
    `width` cells. Whole entries only: where the rest does not fit, "…" says that more follow."""
    text = Text(no_wrap=True, overflow="crop")
    for i, (label, colour) in enumerate(entries):
        entry = Text.assemble((LEGEND_MARK, f"bold {rich_colour(colour)}"), f" {label}")
        gap = "  " if i else ""
        more = 0 if i == len(entries) - 1 else len("  …")  # room to say that more follow
        if text.cell_len + len(gap) + entry.cell_len + more > width:
            if text.cell_len + len(gap) + 1 <= width:
                text.append(gap + "…", "dim")
            break
        text.append(gap)
        text.append_text(entry)
    return text


def downsample(
    steps: np.ndarray, values: np.ndarray, points: int, log_steps: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """(steps, values) with at most about `points` points, always keeping the last one (spread
    evenly in log10(step + 1) when the x-axis is logarithmic, so the first steps keep theirs)."""
    n = len(values)
    if n <= points:
        return steps[:n], values
    if log_steps:
        keep = np.unique(np.geomspace(1, n, points).round().astype(int) - 1)
    else:
        keep = np.unique(np.linspace(0, n - 1, points).round().astype(int))
    return steps[keep], values[keep]


def step_text(step: float) -> str:
    """A tick label for a step count: 0, 500, 2.5k, 30k, 1.2M."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(step) >= size:
            return f"{step / size:.4g}{suffix}"
    return f"{step:.0f}"


def round_ticks(low: float, high: float, most: int = 5) -> list[float]:
    """At most `most` round numbers (1, 2 or 5 times a power of ten apart) from `low` to `high`."""
    if not high > low:
        return [low]
    raw = (high - low) / max(1, most - 1)
    power = 10 ** math.floor(math.log10(raw))
    gap = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / gap - 1e-9) * gap
    return [first + i * gap for i in range(int((high - first) / gap + 1e-9) + 1)]


def step_axis(plt, last_step: int, log_steps: bool, width: int) -> None:
    """The x-axis of a chart over steps: from 0 to the last step (never negative), ticks at round
    step numbers written 0 10k 20k; with `log_steps`, x is log10(step + 1), ticked 0 10 100 1k."""
    last = max(1, int(last_step))
    most = max(2, min(6, width // 10))
    if log_steps:
        top = math.log10(last + 1)
        steps = [0] + [10**k for k in range(0, int(top) + 1) if 10**k <= last]
        steps = steps if len(steps) <= most else steps[:: math.ceil(len(steps) / most)]
        plt.xlim(0, top)
        plt.xticks([math.log10(s + 1) for s in steps], [step_text(s) for s in steps])
    else:
        ticks = [t for t in round_ticks(0, last, most) if t == int(t)]
        if len(ticks) < 2 or ticks[-1] < 0.6 * last:  # too few to read: say where it ends
            ticks = [*ticks[:1], last] if ticks[-1] < 0.6 * last else ticks
        elif ticks[-1] < last:  # the end labelled too where its label has room (0 250 500 828)
            room = (last - ticks[-1]) / last * width  # columns between the last tick and the end
            if room >= len(step_text(last)) + len(step_text(ticks[-1])) / 2 + 2:
                ticks.append(last)
        plt.xlim(0, last)
        plt.xticks(ticks, [step_text(t) for t in ticks])


def log_value_axis(plt, low: float, high: float, height: int) -> None:
    """The y-axis of a log10-plotted chart, labelled in the values themselves (1e-3, 0.01, 1)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return
    if high - low < 1e-9:
        low, high = low - 0.5, high + 0.5
    most = max(2, min(6, height // 3))
    exponents = list(range(math.ceil(low), math.floor(high) + 1))
    if len(exponents) < 2:  # less than a decade: 1, 2 and 5 times the powers of ten
        ticks = [
            math.log10(m) + e
            for e in range(math.floor(low), math.ceil(high) + 1)
            for m in (1, 2, 5)
            if low <= math.log10(m) + e <= high
        ]
    else:
        ticks = [float(e) for e in exponents[:: math.ceil(len(exponents) / most)]]
    if ticks:
        plt.yticks(ticks, [number(10**t, 6) for t in ticks])


def linear_value_axis(plt, low: float, high: float, rows: int) -> None:
    """The y-axis of a linearly plotted chart: labelled at the lowest and the highest value
    plotted, written out, and at round values between where rows are left. plotext labels
    each row with a value inside it: the bottom row of a short chart said 0.35 where the curve
    ended at 0.19, nearly twice the loss the top line showed (learner walk 3)."""
    if not (math.isfinite(low) and math.isfinite(high)) or high - low <= 1e-12 * abs(high):
        return
    plt.ylim(low, high)
    room = (high - low) / max(2, rows - 1)  # a label closer than a row to another is left out
    inner = [
        t for t in round_ticks(low, high, max(2, rows // 2 + 1)) if low + room <= t <= high - room
    ]
    ticks = [low, *inner, high]
    plt.yticks(ticks, [number(t) for t in ticks])


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
    """A chart of the snapshot. Subclasses implement `key(snap)` and `draw(snap)` on `plt`.

    A labelled curve goes into `legend`, which the pane holding the chart shows on its border:
    plotext draws its legend inside the plot, on the curves' top rows, where it hid them (and
    the message of a chart with one point ran into it: learner walk 3)."""

    class LegendChanged(Message):
        """The labelled series of the chart's last draw are new ones (see `legend`)."""

        def __init__(self, plot: SnapshotPlot) -> None:
            super().__init__()
            self.plot = plot

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
        self.shown_range = (math.inf, -math.inf)
        """The lowest and highest value plotted by the last draw (as plotted: log10 if log)."""
        self._replot_due = False  # a replot waits for the frame in progress (soon)
        self.legend: tuple[tuple[str, str], ...] = ()
        """(label, plotext colour) of each labelled curve of the last draw, in drawing order."""
        self._labels: list[tuple[str, str]] = []

    def on_mount(self) -> None:
        if self.display:  # a chart behind another (health, check) loads its plot when shown
            self.call_after_refresh(self.attach_plot)

    def attach_plot(self) -> None:
        """Mount the plot (loading plotext) once the first frame is on the screen."""
        if self.plot is None and self.is_attached:  # (the app may be closing by then)
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
        if self.plot is None:  # at start-up too: the first frame goes out without plotext
            self.call_after_refresh(self.attach_plot)
        self.soon()

    def on_resize(self) -> None:
        self.soon()

    def soon(self) -> None:
        """Replot now, or when the rate allows."""
        if (
            self.snapshot is None
            or not self.display
            or self._timer is not None
            or self.plot is None
        ):
            return
        wait = self._last_plot + 1.0 / replot_rate(self.app.is_web) - time.monotonic()
        if wait <= 0 or not self.running:
            # after this frame: a key's own frame (status line, panes) does not wait for
            # plotext's figure to be set up (2 ms on the press that ends a step)
            if not self._replot_due:
                self._replot_due = True
                self.call_after_refresh(self._replot)
        else:
            self._timer = self.set_timer(wait, self._replot)

    def _replot(self) -> None:
        self._timer = None
        self._replot_due = False
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
        self.shown_range = (math.inf, -math.inf)
        self._labels = []
        self.draw(snap)
        if tuple(self._labels) != self.legend:
            self.legend = tuple(self._labels)
            self.post_message(self.LegendChanged(self))
        if self.compact:  # every row for the plot: the pane's border says what it shows
            self.plt.title("")
            self.plt.xlabel("")
        self.plot.version += 1
        # plotext builds its picture when the plot is drawn (10-40 ms): on the frame after
        # this one, so that a key's own frame (status line, panes) is not held up by it.
        self.call_after_refresh(self.plot.refresh)

    @property
    def plot_rows(self) -> int:
        """About how many rows the plot itself has (less the axis, and the title and the axis
        label where there is room for them)."""
        return max(1, self.size.height - (3 if self.compact else 5))

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

    def curve(
        self,
        steps,
        values,
        label: str | None,
        color: str,
        log: bool = False,
        plt=None,
        tag: str | None = None,
        log_steps: bool = False,
    ) -> bool:
        """One downsampled line (log10 of the values if `log`; against log10(step + 1) if
        `log_steps`), with `tag` written at its last point; False if nothing is finite. A
        `label` goes into the chart's legend (shown off the plot: see the class)."""
        steps, shown = downsample(
            np.asarray(steps),
            np.asarray(values, dtype=float),
            max(20, 2 * self.size.width),
            log_steps,
        )
        with np.errstate(all="ignore"):
            if log:
                shown = np.log10(shown)
            if log_steps:
                steps = np.log10(steps + 1.0)
        keep = np.isfinite(shown)
        if not keep.any():
            return False
        self.shown_range = (
            min(self.shown_range[0], float(shown[keep].min())),
            max(self.shown_range[1], float(shown[keep].max())),
        )
        plt = plt or self.plt
        plt.plot(steps[keep].tolist(), shown[keep].tolist(), color=color, marker="braille")
        if label and (label, color) not in self._labels:
            self._labels.append((label, color))
        if tag:
            plt.text(
                tag, float(steps[keep][-1]), float(shown[keep][-1]), color=color, alignment="right"
            )
        return True
