"""What things are called: units ('hidden layer 1, unit 2'), and weights and biases as the
preset's sources call them (a preset's [names], e.g. Mazur's w1 … w8), else w_1, w_2 … per unit.

One place for these words: the diagram's headings, P's prompt, the explain pane, the matrix pane
and the lessons all use them.
"""

from __future__ import annotations

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
