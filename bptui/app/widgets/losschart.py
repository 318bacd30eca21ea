"""The loss chart: against step, the cost of each step's batch (thin, for mini-batches) and the
whole training (and held-out) set's cost at the evaluation steps; pinned runs ("ghosts", key
c) on the same axes, labelled by what differs from the current settings."""

from __future__ import annotations

import numpy as np
from textual.reactive import reactive

from bptui.app.ghosts import Ghost
from bptui.app.snapshot import Snapshot
from bptui.app.widgets.plots import SnapshotPlot

GHOST_COLOURS = ("magenta", "cyan", "green", "yellow")


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
    """Plot log10(loss)."""
    ghosts: reactive[tuple[Ghost, ...]] = reactive((), init=False, repaint=False)
    """Pinned runs, oldest first."""
    settings: reactive[dict] = reactive(dict, init=False, repaint=False)
    """The current settings (ghosts are labelled by what differs from them)."""
    events: reactive[tuple] = reactive((), init=False, repaint=False)
    """The run's events (engine.events.Event) found by j or J: a red line at each step."""

    def watch_log_scale(self) -> None:
        self.soon()

    watch_ghosts = watch_settings = watch_events = watch_log_scale

    def key(self, snap: Snapshot):
        return (len(snap.loss_history), len(snap.batch_loss_history), snap.step, self.log_scale,
                snap.diverged, self.ghosts, tuple(sorted(self.settings.items())), self.events)

    def draw(self, snap: Snapshot) -> None:
        log = self.log_scale
        if not snap.full_batch:
            batch = snap.batch_loss_history
            self.curve(np.arange(len(batch)), batch, "batch", "gray", log)
        for i, ghost in enumerate(self.ghosts):
            colour = GHOST_COLOURS[i % len(GHOST_COLOURS)]
            label = ghost.label(self.settings)
            self.curve(ghost.steps, ghost.loss, label, colour, log)
            if len(ghost.test_loss):
                self.curve(ghost.steps, ghost.test_loss, None, colour, log)
        self.curve(*with_current(snap, snap.loss_history, snap.loss), "train", "blue", log)
        self.curve(*with_current(snap, snap.test_loss_history, snap.test_loss), "test", "orange",
                   log)
        for step in sorted({e.step for e in self.events if e.step <= snap.step})[:50]:
            self.plt.vline(step, "red")
        self.plt.xlabel("step")
        self.plt.title("log10 loss" if log else "loss")
