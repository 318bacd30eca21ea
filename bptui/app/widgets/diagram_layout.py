"""Where the network diagram puts things: columns, node widths, which units are shown.

Pure geometry (no Textual): the diagram widget draws what `plan` decides, and the tests check
that nothing it decides can be cut. A node never writes more than its column's `width` cells and
a number never more than `value_width`. A layer with more units than rows shows a window of
them ("units 1-6 of 16") that follows the cursor; a network with more layers than fit shows a
window of columns (‹ › mark the hidden ones) that follows it too.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_VALUE = 5
"""The narrowest a number may be written ('-0.42', '-1e-5'): below this, columns are hidden."""


@dataclass(frozen=True)
class Column:
    """One unit layer as drawn: its units first..first+shown−1 of total, one every `pitch`
    rows from `top`."""

    index: int
    x: int
    width: int
    first: int
    shown: int
    total: int
    top: int
    pitch: int

    @property
    def windowed(self) -> bool:
        """Whether some of the layer's units are not shown."""
        return self.shown < self.total

    def row(self, unit: int) -> int | None:
        """The row of `unit`, None when it is not shown."""
        if self.first <= unit < self.first + self.shown:
            return self.top + (unit - self.first) * self.pitch
        return None

    @property
    def range_row(self) -> int:
        """The row under the last shown unit (where a windowed layer says which are shown)."""
        return self.top + (self.shown - 1) * self.pitch + (1 if self.pitch == 1 else 2)


@dataclass(frozen=True)
class Plan:
    """The diagram's layout: the visible columns, in order."""

    columns: tuple[Column, ...]
    total_columns: int
    one_row: bool
    """Each unit on one row ('a δ' side by side, under a header row), else a above δ."""
    labelled: bool
    """Two-row nodes say 'a ' and 'δ ' before the numbers."""
    value_width: int
    body_top: int

    @property
    def first_column(self) -> int:
        return self.columns[0].index

    @property
    def hidden_left(self) -> bool:
        return self.first_column > 0

    @property
    def hidden_right(self) -> bool:
        return self.columns[-1].index < self.total_columns - 1

    def column(self, index: int) -> Column | None:
        """The visible column of unit layer `index`, if it is shown."""
        for column in self.columns:
            if column.index == index:
                return column
        return None


def range_label(first: int, shown: int, total: int, width: int) -> str:
    """'units 1-6 of 16' in at most `width` cells (shorter forms where it does not fit)."""
    a, b = first + 1, first + shown
    span = f"{a}-{b}" if b > a else f"{a}"
    for text in (
        f"units {span} of {total}",
        f"{span} of {total}",
        f"{span}/{total}",
        f"{shown}/{total}",
    ):
        if len(text) <= width:
            return text
    return ""


MAX_NAME = 14
"""The widest the input column grows for its names."""

# two-row nodes: (width, labelled, value width, least gap); one-row nodes: (value width, gap)
TWO_ROW = ((9, True, 7, 4), (8, True, 6, 4), (7, True, 5, 4), (5, False, 5, 2), (5, False, 5, 1))
ONE_ROW = ((7, 6), (6, 4), (5, 3))


def _widths(count: int, node: int, first_width: int) -> int:
    return first_width + (count - 1) * node


def _place(indices: list[int], node: int, first_width: int, width: int, left: int) -> list[int]:
    """x of each column: the first at `left`, the last ending at `width`, even gaps."""
    count = len(indices)
    if count == 1:
        return [left]
    free = width - left - _widths(count, node, first_width)
    gap = free // (count - 1)
    xs = [left]
    for k in range(1, count):
        xs.append(xs[-1] + (first_width if k == 1 else node) + gap)
    return xs


def _window(start: int, size: int, count: int, keep: int) -> int:
    """The first of `size` consecutive items of `count`, moved as little as possible from
    `start` so that item `keep` is among them."""
    start = max(0, min(start, count - size))
    if keep < start:
        start = keep
    elif keep >= start + size:
        start = keep - size + 1
    return max(0, min(start, count - size))


def plan(
    layers: tuple[int, ...] | list[int],
    width: int,
    height: int,
    cursor: tuple[int, int] = (1, 0),
    image_width: int | None = None,
    previous: Plan | None = None,
    reserve_bottom: bool = False,
    names_width: int = 0,
) -> Plan | None:
    """The layout of a network of `layers` units per layer in width × height cells, with the
    unit `cursor` (column, unit) visible; `image_width`: the input is a picture this many cells
    wide; `previous`: the last plan (windows move as little as they can); `reserve_bottom`:
    keep the last row free (for the weight cursor's label or a legend); `names_width`: the
    longest input name, which the input column is widened for where that still fits (up to
    MAX_NAME). None: too small to draw."""
    layers = list(layers)
    count = len(layers)
    bottom = height - (1 if reserve_bottom else 0)
    if width < MIN_VALUE or bottom < 4:
        return None
    cursor_column = max(0, min(cursor[0], count - 1))

    def lead_width(node: int, labelled: bool, value: int, one_row: bool, name: int) -> int:
        """The input column's width: a picture's, or room for the inputs' names."""
        if image_width:
            return max(node, image_width)
        if one_row:
            return max(node, value + 1 + name)
        return max(node, name + (2 if labelled else 0))

    def tall(rows_per_unit: int, body_top: int) -> bool:
        rows = bottom - body_top
        return all(
            n * rows_per_unit <= rows for k, n in enumerate(layers) if not (k == 0 and image_width)
        )

    def choose(name: int):
        """(node, labelled, value width, gap, one row, input column width) that fit, or None."""

        def fits(node, labelled, value, gap, one_row):
            lead = lead_width(node, labelled, value, one_row, name)
            return lead + (count - 1) * (node + gap) <= width

        two_row = [(node, labelled, value, gap, False) for node, labelled, value, gap in TWO_ROW]
        one_row = [(2 * value + 1, False, value, gap, True) for value, gap in ONE_ROW]
        order = two_row if tall(2, 2) else (one_row if any(fits(*c) for c in one_row) else two_row)
        found = next((c for c in order if fits(*c)), None)
        return None if found is None else (*found, lead_width(*found[:3], found[4], name))

    choice = choose(0)
    named = choose(min(names_width, MAX_NAME)) if names_width else None
    if (
        choice is not None
        and named is not None
        and (named[0], named[1], named[2], named[4]) == (choice[0], choice[1], choice[2], choice[4])
    ):
        choice = named  # the same nodes, with the inputs' names whole
    first_width = lambda node: max(node, image_width) if image_width else node
    lead = None
    if choice is not None:
        node, labelled, value, _, one_row, lead = choice
        indices = list(range(count))
        left = 0
    else:  # columns do not all fit: a window of them around the cursor's
        node, labelled, value, one_row = MIN_VALUE, False, MIN_VALUE, False
        size = 1
        while size < count and MIN_VALUE * (size + 1) + 2 * size <= width - 2:
            size += 1
        start = previous.first_column if previous is not None else 0
        start = _window(start, size, count, cursor_column)
        indices = list(range(start, start + size))
        left = 1 if start > 0 else 0
        width -= 1 if start + size < count else 0
        if image_width and start == 0 and first_width(node) + (size - 1) * (node + 1) > width:
            image_width = None  # the picture's column says only "8×8"
        lead = first_width(node)
    lead = lead if indices[0] == 0 else node
    xs = _place(indices, node, lead, width, left)
    body_top = 3 if one_row else 2
    rows = bottom - body_top
    columns = []
    for k, index in enumerate(indices):
        total = layers[index]
        per_unit = 1 if one_row else 2
        if index == 0 and image_width:
            columns.append(Column(index, xs[k], lead, 0, total, total, body_top, 1))
            continue
        if total * per_unit <= rows:
            shown, first = total, 0
        else:
            shown = max(1, (rows - 1) // per_unit)  # the last row says which are shown
            old = previous.column(index) if previous is not None else None
            keep = cursor[1] if index == cursor_column else (old.first if old else 0)
            first = _window(old.first if old else 0, shown, total, keep)
        slots = shown + (1 if shown < total else 0)
        pitch = max(per_unit, min(5 if not one_row else 2, rows // max(1, slots)))
        if one_row and shown < total:
            pitch = 1
        used = pitch * (shown - 1) + per_unit + (1 if shown < total else 0)
        top = body_top + max(0, (rows - used) // 2)
        columns.append(
            Column(index, xs[k], lead if k == 0 else node, first, shown, total, top, pitch)
        )
    return Plan(tuple(columns), count, one_row, labelled, value, body_top)
