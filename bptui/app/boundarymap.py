"""The decision boundary as a picture: what the network computes over its input space.

Two inputs: a colour map of the input plane. Every terminal cell holds two square-ish pixels,
drawn as "▀" with the upper pixel's colour as foreground and the lower pixel's as background.
Classification colours a pixel by the class probabilities (palette.class_colours): one sigmoid
output blends the negative colour (class 0) through the neutral one (p = 0.5) to the positive
one (class 1); a softmax output mixes one hue per class by probability, neutral where the network
is unsure. Training points "●" and held-out points "◆" are drawn on top in their class's colour.
Regression with two inputs shows the first output on a diverging scale.

One input: the prediction as a curve over x (half-block pixels), with the data as pixels.

A unit (weight layer l, unit j; l = 0 is the first hidden layer) shows that unit's activation
instead of the output, on a diverging scale centred on the activation's middle (tanh 0,
sigmoid 0.5, relu from 0): positive above, negative below.

Pure functions of copied parameters, the data and a Palette (no Textual): `boundary_lines`
gives each line as Rich segments exactly `width` cells long; widgets/boundary.py draws them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rich.cells import cell_len
from rich.color import Color, ColorType
from rich.color_triplet import ColorTriplet
from rich.segment import Segment
from rich.style import Style

from bptui.app.palette import DEFAULT, Palette, class_colours, diverging, marked, value_colours
from bptui.engine.activations import ACTIVATIONS
from bptui.engine.kernels import forward_in_blocks
from bptui.engine.names import unit_name

Bounds = tuple[float, float, float, float]
"""(x_lo, x_hi, y_lo, y_hi) of the plane shown."""
Line = list[Segment]
"""One line of the picture: segments exactly `width` cells long."""

TRAIN_MARK = "●"
TEST_MARK = "◆"
QUANT = 0xFC
"""Colour channels are rounded to multiples of 4 before styles are made (fewer distinct styles)."""
TITLE = Style(bold=True)
DIM = Style(dim=True)
PLAIN = Style()
BOLD = Style(bold=True)


# ----- parameters ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class NetworkCopy:
    """Weights W_l (n_out, n_in), biases b_l (n_out,) and activation names of every layer."""

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    activations: tuple[str, ...]

    @classmethod
    def of(cls, source) -> NetworkCopy:
        """Copy the parameters of a Stepper, or take them from a Snapshot (already copies)."""
        if isinstance(source, NetworkCopy):
            return source
        views = getattr(source, "views", None)
        if views is not None:
            return cls(
                tuple(v.w for v in views),
                tuple(v.b for v in views),
                tuple(v.activation for v in views),
            )
        spec = source.spec
        return cls(
            tuple(np.array(w, dtype=float) for w in source.weights),
            tuple(np.array(b, dtype=float) for b in source.biases),
            tuple(spec.activation(layer) for layer in range(spec.depth)),
        )

    @property
    def depth(self) -> int:
        """Weight layers."""
        return len(self.weights)

    @property
    def n_in(self) -> int:
        """Inputs."""
        return self.weights[0].shape[1]

    def units(self, layer: int) -> int:
        """Units out of weight layer `layer`."""
        return self.weights[layer].shape[0]

    def forward(self, x: np.ndarray, upto: int | None = None) -> np.ndarray:
        """Activations (n, units) of weight layer `upto` (default the output) for x (n, n_in)."""
        return forward_in_blocks(self.weights, self.biases, self.activations, x, upto)


def supported(n_in: int) -> bool:
    """Whether a network with n_in inputs can be drawn (1: curve, 2: plane)."""
    return n_in in (1, 2)


def selected_unit(depth: int, cursor: tuple[int, int]) -> tuple[int, int] | None:
    """The unit a diagram cursor (column, unit) shows as (weight layer, unit), or None for the
    output (the cursor on an input or on the output layer)."""
    column, unit = cursor
    return None if column in (0, depth) else (column - 1, unit)


def pane_title(depth: int, unit: tuple[int, int] | None, cells: int | None = None) -> str:
    """The pane's border title for `unit` (see selected_unit) of a network of `depth` weight
    layers: the same words as the picture's own title line. Within `cells` (a narrow pane) it
    says "Boundary", then the layer's short name ("hidden 1"), then only the unit, rather than
    lose the unit's name (what is left too long is cut by the caller, its key first)."""
    shown = "output" if unit is None else unit_name(unit[0], unit[1], depth)
    titles = [f"Decision boundary · {shown}", f"Boundary · {shown}"]
    if unit is not None:  # a lesson's narrow pane: the unit's short name, whatever else goes
        layer = "output" if unit[0] == depth - 1 else f"hidden {unit[0] + 1}"
        titles += [f"Boundary · {layer}, unit {unit[1] + 1}", f"{layer}, unit {unit[1] + 1}"]
    fitting = [t for t in titles if cells is None or len(t) <= cells]
    return (fitting[0] if fitting else titles[-1]) + " · d: diagram"


def valid_unit(network: NetworkCopy, unit: tuple[int, int] | None) -> bool:
    """Whether `unit` is None or names an existing (weight layer, unit)."""
    if unit is None:
        return True
    layer, j = unit
    return 0 <= layer < network.depth and 0 <= j < network.units(layer)


# ----- geometry ------------------------------------------------------------------------------


def span(values: np.ndarray, margin: float = 0.1) -> tuple[float, float]:
    """(lo, hi) of the finite values widened by `margin` of the range on each side.

    A single value gets a range of max(1, |value|) around it; no values give (−1, 1).
    """
    values = np.asarray(values, dtype=float).ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        return -1.0, 1.0
    lo, hi = float(values.min()), float(values.max())
    width = hi - lo
    if width <= 1e-12 * max(1.0, abs(lo)):
        half = 0.5 * max(1.0, abs(lo))
        return lo - half, hi + half
    return lo - margin * width, hi + margin * width


def plane_bounds(data, margin: float = 0.1) -> Bounds:
    """Bounds of the first two inputs of training and held-out data, with a margin."""
    x = np.concatenate([data.x_train[:, :2], data.x_test[:, :2]])
    return (*span(x[:, 0], margin), *span(x[:, 1], margin))


def curve_bounds(data, margin: float = 0.1) -> Bounds:
    """Bounds of the single input (x) and of every target (y), with a margin."""
    x = np.concatenate([data.x_train[:, 0], data.x_test[:, 0]])
    y = np.concatenate([data.y_train.ravel(), data.y_test.ravel()])
    return (*span(x, margin), *span(y, margin))


def fit_bounds(bounds: Bounds, width: int, height: int) -> Bounds:
    """Widen bounds in one direction so width × height pixels are square in data units."""
    x0, x1, y0, y1 = bounds
    step = max((x1 - x0) / max(1, width), (y1 - y0) / max(1, height))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hw, hh = step * width / 2, step * height / 2
    return cx - hw, cx + hw, cy - hh, cy + hh


@lru_cache(maxsize=16)
def grid_inputs(bounds: Bounds, width: int, height: int) -> np.ndarray:
    """Pixel centres (height·width, 2), row by row from the top (highest x2) down; read-only."""
    x0, x1, y0, y1 = bounds
    xs = x0 + (np.arange(width) + 0.5) * ((x1 - x0) / width)
    ys = y1 - (np.arange(height) + 0.5) * ((y1 - y0) / height)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    grid.flags.writeable = False
    return grid


def pixel_of(bounds: Bounds, width: int, height: int, x, y) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) pixel indices of points, clipped to the grid (row 0 at the top)."""
    x0, x1, y0, y1 = bounds
    col = np.floor((np.asarray(x, dtype=float) - x0) / (x1 - x0) * width)
    row = np.floor((y1 - np.asarray(y, dtype=float)) / (y1 - y0) * height)
    col = np.clip(np.nan_to_num(col), 0, width - 1).astype(int)
    row = np.clip(np.nan_to_num(row), 0, height - 1).astype(int)
    return row, col


# ----- scales --------------------------------------------------------------------------------


def activation_scale(name: str, values: np.ndarray) -> tuple[float, float]:
    """(centre, half-range) of the diverging scale for values of an activation: its record's
    range when bounded on both sides, else 0 ± the largest |value|."""
    record = ACTIVATIONS[name]
    if record.low is not None and record.high is not None:
        return (record.low + record.high) / 2, (record.high - record.low) / 2
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    top = float(np.abs(finite).max()) if finite.size else 0.0
    return 0.0, top if top > 0 else 1.0


def from_centre(name: str, centre: float) -> bool:
    """Whether an activation's values never fall below `centre`, the middle of its scale (relu,
    softplus: from 0), so that only the scale's upper half is used. A sigmoid's scale is centred
    on 0.5, but its values go down to 0: its legend said '0.5 ■■■■ 1' while a = 0.3 was drawn in
    a colour the legend did not show (learner walk 3)."""
    low = ACTIVATIONS[name].low
    return low is not None and low >= centre


# ----- cells ---------------------------------------------------------------------------------


def pack_rows(rgb: np.ndarray) -> list[int]:
    """uint8 RGB rows (n, 3) as quantised 0xRRGGBB ints."""
    p = np.asarray(rgb).astype(np.int64) & QUANT
    return ((p[..., 0] << 16) | (p[..., 1] << 8) | p[..., 2]).ravel().tolist()


def _pack(rgb) -> int:
    r, g, b = (int(c) & QUANT for c in rgb)
    return (r << 16) | (g << 8) | b


@lru_cache(maxsize=16384)
def _color(packed: int) -> Color:
    # Color.from_rgb costs ~10 µs (it formats the name); this is ~1 µs, and cached
    return Color(
        f"#{packed:06x}",
        ColorType.TRUECOLOR,
        triplet=ColorTriplet((packed >> 16) & 255, (packed >> 8) & 255, packed & 255),
    )


@lru_cache(maxsize=32768)
def half_block(upper: int, lower: int) -> tuple[str, Style]:
    """Character and style of a cell from two packed 0xRRGGBB pixels (−1: nothing there)."""
    if upper < 0 and lower < 0:
        return " ", PLAIN
    if lower < 0:
        return "▀", Style.from_color(_color(upper))
    if upper < 0:
        return "▄", Style.from_color(_color(lower))
    return "▀", Style.from_color(_color(upper), _color(lower))


@lru_cache(maxsize=8192)
def _mark_style(fg: int, bg: int) -> Style:
    return Style.from_color(_color(fg), _color(bg) if bg >= 0 else None) + BOLD


def _mean(a: int, b: int) -> int:
    """The mean of two packed colours (−1: absent)."""
    if a < 0:
        return b
    if b < 0:
        return a
    return _pack(
        (
            ((a >> 16) + (b >> 16)) // 2,
            ((a >> 8 & 255) + (b >> 8 & 255)) // 2,
            ((a & 255) + (b & 255)) // 2,
        )
    )


Mark = tuple[str, int]
"""A character drawn over a cell in a packed 0xRRGGBB colour (on the cell's mean colour)."""


def pixel_lines(
    pixels: np.ndarray,
    mask: np.ndarray | None = None,
    marks: dict[tuple[int, int], Mark] | None = None,
) -> list[Line]:
    """Lines of half-block cells for pixels (2·rows, width, 3) uint8.

    mask (2·rows, width) says which pixels are drawn (None: all); marks maps (cell row, column)
    to a character drawn there instead, in its packed colour (see pack_rows) on the mean of
    the cell's two pixels.
    """
    h, width = pixels.shape[:2]
    if h % 2:
        pixels = np.concatenate([pixels, np.zeros((1, width, 3), np.uint8)])
        pad = np.zeros((1, width), bool)
        mask = np.concatenate([np.ones((h, width), bool) if mask is None else mask, pad])
        h += 1
    p = pixels.astype(np.int64) & QUANT
    packed = (p[..., 0] << 16) | (p[..., 1] << 8) | p[..., 2]
    if mask is not None:
        packed = np.where(mask, packed, -1)
    marks = marks or {}
    lines = []
    for row in range(h // 2):
        upper, lower = packed[2 * row].tolist(), packed[2 * row + 1].tolist()
        segments: Line = []
        run_text: list[str] = []
        run_style: Style | None = None
        for col in range(width):
            mark = marks.get((row, col))
            if mark is None:
                ch, style = half_block(upper[col], lower[col])
            else:
                ch = mark[0]
                style = _mark_style(mark[1], _mean(upper[col], lower[col]))
            if style is not run_style:
                if run_text:
                    segments.append(Segment("".join(run_text), run_style))
                run_text, run_style = [], style
            run_text.append(ch)
        if run_text:
            segments.append(Segment("".join(run_text), run_style))
        lines.append(segments)
    return lines


def text_line(parts: list[tuple[str, Style]], width: int) -> Line:
    """One line of styled text, cropped or padded to width."""
    segments = [Segment(text, style) for text, style in parts if text]
    return Segment.adjust_line_length(segments, width)


def blank_line(width: int) -> Line:
    """A line of spaces."""
    return [Segment(" " * width)]


def _swatch(colour) -> tuple[str, Style]:
    return "■", Style(color=_color(_pack(colour)))


def scale_legend(
    centre: float,
    scale: float,
    upper_only: bool = False,
    palette: Palette = DEFAULT,
    value: str = "",
) -> list[tuple[str, Style]]:
    """'a = lo ■■■■■ hi': the diverging colours from the lowest value drawn to the highest (from
    the centre up if `upper_only`), named by `value` (a unit's activation: "a") so that the
    legend still says what it shows where a narrow pane leaves out the picture's heading."""
    ts = np.linspace(0.0 if upper_only else -1.0, 1.0, 4 if upper_only else 5)
    lo = f"{centre:.3g}" if upper_only else f"{centre - scale:.3g}"
    hi = f"{centre + scale:.3g}"
    named = f"{value} = " if value else ""
    return [
        (f"{named}{lo} ", DIM),
        *(_swatch(c) for c in diverging(ts, palette)),
        (f" {hi}", DIM),
    ]


def class_names(data, k: int) -> list[str]:
    """Names of the classes (k = 1 means two classes), 'class i' where the data has none."""
    n = 2 if k == 1 else k
    names = list(getattr(data, "class_names", ()) or ())
    return names if len(names) == n else [f"class {i}" for i in range(n)]


def _short(value: float) -> str:
    return f"{value:.2g}"


def _range_text(bounds: Bounds, names: tuple[str, str]) -> str:
    x0, x1, y0, y1 = bounds
    return f"{names[0]} {_short(x0)}…{_short(x1)}  {names[1]} {_short(y0)}…{_short(y1)}"


def _title(parts: list[tuple[str, Style]], extra: str, width: int) -> Line:
    """The picture's title line: heading, legend, marks, and the axes' ranges when they fit. A
    narrow pane shortens the heading ('output: class regions' to 'class regions'), then leaves
    it out (the pane's border title names the unit), then drops legend parts from the end:
    every legend entry it shows is whole ('■ class 0 ■ class 1', never '■ class 0 ■')."""
    parts = fitted_legend(parts, width)
    used = sum(cell_len(text) for text, _ in parts)
    if extra and used + 2 + cell_len(extra) <= width:
        parts = parts + [(" " * (width - used - cell_len(extra)), PLAIN), (extra, DIM)]
    return text_line(parts, width)


def fitted_legend(parts: list[tuple[str, Style]], width: int) -> list[tuple[str, Style]]:
    """`parts` (a TITLE heading first, then swatches and their labels, the data's marks last) in
    `width` cells, each shown part whole (see _title): without the marks, then with the short
    heading, without it, and at last without the legend's last entries."""

    def cells(parts) -> int:
        return sum(cell_len(text) for text, _ in parts)

    def is_mark(text: str) -> bool:
        return text.strip().endswith(("train", "test"))

    if cells(parts) <= width or not parts or parts[0][1] is not TITLE:
        return parts
    kept = [
        p
        for i, p in enumerate(parts)
        if not is_mark(p[0])
        and not (p[0] == "■" and i + 1 < len(parts) and is_mark(parts[i + 1][0]))
    ]
    if cells(kept) <= width:
        return kept
    heading, rest = parts[0][0], parts[1:]
    short = heading.split(": ", 1)[1] if ": " in heading else ""
    if short and cells(rest) + cell_len(short) <= width:
        return [(short, TITLE), *rest]
    if rest and rest[0][0] != "■":
        rest[0] = (rest[0][0].lstrip(), rest[0][1])
    while rest and cells(rest) > width:  # a label and its swatch go together
        rest.pop()
        if rest and rest[-1][0] == "■":
            rest.pop()
    return rest


def message_lines(text: str, width: int, height: int) -> list[Line]:
    """A dim message on the first line, blank lines after."""
    return [text_line([(text, DIM)], width)] + [blank_line(width)] * (height - 1)


# ----- pictures ------------------------------------------------------------------------------


def plane_lines(
    network: NetworkCopy,
    data,
    width: int,
    height: int,
    unit: tuple[int, int] | None = None,
    keep_aspect: bool = True,
    palette: Palette = DEFAULT,
) -> list[Line]:
    """Title line and (height − 1) rows of the input-plane colour map for a 2-input network."""
    rows = height - 1
    px_h = 2 * rows
    bounds = plane_bounds(data)
    if keep_aspect:
        bounds = fit_bounds(bounds, width, px_h)
    bounds = tuple(float(v) for v in bounds)
    grid = grid_inputs(bounds, width, px_h)
    classify = data.task == "classification"
    k = network.units(network.depth - 1)
    parts: list[tuple[str, Style]]
    if unit is not None:
        layer, j = unit
        values = network.forward(grid, upto=layer)[:, j]
        name = network.activations[layer]
        centre, scale = activation_scale(name, values)
        colours = value_colours(values, centre, scale, palette)
        # the legend names the activation a, as the diagram does: a narrow pane drops the heading
        parts = [(f"{unit_name(layer, j, network.depth)}: {name}  ", TITLE)]
        parts += scale_legend(centre, scale, from_centre(name, centre), palette, "a")
    elif classify:
        colours = class_colours(network.forward(grid), palette)
        parts = [("output: class regions  ", TITLE)]
        for name, colour in zip(class_names(data, k), palette.classes(k), strict=True):
            parts += [_swatch(colour), (f" {name} ", DIM)]
    else:  # regression: the first output, and the targets on the same scale
        values = network.forward(grid)[:, 0]
        targets = np.concatenate([data.y_train[:, 0], data.y_test[:, 0]])
        centre, scale = activation_scale(network.activations[-1], np.concatenate([values, targets]))
        colours = value_colours(values, centre, scale, palette)
        parts = [("output 1: value  ", TITLE)]
        parts += scale_legend(centre, scale, from_centre(network.activations[-1], centre), palette)

    # points: held-out first, training on top
    marks: dict[tuple[int, int], Mark] = {}
    for x, y, mark in (
        (data.x_test, data.y_test, TEST_MARK),
        (data.x_train, data.y_train, TRAIN_MARK),
    ):
        if len(x) == 0:
            continue
        if classify:
            index = (y[:, 0] >= 0.5).astype(int) if k == 1 else y.argmax(axis=1)
            point_colours = np.array(palette.classes(k), dtype=np.uint8)[index]
        else:
            point_colours = value_colours(y[:, 0], centre, scale, palette, 1.0)
        prow, pcol = pixel_of(bounds, width, px_h, x[:, 0], x[:, 1])
        packed = pack_rows(marked(point_colours, palette))
        for r, c, colour in zip((prow // 2).tolist(), pcol.tolist(), packed, strict=True):
            marks[(r, c)] = (mark, colour)
    parts += [(f" {TRAIN_MARK} train", DIM)]
    if len(data.x_test):
        parts += [(f" {TEST_MARK} test", DIM)]

    names = tuple(getattr(data, "feature_names", ())[:2]) or ("x1", "x2")
    title = _title(parts, _range_text(bounds, names if len(names) == 2 else ("x1", "x2")), width)
    pixels = colours.reshape(px_h, width, 3)
    return [title] + pixel_lines(pixels, None, marks)


def curve_lines(
    network: NetworkCopy,
    data,
    width: int,
    height: int,
    unit: tuple[int, int] | None = None,
    palette: Palette = DEFAULT,
) -> list[Line]:
    """Title line and (height − 1) rows: prediction (or a unit) over the single input x."""
    rows = height - 1
    px_h = 2 * rows
    x0, x1, y0, y1 = curve_bounds(data)
    xs = x0 + (np.arange(width) + 0.5) * ((x1 - x0) / width)
    if unit is not None:
        layer, j = unit
        name = network.activations[layer]
        curves = network.forward(xs[:, None], upto=layer)[:, j : j + 1]
        centre, scale = activation_scale(name, curves)
        lo, hi = span([centre - scale, centre + scale, y0, y1], 0.05)
        y0, y1 = min(y0, lo), max(y1, hi)
        parts = [
            (f"{unit_name(layer, j, network.depth)}: {name} over x  ", TITLE),
            _swatch(palette.positive),
            (" activation ", DIM),
        ]
        colours = [palette.positive]
    else:
        curves = network.forward(xs[:, None])
        parts = [("output: prediction over x  ", TITLE)]
        colours = (
            [palette.positive] if curves.shape[1] == 1 else list(palette.classes(curves.shape[1]))
        )
        for k, colour in enumerate(colours):
            label = " prediction " if len(colours) == 1 else f" output {k + 1} "
            parts += [_swatch(colour), (label, DIM)]
    bounds = (x0, x1, y0, y1)
    pixels = np.zeros((px_h, width, 3), np.uint8)
    mask = np.zeros((px_h, width), bool)

    def rows_of(y) -> np.ndarray:
        return (y1 - np.asarray(y, dtype=float)) / (y1 - y0) * px_h - 0.5

    if y0 < 0.0 < y1:
        r = int(round(float(rows_of(0.0))))
        if 0 <= r < px_h:
            pixels[r, :] = palette.axis
            mask[r, :] = True
    for x, y, colour in (
        (data.x_test, data.y_test, palette.muted),
        (data.x_train, data.y_train, palette.negative),
    ):
        if len(x) == 0:
            continue
        for k in range(y.shape[1]):
            prow, pcol = pixel_of(bounds, width, px_h, x[:, 0], y[:, k])
            pixels[prow, pcol] = colour
            mask[prow, pcol] = True
    if len(data.x_train):
        parts += [_swatch(palette.negative), (" train ", DIM)]
    if len(data.x_test):
        parts += [_swatch(palette.muted), (" test", DIM)]

    for k, colour in enumerate(colours):
        r = rows_of(curves[:, k])
        left = np.concatenate([r[:1], r[:-1]])
        right = np.concatenate([r[1:], r[-1:]])
        lo = np.fmin(r, np.fmin((r + left) / 2, (r + right) / 2))
        hi = np.fmax(r, np.fmax((r + left) / 2, (r + right) / 2))
        for col in range(width):
            if not (np.isfinite(r[col])):
                continue
            top, bottom = int(round(lo[col])), int(round(hi[col]))
            if bottom < 0 or top >= px_h:
                continue
            top, bottom = max(0, top), min(px_h - 1, bottom)
            pixels[top : bottom + 1, col] = colour
            mask[top : bottom + 1, col] = True

    feature = (tuple(getattr(data, "feature_names", ())) or ("x",))[0]
    title = _title(parts, _range_text(bounds, (feature, "y")), width)
    return [title] + pixel_lines(pixels, mask)


def boundary_lines(
    network: NetworkCopy,
    data,
    width: int,
    height: int,
    unit: tuple[int, int] | None = None,
    keep_aspect: bool = True,
    palette: Palette = DEFAULT,
) -> list[Line]:
    """All `height` lines of the picture at width × height cells."""
    if width < 4 or height < 2:
        return [blank_line(width)] * max(0, height)
    if not valid_unit(network, unit):
        return message_lines(f"no unit {unit} in this network", width, height)
    if network.n_in == 1:
        lines = curve_lines(network, data, width, height, unit, palette)
    elif network.n_in == 2:
        lines = plane_lines(network, data, width, height, unit, keep_aspect, palette)
    else:
        return message_lines(
            f"decision boundary: needs 1 or 2 inputs; this network has {network.n_in}",
            width,
            height,
        )
    return lines[:height] + [blank_line(width)] * (height - len(lines))
