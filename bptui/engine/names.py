"""What things are called: units ('hidden layer 1, unit 2'), and weights and biases as the
preset's sources call them (a preset's [names], e.g. Mazur's w1 … w8), else w_1, w_2 … per unit.

One place for these words: the diagram's headings, P's prompt, the explain pane, the matrix pane
and the lessons all use them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass


def layer_name(column: int, depth: int) -> str:
    """'input', 'hidden layer 1', …, 'output layer' (column 0 is the input layer)."""
    if column == 0:
        return "input"
    return "output layer" if column == depth else f"hidden layer {column}"


def unit_name(layer: int, unit: int, depth: int) -> str:
    """'hidden layer 1, unit 2' or 'output layer, unit 1' for unit `unit` (0-based) of weight
    layer `layer` (0-based)."""
    return f"{layer_name(layer + 1, depth)}, unit {unit + 1}"


@dataclass(frozen=True)
class Names:
    """A preset's own names: per weight layer, W's names (n_out rows of n_in) and, optionally,
    b's (n_out)."""

    weights: tuple[tuple[tuple[str, ...], ...], ...]
    biases: tuple[tuple[str, ...], ...] | None = None

    def fits(self, layers: tuple[int, ...] | list[int]) -> bool:
        """Whether the names are shaped for a network of these layer sizes."""
        layers = tuple(layers)
        if len(self.weights) != len(layers) - 1:
            return False
        for k, rows in enumerate(self.weights):
            if len(rows) != layers[k + 1] or any(len(r) != layers[k] for r in rows):
                return False
            if self.biases is not None and len(self.biases[k]) != layers[k + 1]:
                return False
        return True


def weight_name(names: Names | None, layer: int, unit: int, i: int) -> str:
    """Incoming weight `i` (0-based) of a unit: the preset's name, else 'w_1', 'w_2' …"""
    if names is not None:
        return names.weights[layer][unit][i]
    return f"w_{i + 1}"


def bias_name(names: Names | None, layer: int, unit: int) -> str:
    """A unit's bias: the preset's name, else 'b'."""
    if names is not None and names.biases is not None:
        return names.biases[layer][unit]
    return "b"


def fitting(names: Names | None, layers) -> Names | None:
    """`names` if they fit these layer sizes (settings may have changed them), else None."""
    return names if names is not None and names.fits(layers) else None


_SEPARATORS = re.compile(r"([_\-. ]+)")


def _cut(name: str, width: int) -> str:
    return name if len(name) <= width else name[: max(0, width - 1)] + "…"


def _abbreviated(name: str, letters: int, width: int) -> str:
    """'sepal_length' → 'sep_len' (each word cut to `letters` letters, separators kept); a
    name of one word is cut to `width` with "…"."""
    if not _SEPARATORS.search(name.strip("_-. ")):
        return _cut(name, width)
    return "".join(
        part if _SEPARATORS.fullmatch(part) else part[:letters] for part in _SEPARATORS.split(name)
    )


def short_names(
    names: tuple[str, ...] | list[str], count: int, width: int, fallback: str = "x{}"
) -> list[str]:
    """`count` distinct labels of at most `width` cells for inputs or classes called `names`
    (missing ones: `fallback` numbered from 1): the names if they fit; else without their
    common prefix and suffix (class_0, class_1 → 0, 1); else each word shortened alike
    (sepal_length, petal_width → sep_len, pet_wid); else cut, with "…" marking the cut; else
    the fallback names (x1, x2 …)."""
    full = [str(names[i]) if i < len(names) else fallback.format(i + 1) for i in range(count)]

    def distinct(labels: list[str]) -> bool:
        return len(set(labels)) == count and all(0 < len(label) <= width for label in labels)

    if distinct(full):
        return full
    candidates = [full]
    prefix = os.path.commonprefix(full) if count > 1 else ""
    suffix = os.path.commonprefix([n[::-1] for n in full])[::-1] if count > 1 else ""
    if count > 1 and len(prefix) + len(suffix) < min(len(n) for n in full):
        stripped = [n[len(prefix) : len(n) - len(suffix)] for n in full]
        if distinct(stripped):
            return stripped
        candidates.insert(0, stripped)
    for base in candidates:
        longest = max(len(n) for n in base)
        for letters in range(longest, 1, -1):
            short = [_abbreviated(n, letters, width) for n in base]
            if distinct(short):
                return short
        cut = [_cut(n, width) for n in base]
        if width > 1 and distinct(cut):
            return cut
    numbered = [fallback.format(i + 1) for i in range(count)]
    return numbered if distinct(numbered) else [n[:width] for n in numbered]
