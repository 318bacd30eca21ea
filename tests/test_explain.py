"""The explain pane's numbers are the engine's, to the printed digits."""

from __future__ import annotations

import pytest

from bptui.engine import Phase
from bptui.engine.explain import explain, number
from bptui.engine.kernels import Parameters
from bptui.preset import load_preset


def test_mazur_hidden_delta_reads_like_the_worked_example():
    stepper = load_preset("mazur").stepper()
    stepper.run_until(Phase.BACKWARD)
    stepper.run_until(Phase.BACKWARD)
    text = "\n".join(line.text for line in explain(stepper, 0, 0))
    assert "δ = (0.4·0.1385 + 0.5·(-0.0381))·0.2413 = 0.008771" in text
    assert "z = Σ_i w_i·x_i + b = 0.15·0.05 + 0.2·0.1 + 0.35 = 0.3775" in text
    stepper.run_until(Phase.UPDATE)
    text = "\n".join(line.text for line in explain(stepper, 1, 0))
    assert "C_x = ½ Σ_k (a_k − y_k)² = ½((0.7514 − 0.01)² + (0.7729 − 0.99)²) = 0.2984" in text
    assert "Δw_1 = −η·g = −0.5·0.08217 = -0.04108" in text
    assert "w_1: 0.4 + (-0.04108) = 0.3589" in text


def engine_values(stepper, layer, unit, s):
    ws = stepper.ws
    values = {float(ws.z[layer][s, unit]), float(ws.a[layer][s, unit])}
    if stepper.delta_done(layer):
        values.add(float(ws.delta[layer][s, unit]))
    if stepper.gradient_done(layer):
        values |= {float(v) for v in stepper.dw[layer][unit]} | {float(stepper.db[layer][unit])}
    if stepper.updated:
        values |= {float(v) for v in stepper.weights[layer][unit]} | {
            float(stepper.biases[layer][unit])
        }
        values |= {float(v) for v in stepper.applied.w[layer][unit]} | {
            float(stepper.applied.b[layer][unit])
        }
        for k, _ in enumerate(stepper.optimizer.buffers):
            state = Parameters(stepper.params.shapes, stepper.opt_state[k])
            values |= {float(v) for v in state.w[layer][unit]} | {float(state.b[layer][unit])}
    return values


@pytest.mark.parametrize("name", ["xor", "spiral", "sine", "moons", "digits", "circle"])
def test_every_result_is_the_engines_number(name):
    stepper = load_preset(name).stepper()
    stepper.run(2)
    checked = 0
    for _ in range(stepper.steps_per_training_step):
        stepper.micro_step()
        for layer in range(stepper.depth):
            units = stepper.spec.layers[layer + 1]
            for unit in sorted({0, units - 1}):
                sample = stepper.ws.m - 1
                lines = explain(stepper, layer, unit, sample)
                allowed = engine_values(stepper, layer, unit, sample)
                for line in lines:
                    if line.kind != "formula" or line.text.startswith("C"):
                        continue
                    assert line.value in allowed, (line.text, layer, unit)
                    assert line.text.endswith("= " + number(line.value))
                    checked += 1
    assert checked > 20


def test_a_formula_too_long_for_the_explain_pane_wraps_onto_indented_lines():
    """Wrapped, a formula's continuation is indented past the formulas' own indent (it used to
    start at the pane's edge, where the next formula's first line could be taken for it)."""
    from rich.console import Console

    from bptui.app.widgets.explainpane import HANGING, INDENT, explanation_text
    from bptui.engine.explain import Line

    long = Line("formula", "z = w1·x1 + w2·x2 + b1 = 0.15·0.05 + 0.2·0.1 + 0.35 = 0.3775", 0.3775)
    lines = [Line("head", "forward · unit 1"), long, Line("note", "next: f")]
    rows = explanation_text(lines, 30, Console(width=200)).plain.splitlines()
    assert rows[0] == "forward · unit 1"
    assert rows[1].startswith(" " * INDENT + "z = ") and len(rows) > 3
    continued = rows[2 : rows.index(" " * INDENT + "next: f")]
    assert continued and all(r.startswith(" " * HANGING) and r[HANGING] != " " for r in continued)
    assert all(len(r) <= 30 and r == r.rstrip() for r in rows)
    assert "".join(r.strip() + " " for r in rows[1:-1]).split() == long.text.split()
