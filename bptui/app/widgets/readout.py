"""The readout beside the loss chart: accuracy and a confusion matrix, or R².

The confusion matrix stays readable up to 10 classes in the narrow pane: numbers when they fit,
else one colour cell per entry (green on the diagonal, red off it, brighter for a larger share of
the true class) with the counts of the most confused class spelled out. More than 10 classes:
each class's accuracy instead. Class labels come from the data, shortened so they stay distinct.
"""

from __future__ import annotations

import os

import numpy as np
from rich.cells import cell_len
from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from bptui.app.palette import DEFAULT, Palette
from bptui.app.snapshot import Snapshot
from bptui.app.style import fitted
from bptui.app.widgets.paletted import Paletted
from bptui.engine.numtext import number

MAX_MATRIX = 10
TRUE = "true↓"
"""The header of the rows (the true classes) of a confusion matrix in numbers."""
PREDICTED = "predicted→"
"""The header over its columns (the predicted classes)."""
BOTH = "true↓ pred→"
"""Both headers on one line, beside the column labels, where a line more does not fit."""
RIGHT = (60, 180, 90)
WRONG = (220, 60, 60)


def short_labels(names: tuple[str, ...], k: int, width: int) -> list[str]:
    """k distinct labels of at most `width` cells: the names without their common prefix and
    suffix (class_0, class_1 → 0, 1), cut short; the class numbers if that is not distinct."""
    names = [names[i] if i < len(names) else str(i) for i in range(k)]
    prefix = os.path.commonprefix(names) if k > 1 else ""
    suffix = os.path.commonprefix([n[::-1] for n in names])[::-1] if k > 1 else ""
    if len(prefix) + len(suffix) < min(len(n) for n in names):
        names = [n[len(prefix) : len(n) - len(suffix)] for n in names]
    labels = [n[:width] for n in names]
    if len(set(labels)) < k:
        labels = [str(i)[:width] for i in range(k)]
    return labels


def _colour(share: float, right: bool, neutral) -> Color:
    colour = RIGHT if right else WRONG
    t = 0.15 + 0.85 * share if share > 0 else 0.0
    return Color.from_rgb(*(round(a + (b - a) * t) for a, b in zip(neutral, colour)))


def confusion_text(
    counts: np.ndarray,
    names: tuple[str, ...],
    width: int,
    height: int = 99,
    palette: Palette = DEFAULT,
) -> Text:
    """Rows: true class; columns: predicted. Numbers if they fit in `width` × `height` (the
    headers on a line of their own each, else together on the column labels' line), else one
    colour cell per entry (two true classes per line when one per line does not fit)."""
    k = counts.shape[0]
    digits = len(str(int(counts.max(initial=0))))
    text = Text()
    for most in (6, 3, 2, 1):  # the longest labels that fit over the columns too
        labels = short_labels(names, k, most)
        label_width = max(len(label) for label in labels)
        cell = max(digits, label_width) + 1  # a column: its count or its class label, a blank
        side = max(label_width, len(TRUE)) + 1
        if side + k * cell <= width:
            break
    one_line = max(label_width, len(BOTH)) + 1  # the side column with both headers in it
    if side + k * cell <= width and k + 2 <= height:
        text.append_text(fitted([(" " * side + PREDICTED, "dim")], width))
        text.append("\n" + TRUE.ljust(side), "dim")
    elif one_line + k * cell <= width and k + 1 <= height:  # a line less: 'true↓ pred→  0  1'
        side = one_line
        text.append(BOTH.ljust(side), "dim")
    else:
        side = 0
    if side:
        text.append("".join(label.rjust(cell) for label in labels) + "\n", "dim")
        for i in range(k):
            text.append(labels[i].rjust(len(TRUE)).ljust(side), "dim")
            for j in range(k):
                style = "bold green" if i == j else ("red" if counts[i, j] else "dim")
                text.append(str(int(counts[i, j])).rjust(cell), style)
            text.append("\n")
        return text
    pairs = k + 2 > height  # two true classes per line, in half blocks
    labels = short_labels(names, k, 1 if pairs else max(1, min(3, width - 2 * k - 1)))
    text.append_text(fitted([("true↓ pred→ (share of each true class)", "dim")], width))
    text.append("\n")
    totals = counts.sum(axis=1)
    with np.errstate(all="ignore"):
        shares = np.nan_to_num(counts / totals[:, None])
    rows = (
        [(i, i + 1 if i + 1 < k else None) for i in range(0, k, 2)]
        if pairs
        else [(i, None) for i in range(k)]
    )
    label_width = 3 if pairs else max(len(label) for label in labels)
    cell = 2 if label_width + 1 + 2 * k <= width else 1
    for top, bottom in rows:
        name = labels[top] if bottom is None else f"{labels[top]}/{labels[bottom]}"
        text.append(name.ljust(label_width + 1)[: label_width + 1], "dim")
        for j in range(k):
            upper = _colour(float(shares[top, j]), top == j, palette.neutral)
            if pairs:
                lower = (
                    _colour(float(shares[bottom, j]), bottom == j, palette.neutral)
                    if bottom is not None
                    else Color.from_rgb(*palette.neutral)
                )
                text.append("▀" * cell, Style(color=upper, bgcolor=lower))
            else:
                text.append(" " * cell, Style(bgcolor=upper))
        text.append("\n")
    wrong = totals - np.diag(counts)
    worst = int(np.argmax(wrong))
    if wrong[worst]:
        parts = [(f"{labels[worst]}: ", "bold"), (f"{int(counts[worst, worst])} right", "green")]
        for j in np.argsort(-counts[worst])[:3]:
            if j != worst and counts[worst, j]:
                parts.append((f", {int(counts[worst, j])}→{labels[j]}", "red"))
        text.append_text(fitted(parts, width))
    return text


def per_class_text(counts: np.ndarray, names: tuple[str, ...], width: int) -> Text:
    """More classes than a matrix can show: each class's accuracy, worst first."""
    totals = counts.sum(axis=1)
    with np.errstate(all="ignore"):
        accuracy = np.diag(counts) / totals
    labels = short_labels(names, counts.shape[0], 8)
    text = Text("accuracy per class, worst first\n", "dim")
    for i in np.argsort(np.nan_to_num(accuracy, nan=2.0)):
        shown = "—" if not totals[i] else f"{accuracy[i]:.0%}"
        text.append_text(fitted([(f"{labels[i]:<9}", "dim"), (shown, "bold")], width))
        text.append("\n")
    return text


def accuracy_text(readout: dict, width: int) -> Text:
    """'acc train 98.3% test 96.7%' in `width` cells: shorter when narrow ('train 98% test
    97%'), and one line per set when even that does not fit ('train 100%', then 'test 95%'),
    never 'test …'."""
    digits = 1 if width >= 26 else 0
    parts = [("acc ", "dim")] if width >= 26 else []
    for part in ("train", "test"):
        if f"{part}_accuracy" in readout:
            parts += [
                (f"{part} ", "dim"),
                (f"{readout[f'{part}_accuracy']:.{digits}%}", "bold"),
                (" ", None),
            ]
    parts = parts[:-1]
    if sum(cell_len(t) for t, _ in parts) <= width:
        return fitted(parts, width)
    return Text.assemble(*(("\n", None) if t == " " else (t, s) for t, s in parts))


class Readout(Paletted, Static):
    """Accuracy and confusion matrix for classification, R² for regression."""

    DEFAULT_CSS = """
    Readout { width: 30; height: 1fr; padding: 0 1; }
    """

    snapshot: reactive[Snapshot | None] = reactive(None, init=False, repaint=False)
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
        width = max(8, self.size.width)  # the content's width: the padding is outside it
        text = Text()
        if r["task"] == "classification":
            text.append_text(accuracy_text(r, width))
            part = "test" if "test_confusion" in r else "train"
            counts = r[f"{part}_confusion"]
            text.append("\n")
            text.append_text(fitted([(f"confusion, {part}", "bold")], width))
            text.append("\n")
            above = text.plain.count("\n")  # the lines above the matrix
            if counts.shape[0] <= MAX_MATRIX:
                text.append_text(
                    confusion_text(
                        counts, r["classes"], width, max(3, self.size.height - above), self.palette
                    )
                )
            else:
                text.append_text(per_class_text(counts, r["classes"], width))
        else:
            for part in ("train", "test"):
                if f"{part}_r2" in r:
                    text.append(f"{part} R² ", "dim")
                    r2 = r[f"{part}_r2"]
                    text.append(
                        "— (undefined: the targets do not vary)\n"
                        if r2 != r2
                        else f"{r2:.4f}\n"
                        if abs(r2) < 1e4  # diverged: -1.03e38
                        else f"{number(r2)}\n",
                        "bold",
                    )
        self.update(text, layout=False)
