"""The explorer's insight views (weight cursor, v, k, K, y, G, the update check, j and J):
Pilot tests whose numbers are checked against the engine and against arithmetic of their own."""

from __future__ import annotations

import re

import numpy as np
import pytest

from bptui.app.main import BptuiApp
from bptui.app.screens.nudge import NudgeScreen
from bptui.app.screens.slice import SliceScreen
from bptui.app.trainer import Goal
from bptui.engine.address import WeightAddress
from bptui.engine.events import find_events
from bptui.engine.landscape import losses_at, slice_loss
from bptui.engine.nudge import nudge
from bptui.engine.probe import Pass, Point
from bptui.preset import load_preset
from tests.helpers import drawn, fingerprint

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


async def test_slice_span_and_resolution_change_and_a_slow_slice_says_it_is_computing(
    monkeypatch,
):
    """+ doubles the span, r steps the resolution (41 → 81); while a slice is still being
    computed (held here until the line is seen) the view says so."""
    import threading

    from bptui.app.screens import slice as slice_screen

    gate = threading.Event()
    gate.set()
    real = slice_screen.slice_loss

    def held(*args):
        gate.wait(30)
        return real(*args)

    monkeypatch.setattr(slice_screen, "slice_loss", held)
    monkeypatch.setattr(slice_screen, "PROGRESS_AFTER", 0.01)
    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right", "k")
        await settle(pilot)
        screen = app.screen
        assert screen.result.values[0][-1] == pytest.approx(0.4 + 1.0)
        gate.clear()
        await pilot.press("plus")
        body = screen.query_one("#probe-body")
        for _ in range(500):
            await pilot.pause(0.01)
            if "computing" in str(body.render()):
                break
        assert "computing 41 losses of the batch…" in str(body.render())
        gate.set()
        await settle(pilot)
        assert "(±2, 41 points)" in screen.render_text()
        assert screen.result.values[0][-1] == pytest.approx(0.4 + 2.0)
        await pilot.press("r")
        await settle(pilot)
        assert screen.result.loss.shape == (81,) and "(±2, 81 points)" in screen.render_text()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("key", ["k", "K"])
async def test_slice_picture_fits_its_pane_with_the_lowest_loss_and_the_w_axis(key, size):
    """The numbers below the picture take their rows after it is first drawn: the picture is
    redrawn at the size left, so its last rows (lowest value, w axis) are on screen, not cut."""
    app = BptuiApp(preset="mazur")
    async with app.run_test(size=size) as pilot:
        await pilot.press("right", key)
        await settle(pilot)
        screen = app.screen
        picture = screen.query_one("#slice-picture")
        lines = str(picture.render()).splitlines()
        assert len(lines) == picture.size.height
        result = screen.result
        first, last = result.values[0][0], result.values[0][-1]
        assert f"{first:.4g}" in lines[-1] and f"{last:.4g}" in lines[-1]  # the w axis
        if key == "k":
            assert lines[-1].lstrip().startswith("w ")
            assert f"{result.loss.min():.4g}" in lines[-2]  # the lowest loss, bottom left
            assert f"{result.loss.max():.4g}" in lines[0]
        else:
            assert f"{result.values[1][0]:.4g}" in lines[-2]  # the second weight, up
            assert f"{result.values[1][-1]:.4g}" in lines[0]
            assert "w 2:1:1 →" in lines[-1] and lines[1].lstrip().startswith("w 2:1:2")


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


@pytest.mark.parametrize("preset", ["xor", "dead-relu"])  # full batch; mini-batches
async def test_K_after_a_run_replays_the_path_of_every_step_and_leaves_the_stepper_as_it_was(
    preset,
):
    """A run (r, N) keeps only its chunks' ends in the undo timeline: K replays the steps
    between for its path, exactly, and puts the stepper back bit for bit."""
    app = BptuiApp(preset=preset)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.main_screen
        screen.live.start(Goal(step=300))
        while screen.trainer.busy or screen.stepper.step < 300:
            await pilot.pause(0.05)
        stepper = screen.stepper
        before = fingerprint(stepper)
        history = stepper.history.lengths()
        reference = load_preset(preset).stepper()
        shapes = reference.spec.weight_shapes()
        flat = [WeightAddress(0, 0, i).flat_index(shapes) for i in (0, 1)]
        expected = []
        for step in range(301):
            if step >= 100:
                expected.append(tuple(reference.params.flat[flat]))
            if step < 300:
                reference.run(1)
        await pilot.press("K")  # w 1:1:1 and w 1:1:2
        await settle(pilot)
        path = app.screen.path
        assert len(path) == 202  # steps 100..300, and now
        assert np.array_equal(path[:-1], np.array(expected))
        assert fingerprint(stepper) == before and stepper.history.lengths() == history


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
        lines = await drawn(pilot, app.main_screen.query_one("#check"))
        axis = next(i for i, line in enumerate(lines) if "└┬" in line)
        ticks = lines[axis + 1].split()
        assert ticks[:2] == ["0", "50"] and ticks.count("0") == 2  # both plots
        assert all(tick.isdigit() for tick in ticks), ticks


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_update_check_plots_are_titled_and_the_ratio_ticks_name_its_lines(size):
    """The ratio plot has no legend: its title says what it is, at 80x24 too (the pane was
    'compact' and lost both titles), and its ticks 1 and 0 sit on the grey and red lines."""
    app = BptuiApp(preset="xor")
    async with app.run_test(size=size) as pilot:
        app.main_screen.stepper.learning_rate = 32.0
        app.main_screen.stepper.run(11)
        app.main_screen.refresh_view()
        await pilot.press("h", "h")
        lines = await drawn(pilot, app.main_screen.query_one("#check"))
        assert "actual / predicted" in lines[0] and "ΔC" in lines[0]
        labels = [re.split("[┤├]", line[len(line) // 2 :])[0].strip() for line in lines]
        assert "1" in labels and "0" in labels  # on the rows of the grey and red lines
        assert "├" in lines[labels.index("1")] and "├" in lines[labels.index("0")]


def test_ratio_ticks_hold_0_and_1_and_leave_out_an_end_beside_them():
    from bptui.app.widgets.checkchart import ratio_ticks

    assert ratio_ticks(np.array([1.0, 0.5, -0.41])) == (-0.41, 1.0, [-0.41, 0.0, 1.0])
    assert ratio_ticks(np.array([0.98, 0.99])) == (0.0, 1.0, [0.0, 1.0])
    assert ratio_ticks(np.array([1.0, 3.0, -3.0])) == (-3.0, 3.0, [-3.0, 0.0, 1.0, 3.0])
    assert ratio_ticks(np.array([np.nan])) == (0.0, 1.0, [0.0, 1.0])


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


@pytest.mark.parametrize("preset", ["xor", "dead-relu"])
async def test_y_at_80x24_fits_each_bar_row_and_shows_every_xor_sample_and_the_mean(preset):
    """At 80 columns a bar row is as wide as the pane (shorter bars, not a value wrapped onto the
    next row), and the key is one line: XOR's four samples and their mean are on screen."""
    app = BptuiApp(preset=preset)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("y")
        await pilot.pause()
        await pilot.pause()
        pane = app.query_one("#explain")
        width = pane.scrollable_content_region.width
        lines = [line for line in pane.render_text().splitlines() if line]
        assert all(len(line) <= width for line in lines), [
            line for line in lines if len(line) > width
        ]
        if preset == "xor":
            shown = lines[: pane.scrollable_content_region.height]
            assert [line.split()[0].lstrip("▶") for line in shown[2:7]] == [
                "#4",
                "#1",
                "#2",
                "#3",
                "mean",
            ]
        assert "2 full size" in app.main_screen.hint  # the way to the rest of the view
        await pilot.press("2")  # zoomed: the bars take the width again
        await pilot.pause()
        await pilot.pause()
        assert "their mean = ∂C/∂w" in pane.render_text()


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
        assert app.main_screen.hint.count("died") == 1  # said once, with why: f'(z) = 0
        assert "f'(z) = 0 stops its δ" in app.main_screen.hint
        assert app.main_screen.cursor == (first.layer, first.unit - 1)
        view = app.main_screen.snapshot.views[first.layer - 1]
        assert view.flat[first.unit - 1]  # the diagram marks it ✕
        assert any(e.step == first.step for e in app.main_screen.events)
        await pilot.press("J")
        await pilot.pause()
        assert stepper.step < first.step or "no earlier event" in app.main_screen.hint


async def test_j_at_80x24_says_dead_under_the_layer_where_units_died():
    """At 80 columns the units' column is 5 wide: the count and 'dead' use the title's room,
    not '2✕' alone (the arrow of the flow, when it is in the gap to the right, keeps its row)."""
    app = BptuiApp(preset="dead-relu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("j")
        await pilot.pause()
        row = app.query_one("#diagram").render_line(1).text
        assert "✕ dead" in row, row


async def test_after_an_update_the_dead_count_stops_short_of_the_gaps_plus_delta_w():
    """At 80 columns '1✕ dead' ran into the +ΔW of the gap to its right ('1✕ dea+ΔW'): the
    count keeps to the room before it."""
    app = BptuiApp(preset="moons")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s", "s", "s")
        await pilot.pause()
        row = app.query_one("#diagram").render_line(1).text
        assert row.count("+ΔW") == 3 and "✕" in row, row
        assert all(f"{c}+ΔW" not in row for c in "✕deadsat."), row


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


async def test_help_lists_the_insight_keys_from_keys_py():
    """The help screen's rows come from bptui/keys.py: each insight key with its own words."""
    import io

    from rich.console import Console

    from bptui.app.screens.help import HelpScreen
    from bptui.keys import KEYS

    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=200, record=True, file=io.StringIO())
        for static in app.screen.query("Static"):
            console.print(static.content)
        text = console.export_text()
        by_key = {key.key: key for key in KEYS}
        for key, words in {
            "v": "nudge the selected weight by ±ε",
            "k": "the loss around the selected weight",
            "K": "heat map, gradient arrow, the last 200 steps' path",
            "y": "each sample's pull δ·a_in",
            "G": "computational graph",
            "j": "jump to the next event",
            "J": "jump to the previous event",
            "right_curly_bracket": "weight cursor",
            "h": "update check",
        }.items():
            assert words in by_key[key].help, key
            assert any(
                line.lstrip().startswith(by_key[key].name) and words[:20] in line
                for line in text.splitlines()
            ), key


async def test_the_explain_pane_follows_the_view_whoever_leaves_it():
    """A lesson step that locks G leaves the graph for the explanation: the pane's lines follow
    the view, not only y and G themselves (slope step 3 showed the graph under the title
    'Explain': learner walk 3)."""
    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x", "G")
        await settle(pilot)
        pane = app.query_one("#explain")
        assert "as a graph" in pane.render_text()
        app.main_screen.probe = ""  # what a lesson step does when it locks G
        await settle(pilot)
        assert "as a graph" not in pane.render_text()
        assert "nothing computed yet" in pane.render_text()
