"""One unit as a computational graph, micrograd's picture: every node with its forward value and
its gradient after backward, for one sample.

For unit j of weight layer l and sample x the nodes are, leaves first: each weight w_i and its
input a_i, their product w_i·a_i, the sum Σ_i w_i·a_i, the bias b, z = Σ + b, a = f(z) and, for an
output unit, the sample's cost C_x. Gradients are of that sample's cost, ∂C_x/∂node (the batch's
∂C/∂w is their mean over the batch, plus λ/m·w with L2): ∂C_x/∂z = δ_j, so the product, the sum
and b get δ_j, w_i gets δ_j·a_i and a_i gets δ_j·w_i; ∂C_x/∂a is Σ_k w_kj·δ_k for a hidden unit
and the loss derivative at the output. z, a, δ and C_x are the engine's own numbers (the kernels
the stepper uses, at the `probe.Point`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bptui.engine.names import Names, bias_name
from bptui.engine.probe import Pass, Point


@dataclass(frozen=True)
class Node:
    """A node: label, kind ('weight', 'input', 'product', 'sum', 'bias', 'z', 'activation',
    'loss'), forward value, gradient ∂C_x/∂node, and the indices of the nodes it is made of."""

    label: str
    kind: str
    value: float
    grad: float
    inputs: tuple[int, ...] = ()


@dataclass(frozen=True)
class UnitGraph:
    """The nodes of one unit for one sample, leaves first (the last node is the root)."""

    layer: int
    unit: int
    sample: int
    row: int
    """The sample's row in the training set."""
    nodes: tuple[Node, ...]

    @property
    def root(self) -> Node:
        """The cost (output unit) or the activation (hidden unit)."""
        return self.nodes[-1]


def unit_graph(
    point: Point,
    layer: int,
    unit: int,
    sample: int = 0,
    backward: Pass | None = None,
    names: Names | None = None,
) -> UnitGraph:
    """The graph of unit `unit` of weight layer `layer` (0-based) for batch sample `sample`;
    weights and bias carry the preset's own `names` where it has them (Mazur's w5, b2₁), else
    w1, w2 … and b."""
    with np.errstate(all="ignore"):  # a diverged run: inf and nan, shown as they are
        return _graph(point, layer, unit, sample, backward or Pass(point), names)


def _graph(
    point: Point, layer: int, unit: int, sample: int, backward: Pass, names: Names | None
) -> UnitGraph:
    s = min(max(sample, 0), point.m - 1)
    ws = backward.ws
    w = backward.params.w[layer][unit]
    b = float(backward.params.b[layer][unit])
    a_in = backward.layer_input(layer)[s]
    delta = float(ws.delta[layer][s, unit])
    name_of = (lambda i: f"x{i}") if layer == 0 else (lambda i: f"a({layer},{i})")
    own = names is not None and names.fits(point.spec.layers)
    weight_of = (lambda i: names.weights[layer][unit][i]) if own else (lambda i: f"w{i + 1}")
    nodes: list[Node] = []
    products = []
    for i in range(w.shape[0]):
        wi, ai = float(w[i]), float(a_in[i])
        nodes.append(Node(weight_of(i), "weight", wi, delta * ai))
        nodes.append(Node(name_of(i + 1), "input", ai, delta * wi))
        nodes.append(
            Node(
                f"{weight_of(i)}·{name_of(i + 1)}",
                "product",
                wi * ai,
                delta,
                (len(nodes) - 2, len(nodes) - 1),
            )
        )
        products.append(len(nodes) - 1)
    total = float(w @ a_in)
    nodes.append(Node("Σ w·a", "sum", total, delta, tuple(products)))
    nodes.append(Node(bias_name(names, layer, unit) if own else "b", "bias", b, delta))
    nodes.append(
        Node("z", "z", float(ws.z[layer][s, unit]), delta, (len(nodes) - 2, len(nodes) - 1))
    )
    name = backward.plan.names[layer]
    by_a = float(backward.cost_by_activation(layer)[s, unit])
    nodes.append(
        Node(f"a = {name}(z)", "activation", float(ws.a[layer][s, unit]), by_a, (len(nodes) - 1,))
    )
    if layer == backward.plan.depth - 1:
        nodes.append(Node("C_x", "loss", float(backward.sample_costs()[s]), 1.0, (len(nodes) - 1,)))
    return UnitGraph(layer, unit, s, int(point.rows[s]), tuple(nodes))
