"""The explorer's insight views (weight cursor, v, k, K, y, G, the update check, j and J):
Pilot tests whose numbers are checked against the engine and against arithmetic of their own."""

from __future__ import annotations

import numpy as np
import pytest

from bptui.app.main import BptuiApp
from bptui.app.screens.nudge import NudgeScreen
from bptui.app.screens.slice import SliceScreen
from bptui.engine.address import WeightAddress
from bptui.engine.events import find_events
from bptui.engine.landscape import losses_at, slice_loss
from bptui.engine.nudge import nudge
from bptui.engine.probe import Pass, Point
from bptui.preset import load_preset

SIGMOID = staticmethod(lambda z: 1.0 / (1.0 + np.exp(-z)))


def mazur_cost(w1: float = 0.15, w5: float = 0.40) -> float:
    """Mazur's E_total, written out from his post (one sample, 1/2 Σ (a − y)², biases 0.35/0.6)."""
    sig = SIGMOID.__func__
    x1, x2 = 0.05, 0.10
    h1 = sig(w1 * x1 + 0.20 * x2 + 0.35)
    h2 = sig(0.25 * x1 + 0.30 * x2 + 0.35)
    o1 = sig(w5 * h1 + 0.45 * h2 + 0.60)
    o2 = sig(0.50 * h1 + 0.55 * h2 + 0.60)
    return 0.5 * (o1 - 0.01) ** 2 + 0.5 * (o2 - 0.99) ** 2


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    for screen in pilot.app.screen_stack:
        await screen.workers.wait_for_complete()
    await pilot.pause()


async def test_weight_cursor_walks_the_inputs_and_the_bias_of_the_selected_unit():
    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.main_screen.source is None
        assert "w 1:1:1" not in app.query_one("#matrix").render_line(1).text
        await pilot.press("right_curly_bracket")  # the first press shows the cursor
        assert str(app.main_screen.insight.weight_address()) == "1:1:1"
        assert "w 1:1:1 = 0.15" in app.query_one("#matrix").render_line(1).text
        diagram = app.query_one("#diagram")
        assert any(
            "w 1:1:1 = 0.15" in diagram.render_line(y).text for y in range(diagram.size.height)
        )
        await pilot.press("right_curly_bracket", "right_curly_bracket")
        assert (
            str(app.main_screen.insight.weight_address()) == "1:1:b"
            and "bias" in app.main_screen.hint
        )
        await pilot.press("right_curly_bracket")
        assert str(app.main_screen.insight.weight_address()) == "1:1:1"  # wraps
        await pilot.press("left_curly_bracket", "down", "right")
        # layer 2 units have 2 inputs and a bias
        assert str(app.main_screen.insight.weight_address()) == "2:2:b"
        await pilot.press("left")
        assert str(app.main_screen.insight.weight_address()) == "1:2:b"


async def test_v_nudges_mazur_w1_with_his_numbers_and_plus_scales_epsilon_not_eta():
    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("v")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NudgeScreen)
        result = screen.result
        eps = result.epsilon
        assert eps == pytest.approx(1e-4)
        slope = (mazur_cost(0.15 + eps) - mazur_cost(0.15 - eps)) / (2 * eps)
        assert result.slope == pytest.approx(slope, rel=1e-7)
        assert result.gradient == pytest.approx(0.000438568, abs=5e-10)
        engine = nudge(Point.current(app.main_screen.stepper), WeightAddress(0, 0, 0))
        assert result.gradient == engine.gradient and result.slope == engine.slope
        text = screen.render_text()
        for shown in (
            "C(w) = 0.2983711088",
            "backprop ∂C/∂w = 0.0004385677",
            "∂C/∂a = Σ_k w_kj·δ_k = 0.4·0.1384986 + 0.5·(-0.03809824) = 0.03635031",
            "σ'(z) = 0.2413007",
            "a_in = x1 = 0.05",
        ):
            assert shown in text, shown
        await pilot.press("plus")
        assert screen.result.epsilon == pytest.approx(1e-3)
        assert app.main_screen.stepper.learning_rate == 0.5  # + was the view's, not the η key
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, NudgeScreen)
        await pilot.press("plus")
        assert app.main_screen.stepper.learning_rate == 1.0


async def test_k_slices_the_loss_along_w5_and_draws_mazurs_update():
    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right", "k")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SliceScreen)
        result = screen.result
        assert result.addresses == (WeightAddress(1, 0, 0),)
        engine = slice_loss(Point.current(app.main_screen.stepper), [WeightAddress(1, 0, 0)])
        assert np.array_equal(result.loss, engine.loss)
        for k in (0, 7, 20, 33, 40):  # against the cost written out by hand
            assert result.loss[k] == pytest.approx(mazur_cost(w5=result.values[0][k]), rel=1e-12)
        assert result.next[0] == pytest.approx(0.35891648, abs=5e-9)  # Mazur's new w5
        text = screen.render_text()
        assert "every other weight held" in text and "w → 0.3589165" in text
        promised = engine.loss_current + engine.gradient[0] * (engine.next[0] - engine.current[0])
        assert f"the tangent promised {promised:.7g}" in text  # beside C on the slice
        assert "●" in text and "◆" in text
        assert app.main_screen.stepper.micro_index == 0  # the probe left the stepper alone


async def test_K_maps_two_weights_with_the_path_of_the_last_steps():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(300):
            app.main_screen.stepper.run(1)
            app.main_screen.timeline.record()
        app.main_screen.refresh_view()
        await pilot.press("K")
        await settle(pilot)
        screen = app.screen
        result = screen.result
        a, b = WeightAddress(0, 0, 0), WeightAddress(0, 0, 1)
        assert result.addresses == (a, b) and result.loss.shape == (41, 41)
        point = Point.current(app.main_screen.stepper)
        settings = np.array(
            [[result.values[0][i], result.values[1][k]] for i, k in ((0, 0), (20, 20), (40, 3))]
        )
        assert np.allclose(
            [result.loss[0, 0], result.loss[20, 20], result.loss[40, 3]],
            losses_at(point, [a, b], settings),
            rtol=1e-12,
        )
        path = screen.path
        assert 150 <= len(path) <= 202  # the undo timeline's states of the last 200 steps
        assert tuple(path[-1]) == (point.value(a), point.value(b))
        recent = app.main_screen.timeline.recent
        history = [float(recent[k].params[0]) for k in sorted(recent)]
        assert path[0][0] in history
        text = screen.render_text()
        assert "▀" in text and "●" in text and "last 200 steps" in text


async def test_u_shows_the_update_check_and_h_cycles_to_its_chart():
    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(120, 40)) as pilot:
        point = Point.current(app.main_screen.stepper)
        grads = Pass(point).grads.flat
        await pilot.press("u", "x")
        await pilot.pause()
        predicted = -0.5 * float(grads @ grads)
        before = mazur_cost()
        after = point.parameters(point.params - 0.5 * grads)
        stepper = load_preset("mazur").stepper()
        stepper.params.flat[:] = after.flat
        actual = stepper.evaluate(stepper.data.x_train, stepper.data.y_train) - before
        row = app.main_screen.stepper.history.first_order.values[0]
        assert row[0] == pytest.approx(predicted, rel=1e-12)
        assert row[1] == pytest.approx(actual, rel=1e-9)
        text = app.query_one("#explain").render_text()
        assert f"= −η‖∇C‖² = {row[0]:.7g}" in text
        assert f"actual ΔC = C(θ + Δθ) − C(θ) = {row[1]:.7g}" in text
        assert f"ratio actual / predicted = {row[1] / row[0]:.4g}" in text
        await pilot.press("h")
        assert app.main_screen.bottom == "health"
        await pilot.press("h")
        await pilot.pause()
        assert app.main_screen.bottom == "check" and app.query_one("#charts").current == "check"
        assert app.main_screen.snapshot.first_order.shape == (1, 2)
        await pilot.press("h")
        assert app.main_screen.bottom == "chart"


async def test_the_update_check_ticks_whole_steps_like_the_loss_chart():
    """Its x-axis said 18.5 37.0 55.5 74.0 after 75 steps: steps are whole numbers."""
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        app.main_screen.stepper.run(75)
        app.main_screen.refresh_view()
        await pilot.press("h", "h")
        chart = app.main_screen.query_one("#check")
        for _ in range(100):
            await pilot.pause(0.02)
            if chart.plot is not None and chart.plot.version:
                break
        lines = chart.plot.render().plain.splitlines()
        axis = next(i for i, line in enumerate(lines) if "└┬" in line)
        ticks = lines[axis + 1].split()
        assert ticks[:2] == ["0", "50"] and ticks.count("0") == 2  # both plots
        assert all(tick.isdigit() for tick in ticks), ticks


async def test_y_shows_each_samples_pull_and_their_mean_is_the_gradient():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("y")
        await pilot.pause()
        result = nudge(Point.current(app.main_screen.stepper), WeightAddress(0, 0, 0))
        text = app.query_one("#explain").render_text()
        assert "Each sample's pull on w 1:1:1" in text
        assert len(result.products) == 4
        for s, value in enumerate(result.products):
            assert f"#{s + 1} " in text and f"{value + 0.0:.4g}" in text
        assert result.products.mean() == pytest.approx(result.gradient, rel=1e-12)
        assert f"∂C/∂w = mean = {result.gradient:.7g}" in text
        assert "▶#1" in text
        await pilot.press("full_stop")
        await pilot.pause()
        assert "▶#2" in app.query_one("#explain").render_text()
        await pilot.press("y")
        assert app.main_screen.probe == ""


async def test_y_on_a_large_batch_shows_the_strongest_each_way_and_a_histogram():
    app = BptuiApp(preset="dead-relu")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("y")
        await pilot.pause()
        text = app.query_one("#explain").render_text()
        assert "the other 130 samples, by range:" in text  # 150 − 2 × 10
        assert text.count("█") > 0 and "mean" in text


async def test_G_draws_the_output_unit_as_a_graph_with_the_engines_numbers():
    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right", "G")
        await pilot.pause()
        text = app.query_one("#explain").render_text()
        assert "Unit 1 of output as a graph" in text
        assert "C_x  data 0.2984  grad 1" in text  # Mazur: E_o1 + E_o2 = 0.298371109
        assert "z  data 1.106  grad 0.1385" in text  # net_o1 = 1.105905967, δ_o1 = 0.138498562
        assert "w5  data 0.4  grad 0.08217" in text  # ∂E/∂w5 = 0.082167041: his name
        await pilot.press("G")
        assert app.main_screen.probe == ""


async def test_j_on_dead_relu_lands_by_replay_on_the_step_the_first_unit_died():
    reference = load_preset("dead-relu").stepper(trace=True)
    reference.run(40)
    died = [
        e
        for e in find_events(reference.history, reference.m_train)
        if e.kind == "died" and e.step > 0
    ]
    first = died[0]
    app = BptuiApp(preset="dead-relu")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j")
        await pilot.pause()
        stepper = app.main_screen.stepper
        assert stepper.step == first.step
        assert (
            stepper.micro_index
            == first.step * stepper.steps_per_training_step + 2 * stepper.depth + 1
        )  # after its backward pass, before its update
        fresh = load_preset("dead-relu").stepper()
        fresh.run(first.step)
        assert stepper.params.flat.tobytes() == fresh.params.flat.tobytes()  # exact replay
        assert app.main_screen.hint.startswith(f"step {first.step}: ")
        assert f"hidden {first.layer}, unit {first.unit} died" in app.main_screen.hint
        assert app.main_screen.cursor == (first.layer, first.unit - 1)
        view = app.main_screen.snapshot.views[first.layer - 1]
        assert view.flat[first.unit - 1]  # the diagram marks it ✕
        assert any(e.step == first.step for e in app.main_screen.events)
        await pilot.press("J")
        await pilot.pause()
        assert stepper.step < first.step or "no earlier event" in app.main_screen.hint


async def test_probe_views_leave_the_stepper_as_it_was():
    app = BptuiApp(preset="spiral")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e", "b")
        stepper = app.main_screen.stepper
        state = (
            stepper.params.flat.tobytes(),
            stepper.grads.flat.tobytes(),
            stepper.micro_index,
            stepper.ws.a[0].tobytes(),
        )
        for keys in (["v", "escape"], ["k"], ["escape", "y", "G"]):
            await pilot.press(*keys)
            await settle(pilot)
        assert state == (
            stepper.params.flat.tobytes(),
            stepper.grads.flat.tobytes(),
            stepper.micro_index,
            stepper.ws.a[0].tobytes(),
        )
