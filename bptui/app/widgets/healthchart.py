"""The gradient-health view (key h, in place of the loss chart): per weight layer, over the
steps so far, log10 ‖∂C/∂W‖ (a vanishing or exploding gradient is a fan of lines), log10 of
the update-to-weight ratio ‖ΔW‖/‖W‖ against CS231n's guide of 1e-3, and the share of
saturated (sigmoid, tanh) or dead (ReLU) units of each hidden layer."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from bptui.app.snapshot import Snapshot
from bptui.app.widgets.plots import (
    COLOURS,
    SnapshotPlot,
    log_value_axis,
    rich_colour,
    step_axis,
)

GUIDE = -3.0  # log10 of the update-to-weight ratio CS231n suggests


TITLES = ("‖∂C/∂W‖ per layer (log)", "‖ΔW‖/‖W‖ (1e-3 healthy)", "% saturated or dead")
SHORT_TITLES = ("‖∂C/∂W‖ (log)", "‖ΔW‖/‖W‖ (log)", "% sat./dead")
"""The titles where a plot is too narrow for TITLES (plotext drops a title wider than its plot)."""


def legend(layers: int, hidden: int, width: int) -> Text:
    """The legend line: one coloured dash and name per weight layer W (and hidden layer h, in
    the % plot), shorter where the pane is narrow."""

    def line(full: bool) -> Text:
        text = Text("layers: " if full else "", style="dim", no_wrap=True, overflow="ellipsis")
        for layer in range(layers):
            colour = rich_colour(COLOURS[layer % len(COLOURS)])
            text.append("━━" if full else "━", style=f"bold {colour}")
            if full:
                text.append(f" W{layer + 1}" + (f"/h{layer + 1}" if layer < hidden else "") + "  ")
            else:
                text.append(f"{layer + 1} ")
        if not full:
            text.append("(W1…, h1… in %)" if hidden else "(W1…)", style="dim")
        return text

    full = line(True)
    return full if full.cell_len <= width else line(False)


class HealthChart(SnapshotPlot):
    """Three small plots side by side from the stepper's gradient-health trace, each titled with
    what it shows, the layers in a legend (W1 … WL, h1 … for hidden layers)."""

    DEFAULT_CSS = """
    HealthChart #health-legend { height: 1; width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="health-legend")

    def key(self, snap: Snapshot):
        return (snap.trace_rows, snap.step, snap.diverged)

    def draw(self, snap: Snapshot) -> None:
        plt = self.plt
        trace, n = snap.trace, snap.trace_rows
        if trace is None or n == 0:
            plt.title("gradient health: nothing yet — press s (one step) or r (run)")
            self.query_one("#health-legend", Static).update("")
            return
        self.query_one("#health-legend", Static).update(
            legend(trace.grad_norm.shape[1], trace.saturated.shape[1], self.size.width)
        )
        steps = np.arange(n)
        plots = [
            (TITLES[0], trace.grad_norm[:n], True, "W"),
            (TITLES[1], trace.update_ratio[:n], True, "W"),
        ]
        shares = np.fmax(
            np.nan_to_num(trace.saturated[:n], nan=-1.0), np.nan_to_num(trace.dead[:n], nan=-1.0)
        )
        flat = shares.shape[1] > 0 and (shares >= 0).any()
        if flat:
            plots.append((TITLES[2], 100 * np.where(shares < 0, np.nan, shares), False, "h"))
        plt.subplots(1, len(plots))
        width = max(10, self.size.width // len(plots))
        for i, (title, values, log, prefix) in enumerate(plots):
            sub = plt.subplot(1, i + 1)
            self.shown_range = (float("inf"), float("-inf"))
            for layer in range(values.shape[1]):
                name = f"{prefix}{layer + 1}"
                self.curve(
                    steps,
                    values[:, layer],
                    None,
                    COLOURS[layer % len(COLOURS)],
                    log,
                    plt=sub,
                    tag=name if values.shape[1] <= 3 else None,
                )
            if i == 1:
                sub.hline(GUIDE, "gray")
            if not log:  # percentages: written as such (plotext's own read 100.0 66.7 33.3 0.0)
                sub.ylim(0, 100)
                sub.yticks([0, 50, 100], ["0%", "50%", "100%"])
            step_axis(sub, n, False, width)
            if log:
                low, high = self.shown_range
                if i == 1:
                    low, high = min(low, GUIDE), max(high, GUIDE)
                log_value_axis(sub, low, high, self.size.height)
            sub.title(title if len(title) + 6 <= width else SHORT_TITLES[i])

    @property
    def compact(self) -> bool:
        return False  # the titles say which plot is which: they stay, however short the pane
