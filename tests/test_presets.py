"""Every bundled preset loads, is described, and reaches its stated goal in its stated steps."""

from __future__ import annotations

import pytest

from bptui.preset import bundled_names, load_preset
from bptui.train import goal_reached

REQUIRED = {"xor", "circle", "spiral", "gaussian", "sine", "iris", "digits", "mazur"}


def test_the_required_presets_are_bundled():
    assert REQUIRED <= set(bundled_names())


@pytest.mark.parametrize("name", bundled_names())
def test_preset_reaches_its_goal(name):
    preset = load_preset(name)
    assert preset.title and len(preset.description) > 40
    assert preset.goal is not None, "every bundled preset states a goal"
    stepper = preset.stepper()
    stepper.run(preset.goal.steps)
    assert not stepper.diverged
    assert goal_reached(preset, stepper), (preset.goal.describe(), stepper.loss)


def test_data_set_sizes():
    iris, digits = load_preset("iris"), load_preset("digits")
    assert iris.data.x_train.shape[0] + iris.data.x_test.shape[0] == 150
    assert digits.data.x_train.shape[1] == 64
    assert digits.data.x_train.shape[0] + digits.data.x_test.shape[0] == 1797
    assert digits.data.has_test and iris.data.has_test
    assert load_preset("spiral").data.y_train.shape[1] == 3
