"""The loss chart: against step, the cost of each step's batch (thin, for mini-batches) and the
whole training (and held-out) set's cost at the evaluation steps; pinned runs ("ghosts", key
c) on the same axes, labelled by what differs from the current settings."""

from __future__ import annotations

import math

import numpy as np
from textual.reactive import reactive

from bptui.app.ghosts import Ghost
from bptui.app.snapshot import Snapshot
from bptui.app.widgets.plots import SnapshotPlot, linear_value_axis, log_value_axis, step_axis
from bptui.engine.numtext import number

GHOST_COLOURS = ("magenta", "cyan", "green", "orange+")
CLIP_FACTOR = 10.0
"""On the linear scale, losses above this many times the run's first loss are drawn at that
height: a diverging run reaches 1e300 and then inf, and a linear axis that wide draws nothing
(no curve, no axes: only the last step's tick was left). The log scale (l) shows them all."""


def with_current(snap: Snapshot, values: np.ndarray, now: float | None):
    """(steps, values) of an evaluated series, ending with the cost at the current weights
    (from the readouts) when the history has not recorded it yet."""
    steps = snap.eval_steps
    if now is not None and np.isfinite(now) and len(values) and int(steps[-1]) < snap.step:
        return np.append(steps, snap.step), np.append(values, now)
    return steps, values


class LossChart(SnapshotPlot):
    """The loss curves of the snapshot and of the pinned runs."""

    log_scale: reactive[bool] = reactive(False, init=False, repaint=False)
    """Plot log10(loss), labelled in the loss's own values."""
    log_steps: reactive[bool] = reactive(False, init=False, repaint=False)
    """Plot against log10(step + 1): the first steps of a long run get room."""
    ghosts: reactive[tuple[Ghost, ...]] = reactive((), init=False, repaint=False)
    """Pinned runs, oldest first."""
    settings: reactive[dict] = reactive(dict, init=False, repaint=False)
    """The current settings (ghosts are labelled by what differs from them)."""
    events: reactive[tuple] = reactive((), init=False, repaint=False)
    """The run's events (engine.events.Event) found by j or J: a red line at each step."""

    def watch_log_scale(self) -> None:
        self.soon()

    watch_ghosts = watch_settings = watch_log_steps = watch_events = watch_log_scale

    def key(self, snap: Snapshot):
        return (
            len(snap.loss_history),
            len(snap.batch_loss_history),
            snap.step,
            self.log_scale,
            self.log_steps,
            snap.diverged,
            self.ghosts,
            tuple(sorted(self.settings.items())),
            self.events,
        )

    def ceiling(self, snap: Snapshot) -> float | None:
        """The height losses are clipped at on the linear scale (None: nothing to clip)."""
        if self.log_scale:
            return None
        series = [
            snap.loss_history,
            snap.batch_loss_history,
            snap.test_loss_history,
            *(g.loss for g in self.ghosts),
            *(g.test_loss for g in self.ghosts),
        ]
        firsts = [
            float(v[np.isfinite(v)][0]) for v in map(np.asarray, series) if np.isfinite(v).any()
        ]
        if not firsts or max(firsts) <= 0:
            return None
        top = CLIP_FACTOR * max(firsts)
        with np.errstate(invalid="ignore"):
            over = any(np.any(np.asarray(v, dtype=float) > top) for v in series)  # inf too
        return top if over else None

    def curve(
        self, steps, values, label, color, log=False, plt=None, tag=None, log_steps=False
    ) -> bool:
        """SnapshotPlot.curve, with the values above the linear scale's ceiling (and an
        infinite last loss) drawn at the ceiling."""
        top = getattr(self, "_ceiling", None)
        if top is not None:
            values = np.minimum(np.asarray(values, dtype=float), top)
        return super().curve(steps, values, label, color, log, plt, tag, log_steps)

    def draw(self, snap: Snapshot) -> None:
        log, log_steps = self.log_scale, self.log_steps
        self._ceiling = self.ceiling(snap)
        if not snap.full_batch:
            batch = snap.batch_loss_history
            self.curve(np.arange(len(batch)), batch, "batch", "gray", log, log_steps=log_steps)
        last = snap.step
        for i, ghost in enumerate(self.ghosts):
            colour = GHOST_COLOURS[i % len(GHOST_COLOURS)]
            label = ghost.label(self.settings)
            self.curve(ghost.steps, ghost.loss, label, colour, log, log_steps=log_steps)
            if len(ghost.test_loss):
                self.curve(ghost.steps, ghost.test_loss, None, colour, log, log_steps=log_steps)
            if len(ghost.steps):
                last = max(last, int(ghost.steps[-1]))
        self.curve(
            *with_current(snap, snap.loss_history, snap.loss),
            "train",
            "blue",
            log,
            log_steps=log_steps,
        )
        self.curve(
            *with_current(snap, snap.test_loss_history, snap.test_loss),
            "test",
            "orange",
            log,
            log_steps=log_steps,
        )
        for step in sorted({e.step for e in self.events if e.step <= snap.step})[:50]:
            self.plt.vline(math.log10(step + 1) if log_steps else step, "red")
        step_axis(self.plt, last, log_steps, self.size.width)
        if self._ceiling is not None:  # says so inside the plot: a compact chart has no title
            note = f"above {number(self._ceiling, 6)} clipped (l: log scale)"
            self.plt.text(note, 0.05 * last, 0.5 * self._ceiling, color="red", alignment="left")
        if log:
            log_value_axis(self.plt, *self.shown_range, self.size.height)
        else:
            linear_value_axis(self.plt, *self.shown_range, self.plot_rows)
        self.plt.xlabel("step (log scale)" if log_steps else "step")
        self.plt.title("loss (log scale)" if log else "loss")
        if last == 0 and math.isfinite(snap.loss):  # one point: say how the curve starts, as
            # the health chart does (inside the plot: a compact chart has no title)
            self.plt.text(
                "one point so far: s takes a step, r runs",
                0.05,
                snap.loss,
                color="orange",
                background="default",
                alignment="left",
            )
