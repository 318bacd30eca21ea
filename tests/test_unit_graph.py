"""One unit as a computational graph (`engine.unitgraph`): values and gradients per node."""

from __future__ import annotations

import numpy as np
import pytest

from bptui.engine.probe import Pass, Point
from bptui.engine.unitgraph import unit_graph
from bptui.preset import load_preset
from tests.helpers import make_stepper


def by_label(graph) -> dict:
    return {node.label: node for node in graph.nodes}


def test_mazur_output_unit_o1_matches_mazur():
    graph = unit_graph(Point.current(load_preset("mazur").stepper()), 1, 0)
    nodes = by_label(graph)
    assert nodes["z"].value == pytest.approx(1.105905967, rel=1e-9)
    assert nodes["a = sigmoid(z)"].value == pytest.approx(0.75136507, rel=1e-8)
    assert nodes["a = sigmoid(z)"].grad == pytest.approx(0.74136507, rel=1e-8)
    assert nodes["z"].grad == pytest.approx(0.138498562, rel=1e-8)
    assert nodes["w1"].grad == pytest.approx(0.082167041, rel=1e-8)  # his w5
    assert graph.root.kind == "loss"
    assert graph.root.value == pytest.approx(0.298371109, rel=1e-9)
    assert graph.root.grad == 1.0


def test_mazur_hidden_unit_h1_ends_at_its_activation():
    graph = unit_graph(Point.current(load_preset("mazur").stepper()), 0, 0)
    nodes = by_label(graph)
    assert graph.root.kind == "activation"
    assert graph.root.grad == pytest.approx(0.036350306, rel=1e-7)
    assert nodes["w1"].grad == pytest.approx(0.000438568, rel=1e-6)
    assert nodes["x1"].value == 0.05
    assert nodes["w1·x1"].inputs == (0, 1)


def test_the_graph_uses_the_presets_own_weight_names():
    """Learner walk 2, #31: Mazur's output unit 1 named its weight w1 where the lesson, the nudge
    view and the matrix pane say w5; a preset without names keeps w1, w2 … and b."""
    preset = load_preset("mazur")
    point = Point.current(preset.stepper())
    nodes = by_label(unit_graph(point, 1, 0, names=preset.names))
    assert nodes["w5"].grad == pytest.approx(0.082167041, rel=1e-8)
    assert "w6·a(1,2)" in nodes and nodes["b2₁"].kind == "bias" and "w1" not in nodes
    assert "w1" in by_label(unit_graph(point, 1, 0)), "no names given: w1, w2 …"


def test_graph_nodes_add_up_and_average_to_the_batch_gradient():
    stepper = make_stepper([3, 4, 2], hidden="tanh", output="softmax", loss="cross_entropy", m=5)
    point = Point.current(stepper)
    backward = Pass(point)
    layer, unit = 0, 2
    grads = np.zeros(3)
    for sample in range(point.m):
        graph = unit_graph(point, layer, unit, sample, backward)
        nodes = graph.nodes
        total = next(n for n in nodes if n.kind == "sum")
        products = [nodes[i] for i in total.inputs]
        assert sum(p.value for p in products) == pytest.approx(total.value, rel=1e-12)
        z = next(n for n in nodes if n.kind == "z")
        bias = next(n for n in nodes if n.kind == "bias")
        assert z.value == pytest.approx(total.value + bias.value, rel=1e-12, abs=1e-15)
        grads += [n.grad for n in nodes if n.kind == "weight"]
        assert graph.row == sample
    assert grads / point.m == pytest.approx(backward.grads.w[layer][unit], rel=1e-12)
