"""The first-order update check (`Stepper.checking_updates`, `History.first_order`) and
`bptui train --first-order`."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bptui.commands.cli import main
from bptui.engine.kernels import Workspace
from bptui.engine.probe import Point, batch_cost
from bptui.preset import load_preset
from tests.helpers import make_stepper


def run_main(argv):
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


def test_plain_sgd_predicts_minus_eta_times_the_squared_gradient_norm():
    stepper = make_stepper([3, 4, 2], lr=0.2, l2=0.1, m=9)
    stepper.checking_updates = True
    for _ in range(4):
        stepper.finish_step()
        predicted, _ = stepper.history.first_order.values[-1]
        g = stepper.grads.flat
        assert predicted == pytest.approx(-0.2 * float(g @ g), rel=1e-13)


def test_actual_change_is_the_cost_change_on_the_same_batch():
    stepper = make_stepper([3, 4, 2], lr=0.5, batch=4, shuffle=True, momentum=0.9, m=11)
    stepper.checking_updates = True
    for _ in range(6):
        before = Point.current(stepper)
        stepper.run(1)
        after = before.params + stepper.applied.flat
        ws = Workspace(before.spec, before.m)
        expected = batch_cost(before, after, ws) - batch_cost(before, before.params, ws)
        _, actual = stepper.history.first_order.values[-1]
        assert actual == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_full_batch_actual_change_is_the_next_batch_cost_minus_this_one():
    stepper = load_preset("mazur").stepper()
    stepper.checking_updates = True
    stepper.run(5)
    checks = stepper.history.first_order.values
    batch = stepper.history.batch_loss.values
    assert np.array_equal(checks[:4, 1], batch[1:5] - batch[:4])


def test_ratio_is_near_one_for_small_steps_and_falls_for_large_ones():
    small = make_stepper([2, 4, 1], lr=0.01, m=8)
    large = make_stepper([2, 4, 1], lr=20.0, m=8)
    for stepper in (small, large):
        stepper.checking_updates = True
        stepper.run(3)
    ratio = small.history.first_order.values[:, 1] / small.history.first_order.values[:, 0]
    assert ratio == pytest.approx(1.0, abs=0.02)
    first = large.history.first_order.values[0]
    assert first[1] / first[0] < 0.5


def test_update_check_off_records_nothing_and_changes_no_number():
    plain, checked = make_stepper([3, 5, 2], m=10), make_stepper([3, 5, 2], m=10)
    checked.checking_updates = True
    plain.run(7)
    checked.run(7)
    assert plain.history.first_order is None
    assert len(checked.history.first_order) == 7
    assert np.array_equal(plain.params.flat, checked.params.flat)
    assert np.array_equal(plain.history.batch_loss.values, checked.history.batch_loss.values)


def test_update_check_survives_undo_and_reset():
    stepper = make_stepper([3, 4, 2], batch=3, shuffle=True, m=10)
    stepper.checking_updates = True
    stepper.run(3)
    saved = stepper.state(light=True)
    stepper.run(4)
    first_run = stepper.history.first_order.values.copy()
    stepper.restore(saved)
    assert len(stepper.history.first_order) == 3
    stepper.run(4)
    assert np.array_equal(stepper.history.first_order.values, first_run)
    stepper.history.forget_from(2)
    assert len(stepper.history.first_order) == 2
    stepper.reset()
    assert stepper.checking_updates and len(stepper.history.first_order) == 0


def test_train_first_order_json_has_predicted_and_actual_per_step(capsys):
    assert run_main(["train", "mazur", "--steps", "4", "--first-order", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc["first_order"]) == {"predicted", "actual"}
    assert len(doc["first_order"]["predicted"]) == len(doc["first_order"]["actual"]) == 4
    assert doc["first_order"]["actual"][0] == pytest.approx(
        doc["batch_loss"][1] - doc["batch_loss"][0], rel=1e-12
    )


def test_train_without_first_order_has_no_such_key(capsys):
    assert run_main(["train", "mazur", "--steps", "2", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "first_order" not in doc and "events" not in doc


def test_train_first_order_text_reports_the_last_step(capsys):
    assert run_main(["train", "mazur", "--steps", "3", "--first-order"]) == 0
    assert "update check, last step: predicted ∇C·Δθ" in capsys.readouterr().out


def test_a_negligible_change_of_the_cost_is_not_graded_as_an_overshoot():
    """Learner walk 2, #58: at L 2.7e-4 a step that raised the batch cost by 9.9e-10 was called
    'overshot' (ratio -0.002). A change below NEGLIGIBLE of the cost gets no grade; a real
    rise still does."""
    from bptui.app.insight_text import verdict

    assert "overshot" not in verdict(-0.002185, 9.896545e-10, 2.74e-4)
    assert "too little to grade" in verdict(-0.002185, 9.896545e-10, 2.74e-4)
    assert "overshot" in verdict(-0.8, 1.7e-6, 5.5e-4)
    assert "≈ 1" in verdict(1.0, -1e-3, 0.3) and "overshot" in verdict(-0.5)


def test_the_ratio_chart_keeps_the_few_overshoots_of_a_long_run():
    """Learner walk 2, #43: the ratio chart thinned a long run by a stride and skipped the
    steps whose ratio was < 0, so its axis never went below 0.05."""
    import numpy as np

    from bptui.app.widgets.checkchart import worst_per_bucket

    ratio = np.ones(10_000)
    ratio[[1234, 5677, 9001]] = -0.7
    ratio[42] = np.nan
    steps, shown = worst_per_bucket(np.arange(10_000), ratio, 100)
    assert len(shown) == 100 and (shown < 0).sum() == 3 and not np.isnan(shown).any()
    assert set(steps[shown < 0]) == {1234, 5677, 9001}
