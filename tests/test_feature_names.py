"""The data's own words: a CSV's feature names label the inputs in the diagram, the matrix
columns, the explain pane and P's prompt (shortened to stay distinct); the digits picture shows
the raw pixel values with the sample's label and the prediction."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bptui.app.main import BptuiApp
from bptui.engine.explain import explain
from bptui.engine.predict import Target, ask
from bptui.preset import load_preset

FRUIT = str(Path(__file__).parent / "data" / "fruit.toml")
FEATURES = ("weight_grams", "sweetness", "skin_colour")


def test_the_explain_pane_names_the_inputs():
    stepper = load_preset(FRUIT).stepper()
    stepper.micro_step()
    lines = [line.text for line in explain(stepper, 0, 0, 0)]
    assert any(
        text.startswith("inputs: x1 = weight_grams = ") and "x2 = sweetness" in text
        for text in lines
    ), lines


def test_the_explain_pane_adds_no_line_for_unnamed_inputs():
    stepper = load_preset("xor").stepper()
    stepper.micro_step()
    assert not any(line.text.startswith("inputs:") for line in explain(stepper, 0, 0, 0))


def test_ps_prompt_names_the_input_a_first_layer_weight_multiplies():
    stepper = load_preset(FRUIT).stepper()
    question = ask(stepper, 0, 0, 0, Target("∂C/∂w", 0, 0, 1))
    assert "That weight multiplies the input sweetness." in question.prompt(30)
    assert "δ·sweetness" in question.formula[0]
    plain = ask(load_preset("xor").stepper(), 0, 0, 0, Target("∂C/∂w", 0, 0, 1))
    assert "multiplies the input" not in plain.prompt(4)


async def test_the_diagram_and_the_matrix_label_the_inputs_by_name():
    app = BptuiApp(preset=FRUIT)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f")
        await pilot.pause()
        diagram = app.query_one("#diagram").build().plain
        for name in FEATURES:
            assert name in diagram
        matrix = app.query_one("#matrix").build().plain
        header = next(line for line in matrix.splitlines() if "sweet" in line)
        assert header.split() == ["wei_gra", "sweetne…", "ski_col"]
    app = BptuiApp(preset=FRUIT)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f")
        await pilot.pause()
        diagram = app.query_one("#diagram").build().plain
        assert "wei_gra" in diagram and "sweetn…" in diagram and "ski_col" in diagram


async def test_the_digits_picture_shows_raw_pixels_and_the_label_and_prediction():
    from bptui.app.widgets.diagram import NetworkDiagram, raw_inputs

    app = BptuiApp(preset="digits")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f", "f")
        await pilot.pause()
        snap = app.main_screen.snapshot
        diagram = app.query_one(NetworkDiagram)
        row = int(snap.batch_rows[0])
        stepper = app.main_screen.stepper
        raw = raw_inputs(snap, 0)
        grey_levels = np.arange(17.0)
        assert np.allclose(raw, np.round(raw)) and set(np.round(raw)) <= set(grey_levels)
        mean, std = stepper.data.notes["mean"], stepper.data.notes["std"]
        assert np.allclose(raw, stepper.data.x_train[row] * std + mean)
        label = int(np.argmax(stepper.data.y_train[row]))
        predicted = int(np.argmax(snap.views[-1].a.row(0)))
        _, caption, _ = diagram.picture_caption(snap)
        assert caption == f"label {label}, predicted {predicted}"
        assert caption in diagram.build().plain
