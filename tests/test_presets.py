"""Every bundled preset loads, is described, and shows what its goal states in its stated steps;
where the goal names a fix, the fix makes the phenomenon go away."""

from __future__ import annotations

import pytest

from bptui.preset import bundled_names, load_preset
from bptui.preset import goal as goals
from bptui.preset.fixes import check_fixes

REQUIRED = {
    "xor",
    "circle",
    "spiral",
    "gaussian",
    "sine",
    "iris",
    "digits",
    "mazur",
    "vanishing",
    "dead-relu",
    "overfit",
    "symmetry",
    "optimizers",
}
PHENOMENA = {
    "vanishing": "grad_ratio_below",
    "dead-relu": "dead_at_least",
    "overfit": "test_loss_rise",
    "symmetry": "identical_units",
    "optimizers": "loss_above",
}


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
    facts = goals.check(preset, stepper)
    assert facts and all(f.holds for f in facts), (preset.goal.describe(), facts)


@pytest.mark.parametrize("name", sorted(PHENOMENA))
def test_phenomenon_preset_states_it_and_its_fix_undoes_it(name):
    preset = load_preset(name)
    assert PHENOMENA[name] in preset.goal.phenomena
    assert preset.goal.fix, "a phenomenon preset proves the cure its description names"
    for fix, facts in check_fixes(preset):
        assert facts and not any(f.holds for f in facts), (fix, facts)
        for override in fix:  # the description tells the learner about the cure
            assert override.key.rsplit(".", 1)[-1] in preset.description


def test_data_set_sizes():
    iris, digits = load_preset("iris"), load_preset("digits")
    assert iris.data.x_train.shape[0] + iris.data.x_test.shape[0] == 150
    assert digits.data.x_train.shape[1] == 64
    assert digits.data.x_train.shape[0] + digits.data.x_test.shape[0] == 1797
    assert digits.data.has_test and iris.data.has_test
    assert load_preset("spiral").data.y_train.shape[1] == 3
