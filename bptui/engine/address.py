"""Weight addresses `LAYER:UNIT:INPUT`, as the command line and the explorer write them.

1-based, as a learner counts: LAYER is the weight layer (1 = the first, from the inputs), UNIT
the unit of that layer's output the weight enters, INPUT the input or unit of the layer below it
comes from, or `b` for the unit's bias. `WeightAddress` holds the 0-based indices the engine
uses; `parse` and `str()` convert, and `parse` says in one line what is out of range, naming
the layer sizes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BIAS = "b"
_FORM = re.compile(r"\s*(\d{1,9})\s*:\s*(\d{1,9})\s*:\s*(\d{1,9}|[bB])\s*", re.ASCII)  # 0-9 only


class AddressError(ValueError):
    """A weight address that does not parse or names no weight of the network (one line)."""


@dataclass(frozen=True)
class WeightAddress:
    """A weight W[layer][unit, source] or, with source None, the bias b[layer][unit] (0-based)."""

    layer: int
    unit: int
    source: int | None

    @property
    def is_bias(self) -> bool:
        """Whether this is a bias."""
        return self.source is None

    def __str__(self) -> str:
        source = BIAS if self.source is None else str(self.source + 1)
        return f"{self.layer + 1}:{self.unit + 1}:{source}"

    def flat_index(self, shapes: list[tuple[int, int]]) -> int:
        """Position in a flat parameter vector (see `kernels.Parameters`) of layers `shapes`."""
        offset = sum(r * c + r for r, c in shapes[: self.layer])
        rows, cols = shapes[self.layer]
        if self.source is None:
            return offset + rows * cols + self.unit
        return offset + self.unit * cols + self.source

    def source_name(self) -> str:
        """What the weight multiplies: 'x2' (an input), 'a(1,3)' (hidden layer 1, unit 3) or
        '1' for a bias."""
        if self.source is None:
            return "1"
        if self.layer == 0:
            return f"x{self.source + 1}"
        return f"a({self.layer},{self.source + 1})"

    def describe(self) -> str:
        """E.g. 'layer 1, unit 1, from input 2' or 'layer 2, unit 1, bias'."""
        where = f"layer {self.layer + 1}, unit {self.unit + 1}"
        if self.source is None:
            return f"{where}, bias"
        below = "input" if self.layer == 0 else f"hidden {self.layer} unit"
        return f"{where}, from {below} {self.source + 1}"


def sizes_text(layers: tuple[int, ...] | list[int]) -> str:
    """'2-2-2' for layer sizes (inputs first)."""
    return "-".join(str(n) for n in layers)


def parse(text: str, layers: tuple[int, ...] | list[int]) -> WeightAddress:
    """The address `text` ('L:U:I' or 'L:U:b', 1-based) in a network of `layers` units per
    layer (inputs first); AddressError naming the layer sizes when a part is out of range."""
    match = _FORM.fullmatch(text)
    shown = text if len(text) <= 40 else text[:40] + "…"
    if match is None:
        raise AddressError(
            f"{shown!r} is not a weight address LAYER:UNIT:INPUT "
            "(1-based, INPUT may be b for the bias, e.g. 1:1:2 or 2:1:b)"
        )
    layer, unit = int(match[1]), int(match[2])
    depth = len(layers) - 1
    net = f"the network {sizes_text(layers)} has"
    if not 1 <= layer <= depth:
        raise AddressError(f"layer {layer} is out of range: {net} weight layers 1..{depth}")
    n_in, n_out = layers[layer - 1], layers[layer]
    if not 1 <= unit <= n_out:
        raise AddressError(
            f"unit {unit} is out of range: weight layer {layer} of "
            f"{sizes_text(layers)} enters {n_out} units (1..{n_out})"
        )
    if match[3] in ("b", "B"):
        return WeightAddress(layer - 1, unit - 1, None)
    source = int(match[3])
    if not 1 <= source <= n_in:
        what = "inputs" if layer == 1 else f"units of hidden layer {layer - 1}"
        raise AddressError(
            f"input {source} is out of range: weight layer {layer} of "
            f"{sizes_text(layers)} comes from {n_in} {what} (1..{n_in}, or b "
            "for the bias)"
        )
    return WeightAddress(layer - 1, unit - 1, source - 1)
