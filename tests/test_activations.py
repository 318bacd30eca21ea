"""The activation registry: every record complete and its kernels right (finite differences,
torch), and hidden activations chosen per layer."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bptui.engine import NetworkSpec, Stepper, TrainingSpec
from bptui.engine.activations import (
    ACTIVATIONS,
    FLAT_KINDS,
    HIDDEN_ACTIVATIONS,
    OUTPUT_ACTIVATIONS,
    Activation,
    activate,
    derivative,
)
from bptui.engine.activations.gelu import erf
from bptui.engine.explain import derivative_text, explain
from bptui.engine.health import Trace, flat_units, unit_kind
from bptui.preset import PresetError
from bptui.preset.loader import network_doc, preset_from_text, with_sets
from tests.helpers import make_dataset

ELEMENTWISE = [name for name, record in ACTIVATIONS.items() if record.derivative is not None]
KINKED = {"relu", "leaky_relu"}  # no derivative at z = 0: differences skip it
GRID = np.linspace(-6.0, 6.0, 241).reshape(-1, 1) + 0.0137  # never exactly 0


def test_the_new_activations_are_registered():
    for name in ("softplus", "elu", "leaky_relu", "gelu", "silu"):
        assert name in HIDDEN_ACTIVATIONS and name in OUTPUT_ACTIVATIONS
    assert "softmax" in OUTPUT_ACTIVATIONS and "softmax" not in HIDDEN_ACTIVATIONS


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_every_activation_has_every_part(name):
    record = ACTIVATIONS[name]
    assert isinstance(record, Activation) and record.name == name
    for text in (record.symbol, record.formula, record.slope, record.summary):
        assert isinstance(text, str) and text.strip()
    assert record.definition.startswith(f"{record.symbol}(z) = ")
    assert record.slope_text.startswith(f"{record.symbol}'(z) = ")
    assert callable(record.function)
    assert record.flat in FLAT_KINDS + (None,)
    if record.low is not None and record.high is not None:
        assert record.low < record.high
    if record.hidden:  # every hidden activation has an elementwise derivative and its numbers
        assert callable(record.derivative)
        numbers = record.slope_numbers(
            0.5, float(activate(name, np.array([[0.5]]), np.empty((1, 1)))[0, 0])
        )
        assert isinstance(numbers, str) and numbers.strip()


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_central_differences(name):
    z = GRID
    if name in KINKED:
        z = z[np.abs(z[:, 0]) > 1e-3]
    h = 1e-6
    plus, minus = np.empty_like(z), np.empty_like(z)
    activate(name, z + h, plus)
    activate(name, z - h, minus)
    numeric = (plus - minus) / (2 * h)
    a = activate(name, z, np.empty_like(z))
    analytic = derivative(name, z, a, np.empty_like(z))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_kernels_write_into_out_and_leave_their_inputs(name):
    z = np.array([[-3.0, -0.5, 0.25], [0.0, 2.0, 40.0]])
    keep = z.copy()
    out = np.empty_like(z)
    assert activate(name, z, out) is out
    a = out.copy()
    np.testing.assert_array_equal(z, keep)
    record = ACTIVATIONS[name]
    if record.derivative is not None:
        slopes = np.empty_like(z)
        assert derivative(name, z, a, slopes) is slopes
        np.testing.assert_array_equal(a, out)
        if record.monotonic:
            assert (slopes >= 0).all()


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_values_stay_in_the_recorded_range(name):
    record = ACTIVATIONS[name]
    z = np.linspace(-30.0, 30.0, 6000).reshape(-1, 2)
    a = activate(name, z, np.empty_like(z))
    assert np.isfinite(a).all()
    if record.low is not None:
        assert a.min() >= record.low
    if record.high is not None:
        assert a.max() <= record.high


def test_erf_is_the_c_library_erf():
    x = np.linspace(-7.0, 7.0, 1001)
    np.testing.assert_array_equal(erf(x), [math.erf(v) for v in x])


TORCH_NAMES = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "leaky_relu": "leaky_relu",
    "softplus": "softplus",
    "elu": "elu",
    "gelu": "gelu",
    "silu": "silu",
}


@pytest.mark.parametrize("name", sorted(TORCH_NAMES))
def test_values_and_derivatives_match_torch(name):
    torch = pytest.importorskip("torch")
    z = GRID[:, 0]
    t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    out = getattr(torch.nn.functional, TORCH_NAMES[name])(t)  # torch's defaults
    out.sum().backward()
    a = activate(name, GRID, np.empty_like(GRID))
    slopes = derivative(name, GRID, a, np.empty_like(GRID))
    np.testing.assert_allclose(a[:, 0], out.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(slopes[:, 0], t.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_the_recorded_lows_of_gelu_and_silu_are_their_minima():
    z = np.linspace(-3.0, 0.0, 300_001).reshape(-1, 1)
    for name, low in (("gelu", -0.17), ("silu", -0.2785)):
        minimum = activate(name, z, np.empty_like(z)).min()
        assert low <= minimum < low + 1e-3


@pytest.mark.parametrize("name", [n for n in HIDDEN_ACTIVATIONS if n != "linear"])
def test_explain_names_the_activation_and_its_own_derivative(name):
    spec = NetworkSpec((2, 3, 1), name, "sigmoid", "quadratic")
    data = make_dataset(np.random.default_rng(0), 4, 2, 1, "sigmoid", "quadratic")
    stepper = Stepper(spec, TrainingSpec(0.1), data, 0)
    stepper.finish_step()
    text = "\n".join(line.text for line in explain(stepper, 0, 1))
    record = ACTIVATIONS[name]
    assert f"a = {record.symbol}(z)" in text
    assert f"f'(z): {record.slope_text}" in text
    assert "linear'" not in text
    assert derivative_text(name, 0.3, 0.2)[0] == record.slope_text


def test_gelu_and_silu_units_are_flat_by_slope_size_not_sign():
    z = np.full((8, 2), -1.5)
    z[:, 1] = -12.0
    for name in ("gelu", "silu"):
        assert unit_kind(name) == "saturated"
        a = activate(name, z, np.empty_like(z))
        assert derivative(name, z, a, np.empty_like(z))[0, 0] < -0.01  # a negative slope
        assert flat_units(name, z, a).tolist() == [False, True]


def test_the_trace_sums_slope_sizes_of_gelu_layers():
    spec = NetworkSpec((2, 3, 1), "gelu", "sigmoid", "quadratic")
    data = make_dataset(np.random.default_rng(0), 6, 2, 1, "sigmoid", "quadratic")
    stepper = Stepper(spec, TrainingSpec(0.1), data, 0, trace=True)
    stepper.finish_step()
    ws = stepper.ws
    slopes = derivative("gelu", ws.z[0], ws.a[0], np.empty_like(ws.z[0]))
    trace = stepper.history.trace
    assert isinstance(trace, Trace)
    np.testing.assert_allclose(trace.rows.values[0, -3:], np.abs(slopes).sum(axis=0))


PER_LAYER = """
title = "per layer"
[network]
layers = [2, 4, 3, 1]
hidden_activation = ["relu", "gelu"]
[data]
generator = "xor"
samples = 20
"""


def test_hidden_activation_per_layer_reaches_the_engine_and_round_trips():
    preset = preset_from_text(PER_LAYER, "p.toml", "p", None)
    spec = preset.network
    assert spec.hidden_activations == ("relu", "gelu")
    assert [spec.activation(layer) for layer in range(3)] == ["relu", "gelu", "sigmoid"]
    stepper = preset.stepper()
    assert stepper.plan.names == ["relu", "gelu", "sigmoid"]
    for check in stepper.gradient_check():
        assert check.relative_error < 1e-6 or check.max_abs_difference < 1e-9, check
    assert network_doc(spec)["hidden_activation"] == ["relu", "gelu"]
    one = preset_from_text(PER_LAYER.replace('["relu", "gelu"]', '"tanh"'), "p.toml", "p", None)
    assert one.network.hidden_activations == ("tanh", "tanh")
    assert network_doc(one.network)["hidden_activation"] == "tanh"


@pytest.mark.parametrize(
    "value, message",
    [
        (
            '["relu"]',
            (
                "p.toml: network.hidden_activation: has 1 name for 2 hidden layers (allowed: "
                "one name, or an array of 2, one per hidden layer)"
            ),
        ),
        (
            '["relu", "gelux"]',
            (
                "p.toml: network.hidden_activation[1]: 'gelux' is not supported "
                "(did you mean 'gelu'?"
            ),
        ),
        (
            '["relu", 3]',
            "p.toml: network.hidden_activation[1]: expected a string, got an integer 3",
        ),
        ('["relu", "softmax"]', "p.toml: network.hidden_activation[1]: 'softmax' is not supported"),
    ],
)
def test_a_bad_per_layer_list_is_one_line_naming_the_entry(value, message):
    with pytest.raises(PresetError) as info:
        preset_from_text(PER_LAYER.replace('["relu", "gelu"]', value), "p.toml", "p", None)
    text = str(info.value)
    assert text.startswith(message) and "\n" not in text


def test_set_takes_a_per_layer_list_and_names_a_bad_entry():
    preset = preset_from_text(PER_LAYER, "p.toml", "p", None)
    changed = with_sets(preset, ['network.hidden_activation=["silu", "elu"]'])
    assert changed.network.hidden_activations == ("silu", "elu")
    with pytest.raises(PresetError) as info:
        with_sets(preset, ["network.hidden_activation=[1, 2]"])
    assert str(info.value).startswith("--set network.hidden_activation[0]: expected a string")


def test_a_ghost_label_names_per_layer_activations():
    from bptui.app.ghosts import describe

    assert describe("network.hidden_activation", ("relu", "gelu")) == "relu/gelu"
    assert describe("network.hidden_activation", "tanh") == "tanh"


def test_help_lists_each_hidden_activation_once_with_its_slope():
    from rich.console import Console

    from bptui.app.screens.help import phase_table

    preset = preset_from_text(
        PER_LAYER.replace('"gelu"]', '"gelu", "relu"]').replace("[2, 4, 3, 1]", "[2, 4, 3, 3, 1]"),
        "p.toml",
        "p",
        None,
    )
    console = Console(width=400, record=True)
    console.print(phase_table(preset.stepper()))
    text = console.export_text()
    assert text.count("relu [relu(z) = max(0, z)]") == 1
    assert "gelu [gelu(z) = z·Φ(z)" in text and "(Wᵀδ)" in text and "δ·W" not in text
    assert ACTIVATIONS["gelu"].slope_text in text
