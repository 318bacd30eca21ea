"""Weight addresses, the nudge of one weight (slope, gradient, chain-rule factors) and
`bptui nudge`; probes leave the stepper exactly as it was."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from bptui.commands.cli import main
from bptui.engine import Dataset, NetworkSpec, Stepper, TrainingSpec
from bptui.engine.address import AddressError, WeightAddress, parse
from bptui.engine.landscape import slice_loss
from bptui.engine.nudge import nudge
from bptui.engine.probe import Pass, Point, next_update
from bptui.engine.unitgraph import unit_graph
from bptui.preset import load_preset
from tests.helpers import DIVERGING, make_stepper

# Mazur's published numbers (mattmazur.com, 2015): δ of o1 and o2, ∂E/∂out_h1, out_h1·(1 − out_h1)
DELTA_O1, DELTA_O2 = 0.138498562, -0.038098236
W5, W7 = 0.40, 0.50
DC_DA_H1 = 0.036350306
SIGMA_PRIME_H1 = 0.241300709


def run_main(argv):
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


def mazur_point(steps: int = 0) -> Point:
    stepper = load_preset("mazur").stepper()
    stepper.run(steps)
    return Point.current(stepper)


# --------------------------------------------------------------------------------------------
# addresses


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1:1:1", WeightAddress(0, 0, 0)),
        ("2:2:b", WeightAddress(1, 1, None)),
        (" 2 : 1 : 2 ", WeightAddress(1, 0, 1)),
        ("1:2:B", WeightAddress(0, 1, None)),
    ],
)
def test_address_parses_one_based_parts_and_b_for_the_bias(text, expected):
    address = parse(text, (2, 2, 2))
    assert address == expected
    assert parse(str(address), (2, 2, 2)) == address


def test_address_flat_index_matches_the_parameter_vector():
    stepper = make_stepper([3, 4, 2])
    for layer, (rows, cols) in enumerate(stepper.spec.weight_shapes()):
        for unit in range(rows):
            for source in [*range(cols), None]:
                address = WeightAddress(layer, unit, source)
                index = address.flat_index(stepper.params.shapes)
                assert index == stepper.params.index(layer, unit, source)


@pytest.mark.parametrize(
    "text, words",
    [
        ("3:1:1", ["layer 3", "2-2-2", "weight layers 1..2"]),
        ("0:1:1", ["layer 0", "1..2"]),
        ("1:3:1", ["unit 3", "2-2-2", "2 units (1..2)"]),
        ("2:1:9", ["input 9", "2 units of hidden layer 1", "or b for the bias"]),
        ("1:1:3", ["input 3", "2 inputs"]),
        ("1:1", ["not a weight address", "LAYER:UNIT:INPUT"]),
        ("a:b:c", ["not a weight address"]),
        ("1:1:-1", ["not a weight address"]),
    ],
)
def test_address_errors_are_one_line_naming_the_layer_sizes(text, words):
    with pytest.raises(AddressError) as caught:
        parse(text, (2, 2, 2))
    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word in message


# --------------------------------------------------------------------------------------------
# the nudge on Mazur, against his published numbers


def test_nudge_mazur_w1_slope_gradient_and_factors_match_mazur():
    result = nudge(mazur_point(), parse("1:1:1", (2, 2, 2)))
    assert result.weight == 0.15
    assert result.epsilon == pytest.approx(1e-4)
    assert result.slope == pytest.approx(0.000438568, rel=1e-6)
    assert result.gradient == pytest.approx(0.000438568, rel=1e-6)
    assert result.relative_difference < 1e-8
    assert result.loss == pytest.approx(0.298371109, rel=1e-9)
    assert result.loss_minus < result.loss < result.loss_plus
    names = [f.name for f in result.factors]
    assert names == ["∂C/∂a", "σ'(z)", "a_in = x1"]
    values = [f.value for f in result.factors]
    assert values == pytest.approx([0.0363503, 0.2413007, 0.05], abs=5e-8)
    assert values[0] == pytest.approx(DC_DA_H1, rel=1e-7)
    assert values[1] == pytest.approx(SIGMA_PRIME_H1, rel=1e-7)
    # ∂C/∂a_h1 = w5·δ_o1 + w7·δ_o2, each term listed
    assert [(t.unit, t.weight) for t in result.terms] == [(0, W5), (1, W7)]
    assert [t.delta for t in result.terms] == pytest.approx([DELTA_O1, DELTA_O2], rel=1e-7)
    assert [t.value for t in result.terms] == pytest.approx(
        [W5 * DELTA_O1, W7 * DELTA_O2], rel=1e-7
    )
    assert np.prod(values) == pytest.approx(result.gradient, rel=1e-12)


def test_nudge_mazur_output_weight_w5_has_the_loss_derivative_at_the_output():
    result = nudge(mazur_point(), parse("2:1:1", (2, 2, 2)))
    assert result.gradient == pytest.approx(0.082167041, rel=1e-8)
    assert [f.name for f in result.factors] == ["∂C/∂a", "σ'(z)", "a_in = a(1,1)"]
    # ∂E/∂out_o1 = out_o1 − target = 0.75136507 − 0.01; σ'(z) = 0.186815602; out_h1 = 0.593269992
    assert [f.value for f in result.factors] == pytest.approx(
        [0.74136507, 0.186815602, 0.593269992], rel=1e-8
    )
    assert result.terms == ()


def test_nudge_after_steps_uses_the_trained_weight():
    result = nudge(mazur_point(steps=1), parse("1:1:1", (2, 2, 2)))
    assert result.weight == pytest.approx(0.149780716, rel=1e-9)  # Mazur's w1 after one step


def test_nudge_of_a_bias_has_a_in_one_and_no_l2_term():
    stepper = make_stepper([3, 4, 2], l2=0.3, m=6)
    result = nudge(Point.current(stepper), WeightAddress(0, 2, None))
    assert result.factors[-1].name == "a_in = 1 (bias)"
    assert np.all(result.factors[-1].per_sample == 1.0)
    assert result.l2_term == 0.0
    assert result.slope == pytest.approx(result.gradient, rel=1e-6)


NETWORKS = [
    dict(layers=[3, 4, 2], hidden="tanh", output="sigmoid", loss="quadratic"),
    dict(layers=[3, 5, 3], hidden="relu", output="softmax", loss="cross_entropy"),
    dict(layers=[2, 4, 3, 2], hidden="sigmoid", output="sigmoid", loss="cross_entropy"),
    dict(layers=[2, 3, 1], hidden="tanh", output="linear", loss="mse", l2=0.5),
    dict(layers=[3, 4, 3], hidden="leaky_relu", output="softmax", loss="quadratic", l2=0.2),
    dict(layers=[2, 6, 4, 2], hidden="relu", output="tanh", loss="mse", l2=1.0),
]


@pytest.mark.parametrize("config", NETWORKS, ids=lambda c: f"{c['hidden']}-{c['output']}")
def test_nudge_slope_matches_gradient_and_factors_multiply_to_it(config):
    stepper = make_stepper(**config, m=7, lr=0.05)
    stepper.run(2)
    point = Point.current(stepper)
    for layer, (rows, cols) in enumerate(point.shapes):
        for address in (
            WeightAddress(layer, rows - 1, 0),
            WeightAddress(layer, 0, cols - 1),
            WeightAddress(layer, rows // 2, None),
        ):
            result = nudge(point, address)
            assert abs(result.slope - result.gradient) <= 1e-6 * abs(result.gradient) + 1e-9
            product = np.prod([f.per_sample for f in result.factors], axis=0)
            assert np.allclose(product, result.products, rtol=1e-9, atol=1e-13)
            l2 = config.get("l2", 0.0)
            expected_l2 = 0.0 if address.is_bias else l2 / point.m * result.weight
            assert result.l2_term == pytest.approx(expected_l2, abs=1e-15)
            assert result.data_gradient + result.l2_term == pytest.approx(
                result.gradient, rel=1e-9, abs=1e-14
            )
            if result.terms:  # ∂C/∂a_j = Σ_k w_kj·δ_k, term by term, per sample
                by_a = result.factors[0].per_sample
                assert np.allclose(sum(t.per_sample for t in result.terms), by_a, atol=1e-14)


def test_nudge_gradient_is_the_steppers_own_bit_for_bit():
    stepper = make_stepper(
        [3, 5, 4, 2],
        hidden="relu",
        output="softmax",
        loss="cross_entropy",
        batch=4,
        shuffle=True,
        l2=0.1,
        m=10,
    )
    stepper.run(3)
    stepper.micro_step()  # mid-step: the next batch is loaded
    point = Point.current(stepper)
    while not stepper.gradient_done(0):
        stepper.micro_step()
    assert np.array_equal(point.rows, stepper.batch_indices)
    for layer, (rows, cols) in enumerate(point.shapes):
        result = nudge(point, WeightAddress(layer, rows - 1, cols - 1))
        assert result.gradient == stepper.dw[layer][rows - 1, cols - 1]
        assert nudge(point, WeightAddress(layer, 0, None)).gradient == stepper.db[layer][0]


@pytest.mark.parametrize("steps", [5, 8], ids=["epoch-loaded", "next-epoch"])
def test_current_point_after_an_update_is_the_next_steps_batch(steps):
    stepper = make_stepper([2, 3, 1], batch=3, shuffle=True, m=10)  # 4 batches an epoch
    stepper.run(steps)  # step 5: epoch 1's order is loaded; step 8: epoch 2's is not yet
    point = Point.current(stepper)
    stepper.micro_step()
    assert np.array_equal(point.rows, stepper.batch_indices)
    assert np.array_equal(point.x, stepper.batch_x)


def test_last_step_point_reproduces_the_update_just_made():
    stepper = make_stepper([3, 4, 2], batch=5, shuffle=True, momentum=0.9, m=12, l2=0.2)
    stepper.run(3)
    point = Point.last_step(stepper)
    backward = Pass(point)
    assert np.array_equal(backward.grads.flat, stepper.grads.flat)
    assert np.array_equal(next_update(point, backward.grads.flat), stepper.applied.flat)


def stepper_bytes(stepper) -> tuple:
    """Everything a probe could disturb, as bytes."""
    ws = stepper.ws
    return (
        stepper.params.flat.tobytes(),
        stepper.before.flat.tobytes(),
        stepper.grads.flat.tobytes(),
        stepper.applied.flat.tobytes(),
        stepper.opt_state.tobytes(),
        stepper.opt_before.tobytes(),
        stepper.opt_t,
        stepper.position,
        stepper.step,
        stepper.batch_start,
        stepper.version,
        stepper._perm_epoch,
        tuple(x.tobytes() for x in (*ws.z, *ws.a, *ws.delta)),
        np.asarray(stepper.batch_x).tobytes(),
        stepper.history.batch_loss.values.tobytes(),
        stepper.history.loss.values.tobytes(),
        stepper.last_cost,
    )


def test_probes_leave_the_stepper_bit_for_bit_as_it_was():
    def fresh():
        spec = NetworkSpec((3, 5, 2), "tanh", "softmax", "cross_entropy")
        rng = np.random.default_rng(7)
        x = rng.normal(size=(11, 3))
        y = np.eye(2)[rng.integers(0, 2, 11)]
        data = Dataset(x, y, x[:0], y[:0], task="classification")
        training = TrainingSpec(0.1, 4, 0.1, optimizer="adam", shuffle=True)
        return Stepper(spec, training, data, seed=3)

    probed, twin = fresh(), fresh()
    for stepper in (probed, twin):
        stepper.run(2)
        stepper.micro_step()
        stepper.micro_step()
    before = stepper_bytes(probed)
    for point in (Point.current(probed), Point.last_step(probed)):
        nudge(point, WeightAddress(0, 1, 2))
        slice_loss(point, [WeightAddress(1, 0, 3), WeightAddress(0, 2, None)], 0.5, 5)
        unit_graph(point, 1, 1, sample=2)
    assert stepper_bytes(probed) == before
    for stepper in (probed, twin):
        stepper.run(5)
    assert stepper_bytes(probed) == stepper_bytes(twin)


# --------------------------------------------------------------------------------------------
# bptui nudge


def nudge_json(capsys, *args) -> dict:
    assert run_main(["nudge", *args, "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.count("\n") == 1
    return json.loads(captured.out)


def test_nudge_command_json_contract_on_mazur(capsys):
    doc = nudge_json(capsys, "mazur", "--weight", "1:1:1")
    for key in (
        "weight",
        "epsilon",
        "loss_minus",
        "loss",
        "loss_plus",
        "slope",
        "gradient",
        "factors",
    ):
        assert key in doc
    assert doc["weight"] == "1:1:1"
    assert doc["slope"] == pytest.approx(0.000438568, rel=1e-6)
    assert doc["gradient"] == pytest.approx(0.000438568, rel=1e-6)
    assert [set(f) for f in doc["factors"]] == [{"name", "value"}] * 3
    assert [f["value"] for f in doc["factors"]] == pytest.approx(
        [0.0363503, 0.2413007, 0.05], abs=5e-8
    )


def test_nudge_command_steps_eps_and_set(capsys):
    doc = nudge_json(
        capsys,
        "mazur",
        "--weight",
        "1:1:2",
        "--steps",
        "1",
        "--eps",
        "0.001",
        "--set",
        "training.l2=0.5",
    )
    assert doc["steps"] == 1
    assert doc["epsilon"] == 0.001
    assert doc["l2_term"] == pytest.approx(0.5 * doc["value"])
    assert doc["gradient"] == pytest.approx(doc["data_gradient"] + doc["l2_term"])
    assert doc["slope"] == pytest.approx(doc["gradient"], rel=1e-5)


def test_nudge_command_text_shows_slope_gradient_and_factors(capsys):
    assert run_main(["nudge", "mazur", "--weight", "1:1:1"]) == 0
    out = capsys.readouterr().out
    assert "slope" in out and "0.0004385677" in out
    assert "∂C/∂a = Σ_k w_kj·δ_k = 0.4·0.1384986 + 0.5·(-0.03809824) = 0.03635031" in out
    assert "σ'(z) = 0.2413007" in out and "a_in = x1 = 0.05" in out


def test_nudge_command_text_on_a_batch_lists_samples_and_l2(capsys):
    assert run_main(["nudge", "digits", "--weight", "1:3:20", "--steps", "2"]) == 0
    out = capsys.readouterr().out
    assert "batch of 64 samples" in out and "sample 1 (row " in out
    assert "+ λ/m·w" in out


@pytest.mark.parametrize(
    "args, words",
    [
        (["--weight", "3:1:1"], ["--weight 3:1:1", "2-2-2"]),
        (["--weight", "1:1:7"], ["input 7", "2 inputs"]),
        (["--weight", "1:1:1", "--eps", "0"], ["--eps"]),
        (["--weight", "1:1:1", "--eps", "nan"], ["--eps"]),
        ([], ["--weight"]),
    ],
)
def test_nudge_command_bad_input_is_one_line_and_exit_2(capsys, args, words):
    assert run_main(["nudge", "mazur", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("bptui: error:")
    for word in words:
        assert word in captured.err


def test_nudge_command_control_characters_in_the_address_do_not_reach_the_terminal(capsys):
    assert run_main(["nudge", "mazur", "--weight", "1:1:\x1b[2J"]) == 2
    assert "\x1b" not in capsys.readouterr().err


@pytest.mark.parametrize("command", [["nudge"], ["slice", "--points", "3"]])
def test_probes_of_a_diverged_run_give_null_and_no_warning(capsys, tmp_path, command):
    path = tmp_path / "diverges.toml"
    path.write_text(DIVERGING, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert (
            run_main(
                [
                    command[0],
                    str(path),
                    "--weight",
                    "2:1:1",
                    "--steps",
                    "50",
                    "--json",
                    *command[1:],
                ]
            )
            == 0
        )
    captured = capsys.readouterr()
    assert captured.err == ""
    doc = json.loads(captured.out)
    assert doc["diverged"] and doc["gradient"] is None


def test_unit_graph_of_a_diverged_run_gives_no_warning(tmp_path):
    path = tmp_path / "diverges.toml"
    path.write_text(DIVERGING, encoding="utf-8")
    stepper = load_preset(str(path)).stepper()
    stepper.run(50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        graph = unit_graph(Point.current(stepper), 0, 0)
    assert not np.isfinite(graph.root.grad)
