"""The loss around one weight or two (`landscape`) and `bptui slice`: checked against plain
arithmetic on Mazur's network and against the engine's own cost, one setting at a time."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from bptui.commands.cli import main
from bptui.engine import Dataset, NetworkSpec, Stepper, TrainingSpec
from bptui.engine.address import WeightAddress, parse
from bptui.engine.kernels import Workspace
from bptui.engine.landscape import grid, losses_at, slice_loss
from bptui.engine.probe import Point, batch_cost
from bptui.preset import load_preset
from tests.helpers import make_stepper

MAZUR = {"w": [[0.15, 0.20, 0.25, 0.30], [0.40, 0.45, 0.50, 0.55]], "b": [0.35, 0.60]}


def run_main(argv):
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def mazur_cost(changes: dict[str, float]) -> float:
    """E_total of Mazur's network by hand, with named parameters changed: w1..w8 and b1 b2 for
    the hidden units, b3 b4 for the outputs (bptui gives each unit its own bias)."""
    p = {f"w{i + 1}": v for i, v in enumerate(MAZUR["w"][0] + MAZUR["w"][1])}
    p.update(b1=0.35, b2=0.35, b3=0.60, b4=0.60)
    p.update(changes)
    i1, i2 = 0.05, 0.10
    h1 = sigmoid(p["w1"] * i1 + p["w2"] * i2 + p["b1"])
    h2 = sigmoid(p["w3"] * i1 + p["w4"] * i2 + p["b2"])
    o1 = sigmoid(p["w5"] * h1 + p["w6"] * h2 + p["b3"])
    o2 = sigmoid(p["w7"] * h1 + p["w8"] * h2 + p["b4"])
    return 0.5 * (0.01 - o1) ** 2 + 0.5 * (0.99 - o2) ** 2


NAMES = {
    "1:1:1": "w1",
    "1:1:2": "w2",
    "1:2:1": "w3",
    "2:1:1": "w5",
    "2:2:2": "w8",
    "1:2:b": "b2",
    "2:1:b": "b3",
}


def mazur_point() -> Point:
    return Point.current(load_preset("mazur").stepper())


@pytest.mark.parametrize("text", ["1:1:1", "2:1:1", "1:2:b", "2:1:b"])
def test_slice_one_weight_on_mazur_matches_arithmetic_by_hand(text):
    result = slice_loss(mazur_point(), [parse(text, (2, 2, 2))], span=0.8, points=9)
    (values,) = result.values
    assert values[4] == result.current[0]
    expected = [mazur_cost({NAMES[text]: float(v)}) for v in values]
    assert result.loss == pytest.approx(expected, rel=1e-13)
    assert result.loss_current == pytest.approx(0.298371109, rel=1e-9)
    # SGD with η = 0.5: next = w − 0.5·∂C/∂w, and the curve's value there
    assert result.next[0] == pytest.approx(result.current[0] - 0.5 * result.gradient[0], rel=1e-15)
    assert result.loss_next == pytest.approx(mazur_cost({NAMES[text]: result.next[0]}), rel=1e-13)


def test_slice_w5_next_is_mazurs_updated_w5():
    result = slice_loss(mazur_point(), [parse("2:1:1", (2, 2, 2))])
    assert result.gradient[0] == pytest.approx(0.082167041, rel=1e-8)
    assert result.next[0] == pytest.approx(0.35891648, rel=1e-8)
    assert result.loss_after_update == pytest.approx(0.28047144679143016, rel=1e-12)


def test_slice_two_weights_on_mazur_is_a_grid_by_the_first_weight():
    a, b = parse("1:1:2", (2, 2, 2)), parse("2:2:2", (2, 2, 2))
    result = slice_loss(mazur_point(), [a, b], span=0.5, points=5)
    assert result.loss.shape == (5, 5)
    for i, v in enumerate(result.values[0]):
        for k, u in enumerate(result.values[1]):
            expected = mazur_cost({"w2": float(v), "w8": float(u)})
            assert result.loss[i, k] == pytest.approx(expected, rel=1e-13)
    assert result.loss_next == pytest.approx(
        mazur_cost({"w2": result.next[0], "w8": result.next[1]}), rel=1e-13
    )


def test_grid_has_the_current_value_exactly_in_the_middle():
    values = grid(0.1, 0.7, 41)
    assert values[20] == 0.1
    assert values[0] == pytest.approx(-0.6) and values[-1] == pytest.approx(0.8)
    assert np.all(np.diff(values) > 0)


NETWORKS = {
    "relu-softmax-ce": dict(
        layers=[3, 5, 4, 3], hidden="relu", output="softmax", loss="cross_entropy", l2=0.3
    ),
    "tanh-sigmoid-ce": dict(
        layers=[2, 4, 3, 2], hidden="tanh", output="sigmoid", loss="cross_entropy"
    ),
    "sigmoid-linear-mse": dict(
        layers=[2, 4, 3, 2], hidden="sigmoid", output="linear", loss="mse", l2=0.1
    ),
    "leaky-softmax-quadratic": dict(
        layers=[3, 4, 3], hidden="leaky_relu", output="softmax", loss="quadratic"
    ),
}
ADDRESS_SETS = {
    "three-layers": [WeightAddress(2, 1, 3), WeightAddress(0, 3, None), WeightAddress(1, 2, 0)],
    "same-unit": [WeightAddress(0, 1, 0), WeightAddress(0, 1, None)],
    "same-layer": [WeightAddress(1, 0, 1), WeightAddress(1, 2, 1)],
    "chain": [WeightAddress(0, 2, 1), WeightAddress(1, 1, 2)],
    "output-bias": [WeightAddress(-1, 0, None)],
}


@pytest.mark.parametrize("budget", [1, 37, 1 << 21], ids=["one-by-one", "chunks", "at-once"])
@pytest.mark.parametrize("network", NETWORKS)
@pytest.mark.parametrize("chosen", ADDRESS_SETS)
def test_losses_at_matches_the_engine_cost_setting_by_setting(budget, network, chosen):
    stepper = make_stepper(**NETWORKS[network], m=9)
    stepper.run(2)
    point = Point.current(stepper)
    depth = len(point.shapes)
    addresses = [WeightAddress(a.layer % depth, a.unit, a.source) for a in ADDRESS_SETS[chosen]]
    if any(
        a.layer >= depth
        or a.unit >= point.shapes[a.layer][0]
        or (a.source or 0) >= point.shapes[a.layer][1]
        for a in addresses
    ):
        pytest.skip("not in this network")
    settings = point.params[[a.flat_index(point.shapes) for a in addresses]]
    rng = np.random.default_rng(5)
    settings = settings + rng.normal(scale=0.5, size=(13, len(addresses)))
    got = losses_at(point, addresses, settings, budget=budget)
    ws = Workspace(point.spec, point.m)
    for row, cost in zip(settings, got):
        flat = point.params.copy()
        flat[[a.flat_index(point.shapes) for a in addresses]] = row
        assert cost == pytest.approx(batch_cost(point, flat, ws), rel=1e-12)


@pytest.mark.parametrize("optimizer", ["momentum", "adam", "rmsprop"])
def test_slice_next_is_where_the_real_next_update_puts_the_weight(optimizer):
    def fresh():
        spec = NetworkSpec((3, 4, 2), "tanh", "sigmoid", "quadratic")
        rng = np.random.default_rng(11)
        x, y = rng.normal(size=(10, 3)), rng.uniform(size=(10, 2))
        data = Dataset(x, y, x[:0], y[:0])
        return Stepper(spec, TrainingSpec(0.05, 4, 0.1, 0.9, True, optimizer), data, seed=2)

    probed, twin = fresh(), fresh()
    probed.run(3)
    twin.run(4)
    address = WeightAddress(1, 1, 2)
    result = slice_loss(Point.current(probed), [address], points=3)
    assert result.next[0] == twin.params.w[1][1, 2]


def test_slice_loss_after_update_is_the_cost_after_a_real_step_full_batch():
    stepper = make_stepper([2, 3, 1], l2=0.2, m=8, lr=0.3)
    result = slice_loss(Point.current(stepper), [WeightAddress(0, 0, 0)], points=3)
    stepper.run(1)
    assert result.loss_after_update == pytest.approx(stepper.loss, rel=1e-14)


# --------------------------------------------------------------------------------------------
# bptui slice


def slice_json(capsys, *args) -> dict:
    assert run_main(["slice", *args, "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return json.loads(captured.out)


def test_slice_command_json_one_weight(capsys):
    doc = slice_json(capsys, "mazur", "--weight", "2:1:1", "--points", "11", "--span", "0.5")
    for key in ("weight", "values", "loss", "current", "gradient", "next", "loss_next"):
        assert key in doc
    assert doc["weight"] == "2:1:1"
    assert len(doc["values"]) == len(doc["loss"]) == 11
    assert doc["values"][5] == doc["current"] == 0.4
    assert doc["loss"] == pytest.approx([mazur_cost({"w5": v}) for v in doc["values"]], rel=1e-13)
    assert doc["next"] == pytest.approx(0.35891648, rel=1e-8)
    assert doc["loss_next"] == pytest.approx(mazur_cost({"w5": doc["next"]}), rel=1e-13)


def test_slice_command_json_two_weights(capsys):
    doc = slice_json(
        capsys, "mazur", "--weight", "1:1:1", "--weight2", "2:2:b", "--points", "5", "--steps", "2"
    )
    assert doc["weight2"] == "2:2:b"
    assert [len(v) for v in doc["values"]] == [5, 5]
    assert len(doc["loss"]) == 5 and all(len(row) == 5 for row in doc["loss"])
    assert len(doc["current"]) == len(doc["gradient"]) == len(doc["next"]) == 2
    assert doc["loss"][2][2] == pytest.approx(doc["loss_current"], rel=1e-13)


def test_slice_command_text_draws_the_curve(capsys):
    assert run_main(["slice", "mazur", "--weight", "2:1:1", "--points", "5"]) == 0
    out = capsys.readouterr().out
    assert "every other weight as it is" in out
    assert "← now" in out and out.count("\n") >= 8


@pytest.mark.parametrize(
    "args, words",
    [
        (["--weight", "1:1:1", "--weight2", "1:1:1"], ["same weight"]),
        (["--weight", "1:1:1", "--weight2", "2:3:1"], ["--weight2 2:3:1", "2-2-2"]),
        (["--weight", "1:1:1", "--weight2", "1:1:b", "--points", "300"], ["--points", "3..201"]),
        (["--weight", "1:1:1", "--points", "2"], ["--points"]),
        (["--weight", "1:1:1", "--span", "-1"], ["--span"]),
    ],
)
def test_slice_command_bad_input_is_one_line_and_exit_2(capsys, args, words):
    assert run_main(["slice", "mazur", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    for word in words:
        assert word in captured.err
