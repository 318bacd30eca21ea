"""The readout beside the loss chart: accuracy and a confusion matrix, or R²."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from bptui.app.snapshot import Snapshot


def confusion_text(counts, names: tuple[str, ...], width: int) -> Text:
    """Rows: true class; columns: predicted. The diagonal (right) in bold green."""
    k = counts.shape[0]
    labels = [(names[i] if i < len(names) else str(i))[:6] for i in range(k)]
    text = Text("true\\pred\n", style="dim")
    cell = max(3, len(str(int(counts.max(initial=0)))) + 1)
    for i in range(k):
        text.append(labels[i][:7].ljust(8), "dim")
        for j in range(k):
            style = "bold green" if i == j else ("red" if counts[i, j] else "dim")
            text.append(str(int(counts[i, j])).rjust(cell), style)
        text.append("\n")
    return text


class Readout(Static):
    """Accuracy and confusion matrix for classification, R² for regression."""

    DEFAULT_CSS = """
    Readout { width: 30; height: 1fr; padding: 0 1; }
    """

    snapshot: reactive[Snapshot | None] = reactive(None, init=False)
    """Its readouts are shown (redrawn only when they are new ones)."""

    _shown = None

    def watch_snapshot(self, snap: Snapshot | None) -> None:
        if snap is None or snap.readout is self._shown:
            return
        self._shown = snap.readout
        self.show(snap)

    def on_resize(self) -> None:
        if self.snapshot is not None:
            self.show(self.snapshot)

    def show(self, snap: Snapshot) -> None:
        """Update from a snapshot."""
        r = snap.readout
        text = Text()
        if r["task"] == "classification":
            for part in ("train", "test"):
                if f"{part}_accuracy" in r:
                    text.append(f"{part} accuracy ", "dim")
                    text.append(f"{r[f'{part}_accuracy']:.1%}\n", "bold")
            part = "test" if "test_confusion" in r else "train"
            counts = r[f"{part}_confusion"]
            if counts.shape[0] <= 10:
                text.append(f"confusion ({part})\n", "bold")
                text.append_text(confusion_text(counts, r["classes"], self.size.width))
        else:
            for part in ("train", "test"):
                if f"{part}_r2" in r:
                    text.append(f"{part} R² ", "dim")
                    r2 = r[f"{part}_r2"]
                    text.append("— (undefined)\n" if r2 != r2 else f"{r2:.4f}\n", "bold")
        self.update(text, layout=False)
