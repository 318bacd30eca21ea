"""The gradient-health view (key h, in place of the loss chart): per weight layer, over the
steps so far, log10 ‖∂C/∂W‖ (a vanishing or exploding gradient is a fan of lines), log10 of
the update-to-weight ratio ‖ΔW‖/‖W‖ against CS231n's guide of 1e-3, and the share of
saturated (sigmoid, tanh) or dead (ReLU) units of each hidden layer."""

from __future__ import annotations

import numpy as np

from bptui.app.snapshot import Snapshot
from bptui.app.widgets.plots import COLOURS, SnapshotPlot

GUIDE = -3.0  # log10 of the update-to-weight ratio CS231n suggests


class HealthChart(SnapshotPlot):
    """Three small plots side by side from the stepper's gradient-health trace."""

    def key(self, snap: Snapshot):
        return (snap.trace_rows, snap.step, snap.diverged)

    def draw(self, snap: Snapshot) -> None:
        plt = self.plt
        trace, n = snap.trace, snap.trace_rows
        if trace is None or n == 0:
            plt.title("gradient health: train a few steps (s, or r) to see it")
            return
        steps = np.arange(n)
        plots = [("log10 ‖∂C/∂W‖", trace.grad_norm[:n], True, "W"),
                 ("log10 ‖ΔW‖/‖W‖ (guide −3)", trace.update_ratio[:n], True, "W")]
        shares = np.fmax(np.nan_to_num(trace.saturated[:n], nan=-1.0),
                         np.nan_to_num(trace.dead[:n], nan=-1.0))
        flat = shares.shape[1] > 0 and (shares >= 0).any()
        if flat:
            plots.append(("% saturated or dead units", 100 * np.where(shares < 0, np.nan, shares),
                          False, "h"))
        plt.subplots(1, len(plots))
        for i, (title, values, log, prefix) in enumerate(plots):
            sub = plt.subplot(1, i + 1)
            for layer in range(values.shape[1]):
                name = f"{prefix}{layer + 1}"
                self.curve(steps, values[:, layer], None, COLOURS[layer % len(COLOURS)], log,
                           plt=sub, tag=name)
            if i == 1:
                sub.hline(GUIDE, "gray")
            sub.title(title)
