"""The generator registry and the Playground's engineered inputs (`[data] features`)."""

from __future__ import annotations

import numpy as np
import pytest

from bptui.preset import PresetError, preset_from_text
from bptui.preset.datasource import GENERATOR_KEYS
from bptui.preset.features import FEATURES, expand
from bptui.preset.generators import GENERATORS, KEYS, Generator, generate


@pytest.mark.parametrize("name", list(GENERATORS))
def test_every_generator_has_every_part_and_makes_what_it_says(name):
    gen = GENERATORS[name]
    assert isinstance(gen, Generator) and gen.name == name and gen.summary
    assert gen.noise >= 0 and gen.inputs in (1, 2) and gen.classes >= 2
    assert set(gen.keys) <= set(KEYS) <= set(GENERATOR_KEYS)
    x, labels = generate(name, np.random.default_rng(0), 40, gen.noise, gen.classes)
    assert x.shape == (40, gen.inputs) and x.dtype == np.float64 and labels.shape == (40,)
    if gen.regression:
        assert labels.dtype == np.float64
    else:
        assert labels.dtype == np.int64 and set(labels.tolist()) == set(range(gen.classes))


def test_a_generators_keys_come_from_its_record():
    assert "classes" in GENERATORS["spiral"].keys and "classes" not in GENERATORS["xor"].keys
    assert "features" in GENERATORS["xor"].keys and "features" not in GENERATORS["sine"].keys


def preset(
    features: str | None, layers: str = "[7, 4, 1]", generator: str = "circle", extra: str = ""
) -> str:
    line = f"features = {features}" if features is not None else ""
    return (
        f'title = "f"\n[network]\nlayers = {layers}\nhidden_activation = "tanh"\n'
        f'[data]\ngenerator = "{generator}"\nsamples = 30\n{line}\n{extra}'
    )


ALL = '["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]'


def test_features_are_the_generated_points_expanded_in_the_order_given():
    plain = preset_from_text(
        preset(None, "[2, 4, 1]", extra="test_fraction = 0.2"), "p.toml", "p", None
    )
    xy = np.concatenate([plain.data.x_train, plain.data.x_test])
    chosen = '["sin(x2)", "x1*x2", "x1^2"]'
    data = preset_from_text(
        preset(chosen, "[3, 4, 1]", extra="test_fraction = 0.2"), "p.toml", "p", None
    ).data
    assert data.feature_names == ("sin(x2)", "x1*x2", "x1^2")
    x = np.concatenate([data.x_train, data.x_test])
    np.testing.assert_array_equal(
        x, np.column_stack([np.sin(xy[:, 1]), xy[:, 0] * xy[:, 1], xy[:, 0] ** 2])
    )
    np.testing.assert_array_equal(data.y_train, plain.data.y_train)
    assert list(FEATURES) == ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]
    every = expand(tuple(FEATURES), np.array([[0.5, -2.0]]))
    np.testing.assert_array_equal(every, [[0.5, -2.0, 0.25, 4.0, -1.0, np.sin(0.5), np.sin(-2.0)]])


def test_every_feature_trains_on_circle():
    stepper = preset_from_text(
        preset(ALL) + "\n[training]\nlearning_rate = 0.5\n", "p.toml", "p", None
    ).stepper()
    for _ in range(200):
        stepper.finish_step()
    assert stepper.last_cost < 0.05


@pytest.mark.parametrize(
    "features, layers, generator, message",
    [
        (
            '["x1^2", "x3", "sinx1"]',
            "[3, 4, 1]",
            "circle",
            (
                "p.toml: data.features: 'x3', 'sinx1' are not features (did you mean 'sin(x1)' for "
                "'sinx1'? allowed: x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2))"
            ),
        ),
        (
            '["x1²"]',
            "[1, 4, 1]",
            "circle",
            "p.toml: data.features: 'x1²' is not a feature (did you mean 'x1^2'? allowed: ",
        ),
        ('["x1", "x1"]', "[2, 4, 1]", "circle", "p.toml: data.features: 'x1' given more than once"),
        (
            "[]",
            "[2, 4, 1]",
            "circle",
            ("p.toml: data.features: expected a non-empty array of feature names, got an array []"),
        ),
        ('"x1"', "[2, 4, 1]", "circle", "p.toml: data.features: expected a non-empty array"),
        (
            '["x1", "x2"]',
            "[3, 4, 1]",
            "circle",
            (
                "p.toml: network.layers: data.features gives 2 inputs (x1, x2) but the network "
                "has 3 (they must match)"
            ),
        ),
        (
            '["x1"]',
            "[1, 4, 1]",
            "sine",
            (
                "p.toml: data.features: only xor, circle, gaussian, spiral, moons take features "
                "(sine makes 1 input)"
            ),
        ),
    ],
)
def test_bad_features_are_one_line_naming_them(features, layers, generator, message):
    with pytest.raises(PresetError) as info:
        preset_from_text(preset(features, layers, generator), "p.toml", "p", None)
    text = str(info.value)
    assert text.startswith(message) and "\n" not in text


def test_features_are_for_generated_data_only():
    text = (
        'title = "f"\n[network]\nlayers = [2, 1]\n[data]\ninputs = [[0, 1]]\n'
        'targets = [[1]]\nfeatures = ["x1", "x2"]\n'
    )
    with pytest.raises(PresetError) as info:
        preset_from_text(text, "p.toml", "p", None)
    assert str(info.value).startswith("p.toml: data.features: unknown key")


async def test_the_diagram_names_engineered_inputs(tmp_path):
    from bptui.app.main import BptuiApp
    from bptui.app.widgets.diagram import NetworkDiagram

    path = tmp_path / "f.toml"
    path.write_text(preset('["x1^2", "x1*x2", "sin(x2)"]', "[3, 4, 1]"))
    app = BptuiApp(preset=str(path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = app.query_one(NetworkDiagram).build().plain
        for name in ("x1^2", "x1*x2", "sin(x2)"):
            assert name in text


def test_a_session_and_a_toml_export_keep_features_per_layer_activations_and_l1(tmp_path):
    from bptui.export import export_files
    from bptui.session import load_session, save_session
    from tests.helpers import fingerprint

    text = preset('["x1^2", "x2^2", "x1*x2"]', "[3, 4, 3, 1]").replace(
        'hidden_activation = "tanh"', 'hidden_activation = ["gelu", "elu"]'
    )
    text += "\n[training]\nl1 = 0.01\nl2 = 0.02\n"
    source = preset_from_text(text, "p.toml", "p", tmp_path)
    stepper = source.stepper()
    stepper.run(3)
    save_session(tmp_path / "s.npz", source, stepper)
    loaded, resumed = load_session(tmp_path / "s.npz")
    assert resumed.spec.hidden_activations == ("gelu", "elu")
    assert resumed.training.l1 == 0.01 and loaded.data.feature_names == ("x1^2", "x2^2", "x1*x2")
    stepper.run(5)
    resumed.run(5)
    assert fingerprint(resumed) == fingerprint(stepper)
    toml = next(v for k, v in export_files(source, stepper).items() if k.endswith(".toml"))
    exported = preset_from_text(toml.decode(), "e.toml", "e", tmp_path)
    assert exported.network.hidden_activations == ("gelu", "elu")
    assert exported.training.l1 == 0.01
    assert exported.data.feature_names == ("x1^2", "x2^2", "x1*x2")
