"""The network diagram: units as nodes showing a and δ, edges coloured by weight.

Each unit layer is a column. A node shows its activation a on one line and its δ on the next,
for the selected sample (or the batch mean). Edges are Braille lines coloured by the weight's
sign (blue +, orange −) and brighter for larger |w|. The weight layer the last micro-step
computed is highlighted with the direction of flow (→ forward, ← backward); the unit cursor is
shown in reverse video. Layers too tall for the pane collapse into "+N more".
"""

from __future__ import annotations

import numpy as np
from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive

from bptui.app.snapshot import Phase, Snapshot
from bptui.app.style import fmt, heat_style, level, line_style
from bptui.app.widgets.braille import BrailleCanvas
from bptui.app.widgets.lines import LinesWidget
from bptui.engine.names import layer_name

NODE = 10  # node width in cells: "a -0.1234 "
WIDE = 4   # between layers of more shown units than this, only some edges are drawn
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

    def watch_snapshot(self) -> None:
        self.schedule()

    watch_cursor = watch_sample = watch_source = watch_snapshot

    @staticmethod
    def titles(snap: Snapshot, xs: list[int], layout: list, width: int) -> list[tuple[int, str]]:
        """(x, title) per column: the words P uses ('hidden layer 1', 'output layer'), in the
        same form for every hidden layer, without the unit count of a collapsed layer (its
        '+N more' says it) or shortened ('h1', 'out') only where they do not fit. A title may
        start early, in the gap after the previous one."""
        depth = len(xs) - 1

        def forms(column: int) -> list[str]:
            collapsed = column and snap.layers[column] > layout[column][0]
            count = f" ({snap.layers[column]})" if collapsed else ""
            if column == 0:
                return ["input"] * 3 + ["in"]
            if column == depth:
                return ["output layer" + count, "output" + count, "out" + count, "out"]
            name = column_name(column, depth)
            return [name + count, name, f"h{column}{count}", f"h{column}"]

        for form in range(4):
            out, free, fits = [], 0, True
            for column in range(depth + 1):
                title = forms(column)[form]
                room = (xs[column + 1] - xs[column] - 1) if column < depth else width - xs[column]
                slack = max(0, min(3, xs[column] - free - 1))  # at most 3 cells early
                if column == depth:  # the one output layer: its longest form that fits
                    title = next((t for t in forms(column) if len(t) <= room + slack),
                                 forms(column)[3])
                if len(title) > room + slack and column < depth:
                    fits = False
                    break
                x = xs[column] - max(0, len(title) - room)
                out.append((x, title[:room + slack]))
                free = x + len(out[-1][1])
            if fits:
                return out
        rooms = [xs[c + 1] - xs[c] - 1 for c in range(depth)] + [width - xs[depth]]
        return [(xs[c], forms(c)[3][:max(1, rooms[c])]) for c in range(depth + 1)]

    def visible_units(self, units: int, rows: int) -> tuple[int, bool]:
        """How many units of a layer fit in `rows` node rows, and whether it is collapsed."""
        fit = max(1, rows // 2)
        if units <= fit:
            return units, False
        return max(1, fit - 1), True

    def edge_cells(self, w: np.ndarray, cells: int, height: int, rows_in: tuple,
                   rows_out: tuple, pairs: tuple | None = None
                   ) -> list[tuple[int, int, str, int]]:
        """(x, y, character, colour level) of the cells edges pass through; w (out, in) shown;
        `pairs` ((j, i), ...) limits the edges drawn (default: all)."""
        scale = float(np.abs(w).max()) if w.size else 0.0
        scale = scale if np.isfinite(scale) and scale > 0 else 1.0
        levels = [[level(float(v), scale) for v in row] for row in w]
        key = (cells, height, rows_in, rows_out, str(levels), pairs)
        cached = self._edge_cache.get(key)
        if cached is not None:
            return cached
        canvas = BrailleCanvas(cells, height)
        if pairs is None:
            pairs = tuple((j, i) for j in range(len(rows_out)) for i in range(len(rows_in)))
        for j, i in pairs:
            canvas.line(1, rows_in[i] * 4 + 1, cells * 2 - 2, rows_out[j] * 4 + 1,
                        abs(levels[j][i]) + abs(float(w[j, i])) / scale / 100, levels[j][i])
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

    def edge_sets(self, layer: int, w: np.ndarray) -> list[tuple[tuple | None, bool]]:
        """Which edges of weight layer `layer` to draw, as [(pairs or None for all, strong)].

        Between two layers of more than WIDE shown units each, all edges would be a solid band
        that says nothing: draw each unit's strongest incoming edge faintly, and the edges of
        the selected unit (in or out of it) clearly."""
        n_out, n_in = w.shape
        if n_out <= WIDE or n_in <= WIDE:
            return [(None, True)]
        strongest = tuple((j, int(np.nanargmax(np.abs(w[j])))) for j in range(n_out)) \
            if np.isfinite(w).any() else ()
        column, unit = self.cursor
        selected = ()
        if column == layer and unit < n_in:
            selected = tuple((j, unit) for j in range(n_out))
        elif column == layer + 1 and unit < n_out:
            selected = tuple((unit, i) for i in range(n_in))
        return [(strongest, False), (selected, True)]

    def pictures(self, snap: Snapshot, image: tuple[int, int], put, x: int, width: int,
                 height: int) -> None:
        """Image inputs: the selected sample as a picture (grey levels, two pixels a cell), and
        with a first-layer unit selected its incoming weights the same way (its receptive
        field, blue + / orange −)."""
        rows, cols = image
        if cols > width:
            put(x, 2, f"{rows}×{cols} picture"[:width], DIM)
            return
        pixels = snap.views[0].a_in.row(self.sample).reshape(rows, cols)
        which = "mean" if self.sample is None else f"#{self.sample + 1}"
        put(x, 2, f"x {which}"[:width], DIM)
        y = picture(pixels, grey, put, x, 3, height)
        column, unit = self.cursor
        if column == 1 and y + 2 < height:
            w = snap.views[0].w[unit].reshape(rows, cols)
            put(x, y + 1, f"w→unit {unit + 1}"[:width], DIM)
            scale = float(np.nanmax(np.abs(w))) if np.isfinite(w).any() else 0.0
            picture(w, lambda v: signed(v, scale), put, x, y + 2, height)

    def weight_edge(self, snap: Snapshot, layout, xs, node: int, put, unit_row,
                    height: int) -> None:
        """The weight cursor's edge, highlighted, and its address L:U:I with the value below
        the gap it crosses."""
        column, unit = self.cursor
        if self.source is None or column == 0:
            return
        layer = column - 1
        view = snap.views[layer]
        n_in = view.w.shape[1]
        source = min(self.source, n_in)
        name = "b" if source == n_in else str(source + 1)
        value = float(view.b[unit] if source == n_in else view.w[unit, source])
        x0, x1 = xs[layer] + node - 1, xs[layer + 1]
        label = f"w {layer + 1}:{unit + 1}:{name} = {fmt(value, 8).strip()}"
        put(max(0, min(x0, self.size.width - len(label))), height - 1, label, EDGE)
        shown_in, shown_out = layout[layer][0], layout[layer + 1][0]
        cells = x1 - x0
        if source == n_in or source >= shown_in or unit >= shown_out or cells < 2 or (
                layer == 0 and snap.data.image):
            return
        canvas = BrailleCanvas(cells, height)
        canvas.line(1, unit_row(layer, source) * 4 + 1, cells * 2 - 2,
                    unit_row(layer + 1, unit) * 4 + 1, 1.0, True)
        for cy in range(height - 1):
            for cx in range(1, cells - 1):
                ch, tag = canvas.cell(cx, cy)
                if tag is not None:
                    put(x0 + cx, cy, ch, EDGE)

    def build(self) -> Text:
        """The diagram as text, one line per row of the pane."""
        snap = self.snapshot
        width, height = self.size.width, self.size.height
        if snap is None or width < 8 or height < 4:
            return Text("")
        depth = snap.depth
        columns = depth + 1
        node = NODE if width >= columns * NODE + depth * 3 else max(6, width // (2 * columns))
        gap = max(1, (width - columns * node) // max(1, depth))
        xs = [c * (node + gap) for c in range(columns)]
        body_top = 2
        rows = height - body_top
        layout = []  # per column: (shown, collapsed, first row, rows per unit)
        for column, units in enumerate(snap.layers):
            shown, collapsed = self.visible_units(units, rows - 1)
            slots = shown + (1 if collapsed else 0)
            pitch = max(2, min(5, rows // max(1, slots)))
            used = pitch * (slots - 1) + 2
            layout.append((shown, collapsed, body_top + max(0, (rows - used) // 2), pitch))

        grid = [[" "] * width for _ in range(height)]
        styles: list[list[Style | None]] = [[None] * width for _ in range(height)]

        def put(x: int, y: int, text: str, style: Style | None = None) -> None:
            for i, ch in enumerate(text):
                if 0 <= x + i < width and 0 <= y < height:
                    grid[y][x + i] = ch
                    styles[y][x + i] = style

        last = snap.last
        active_layer = last.layer if last.phase != Phase.UPDATE else None
        for column, (x, title) in enumerate(self.titles(snap, xs, layout, width)):
            highlighted = (active_layer is not None and column == active_layer + 1) or (
                last.phase == Phase.UPDATE and column > 0)
            put(x, 0, title, ACTIVE if highlighted else TITLE)
            view = snap.views[column - 1] if 0 < column < depth else None
            if view is not None and view.flat is not None and view.flat.any():  # under the title
                kind = "dead" if view.flat_kind == "dead" else "sat."
                put(xs[column], 1, f"{int(view.flat.sum())}✕ {kind}"[:node], FLAT)

        # direction of flow over the gap of the active weight layer
        for layer in range(depth):
            x0, x1 = xs[layer] + node, xs[layer + 1] - 1
            span = max(1, x1 - x0)
            if last.phase == Phase.FORWARD and last.layer == layer:
                put(x0, 1, ("─" * (span - 1) + "→")[:span], ACTIVE)
            elif last.phase == Phase.BACKWARD and last.layer == layer:
                put(x0, 1, ("←" + "─" * (span - 1))[:span], ACTIVE)
            elif last.phase == Phase.ERROR and layer == depth - 1:
                label = "C, δ = ∂C/∂z" if width - xs[depth] >= 12 else "C, δ"
                put(xs[depth], 1, label, ACTIVE)
            elif last.phase == Phase.UPDATE:
                put(x0 + max(0, span // 2 - 2), 1, "+ΔW"[:span], ACTIVE)

        def unit_row(column: int, unit: int) -> int:
            shown, collapsed, top, pitch = layout[column]
            return top + unit * pitch

        image = snap.data.image
        # edges: Braille lines, cached until the weights' colour levels or the layout change
        for layer in range(1 if image else 0, depth):  # a picture's pixels have no nodes
            x0, x1 = xs[layer] + node - 1, xs[layer + 1]
            cells = x1 - x0
            if cells < 2:
                continue
            view = snap.views[layer]
            shown_in, shown_out = layout[layer][0], layout[layer + 1][0]
            rows_in = tuple(unit_row(layer, i) for i in range(shown_in))
            rows_out = tuple(unit_row(layer + 1, j) for j in range(shown_out))
            bright = active_layer is None or active_layer == layer or last.phase == Phase.UPDATE
            w = view.w[:shown_out, :shown_in]
            for pairs, strong in self.edge_sets(layer, w):
                for cx, cy, ch, tag in self.edge_cells(w, cells, height, rows_in, rows_out, pairs):
                    if strong or grid[cy][x0 + cx] == " ":
                        put(x0 + cx, cy, ch, line_style(tag, bright and strong))

        self.weight_edge(snap, layout, xs, node, put, unit_row, height)

        # nodes
        cursor_column, cursor_unit = self.cursor
        labelled = node >= 9  # narrow panes drop the a/δ labels to keep the digits
        for column in range(columns):
            if column == 0 and image:
                self.pictures(snap, image, put, xs[0], node + gap - 1, height)
                continue
            shown, collapsed, top, pitch = layout[column]
            a, delta, a_now, delta_now = snap.column_values(column, self.sample)
            view = snap.views[column - 1] if 0 < column < depth else None
            flat = view.flat if view is not None else None
            for unit in range(shown):
                y = unit_row(column, unit)
                selected = (column, unit) == (cursor_column, cursor_unit)
                is_flat = flat is not None and bool(flat[unit])
                label = ("x " if column == 0 else ("✕ " if is_flat else "a ")) if labelled else ""
                width_left = node - 1 - len(label)
                a_text = (f"{label}{fmt(float(a[unit]), width_left).strip()}" if a_now
                          else f"{label}·").ljust(node - 1)
                style = CURSOR if selected else (FLAT if is_flat else (None if a_now else STALE))
                put(xs[column], y, a_text[:node], style)
                if delta is not None:
                    d_label = "δ " if labelled else ""
                    d_text = (f"{d_label}{fmt(float(delta[unit]), width_left).strip()}" if delta_now
                              else f"{d_label}·").ljust(node - 1)
                    put(xs[column], y + 1, d_text[:node], CURSOR if selected else (None if delta_now else STALE))
                elif column == 0:  # the input's name: x1, a CSV column, an engineered x1^2
                    names = snap.data.feature_names
                    name = names[unit] if unit < len(names) else f"x{unit + 1}"
                    put(xs[column], y + 1, f"  {name}"[:node], DIM)
            if collapsed:
                y = unit_row(column, shown) if shown else top
                put(xs[column], min(height - 1, y), f"+{snap.layers[column] - shown} more"[:node], DIM)

        text = Text(no_wrap=True, overflow="crop")
        for y in range(height):
            run_style, run = styles[y][0], []
            for x in range(width):
                if styles[y][x] is not run_style:
                    text.append("".join(run), run_style)
                    run_style, run = styles[y][x], []
                run.append(grid[y][x])
            text.append("".join(run), run_style)
            if y < height - 1:
                text.append("\n")
        return text
