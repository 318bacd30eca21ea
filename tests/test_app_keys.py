"""Pilot tests of the explorer's key semantics."""

from __future__ import annotations

import asyncio
import os
import sys
import threading

import numpy as np
import pytest

from bptui.app.main import BptuiApp
from bptui.app.trainer import Goal
from bptui.engine import Phase
from bptui.preset import load_preset


async def test_phase_keys_walk_one_training_step():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        stepper = app.main_screen.stepper
        await pilot.press("f")
        assert stepper.last.phase == Phase.FORWARD and stepper.last.layer == 0
        await pilot.press("f")
        assert stepper.last.layer == 1
        await pilot.press("e")
        assert stepper.last.phase == Phase.ERROR
        await pilot.press("b", "b")
        assert stepper.last.phase == Phase.BACKWARD and stepper.last.layer == 0
        await pilot.press("u")
        assert stepper.last.phase == Phase.UPDATE and stepper.step == 1


async def test_out_of_order_keys_say_what_they_did():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e")  # runs the forward pass first
        assert app.main_screen.stepper.last.phase == Phase.ERROR
        assert "ran forward first" in app.main_screen.hint
        await pilot.press("f")  # forward is done for this step: says which key is next
        assert app.main_screen.stepper.last.phase == Phase.ERROR
        assert "next: b" in app.main_screen.hint
        await pilot.press("u")  # runs the backward pass, then the update
        assert app.main_screen.stepper.step == 1 and "ran backward first" in app.main_screen.hint
        await pilot.press("b")  # a new step: forward and error first
        assert app.main_screen.stepper.last.phase == Phase.BACKWARD
        assert "ran forward, error first" in app.main_screen.hint


async def test_space_and_s():
    app = BptuiApp(preset="spiral")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space")
        assert app.main_screen.stepper.position == 1
        await pilot.press("s")
        assert app.main_screen.stepper.step == 1 and app.main_screen.stepper.updated


async def test_reset_restores_the_seeded_weights_bit_for_bit():
    app = BptuiApp(preset="spiral")
    async with app.run_test(size=(120, 40)) as pilot:
        initial = app.main_screen.stepper.params.flat.tobytes()
        await pilot.press("s", "s", "f")
        assert app.main_screen.stepper.params.flat.tobytes() != initial
        await pilot.press("R")
        assert app.main_screen.stepper.params.flat.tobytes() == initial
        assert app.main_screen.stepper.step == 0


async def test_learning_rate_keys():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("plus")
        assert app.main_screen.stepper.learning_rate == 4.0
        await pilot.press("minus", "minus")
        assert app.main_screen.stepper.learning_rate == 1.0


async def test_learning_rate_keys_while_training_keep_it_running_toward_its_goal():
    """+ during a run pauses it, doubles η and goes on toward the same stop (it stopped)."""
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.main_screen
        screen.pace = 100  # slow enough that the run is still going when + arrives
        screen.live.start(Goal(step=10_000))
        await pilot.pause(0.2)
        await pilot.press("plus")
        await pilot.pause(0.2)
        assert screen.running and screen.trainer.busy
        assert screen.trainer.goal.step == 10_000
        await pilot.press("r")
        while screen.trainer.busy:
            await pilot.pause(0.05)
        assert screen.stepper.learning_rate == 4.0
        assert screen.hint.startswith("paused at step")


async def test_run_and_pause():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        assert app.main_screen.running
        await asyncio.sleep(0.3)
        await pilot.press("r")  # asks the training thread to stop; it says when it has
        for _ in range(200):
            if not app.main_screen.running:
                break
            await pilot.pause(0.01)
        explorer = app.main_screen
        assert not explorer.running and not explorer.trainer.busy
        assert "paused at step" in explorer.hint
        steps = app.main_screen.stepper.step
        assert steps > 0
        await asyncio.sleep(0.1)
        assert app.main_screen.stepper.step == steps  # really paused
        assert len(app.main_screen.stepper.loss_history) >= steps


async def test_run_stops_on_divergence():
    preset = load_preset("sine")
    app = BptuiApp(preset=preset)
    async with app.run_test(size=(120, 40)) as pilot:
        app.main_screen.stepper.learning_rate = 1e6
        await pilot.press("r")
        for _ in range(100):
            await asyncio.sleep(0.02)
            if not app.main_screen.running:
                break
        assert app.main_screen.stepper.diverged and not app.main_screen.running
        await pilot.press("R")
        assert not app.main_screen.stepper.diverged


async def test_layer_and_cursor_keys():
    app = BptuiApp(preset="spiral")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right_square_bracket")
        assert app.main_screen.weight_layer == 1
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert app.main_screen.weight_layer == 2
        await pilot.press("left", "down", "down")
        from bptui.app.widgets.diagram import NetworkDiagram

        assert app.query_one(NetworkDiagram).cursor == (2, 2)
        assert app.main_screen.weight_layer == 1


async def test_switching_presets_in_the_picker():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await pilot.pause()
        from textual.widgets import Input

        field = app.screen.query_one(Input)
        field.focus()
        field.value = "iris"
        await pilot.press("enter")
        await pilot.pause()
        assert app.main_screen.preset.name == "iris"
        assert app.main_screen.stepper.spec.layers == (4, 8, 3)


async def test_a_bad_preset_in_the_picker_keeps_the_session(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'title = "x"\n[network]\nlayers = [2, 0, 1]\n[data]\ninputs=[[0,0]]\ntargets=[[0]]\n'
    )
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        weights = app.main_screen.stepper.params.flat.copy()
        await pilot.press("p")
        await pilot.pause()
        from textual.widgets import Input, Static

        field = app.screen.query_one(Input)
        field.focus()
        field.value = str(bad)
        await pilot.press("enter")
        await pilot.pause()
        message = str(app.screen.query_one("#picker-error", Static).render())
        assert "network.layers" in message and "bad.toml" in message
        await pilot.press("escape")
        await pilot.pause()
        assert app.main_screen.preset.name == "xor" and app.main_screen.stepper.step == 1
        np.testing.assert_array_equal(app.main_screen.stepper.params.flat, weights)


async def test_help_screen_opens_and_closes():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.__class__.__name__ != "HelpScreen"


async def test_small_terminals_keep_panes_and_a_status_line_that_fits():
    for size in ((80, 24), (40, 12)):
        app = BptuiApp(preset="digits")
        async with app.run_test(size=size) as pilot:
            await pilot.press("f", "e", "b", "u", "right", "down")
            await pilot.pause()
            assert app.main_screen.stepper.step == 1  # the four phases ran: one whole step
            for pane in ("#diagram-pane", "#matrix-pane", "#bottom"):
                region = app.query_one(pane).region
                assert region.width > 0 and region.height > 0, (size, pane)
            status = app.query_one("#status").render_line(0).text
            assert status.strip() and len(status) <= size[0]


async def test_undo_and_redo_are_exact():
    app = BptuiApp(preset="spiral")
    async with app.run_test(size=(120, 40)) as pilot:
        states = [app.main_screen.stepper.params.flat.tobytes()]
        for key in ["f", "f", "f", "e", "b", "b", "b", "u", "f"]:
            await pilot.press(key)
            stepper = app.main_screen.stepper
            states.append(
                (stepper.micro_index, stepper.params.flat.tobytes(), stepper.ws.a[0].tobytes())
            )
        final = states[-1]
        await pilot.press("z", "z", "z")
        assert app.main_screen.stepper.micro_index == final[0] - 3
        assert (
            app.main_screen.stepper.micro_index,
            app.main_screen.stepper.params.flat.tobytes(),
            app.main_screen.stepper.ws.a[0].tobytes(),
        ) == states[-4]
        await pilot.press("Z", "Z", "Z")
        assert (
            app.main_screen.stepper.micro_index,
            app.main_screen.stepper.params.flat.tobytes(),
            app.main_screen.stepper.ws.a[0].tobytes(),
        ) == final
        for _ in range(12):
            await pilot.press("z")
        assert app.main_screen.stepper.micro_index == 0
        assert "nothing to undo" in app.main_screen.hint


async def test_h_shows_gradient_health_and_the_diagram_marks_flat_units():
    app = BptuiApp(preset="dead-relu")
    async with app.run_test(size=(120, 40)) as pilot:
        app.main_screen.stepper.run(200)
        app.main_screen.refresh_view()
        await pilot.press("h")
        await pilot.pause()
        assert app.main_screen.bottom == "health" and app.query_one("#charts").current == "health"
        assert app.main_screen.snapshot.trace_rows == 200
        view = app.main_screen.snapshot.views[0]
        assert view.flat_kind == "dead"
        await pilot.press("f")  # the forward pass of the current batch: flat units are known
        await pilot.pause()
        flat = app.main_screen.snapshot.views[0].flat
        assert flat is not None and flat.any()
        assert "✕ dead" in app.query_one("#diagram").render_line(1).text
        await pilot.press("h")
        # h cycles: loss → gradient health → update check
        assert app.main_screen.bottom == "check"
        await pilot.press("h")
        assert app.main_screen.bottom == "chart"


async def test_c_pins_runs_labelled_by_what_differs_and_C_clears_them():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c")
        assert app.main_screen.ghosts == () and "nothing to pin" in app.main_screen.hint
        app.main_screen.stepper.run(50)
        app.main_screen.refresh_view()
        await pilot.press("c")
        assert len(app.main_screen.ghosts) == 1
        assert app.main_screen.ghosts[0].label(app.main_screen.settings) == "run 1"
        await pilot.press("R", "minus")
        assert app.main_screen.ghosts[0].label(app.main_screen.settings) == "η 2"
        for _ in range(5):
            app.main_screen.stepper.run(5)
            app.main_screen.refresh_view()
            await pilot.press("c")
        assert len(app.main_screen.ghosts) == 4  # at most four: the oldest goes
        assert [g.number for g in app.main_screen.ghosts] == [3, 4, 5, 6]
        await pilot.press("C")
        assert app.main_screen.ghosts == ()


async def test_number_keys_zoom_a_pane_and_back():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(80, 24)) as pilot:
        for key, pane in (("1", "diagram-pane"), ("2", "matrix-pane"), ("3", "bottom")):
            await pilot.press(key)
            assert app.screen.maximized is app.query_one(f"#{pane}")
            await pilot.press(key)
            assert app.screen.maximized is None


async def test_every_palette_action_runs_with_a_screen_on_top(tmp_path, monkeypatch):
    """The command palette runs actions while it is still the top screen: they must find the
    explorer's panes all the same, and each must do what it does (change what the explorer
    shows, say something, or open its screen)."""
    from bptui.app.screens.help import HelpScreen
    from bptui.keys import KEYS

    def seen(app):
        explorer = app.main_screen
        return (
            explorer.hint,
            explorer.stepper.micro_index,
            explorer.stepper.step,
            explorer.bottom,
            len(app.main_screen.ghosts),
            [type(s).__name__ for s in app.screen_stack],
            app.screen_stack[0].maximized,
        )

    monkeypatch.chdir(tmp_path)  # save and export write files here
    app = BptuiApp(preset="xor")
    idle = []
    async with app.run_test(size=(120, 40)) as pilot:
        # One screen stays on top for all the actions (pushing a new one for each made this the
        # suite's slowest test); a screen an action opens is closed after it.
        top = HelpScreen(app.main_screen.stepper)
        await app.push_screen(top)
        for key in KEYS:
            if not key.palette or key.action in ("quit", "help"):
                continue
            assert app.screen is top
            before = seen(app)
            await app.main_screen.run_action(key.action)
            await pilot.pause()
            if seen(app) == before:
                idle.append(key.action)
            if app.main_screen.running:  # the next actions start from a paused explorer
                await app.main_screen.run_action("run")
                for _ in range(200):
                    if not app.main_screen.running:
                        break
                    await pilot.pause(0.01)
            while app.screen is not top and len(app.screen_stack) > 1:
                await app.pop_screen()
            if app.screen is not top:
                top = HelpScreen(app.main_screen.stepper)
                await app.push_screen(top)
        assert app.is_running
    assert idle == []


def test_the_readme_lists_every_key():
    """Keys are described once (app/keys.py); the README's table must name each of them."""
    from pathlib import Path

    from bptui.keys import KEYS

    readme = Path(__file__).resolve().parents[1].joinpath("README.md").read_text(encoding="utf-8")
    table = [
        line
        for line in readme.splitlines()
        if line.startswith("| `") or line.startswith("| arrows")
    ]
    for key in KEYS:
        name = "arrows" if key.key in ("up", "down", "left", "right") else f"`{key.name}`"
        assert any(name in row for row in table), f"README's key table lacks {key.name}"


async def test_pace_keys_slow_training_down_so_each_step_is_drawn():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("less_than_sign", "less_than_sign", "less_than_sign")
        assert app.main_screen.pace == 10 and "10 steps/s" in app.main_screen.hint
        assert "10 steps/s" in app.query_one("#status").render_line(0).text
        drawn = []
        app.watch(app.main_screen, "snapshot", lambda snap: drawn.append(snap.step), init=False)
        await pilot.press("r")
        await asyncio.sleep(0.5)
        await pilot.press("r")
        for _ in range(200):
            if not app.main_screen.running:
                break
            await pilot.pause(0.01)
        assert 1 <= app.main_screen.stepper.step < 20  # 10 steps a second, not thousands
        assert drawn == sorted(drawn)  # frames only go forward
        await pilot.press(
            "greater_than_sign", "greater_than_sign", "greater_than_sign", "greater_than_sign"
        )
        assert app.main_screen.pace is None and "max" in app.main_screen.hint


async def test_a_preset_and_a_lesson_step_set_the_training_speed(tmp_path, monkeypatch):
    """[training] speed starts the explorer at that pace; a lesson step's `speed` sets it as
    the step begins (a step without one leaves the learner's)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the lesson's progress
    from bptui.lesson import load_lesson
    from bptui.preset.loader import with_sets

    app = BptuiApp(preset=with_sets(load_preset("xor"), ["training.speed=10"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        explorer = app.main_screen
        assert explorer.pace == 10
        assert "10 steps/s" in explorer.query_one("#status").render_line(0).text
        await pilot.press("r")
        assert explorer.trainer.pace == 10
        await pilot.press("r")
    path = tmp_path / "speeds.toml"
    path.write_text(
        'title = "Speeds"\npreset = "xor"\n[set]\ntraining.speed = 100\n'
        '[[step]]\ntext = "one"\n[[step]]\ntext = "two"\nspeed = 1\n'
        '[[step]]\ntext = "three"\n[[step]]\ntext = "four"\nspeed = "max"\n',
        encoding="utf-8",
    )
    lesson = load_lesson(str(path))
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        explorer = app.main_screen
        assert explorer.pace == 100
        await pilot.press("n")
        assert explorer.lesson.index == 1 and explorer.pace == 1
        await pilot.press("greater_than_sign", "n")  # the learner's 10 stays in step 3
        assert explorer.lesson.index == 2 and explorer.pace == 10
        await pilot.press("n")
        assert explorer.lesson.index == 3 and explorer.pace is None


async def test_run_to_stops_at_the_step_asked_for():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("N")
        await pilot.pause()
        assert type(app.screen).__name__ == "RunToScreen"
        await pilot.press(*"12x", "enter")
        assert "not a whole number" in str(app.screen.query_one("#run-to-error").render())
        await pilot.press("backspace", "5", "enter")
        for _ in range(300):
            if not app.main_screen.running and app.main_screen.stepper.step:
                break
            await pilot.pause(0.01)
        assert app.main_screen.stepper.step == 125 and "stopped at step 125" in app.main_screen.hint
        assert not any(t.name == "bptui-trainer" and t.is_alive() for t in threading.enumerate())


def test_run_to_reads_steps_a_step_or_a_loss():
    from bptui.app.trainer import Goal, parse_run_to

    assert parse_run_to("500", 20) == Goal(step=520)
    assert parse_run_to(" step 2,000 ", 20) == Goal(step=2000)
    assert parse_run_to("loss 0.01", 20) == Goal(loss=0.01)
    for bad in ("", "step 10", "loss -1", "loss nan", "١٢", "1_000", "walk 5", "loss inf"):
        assert isinstance(parse_run_to(bad, 20), str), bad


def test_the_trainer_posts_every_step_at_10_steps_a_second_and_stops_when_asked():
    """At 10 steps/s or fewer the thread posts a frame after every step (none is skipped); stop()
    only asks, and Finished says when the stepper is free again (no frame after the ask)."""
    import time

    from bptui.app.trainer import Trainer
    from bptui.engine.timeline import Timeline

    class Target:  # an app that draws each frame at once
        def __init__(self):
            self.messages = []

        def post_message(self, message):
            self.messages.append(message)
            if isinstance(message, Trainer.Frame):
                trainer.frame_drawn()

    stepper = load_preset("xor").stepper()
    target = Target()
    trainer = Trainer(target, lambda: stepper.step)
    trainer.pace = 10
    trainer.start(stepper, Timeline(stepper))
    time.sleep(0.45)
    trainer.stop()
    for _ in range(500):
        if any(isinstance(m, Trainer.Finished) for m in target.messages):
            break
        time.sleep(0.01)
    frames = [m.snapshot for m in target.messages if isinstance(m, Trainer.Frame)]
    finished = [m for m in target.messages if isinstance(m, Trainer.Finished)]
    assert [m.why for m in finished] == ["paused"] and trainer.busy
    # every step has its frame, but for the one in progress when stop() asked (Finished draws it)
    assert frames == list(range(1, len(frames) + 1)) and len(frames) >= stepper.step - 1
    assert 2 <= stepper.step < 15
    assert trainer.finished() == [] and not trainer.busy


def test_the_trainer_stops_after_the_step_in_progress_and_posts_no_frame_after_the_ask():
    """`r` waits for Finished on the screen: the thread stops at the next step boundary, even in
    the middle of a long chunk, and no frame (a snapshot to draw) comes between."""
    import time

    from bptui.app.trainer import Trainer
    from bptui.engine.timeline import Timeline

    class Target:
        def __init__(self):
            self.messages = []

        def post_message(self, message):
            self.messages.append(message)

    stepper = load_preset("xor").stepper()
    target = Target()
    trainer = Trainer(target, lambda: stepper.step)

    class AskedMidChunk:
        """The stepper, with stop() asked once step 300 is done (whatever the chunk)."""

        def __getattr__(self, name):
            return getattr(stepper, name)

        def run(self, steps, should_stop=None):
            def poll():
                if stepper.step >= 300 and not trainer._stop.is_set():
                    target.messages.append("asked")
                    trainer.stop()
                return should_stop()

            return stepper.run(steps, poll)

    trainer.start(AskedMidChunk(), Timeline(stepper))
    for _ in range(1000):
        if any(isinstance(m, Trainer.Finished) for m in target.messages):
            break
        time.sleep(0.01)
    assert stepper.step == 300
    after = target.messages[target.messages.index("asked") + 1 :]
    assert [type(m) for m in after] == [Trainer.Finished] and after[0].why == "paused"
    trainer.finished()


def test_frames_keep_a_steady_beat():
    """A frame due at t is followed by one due at t + 1/FRAME_RATE (a late chunk does not push
    the beat back), but never within half a beat of a late one (no burst after a stall)."""
    from bptui.app.trainer import FRAME_RATE, frame_after

    beat = 1 / FRAME_RATE
    assert frame_after(10.0, 10.0 + beat / 10) == pytest.approx(10.0 + beat)
    assert frame_after(10.0, 10.0 + 3 * beat) == pytest.approx(10.0 + 3.5 * beat)


def test_charts_replot_at_most_once_a_second_in_a_browser_while_training():
    """A class shares one machine: in a browser the charts (the costliest part of a frame)
    replot less often than in a terminal."""
    from bptui.app.widgets.plots import replot_rate

    assert replot_rate(web=True) <= 1 < replot_rate(web=False)


PANES = ("#diagram", "#boundary", "#matrix", "#chart", "#health", "#check", "#readout")
"""The panes bound to the screen's snapshot (besides the status line)."""


def test_in_a_browser_the_panes_follow_training_frames_at_a_rate():
    """Served to a browser the panes follow a training frame at most PANES_PER_SECOND_WEB times
    a second (a class shares one machine); in a terminal, or when each step is drawn, always."""
    from bptui.app.live import PANES_PER_SECOND_WEB, panes_due
    from bptui.app.trainer import FRAME_RATE

    beat = 1 / PANES_PER_SECOND_WEB
    assert PANES_PER_SECOND_WEB < FRAME_RATE
    assert panes_due(web=False, pace=None, since=0.0)
    assert panes_due(web=True, pace=FRAME_RATE, since=0.0)  # each step is drawn
    assert not panes_due(web=True, pace=None, since=beat / 2)
    assert not panes_due(web=True, pace=100, since=beat / 2)
    assert panes_due(web=True, pace=None, since=beat)


@pytest.mark.parametrize("web", [True, False])
async def test_a_training_frame_in_a_browser_updates_the_status_line_and_defers_the_panes(
    monkeypatch, web
):
    """In a browser a frame that comes before the panes are due updates the status line (step,
    loss) only; the next due frame updates every pane. A terminal draws every frame in full."""
    from bptui.app.trainer import Trainer

    monkeypatch.setattr(BptuiApp, "is_web", property(lambda self: web))
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.main_screen
        monkeypatch.setattr(Trainer, "busy", property(lambda self: True))
        frames = []
        for _ in range(3):
            screen.stepper.run(5)
            frames.append(screen.take_snapshot(fresh=False))

        async def frame(snap, panes_at: float) -> None:
            screen.live.panes_at = panes_at
            screen.post_message(Trainer.Frame(snap, 1000.0))
            await pilot.pause()

        def shown(selector: str):
            return screen.query_one(selector).snapshot

        await frame(frames[0], -1e9)  # due: the panes were last drawn long ago
        assert shown("#status") is screen.snapshot is frames[0]
        assert all(shown(pane) is frames[0] for pane in PANES)
        await frame(frames[1], float("inf"))  # not due (the panes were just drawn)
        assert shown("#status") is frames[1]
        assert "step 10" in str(screen.query_one("#status").render())
        behind = frames[0] if web else frames[1]
        assert screen.snapshot is behind and all(shown(pane) is behind for pane in PANES)
        await frame(frames[2], -1e9)
        assert shown("#status") is screen.snapshot is frames[2]
        assert all(shown(pane) is frames[2] for pane in PANES)


async def test_in_a_browser_every_pane_is_up_to_date_after_pause(monkeypatch):
    """The panes that followed training at a rate show the stepper as it is once it pauses."""
    monkeypatch.setattr(BptuiApp, "is_web", property(lambda self: True))
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.main_screen
        await pilot.press("r")
        for _ in range(300):  # a few frames: the status line is ahead of the panes
            if screen.query_one("#status").snapshot.step > 0:
                break
            await pilot.pause(0.01)
        await pilot.press("r")
        for _ in range(300):
            if not screen.running:
                break
            await pilot.pause(0.01)
        await pilot.pause()
        assert "paused at step" in screen.hint
        step = screen.stepper.step
        assert step > 0 and screen.snapshot.step == step
        assert all(
            screen.query_one(pane).snapshot is screen.snapshot for pane in ("#status", *PANES)
        )


async def test_the_panes_catch_up_after_the_paused_hint():
    """The pause hint goes out first; the panes' redraw (the fresh snapshot) follows at once."""
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await asyncio.sleep(0.3)
        await pilot.press("r")
        screen = app.main_screen
        for _ in range(200):
            if not screen.running:
                break
            await pilot.pause(0.01)
        await pilot.pause()
        assert "paused at step" in screen.hint
        assert screen.snapshot.step == screen.stepper.step > 0


def test_at_10_steps_a_second_the_next_step_waits_until_the_last_is_drawn():
    """A screen slower than the pace slows training down instead of skipping steps (spiral
    drew 15 of 50 steps in 5 s on a busy machine): no frame replaces one that is not drawn."""
    import time

    from bptui.app.trainer import Trainer
    from bptui.engine.timeline import Timeline

    frames = []
    target = type("Target", (), {"post_message": lambda self, message: frames.append(message)})()
    stepper = load_preset("xor").stepper()
    trainer = Trainer(target, lambda: stepper.step)
    trainer.pace = 10

    def frames_seen(count: int) -> list[int]:
        for _ in range(500):
            shown = [m.snapshot for m in frames if isinstance(m, Trainer.Frame)]
            if len(shown) >= count:
                return shown
            time.sleep(0.01)
        raise AssertionError(f"fewer than {count} frames: {frames}")

    trainer.start(stepper, Timeline(stepper))
    assert frames_seen(1) == [1]
    time.sleep(0.35)  # three steps' time: none is taken while step 1 is not drawn
    assert frames_seen(1) == [1] and stepper.step == 1
    trainer.frame_drawn()
    assert frames_seen(2) == [1, 2]
    trainer.stop()  # a run waiting for the screen stops at once
    for _ in range(500):
        if any(isinstance(m, Trainer.Finished) for m in frames):
            break
        time.sleep(0.01)
    assert [m.why for m in frames if isinstance(m, Trainer.Finished)] == ["paused"]
    assert stepper.step == 2 and trainer.finished() == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values")
def test_lowering_a_threads_priority_leaves_the_others_alone():
    from bptui.app.trainer import TRAINING_NICENESS, lower_this_threads_priority

    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before, seen = niceness(), []

    def thread() -> None:
        lower_this_threads_priority()
        seen.append(niceness())

    worker = threading.Thread(target=thread)
    worker.start()
    worker.join()
    assert seen == [min(19, before + TRAINING_NICENESS)]
    assert niceness() == before  # this thread (the screen's, in the app) keeps its priority


async def test_training_runs_on_a_nicer_thread_than_the_screen(monkeypatch):
    """Five learners training on one machine made the others' keys wait for the CPU."""
    callers = []
    monkeypatch.setattr(
        "bptui.app.trainer.lower_this_threads_priority",
        lambda: callers.append(threading.current_thread()),
    )
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        for _ in range(200):
            await asyncio.sleep(0.02)
            if callers:
                break
        await pilot.press("r")
    assert len(callers) == 1 and callers[0] is not threading.main_thread()


def test_run_to_a_loss_stops_once_the_status_lines_loss_is_below_it():
    """N `loss 0.015` stops at the first step whose training-set cost at the current weights
    (the status line's L, a lesson's loss_below) is below it: not one step later, not never
    (the stepper's own stop used to be swallowed, so the run went on to its step limit)."""
    from bptui.app.trainer import Goal, Trainer
    from bptui.lesson import load_lesson
    from bptui.lesson.checks import whole_set_cost
    from tests.test_lesson_numbers import variant

    class Target:
        def post_message(self, message):
            pass

    class Timeline:
        def record(self):
            pass

    assert load_lesson("learning-rate").preset.training.batch_size == 0  # full batches
    for rate in (0.16, 0.32):  # 0.32 oscillates around the goal
        stepper = variant("learning-rate", training__learning_rate=rate).stepper()
        why = Trainer(Target(), lambda: None)._loop(
            stepper, Timeline(), Goal(step=20_000, loss=0.015)
        )
        assert why == "reached" and stepper.step < 20_000
        assert whole_set_cost(stepper, "train") < 0.015
        before = variant("learning-rate", training__learning_rate=rate).stepper()
        before.run(stepper.step - 1)
        assert whole_set_cost(before, "train") >= 0.015


async def test_a_diverged_run_still_has_a_loss_chart_on_the_linear_scale():
    """A diverging run's losses reach 1e300 and inf: the linear chart clips them at 10× the
    first loss and says so inside the plot (it used to draw nothing but the last step)."""
    from bptui.app.widgets.losschart import CLIP_FACTOR, LossChart
    from bptui.lesson import load_lesson

    app = BptuiApp(preset=load_lesson("update").preset)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.main_screen
        screen.stepper.learning_rate = 3.2
        screen.stepper.run(2000)
        assert screen.stepper.diverged
        screen.timeline.record()
        screen.refresh_view()
        await pilot.pause()
        chart = app.query_one(LossChart)
        chart._replot()
        first = float(screen.stepper.loss_history[0])
        assert chart.shown_range == (
            pytest.approx(chart.shown_range[0]),
            pytest.approx(CLIP_FACTOR * first),
        )
        assert "clipped (l: log scale)" in chart.plt.build()
        await pilot.press("l")  # the log scale draws every finite loss, unclipped
        await pilot.pause()
        chart._replot()
        assert chart.shown_range[1] > 300 and "clipped" not in chart.plt.build()
