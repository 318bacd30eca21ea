"""The matrix pane: the selected weight layer's numbers, as heat maps, by phase.

Always W with b beside it; then what the phase is about: the layer's input activations, z and
a (forward); the targets and δ (error); δ and ∂C/∂W, ∂C/∂b (backward); ΔW and the new W (update).
Per-sample blocks show a window of the batch around the selected sample, or the batch mean.
Entries the last micro-step changed are bold and underlined.
"""

from __future__ import annotations

import numpy as np
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive

from bptui.app.snapshot import LayerView, Phase, Rows, Snapshot
from bptui.app.style import fitted, fmt, heat_style, level
from bptui.app.widgets.lines import Line, LinesBuilder, LinesWidget, lines_text
from bptui.engine.gradcheck import STEP
from bptui.engine.names import Names, short_names
from bptui.engine.numtext import common_power, fit, number, scaled

CELL = 8
MIN_CELL = 5  # the narrowest cell a number is written in ('-0.42', '-1e-5')
SCALED_CELL = 3  # a cell of a whole number on a common scale ('-42' for -0.42 at ×0.01)
HEAD = Style(bold=True)
DIM = Style(dim=True)
LABEL = 9  # width of the row-label column
CURSOR = Style(reverse=True, bold=True)
CURSOR_LABEL = Style(bold=True, color="yellow")


class MatrixView(LinesWidget):
    """Renders heat-mapped matrices of one weight layer, bound to the app's view state."""

    DEFAULT_CSS = """
    MatrixView { height: 1fr; width: 1fr; text-wrap: nowrap; text-overflow: clip; }
    """

    snapshot: reactive[Snapshot | None] = reactive(None, repaint=False, init=False)
    """What to draw."""
    weight_layer: reactive[int] = reactive(0, repaint=False, init=False)
    """The weight layer shown (0-based)."""
    sample: reactive[int | None] = reactive(0, repaint=False, init=False)
    """The selected batch sample (None: the batch mean)."""
    gradcheck: reactive[tuple | None] = reactive(None, repaint=False, init=False)
    """gradcheck.LayerCheck per layer after `g`, until the next step."""
    cursor: reactive[tuple[int, int]] = reactive((1, 0), repaint=False, init=False)
    """The selected unit (column, unit): its row of this layer's blocks is the weight cursor's."""
    source: reactive[int | None] = reactive(None, repaint=False, init=False)
    """The weight cursor's input (the number of inputs: the bias), shown in reverse video;
    None: no weight cursor (until { } or a weight view uses it)."""
    names: reactive[Names | None] = reactive(None, repaint=False, init=False)
    """The preset's own names of the weights and biases (shown under W), if any."""

    max_rows = 8

    def watch_snapshot(self) -> None:
        self.schedule()

    watch_weight_layer = watch_sample = watch_gradcheck = watch_cursor = watch_source = (
        watch_names
    ) = watch_snapshot

    def selected(self, layer: int, n_in: int) -> tuple[int, int] | None:
        """(unit row, input column; n_in for the bias) of the weight cursor in weight layer
        `layer`, or None when the selected unit is not one of its units."""
        column, unit = self.cursor
        if column != layer + 1 or self.source is None:
            return None
        return unit, min(self.source, n_in)

    def build(self) -> Text:
        """The pane's text for the current snapshot, layer and sample."""
        return lines_text(self.build_lines())

    def build_lines(self) -> list[Line]:
        """The pane's lines for the current snapshot, layer and sample."""
        snap = self.snapshot
        if snap is None:
            return LinesBuilder().lines()
        layer = min(self.weight_layer, snap.depth - 1)
        view = snap.views[layer]
        width = max(20, self.size.width)
        out = LinesBuilder()
        n_out, n_in = view.w.shape
        header = [
            (f"Layer {layer + 1}/{snap.depth}", HEAD),
            (f"  {n_in} → {n_out} units, {view.activation}", DIM),
        ]
        if snap.batch_size > 1:
            which = (
                "batch mean"
                if self.sample is None
                else (f"sample {self.sample + 1}/{snap.batch_size}")
            )
            header.append((f"  · {which}", DIM))
        self._selected = self.selected(layer, n_in)
        if self._selected is not None:
            unit, source = self._selected
            name = "b" if source == n_in else str(source + 1)
            value = float(view.b[unit] if source == n_in else view.w[unit, source])
        out.append_text(fitted(header, width))
        out.append("\n")
        if self._selected is not None:
            source_name = (
                "bias"
                if source == n_in
                else (f"from x{source + 1}" if layer == 0 else f"from h{layer} unit {source + 1}")
            )
            out.append_text(
                fitted(
                    [
                        (
                            f"w {layer + 1}:{unit + 1}:{name} = {fmt(value, 9).strip()}",
                            CURSOR_LABEL,
                        ),
                        (f"  unit {unit + 1}, {source_name} · {{ }} move", DIM),
                    ],
                    width,
                )
            )
            out.append("\n")
        if self.gradcheck:
            self._gradcheck(out, width)
        self._legend(out, width)
        names = self.names if self.names is not None and self.names.fits(snap.layers) else None
        for k, (title, matrix, side, changed, rows_are_samples) in enumerate(
            self.blocks(snap, view, layer)
        ):
            self._block(out, title, matrix, side, changed, rows_are_samples, width, snap)
            if k == 0 and names is not None:
                self._names(out, names, layer, width)
        return out.lines()

    def _names(self, out: LinesBuilder, names: Names, layer: int, width: int) -> None:
        """The weights' and biases' own names, laid out like W │ b above them."""
        cell, label_width = (CELL, LABEL) if width >= 48 else (CELL - 1, LABEL - 4)
        rows = names.weights[layer]
        biases = names.biases[layer] if names.biases is not None else None
        room = (width - label_width - 5 - (cell + 2 if biases else 0)) // (cell + 1)
        out.append_text(fitted([("names", DIM)], width))
        out.append("\n")
        for r, row in enumerate(rows[:12]):
            label = " unit " if width >= 48 else " u"
            out.append(f"{label}{r + 1}".ljust(label_width)[:label_width], DIM)
            for name in row[: max(1, room)]:
                out.append(name.rjust(cell)[:cell] + " ", DIM)
            if len(row) > max(1, room):
                out.append(f"…+{len(row) - max(1, room)}", DIM)
            if biases is not None:
                out.append("│ ", DIM)
                out.append(biases[r].rjust(cell)[:cell], DIM)
            out.append("\n")

    def blocks(self, snap: Snapshot, view: LayerView, layer: int):
        """(title, matrix (r, c), side column (r,) or None, changed, rows are samples) by phase."""
        last = snap.last
        phase = last.phase
        here = last.layer == layer
        target = snap.next.phase if phase == Phase.READY else phase
        w_changed = phase == Phase.UPDATE
        delta = snap.update_formula.replace("θ", "W")
        if phase == Phase.UPDATE:
            yield "W before │ b", view.w_before, view.b_before, False, False
            yield f"{delta} │ Δb", view.update_w, view.update_b, False, False
            yield "new W = W + ΔW │ b", view.w, view.b, w_changed, False
            return
        yield "W │ b", view.w, view.b, False, False
        if target == Phase.FORWARD or not view.delta_done:
            if not view.input_done:
                yield (
                    "a_in: not computed yet in this step (the layer below comes first)",
                    None,
                    None,
                    False,
                    True,
                )
                return
            yield "a_in (input of this layer)", view.a_in, None, False, True
            if not view.forward_done:
                yield (
                    "z, a: not computed yet in this step (f computes them)",
                    None,
                    None,
                    False,
                    True,
                )
                return
            yield "z = a_in·Wᵀ + b", view.z, None, phase == Phase.FORWARD and here, True
            yield f"a = {view.activation}(z)", view.a, None, phase == Phase.FORWARD and here, True
            return
        delta_changed = (phase == Phase.ERROR and here) or (
            phase == Phase.BACKWARD and last.layer == layer + 1
        )
        yield "δ = ∂C/∂z", view.delta, None, delta_changed, True
        if view.gradient_done:
            grads_changed = phase == Phase.BACKWARD and here
            yield "∂C/∂W = δᵀ·a_in/m │ ∂C/∂b", view.dw, view.db, grads_changed, False
            yield f"pending: {delta} │ Δb", view.update_w, view.update_b, False, False

    def _gradcheck(self, out: LinesBuilder, width: int) -> None:
        """The gradient check in the lessons' notation (ε), each part on a line that fits."""
        out.append_text(fitted([("gradient check", HEAD), (f"  ε = {number(STEP)}", DIM)], width))
        out.append("\n")
        out.append_text(fitted([(" (C(θ+ε) − C(θ−ε))/2ε vs backprop", DIM)], width))
        out.append("\n")
        out.append_text(fitted([(" relative error per layer, this batch", DIM)], width))
        out.append("\n")
        for check in self.gradcheck:
            ok = check.relative_error < 1e-5
            sampled = "" if check.checked == check.total else f" ({check.checked} of {check.total})"
            out.append_text(
                fitted(
                    [
                        (
                            f" layer {check.layer + 1}: W {check.relative_error_w:.1e}"
                            f"  b {check.relative_error_b:.1e}",
                            "green" if ok else "bold red",
                        ),
                        (sampled, DIM),
                    ],
                    width,
                )
            )
            out.append("\n")
        out.append("\n")

    def _legend(self, out: LinesBuilder, width: int) -> None:
        parts = [
            ("−", DIM),
            *(("  ", heat_style(lv)) for lv in (-16, -11, -6, -2)),
            (" 0 ", DIM),
            *(("  ", heat_style(lv)) for lv in (2, 6, 11, 16)),
            ("+", DIM),
        ]
        if width >= 48:
            parts += [
                ("  ", None),
                ("underlined", Style(underline=True, bold=True)),
                (": just computed", DIM),
            ]
        out.append_text(fitted(parts, width))
        out.append("\n")

    def _sample_rows(self, snap: Snapshot, rows: Rows) -> tuple[np.ndarray, list[str]]:
        if self.sample is None:
            return rows.row(None)[None, :], ["mean"]
        sel = min(self.sample, rows.m - 1)
        shown = rows.window[: self.max_rows]
        labels = []
        for r in range(rows.start, rows.start + shown.shape[0]):
            k = r - rows.start
            index = int(snap.batch_rows[k]) + 1 if k < len(snap.batch_rows) else r + 1
            labels.append(f"{'▶' if r == sel else ' '}#{index}")
        return shown, labels

    @staticmethod
    def cells(width: int, cols: int, side: bool, labels: list[str]) -> tuple[int, int, int, bool]:
        """(cell width, label width, columns shown, scaled) of a block of `cols` columns (and a
        side column `side`) in `width` cells: full cells where they fit (else the first columns
        and "…+N"), narrower cells (fewer digits) when that shows every column, and in the
        narrowest panes cells of whole numbers on a common scale (`×0.01`). No cell, label or
        number is ever wider than its budget."""
        cell, label_width = (CELL, LABEL) if width >= 48 else (CELL - 1, LABEL - 4)
        longest = max((len(label) for label in labels), default=0) + 1
        label_width = max(label_width, longest)

        def used(cell: int, label_width: int) -> int:
            return label_width + cols * (cell + 1) + (cell + 2 if side else 0)

        if used(cell, label_width) <= width:
            return cell, label_width, cols, False
        compact_label = max(LABEL - 4, longest)
        for narrow in range(cell - 1, MIN_CELL - 1, -1):
            for lw in dict.fromkeys((label_width, compact_label)):
                if used(narrow, lw) <= width:
                    return narrow, lw, cols, False
        if used(SCALED_CELL, compact_label) <= width:
            return SCALED_CELL, compact_label, cols, True
        room = (width - label_width - 5 - (cell + 2 if side else 0)) // (cell + 1)
        return cell, label_width, max(1, min(cols, room)), False

    def _block(
        self,
        out: LinesBuilder,
        title: str,
        matrix: np.ndarray,
        side: np.ndarray | None,
        changed: bool,
        rows_are_samples: bool,
        width: int,
        snap: Snapshot,
    ) -> None:
        out.append("\n")
        if matrix is None:
            out.append_text(fitted([(title, DIM)], width))
            out.append("\n")
            return
        heading = [(title, HEAD)]
        cursor = None  # (row shown, column) of the weight cursor in a block of unit rows
        first_row = 0
        layer = min(self.weight_layer, snap.depth - 1)
        if rows_are_samples:
            total_rows = matrix.m
            shown, labels = self._sample_rows(snap, matrix)
            matrix = shown
            if self.sample is not None and total_rows > len(labels):
                heading.append(
                    (f"  rows {len(labels)} of {total_rows} samples (, and . scroll)", DIM)
                )
        else:
            total_rows = matrix.shape[0]
            limit = 12
            name = " unit " if width >= 48 else " u"
            selected = getattr(self, "_selected", None)
            if (
                selected is not None
                and selected[0] < total_rows
                and matrix.shape[1] == snap.views[layer].w.shape[1]
            ):
                cursor = selected
            first_row = (
                0 if cursor is None else max(0, min(cursor[0] - limit + 1, total_rows - limit))
            )
            shown = matrix[first_row : first_row + limit]
            labels = [f"{name}{r + 1}" for r in range(first_row, first_row + shown.shape[0])]
            if side is not None:
                side = side[first_row : first_row + limit]
            if total_rows > limit and first_row == 0:
                heading.append((f"  first {limit} of {total_rows} rows", DIM))
            elif total_rows > limit:
                heading.append(
                    (f"  rows {first_row + 1}–{first_row + shown.shape[0]} of {total_rows}", DIM)
                )
        cols = shown.shape[1]
        cell, label_width, visible, compact = self.cells(width, cols, side is not None, labels)
        scale = float(np.nanmax(np.abs(matrix), initial=0.0)) if matrix.size else 0.0
        if side is not None and side.size:
            scale = max(scale, float(np.nanmax(np.abs(side))))
        if not np.isfinite(scale):
            scale = 0.0
        power = common_power(scale, SCALED_CELL) if compact else 0
        if compact:
            unit = 10.0**-power
            heading.append((f"  ×{number(unit)} (· under {number(unit / 2)})", DIM))
        out.append_text(fitted(heading, width))
        out.append("\n")
        first_col = 0
        if cursor is not None and cursor[1] < cols and cursor[1] >= visible:
            first_col = cursor[1] - visible + 1
        if cursor is not None:
            cursor = (cursor[0] - first_row, cursor[1])
        shown_to = first_col + visible - (1 if first_col else 0)
        inputs = self.input_names(snap, layer, cols)
        if inputs is not None:
            named = short_names(inputs, cols, cell)
            out.append(" " * label_width, DIM)
            if first_col:
                out.append(" " * (cell + 1))
            for c in range(first_col, min(cols, shown_to)):
                out.append(named[c].rjust(cell) + " ", DIM)
            out.append("\n")

        def cell_text(value: float) -> str:
            return scaled(value, power).rjust(cell) if compact else fit(value, cell).rjust(cell)

        for r in range(shown.shape[0]):
            on_row = cursor is not None and cursor[0] == r
            out.append(labels[r].ljust(label_width)[:label_width], CURSOR_LABEL if on_row else DIM)
            if first_col:
                out.append(f"…{first_col}+"[:cell].rjust(cell) + " ", DIM)
            for c in range(first_col, min(cols, shown_to)):
                value = float(shown[r, c])
                style = (
                    CURSOR
                    if on_row and cursor[1] == c
                    else heat_style(level(value, scale), changed, changed)
                )
                out.append(cell_text(value), style)
                out.append(" ")
            if shown_to < cols:
                out.append(f"…+{cols - shown_to}", DIM)
            if side is not None and r < side.shape[0]:
                value = float(side[r])
                out.append("│ ", DIM)
                style = (
                    CURSOR
                    if on_row and cursor[1] == cols
                    else heat_style(level(value, scale), changed, changed)
                )
                out.append(cell_text(value), style)
            out.append("\n")

    def input_names(self, snap: Snapshot, layer: int, cols: int) -> tuple[str, ...] | None:
        """The data's own names of the network's inputs (a CSV's columns, engineered features)
        when a block's columns are those inputs (weight layer 1); None for x1, x2 …"""
        names = tuple(snap.data.feature_names)
        if layer != 0 or cols != snap.layers[0] or len(names) != cols:
            return None
        if names == tuple(f"x{i + 1}" for i in range(cols)):
            return None
        return names
