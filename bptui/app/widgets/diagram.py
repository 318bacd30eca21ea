"""The network diagram: units as nodes showing a and δ, edges coloured by weight.

Each unit layer is a column. A node shows its activation a on one line and its δ on the next,
for the selected sample (or the batch mean). Edges are Braille lines coloured by the weight's
sign (blue +, orange −) and brighter for larger |w|. The weight layer the last micro-step
computed is highlighted with the direction of flow (→ forward, ← backward); the unit cursor is
shown in reverse video. Where a and δ on two rows do not fit, each unit takes one row; a layer
still too tall shows a window of units ("units 1-6 of 16") that follows the cursor, and a network
too wide a window of layers (‹ ›). Between two wide layers only the selected unit's edges are
drawn (diagram_layout decides where everything goes).
"""

from __future__ import annotations

import numpy as np
from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive

from bptui.app.snapshot import Phase, Snapshot
from bptui.app.style import heat_style, level, line_style
from bptui.app.widgets.braille import BrailleCanvas
from bptui.app.widgets.diagram_layout import Column, Plan, plan, range_label
from bptui.app.widgets.lines import Line, LinesWidget, lines_text, runs_line
from bptui.engine.names import layer_name, short_names
from bptui.engine.numtext import fit, number

FAN = 24  # more edges than this between two columns: only the selected unit's are drawn
TITLE = Style(bold=True)
ACTIVE = Style(bold=True, reverse=True)
DIM = Style(dim=True)
CURSOR = Style(reverse=True, bold=True)
STALE = Style(color="grey50")
EDGE = Style(color="yellow", bold=True)
"""The weight cursor's edge and its address."""
FLAT = Style(color="red", italic=True)
"""A saturated or dead unit (it passes back almost none of the error that reaches it)."""


def grey(values: np.ndarray) -> list[Color]:
    """Grey levels for a picture's pixels, darkest for its smallest value."""
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    span = hi - lo if hi > lo else 1.0
    levels = np.nan_to_num((values - lo) / span * 200 + 30, nan=0.0).astype(int)
    return [Color.from_rgb(v, v, v) for v in levels]


def signed(values: np.ndarray, scale: float) -> list[Color]:
    """Weights as colours: blue for +, orange for −, brighter the larger |w| (as the matrix)."""
    out = []
    for v in values:
        style = heat_style(level(float(v), scale))
        out.append(style.bgcolor)
    return out


def picture(pixels: np.ndarray, colours, put, x: int, y: int, height: int) -> int:
    """Draw pixels (rows, cols) two to a cell ("▀": upper pixel foreground, lower background)
    from row y; returns the first row below it."""
    rows = pixels.shape[0]
    for r in range(0, rows, 2):
        if y >= height:
            break
        upper = colours(pixels[r])
        lower = colours(pixels[r + 1]) if r + 1 < rows else [None] * len(upper)
        for c, (fg, bg) in enumerate(zip(upper, lower)):
            put(x + c, y, "▀", Style(color=fg, bgcolor=bg))
        y += 1
    return y


def raw_inputs(snap: Snapshot, sample: int | None) -> np.ndarray:
    """The selected sample's inputs as the data gave them (before normalization)."""
    x = snap.views[0].a_in.row(sample)
    mean, std = snap.data.notes.get("mean"), snap.data.notes.get("std")
    if mean is not None and std is not None and len(mean) == x.size:
        return x * np.asarray(std) + np.asarray(mean)
    return x


def legend_forms(plan: Plan, ranges: list[tuple[Column, str]]) -> list[str]:
    """The bottom row's legend, longest form first: how a two-row node reads, and what a windowed
    layer's shortest range label means ('1-2/6: units 1-2 of 6'), where one has it."""
    nodes = "each unit: a, δ below" if not plan.labelled and not plan.one_row else ""
    short = next(((c, label) for c, label in ranges if "/" in label), None)
    if short is None:
        return [nodes] if nodes else []
    column, label = short
    key = f"{label}: {range_label(column.first, column.shown, column.total, 99)}"
    if not nodes:
        return [key]
    return [f"{nodes} · {key}", f"a, δ below · {key}", key, nodes]


def column_name(column: int, depth: int) -> str:
    """'input', 'hidden layer 1', …, 'output layer': the words P's prompt uses."""
    return layer_name(column, depth)


class NetworkDiagram(LinesWidget):
    """Draws a Snapshot as a network, bound to the app's view state."""

    DEFAULT_CSS = """
    NetworkDiagram { height: 1fr; width: 1fr; }
    """

    snapshot: reactive[Snapshot | None] = reactive(None, repaint=False, init=False)
    """What to draw."""
    cursor: reactive[tuple[int, int]] = reactive((1, 0), repaint=False, init=False)
    """(column, unit) of the selected unit; column 0 is the input layer."""
    sample: reactive[int | None] = reactive(0, repaint=False, init=False)
    """The batch sample whose a and δ are shown (None: the batch mean)."""
    source: reactive[int | None] = reactive(None, repaint=False, init=False)
    """The weight cursor: the selected unit's input whose edge is highlighted (the number of
    inputs: its bias); None: no weight cursor."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._edge_cache: dict = {}
        self._levels_keys: dict = {}  # (shape, bytes) of weights → str of their colour levels

    def watch_snapshot(self) -> None:
        self.schedule()

    watch_cursor = watch_sample = watch_source = watch_snapshot

    @staticmethod
    def titles(plan: Plan, width: int) -> list[tuple[int, str]]:
        """(x, title) per visible column: the words P uses ('hidden layer 1', 'output layer'),
        in the same form for every hidden layer, shortened ('h1', 'out') only where they do not
        fit; never cut. A title may start early, in the gap after the previous one."""
        depth = plan.total_columns - 1
        columns = plan.columns
        right = width - (1 if plan.hidden_right else 0)

        def forms(column: int) -> list[str]:
            if column == 0:
                return ["input", "input", "in"]
            if column == depth:
                return ["output layer", "output", "out"]
            return [column_name(column, depth), f"hidden {column}", f"h{column}"]

        def room(k: int) -> int:
            end = columns[k + 1].x - 1 if k + 1 < len(columns) else right
            return end - columns[k].x

        for form in range(3):
            out, free, fits = [], 1 if plan.hidden_left else 0, True
            for k, column in enumerate(columns):
                options = forms(column.index)
                slack = max(0, min(3, column.x - free - 1)) if k else 0
                title = options[form]
                if column.index == depth:  # the one output layer: its longest form that fits
                    title = next((t for t in options if len(t) <= room(k) + slack), options[2])
                if len(title) > room(k) + slack:
                    fits = False
                    break
                x = column.x - max(0, len(title) - room(k))
                out.append((x, title))
                free = x + len(title)
            if fits:
                return out
        return [(c.x, forms(c.index)[2]) for c in columns]

    def edge_cells(
        self,
        w: np.ndarray,
        cells: int,
        height: int,
        rows_in: tuple,
        rows_out: tuple,
        pairs: tuple | None = None,
    ) -> list[tuple[int, int, str, int]]:
        """(x, y, character, colour level) of the cells edges pass through; w (out, in) shown;
        `pairs` ((j, i), ...) limits the edges drawn (default: all)."""
        scale = float(np.abs(w).max()) if w.size else 0.0
        scale = scale if np.isfinite(scale) and scale > 0 else 1.0
        weights = (w.shape, w.tobytes())  # levels are a function of the weights: computed
        levels_key = self._levels_keys.get(weights)  # once per weights, not once per press
        levels = None
        if levels_key is None:
            levels = [[level(float(v), scale) for v in row] for row in w]
            if len(self._levels_keys) > 64:
                self._levels_keys.clear()
            levels_key = self._levels_keys[weights] = str(levels)
        key = (cells, height, rows_in, rows_out, levels_key, pairs)
        cached = self._edge_cache.get(key)
        if cached is not None:
            return cached
        if levels is None:
            levels = [[level(float(v), scale) for v in row] for row in w]
        canvas = BrailleCanvas(cells, height)
        if pairs is None:
            pairs = tuple((j, i) for j in range(len(rows_out)) for i in range(len(rows_in)))
        for j, i in pairs:
            canvas.line(
                1,
                rows_in[i] * 4 + 1,
                cells * 2 - 2,
                rows_out[j] * 4 + 1,
                abs(levels[j][i]) + abs(float(w[j, i])) / scale / 100,
                levels[j][i],
            )
        result = []
        for cy in range(height):
            for cx in range(1, cells - 1):
                ch, tag = canvas.cell(cx, cy)
                if tag is not None:
                    result.append((cx, cy, ch, tag))
        if len(self._edge_cache) > 64:
            self._edge_cache.clear()
        self._edge_cache[key] = result
        return result

    def edge_pairs(self, col_in: Column, col_out: Column) -> tuple | None:
        """Which edges between two shown columns to draw, as ((j, i), ...) of shown units
        (None: all). The whole fan where it has at most FAN edges (it reads as a fan); else only
        the selected unit's, in and out: all of them would be a solid band."""
        if col_in.shown * col_out.shown <= FAN:
            return None
        column, unit = self.cursor
        if column == col_in.index and col_in.row(unit) is not None:
            return tuple((j, unit - col_in.first) for j in range(col_out.shown))
        if column == col_out.index and col_out.row(unit) is not None:
            return tuple((unit - col_out.first, i) for i in range(col_in.shown))
        return ()

    def picture_caption(self, snap: Snapshot) -> tuple[str, str, Style | None]:
        """('#3', 'label 3, predicted 5', style) for the selected sample of a picture input
        (the label and prediction only for classification)."""
        if self.sample is None:
            return "mean", "", None
        which = f"#{self.sample + 1}"
        start = snap.views[0].a_in.start
        k = self.sample - start
        data = snap.data
        if data.task != "classification" or not 0 <= k < len(snap.batch_rows):
            return which, "", None
        row = int(snap.batch_rows[k])
        if row >= data.y_train.shape[0]:
            return which, "", None
        names = data.class_names
        label = int(np.argmax(data.y_train[row]))
        out = snap.views[-1].a.row(self.sample)
        label_text = names[label] if label < len(names) else str(label)
        if not snap.views[-1].forward_done or not np.isfinite(out).all():
            return which, f"label {label_text}", None
        guess = int(np.argmax(out))
        guess_text = names[guess] if guess < len(names) else str(guess)
        style = Style(color="green") if guess == label else Style(color="red")
        return which, f"label {label_text}, predicted {guess_text}", style

    def pictures(
        self,
        snap: Snapshot,
        image: tuple[int, int],
        put,
        x: int,
        width: int,
        room: int,
        height: int,
    ) -> None:
        """Image inputs: the selected sample's raw pixel values as a picture (grey levels, two
        pixels a cell) with its label and the network's prediction, and with a first-layer unit
        selected its incoming weights the same way (its receptive field, blue + / orange −).
        `room`: cells free to the right of the picture's column for the caption."""
        rows, cols = image
        if cols > width:
            put(x, 2, f"{rows}×{cols}" if len(f"{rows}×{cols}") <= width else "", DIM)
            return
        pixels = raw_inputs(snap, self.sample).reshape(rows, cols)
        which, caption, style = self.picture_caption(snap)
        for text in (f"x {which}: {caption}", caption, f"x {which}"):
            if text and len(text) <= room:
                put(x, 2, text, style if caption and text.endswith(caption) else DIM)
                break
        y = picture(pixels, grey, put, x, 3, height)
        column, unit = self.cursor
        if column == 1 and y + 2 < height:
            w = snap.views[0].w[unit].reshape(rows, cols)
            label = f"w→unit {unit + 1}"
            put(x, y + 1, label if len(label) <= room else f"w→{unit + 1}"[:room], DIM)
            scale = float(np.nanmax(np.abs(w))) if np.isfinite(w).any() else 0.0
            picture(w, lambda v: signed(v, scale), put, x, y + 2, height)

    def weight_edge(self, snap: Snapshot, plan: Plan, put, width: int, height: int) -> None:
        """The weight cursor's edge, highlighted, and its address L:U:I with the value on the
        last row (which the plan keeps free)."""
        column, unit = self.cursor
        if self.source is None or column == 0:
            return
        layer = column - 1
        view = snap.views[layer]
        n_in = view.w.shape[1]
        source = min(self.source, n_in)
        name = "b" if source == n_in else str(source + 1)
        value = float(view.b[unit] if source == n_in else view.w[unit, source])
        for label in (
            f"w {layer + 1}:{unit + 1}:{name} = {number(value, 8)}",
            f"w {layer + 1}:{unit + 1}:{name} = {fit(value, 5)}",
            f"w {layer + 1}:{unit + 1}:{name}",
        ):
            if len(label) <= width:
                break
        col_in, col_out = plan.column(layer), plan.column(column)
        anchor = col_in.x + col_in.width if col_in is not None else 0
        put(max(0, min(anchor, width - len(label))), height - 1, label[:width], EDGE)
        if col_in is None or col_out is None or source == n_in or (layer == 0 and snap.data.image):
            return
        row_in, row_out = col_in.row(source), col_out.row(unit)
        x0 = col_in.x + col_in.width
        cells = col_out.x - x0
        if row_in is None or row_out is None or cells < 3:
            return
        canvas = BrailleCanvas(cells, height)
        canvas.line(1, row_in * 4 + 1, cells * 2 - 2, row_out * 4 + 1, 1.0, True)
        for cy in range(height - 1):
            for cx in range(1, cells - 1):
                ch, tag = canvas.cell(cx, cy)
                if tag is not None:
                    put(x0 + cx, cy, ch, EDGE)

    def unit_readout(self, snap: Snapshot, plan: Plan, grid, put, width: int, height: int):
        """The selected unit's a and δ to 4 significant digits on the free bottom row, where its
        node is narrower than the 7 cells that keep 3 significant digits (a 5-cell node writes
        δ = 0.008771 as 0.009: too coarse to compute with). Nothing where a node of 7 cells would
        show no more than this one, or the row is taken."""
        column, unit = self.cursor
        if plan.column(column) is None or column == 0:
            return
        a, delta, a_now, delta_now = snap.column_values(column, self.sample)
        shown = [(f"a {number(float(a[unit]))}", float(a[unit]))] if a_now else []
        if delta is not None and delta_now:
            shown.append((f"δ {number(float(delta[unit]))}", float(delta[unit])))
        vw = plan.value_width
        if not any(fit(value, vw) != fit(value, max(vw, 7)) for _, value in shown):
            return
        values = " ".join(text for text, _ in shown)
        label = next(
            (
                t
                for t in (f"unit {column}:{unit + 1}: {values}", f"{column}:{unit + 1} {values}")
                if len(t) <= width
            ),
            None,
        )
        if label is not None and not "".join(grid[height - 1][: len(label)]).strip():
            put(0, height - 1, label, CURSOR)

    def layout(self, snap: Snapshot, width: int, height: int) -> Plan | None:
        """The plan for this snapshot and size (windows follow the cursor, moving as little as
        they can from the last plan's)."""
        image = snap.data.image
        self._plan = plan(
            snap.layers,
            width,
            height,
            self.cursor,
            image_width=image[1] if image else None,
            previous=getattr(self, "_plan", None),
            reserve_bottom=self.source is not None,
            names_width=max(map(len, snap.data.feature_names), default=0),
        )
        return self._plan

    def node_texts(
        self, snap: Snapshot, plan: Plan, column: Column
    ) -> list[tuple[int, str, str | None, bool, bool]]:
        """Per shown unit: (unit, a line, δ line or None, a is current, δ is current); one-row
        plans put both on the a line. Every line fits the column's width. A saturated or dead
        unit is marked ✕ in every plan (labelled: instead of its "a " label; else before its a,
        one digit shorter), as the count under the column's title says."""
        vw, width = plan.value_width, column.width
        a, delta, a_now, delta_now = snap.column_values(column.index, self.sample)
        view = snap.views[column.index - 1] if 0 < column.index < snap.depth else None
        flat = view.flat if view is not None else None
        names = short_names(
            snap.data.feature_names,
            snap.layers[0],
            width - vw - 1 if plan.one_row else width - (2 if plan.labelled else 0),
        )
        out = []
        for unit in range(column.first, column.first + column.shown):
            is_flat = flat is not None and bool(flat[unit])
            a_text = fit(float(a[unit]), vw) if a_now else "·"
            if is_flat and not plan.labelled:  # the mark a labelled plan puts in its label
                a_text = "✕" + (fit(float(a[unit]), vw - 1) if a_now else "·")
            d_text = None
            if delta is not None:
                d_text = fit(float(delta[unit]), vw) if delta_now else "·"
            if plan.one_row:
                second = d_text if d_text is not None else names[unit]
                line, below = f"{a_text.ljust(vw)} {second}", None
            elif plan.labelled:
                label = "x " if column.index == 0 else ("✕ " if is_flat else "a ")
                line = label + a_text
                below = f"δ {d_text}" if d_text is not None else f"  {names[unit]}"
            else:
                line, below = a_text, d_text if d_text is not None else names[unit]
            out.append(
                (unit, line[:width], below[:width] if below is not None else None, a_now, delta_now)
            )
        return out

    def build(self) -> Text:
        """The diagram as text, one line per row of the pane."""
        return lines_text(self.build_lines())

    def build_lines(self) -> list[Line]:
        """The diagram's lines (runs of one style), one per row of the pane: drawn in a grid of
        cells, then cut into runs where the style changes."""
        snap = self.snapshot
        width, height = self.size.width, self.size.height
        if snap is None or width < 8 or height < 4:
            return [runs_line([])]
        plan = self.layout(snap, width, height)
        if plan is None:
            return [runs_line([])]
        depth = snap.depth
        grid = [[" "] * width for _ in range(height)]
        styles: list[list[Style | None]] = [[None] * width for _ in range(height)]

        def put(x: int, y: int, text: str, style: Style | None = None) -> None:
            for i, ch in enumerate(text):
                if 0 <= x + i < width and 0 <= y < height:
                    grid[y][x + i] = ch
                    styles[y][x + i] = style

        columns = plan.columns
        last = snap.last
        active_layer = last.layer if last.phase != Phase.UPDATE else None
        if plan.hidden_left:
            put(0, 0, "‹", DIM)
        if plan.hidden_right:
            put(width - 1, 0, "›", DIM)
        # direction of flow over the gap of the active weight layer
        gap_label = {}  # a column's index -> where the label in the gap to its right starts
        for left, right in zip(columns, columns[1:]):
            layer = left.index
            x0, x1 = left.x + left.width + 1, right.x - 1
            span = x1 - x0
            if span < 1:
                continue
            if last.phase == Phase.FORWARD and last.layer == layer:
                put(x0, 1, "─" * (span - 1) + "→", ACTIVE)
                gap_label[layer] = x0
            elif last.phase == Phase.BACKWARD and last.layer == layer:
                put(x0, 1, "←" + "─" * (span - 1), ACTIVE)
                gap_label[layer] = x0
            elif last.phase == Phase.UPDATE and span >= 3:
                gap_label[layer] = x0 + max(0, span // 2 - 2)
                put(gap_label[layer], 1, "+ΔW", ACTIVE)
        for column, (x, title) in zip(columns, self.titles(plan, width)):
            highlighted = (active_layer is not None and column.index == active_layer + 1) or (
                last.phase == Phase.UPDATE and column.index > 0
            )
            put(x, 0, title, ACTIVE if highlighted else TITLE)
            view = snap.views[column.index - 1] if 0 < column.index < depth else None
            if view is not None and view.flat is not None and view.flat.any():  # under the title
                kind = "dead" if view.flat_kind == "dead" else "sat."
                count = int(view.flat.sum())
                room = max(column.width, len(title))  # up to a label in the gap to the right
                room = min(room, gap_label.get(column.index, width) - 1 - column.x)
                text = next((t for t in (f"{count}✕ {kind}", f"{count}✕") if len(t) <= room), "")
                put(column.x, 1, text, FLAT)

        output = plan.column(depth)
        if last.phase == Phase.ERROR and output is not None:
            room = width - output.x
            label = next((t for t in ("C, δ = ∂C/∂z", "C, δ", "δ") if len(t) <= room), "")
            put(output.x, 1, label, ACTIVE)

        image = snap.data.image
        # edges: Braille lines, cached until the weights' colour levels or the layout change
        for col_in, col_out in zip(columns, columns[1:]):
            layer = col_in.index
            if layer == 0 and image:  # a picture's pixels have no nodes
                continue
            x0 = col_in.x + col_in.width
            cells = col_out.x - x0
            if cells < 3:
                continue
            rows_in = tuple(col_in.row(i) for i in range(col_in.first, col_in.first + col_in.shown))
            rows_out = tuple(
                col_out.row(j) for j in range(col_out.first, col_out.first + col_out.shown)
            )
            bright = active_layer is None or active_layer == layer or last.phase == Phase.UPDATE
            w = snap.views[layer].w[
                col_out.first : col_out.first + col_out.shown,
                col_in.first : col_in.first + col_in.shown,
            ]
            pairs = self.edge_pairs(col_in, col_out)
            for cx, cy, ch, tag in self.edge_cells(w, cells, height, rows_in, rows_out, pairs):
                put(x0 + cx, cy, ch, line_style(tag, bright))

        self.weight_edge(snap, plan, put, width, height)

        # nodes
        cursor_column, cursor_unit = self.cursor
        ranges = []  # (column, label) of the windowed layers
        for k, column in enumerate(columns):
            room = (columns[k + 1].x - 1 if k + 1 < len(columns) else width) - column.x
            if column.index == 0 and image:
                self.pictures(snap, image, put, column.x, column.width, room, height)
                continue
            if plan.one_row:
                vw = plan.value_width
                put(
                    column.x,
                    plan.body_top - 1,
                    ("x" if column.index == 0 else "a").ljust(vw + 1)
                    + ("" if column.index == 0 else "δ"),
                    DIM,
                )
            view = snap.views[column.index - 1] if 0 < column.index < depth else None
            flat = view.flat if view is not None else None
            for unit, line, below, a_now, delta_now in self.node_texts(snap, plan, column):
                y = column.row(unit)
                selected = (column.index, unit) == (cursor_column, cursor_unit)
                is_flat = flat is not None and bool(flat[unit])
                style = CURSOR if selected else (FLAT if is_flat else (None if a_now else STALE))
                put(column.x, y, line.ljust(column.width), style)
                if below is not None:
                    if column.index == 0:
                        put(column.x, y + 1, below, CURSOR if selected else DIM)
                    else:
                        put(
                            column.x,
                            y + 1,
                            below.ljust(column.width),
                            CURSOR if selected else (None if delta_now else STALE),
                        )
            if column.windowed:
                label = range_label(column.first, column.shown, column.total, room)
                put(column.x, column.range_row, label.ljust(min(room, len(label) + 1)), DIM)
                ranges.append((column, label))
        if self.source is None:  # else the bottom row names the selected weight
            legend = next(
                (
                    t
                    for t in legend_forms(plan, ranges)
                    if len(t) <= width and not "".join(grid[height - 1][: len(t)]).strip()
                ),
                "",
            )
            put(0, height - 1, legend, DIM)
            self.unit_readout(snap, plan, grid, put, width, height)

        lines = []
        for cells, cell_styles in zip(grid, styles, strict=True):
            runs, start, run_style = [], 0, cell_styles[0]
            for x, cell_style in enumerate(cell_styles):
                if cell_style is not run_style:
                    runs.append(("".join(cells[start:x]), run_style))
                    start, run_style = x, cell_style
            runs.append(("".join(cells[start:]), run_style))
            lines.append(runs_line(runs))
        return lines
