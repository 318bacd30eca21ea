"""The update-check view (key h, third in the bottom pane): per step, the first-order
prediction ∇C·Δθ of the change of the batch's cost beside the actual change C(θ + Δθ) − C(θ),
and their ratio (≈ 1 in the linear regime, falling as η grows, negative when a step
overshoots). The numbers are the stepper's own (`History.first_order`)."""

from __future__ import annotations

import numpy as np

from bptui.app.snapshot import Snapshot
from bptui.app.widgets.plots import SnapshotPlot, step_axis

CLIP = 3.0
"""The ratio is drawn within ±CLIP (a step that overshoots by far would flatten the rest)."""
TITLES = ("predicted and actual ΔC", f"actual / predicted (1: linear; ±{CLIP:g} clip)")
SHORT_TITLES = ("predicted, actual ΔC", "actual / predicted")
"""The titles where a plot is too narrow for TITLES (plotext drops a title wider than its
plot). The left plot's two curves are named in the legend on the pane's border (SnapshotPlot);
the ratio plot's one curve by its title."""


def ratios(checks: np.ndarray) -> np.ndarray:
    """actual / predicted per step (checks (n, 2)); nan where the prediction is 0."""
    predicted, actual = checks[:, 0], checks[:, 1]
    with np.errstate(all="ignore"):
        return np.where(predicted != 0, actual / predicted, np.nan)


def ratio_ticks(ratio: np.ndarray) -> tuple[float, float, list[float]]:
    """The ratio plot's range (it always holds the lines at 0 and 1) and its ticks: 0, 1 and the
    ends, an end left out when it is within a tenth of the range of 0 or 1 (its label would
    sit on theirs)."""
    finite = ratio[np.isfinite(ratio)]
    low = min(0.0, float(finite.min())) if finite.size else 0.0
    high = max(1.0, float(finite.max())) if finite.size else 1.0
    room = (high - low) / 10
    ticks = [0.0, 1.0] + [end for end in (low, high) if min(abs(end), abs(end - 1)) > room]
    return low, high, sorted(ticks)


def ratio_axis(plt, ratio: np.ndarray) -> None:
    """Ticks where the grey (1: linear) and red (0: no change) lines are, so that the labels
    name those lines (plotext's own ticks put 0.06 beside the line at 0)."""
    low, high, ticks = ratio_ticks(ratio)
    plt.ylim(low, high)
    plt.yticks(ticks, [f"{t:.2g}" for t in ticks])


def worst_per_bucket(steps: np.ndarray, values: np.ndarray, points: int):
    """(steps, values) in at most about `points` buckets, each its lowest value (its first where
    none is lower): a stride would skip the few overshoots (ratio < 0) of a long run."""
    n = len(values)
    if n <= points:
        return steps, values
    edges = np.linspace(0, n, points + 1).astype(int)
    ranked = np.where(np.isnan(values), np.inf, values)  # a nan ratio (no prediction) last
    picks = [a + int(np.argmin(ranked[a:b])) for a, b in zip(edges, edges[1:]) if b > a]
    return steps[picks], values[picks]


class UpdateCheckChart(SnapshotPlot):
    """Two small plots: predicted and actual change of the batch cost; their ratio."""

    def key(self, snap: Snapshot):
        n = 0 if snap.first_order is None else len(snap.first_order)
        return (n, snap.step, snap.diverged)

    def draw(self, snap: Snapshot) -> None:
        plt = self.plt
        checks = snap.first_order
        known = None if checks is None else np.isfinite(checks).all(axis=1)
        if checks is None or not known.any():
            plt.title("update check: take a step (u or s) or train (r) to see it")
            return
        steps = np.arange(len(checks))[known]  # row t: the update of step t
        checks = checks[known]
        plt.subplots(1, 2)
        width = max(
            10, self.size.width // 2
        )  # steps are whole numbers, ticked as in the loss chart
        left = plt.subplot(1, 1)
        self.curve(steps, checks[:, 0], "predicted ∇C·Δθ", "blue", plt=left)
        self.curve(steps, checks[:, 1], "actual ΔC", "orange", plt=left)
        step_axis(left, int(steps[-1]), False, width)
        left.title(self.fitted(0, width))
        right = plt.subplot(1, 2)
        ratio = np.clip(ratios(checks), -CLIP, CLIP)
        self.curve(
            *worst_per_bucket(steps, ratio, max(20, 2 * self.size.width)),
            None,  # the plot's title says what it is
            "green",
            plt=right,
        )
        right.hline(1.0, "gray")
        right.hline(0.0, "red")
        ratio_axis(right, ratio)
        step_axis(right, int(steps[-1]), False, width)
        right.title(self.fitted(1, width))

    @staticmethod
    def fitted(i: int, width: int) -> str:
        """Plot i's title, short when its plot (`width` columns) is narrow."""
        return TITLES[i] if len(TITLES[i]) + 6 <= width else SHORT_TITLES[i]

    @property
    def compact(self) -> bool:
        return False  # the titles say which plot is which: they stay, however short the pane
