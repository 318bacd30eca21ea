"""Live edits: the settings screen and the weight editor refuse bad values in place."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, Static

from bptui.app.main import BptuiApp
from bptui.preset import load_preset
from bptui.preset.loader import with_sets


async def open_settings(pilot):
    await pilot.press("o")
    await pilot.pause()
    return pilot.app.screen


async def submit(pilot, screen, field, value):
    box = screen.query_one(f"#{field}", Input)
    box.value = value
    box.focus()
    await pilot.press("enter")
    await pilot.pause()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("momentum", "1.5", "training.momentum"),
        ("learning_rate", "-1", "training.learning_rate"),
        ("learning_rate", "fast", "training.learning_rate"),
        ("batch_size", "10000", "training.batch_size"),
        ("l2", "nan", "training.l2"),
        ("l1", "-1", "training.l1"),
        ("layers", "2,x,1", "network.layers"),
        ("layers", "3,4,1", "data.inputs"),
        ("layers", "2,0,1", "network.layers"),
    ],
)
async def test_invalid_settings_are_refused_in_place(field, value, message):
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        weights = app.main_screen.stepper.params.flat.tobytes()
        screen = await open_settings(pilot)
        if field == "momentum":  # a setting of the momentum optimizer (xor uses plain SGD)
            screen.query_one("#optimizer", Select).value = "momentum"
            await pilot.pause()
        await submit(pilot, screen, field, value)
        assert app.screen is screen
        error = str(screen.query_one("#settings-error", Static).render())
        assert "refused" in error and message in error
        await pilot.press("escape")
        await pilot.pause()
        assert app.main_screen.stepper.params.flat.tobytes() == weights
        assert app.main_screen.stepper.step == 1


async def test_cross_entropy_needs_a_matching_output():
    app = BptuiApp(preset="sine")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_settings(pilot)
        screen.query_one("#loss", Select).value = "cross_entropy"
        await submit(pilot, screen, "learning_rate", "0.1")
        assert "network.loss" in str(screen.query_one("#settings-error", Static).render())


async def test_hyperparameters_keep_the_weights():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s", "s", "f")
        weights = app.main_screen.stepper.params.flat.tobytes()
        history = list(app.main_screen.stepper.loss_history[:2])
        screen = await open_settings(pilot)
        screen.query_one("#hidden_activation", Select).value = "tanh"
        screen.query_one("#optimizer", Select).value = "momentum"
        await pilot.pause()
        screen.query_one("#momentum", Input).value = "0.5"
        await submit(pilot, screen, "learning_rate", "0.25")
        assert app.screen is not screen
        stepper = app.main_screen.stepper
        assert stepper.params.flat.tobytes() == weights
        assert stepper.learning_rate == 0.25 and stepper.training.momentum == 0.5
        assert stepper.spec.hidden_activation == "tanh"
        assert stepper.step == 2 and stepper.position == 0
        assert (
            list(stepper.loss_history[:2]) == history
        )  # the new settings' loss is computed afresh
        assert "weights kept" in app.main_screen.hint


async def test_layer_sizes_reinitialize():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        screen = await open_settings(pilot)
        await submit(pilot, screen, "layers", "2,4,3,1")
        assert app.main_screen.stepper.spec.layers == (2, 4, 3, 1)
        assert app.main_screen.stepper.step == 0
        assert "re-initialized" in app.main_screen.hint
        await pilot.press("s")
        assert app.main_screen.stepper.step == 1


async def test_weight_editor():
    app = BptuiApp(preset="mazur")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f", "w")
        await pilot.pause()
        editor = app.screen
        await submit(pilot, editor, "which", "7")
        assert "out of range" in str(editor.query_one("#weight-error", Static).render())
        editor.query_one("#which", Input).value = "2"
        await pilot.pause()  # the editor fills in the current value of W[1,2]
        assert editor.query_one("#value", Input).value == "0.2"
        await submit(pilot, editor, "value", "inf")
        assert "out of range" in str(editor.query_one("#weight-error", Static).render())
        await submit(pilot, editor, "value", "0.5")
        assert app.screen is not editor
        assert app.main_screen.stepper.weights[0][0, 1] == 0.5
        assert app.main_screen.stepper.position == 0
        assert "W[1,2]: 0.2 → 0.5" in app.main_screen.hint


async def test_switching_to_adam_shows_its_settings_and_resets_its_state():
    app = BptuiApp(preset="moons")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s", "s")
        weights = app.main_screen.stepper.params.flat.tobytes()
        screen = await open_settings(pilot)
        assert not screen.query_one("#beta1", Input).display
        screen.query_one("#optimizer", Select).value = "adam"
        await pilot.pause()
        assert screen.query_one("#beta1", Input).display
        assert not screen.query_one("#momentum", Input).display
        assert screen.query_one("#beta2", Input).value == "0.999"
        screen.query_one("#beta2", Input).value = "0.99"
        await submit(pilot, screen, "learning_rate", "0.01")
        assert app.screen is not screen
        stepper = app.main_screen.stepper
        assert stepper.optimizer.name == "adam" and stepper.optimizer.h["beta2"] == 0.99
        assert stepper.params.flat.tobytes() == weights and stepper.step == 2
        assert stepper.opt_t == 0
        assert "Adam starts with its state (m, v) at zero" in app.main_screen.hint
        await pilot.press("s")
        assert stepper.opt_t == 1
        screen = await open_settings(pilot)  # the same optimizer again: its state is kept
        await submit(pilot, screen, "learning_rate", "0.02")
        assert app.main_screen.stepper.opt_t == 1 and "at zero" not in app.main_screen.hint


async def test_applying_one_setting_keeps_the_optimizers_defaults_and_names_only_it():
    """A preset with Adam and no β1, β2, ε of its own: changing λ alone applied ε = 1e-10 (the
    field fell back to another optimizer's default of the same name) and the hint listed
    'beta1 – → 0.9; beta2 – → 0.999; epsilon – → 1e-10' beside λ (learner walk 5)."""
    app = BptuiApp(preset="overfit")
    async with app.run_test(size=(120, 40)) as pilot:
        before = dict(app.main_screen.stepper.optimizer.h)
        assert app.main_screen.stepper.optimizer.name == "adam"
        screen = await open_settings(pilot)
        await submit(pilot, screen, "l2", "0.03")
        assert app.main_screen.stepper.optimizer.h == before
        assert app.main_screen.hint.startswith("settings applied (λ 0 → 0.03), weights kept")


async def test_settings_keep_the_unit_and_layer_looked_at_unless_the_layers_change():
    """Applying η alone moved the boundary map from the output to hidden unit 1 (learner walk
    5, overfitting); new layer sizes start over at hidden layer 1, unit 1."""
    app = BptuiApp(preset="moons")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("right", "down")
        await pilot.pause()
        view = (app.main_screen.cursor, app.main_screen.weight_layer)
        assert view != ((1, 0), 0)
        await submit(pilot, await open_settings(pilot), "learning_rate", "0.05")
        assert (app.main_screen.cursor, app.main_screen.weight_layer) == view
        await submit(pilot, await open_settings(pilot), "layers", "2,4,1")
        assert (app.main_screen.cursor, app.main_screen.weight_layer) == ((1, 0), 0)


async def test_a_schedules_field_shows_its_own_default_where_the_key_is_shared():
    """γ is the step schedule's (0.1) and the exponential one's (0.999): an exponential schedule
    with no γ of its own showed, and applied, the step schedule's 0.1."""
    preset = with_sets(load_preset("xor"), ['training.schedule="exponential"'])
    app = BptuiApp(preset=preset)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_settings(pilot)
        assert screen.query_one("#gamma", Input).value == "0.999"
        await submit(pilot, screen, "learning_rate", "1")
        assert app.main_screen.stepper.schedule.h == {"gamma": 0.999}
        assert app.main_screen.hint.startswith("settings applied (η 2 → 1), weights kept")


async def test_a_schedule_shows_the_current_rate():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_settings(pilot)
        screen.query_one("#schedule", Select).value = "step"
        await pilot.pause()
        screen.query_one("#step_size", Input).value = "2"
        await submit(pilot, screen, "gamma", "0.5")
        await pilot.press("s", "s")
        status = str(app.query_one("#status", Static).render())
        assert "η 2 " in status  # the rate of the update just applied (step 1)
        await pilot.press("f")
        status = str(app.query_one("#status", Static).render())
        assert "η 1 " in status  # η = 2 halves every 2 steps: step 2 uses 1
        assert app.main_screen.stepper.rate() == 1.0


async def test_hidden_activations_per_layer_from_the_settings_screen():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_settings(pilot)
        assert not screen.query_one("#hidden_per_layer", Input).display
        screen.query_one("#hidden_activation", Select).value = "per-layer"
        await pilot.pause()
        assert screen.query_one("#hidden_per_layer", Input).display
        screen.query_one("#layers", Input).value = "2,4,3,1"
        await submit(pilot, screen, "hidden_per_layer", "relu")
        error = str(screen.query_one("#settings-error", Static).render())
        assert "network.hidden_activation: has 1 name for 2 hidden layers" in error
        await submit(pilot, screen, "hidden_per_layer", "relu, gelu")
        assert app.screen is not screen
        assert app.main_screen.stepper.spec.hidden_activations == ("relu", "gelu")
        screen = await open_settings(pilot)
        assert screen.query_one("#hidden_activation", Select).value == "per-layer"
        assert screen.query_one("#hidden_per_layer", Input).value == "relu, gelu"


async def test_the_focused_settings_field_is_on_screen_at_80x24():
    """Tab through every field (with Adam's and a step schedule's own fields shown): each one
    is inside the settings box when it has the focus."""
    app = BptuiApp(preset="moons")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        screen.query_one("#optimizer", Select).value = "adam"
        screen.query_one("#schedule", Select).value = "step"
        await pilot.pause()
        box = screen.query_one("#settings")
        assert screen.focused is screen.query_one("#learning_rate", Input)
        seen = set()
        for _ in range(40):
            focused = screen.focused
            assert box.region.contains_region(focused.region), focused.id
            seen.add(focused.id)
            await pilot.press("tab")
            await pilot.pause()
        assert {"beta2", "step_size", "seed", "apply"} <= seen


@pytest.mark.parametrize("optimizer", ["sgd", "adamw"])
async def test_apply_and_the_open_lists_stay_above_the_bars_at_80x24(optimizer):
    """At 80×24 Apply was below the fold (seen only after tabbing to the seed) and the open list
    of the 10 hidden activations covered the explorer's hint and key bars. Apply is drawn on the
    screen from the start, also when Adam's own fields make the others scroll; every open list
    ends above the hint line."""
    from textual.widgets import Button, Footer
    from textual.widgets._select import SelectOverlay

    app = BptuiApp(preset="xor")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        screen.query_one("#optimizer", Select).value = optimizer
        await pilot.pause()
        apply = screen.query_one("#apply", Button)
        assert screen.region.contains_region(apply.region)
        assert screen.query_one("#settings").region.contains_region(apply.region)
        rows = [strip.text for strip in app.screen._compositor.render_strips()]
        assert "Apply (enter)" in rows[apply.region.y][apply.region.x :]
        hint = app.main_screen.query_one("#hint").region
        footer = app.main_screen.query_one(Footer).region
        assert hint.bottom <= footer.y == 23
        for select in screen.query(Select):
            select.focus()
            await pilot.press("space")
            await pilot.pause()
            assert select.expanded, select.id
            box = select.query_one(SelectOverlay).region
            assert box.height == len(select._options) + 2, select.id  # every choice shows
            assert box.bottom <= hint.y, (select.id, box)
            await pilot.press("escape")
            await pilot.pause()
            assert not select.expanded and app.screen is screen


@pytest.mark.parametrize("field", ["loss", "hidden_activation", "init"])
async def test_an_open_list_is_a_box_beside_its_field_at_80x24(field):
    """Learner walk 2, #10/#53/#67: an open list drew its choices flush over the rows below, so
    they read as those rows' values ('loss  relu', 'seed  mse'). Open, it is a bordered box that
    leaves the field's own label and value readable."""
    from textual.widgets._select import SelectOverlay

    app = BptuiApp(preset="xor")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        select = screen.query_one(f"#{field}", Select)
        select.focus()
        await pilot.press("space")
        await pilot.pause()
        assert select.expanded
        rows = [strip.text for strip in app.screen._compositor.render_strips()]
        box = select.query_one(SelectOverlay).region
        assert box.bottom <= 24 and box.right <= 80
        inside = rows[box.y + 1 : box.bottom - 1]
        assert inside and all(
            row[box.x] in "│┃" and row[box.right - 1] in "│┃" for row in inside
        ), "\n".join(rows)
        own = rows[select.region.y]
        assert own[select.region.x :].strip().startswith(str(select.value)), own
        assert own[: select.region.x].strip("█ "), own  # the label


async def test_enter_applies_from_a_list_unless_it_is_open():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        loss = screen.query_one("#loss", Select)
        loss.focus()
        await pilot.press("space")  # opens the list
        await pilot.pause()
        assert loss.expanded
        await pilot.press("down", "enter")  # picks, the screen stays
        await pilot.pause()
        assert app.screen is screen and not loss.expanded
        picked = loss.value
        assert picked != "cross_entropy"
        await pilot.press("enter")  # applies
        await pilot.pause()
        assert app.screen is not screen and app.main_screen.stepper.spec.loss == picked


async def test_a_lesson_opens_the_settings_on_the_field_it_asks_for():
    from bptui.lesson import load_lesson

    lesson = load_lesson("overfitting")
    app = BptuiApp(preset=lesson.preset, lesson=lesson)
    async with app.run_test(size=(80, 24)) as pilot:
        app.main_screen.lesson.index = 2  # L2 λ → 0.03
        app.main_screen.lessons.draw(full=True)
        screen = await open_settings(pilot)
        assert screen.focused is screen.query_one("#l2", Input)
        assert any(
            line.startswith("set “L2 λ” to at least 0.02 in the settings (o)")
            for line in app.main_screen.lesson.missing(app.main_screen.lessons.context())
        )


async def test_enter_typed_in_a_burst_applies_the_text_typed_before_it():
    """Keys typed in one burst (tmux send-keys '2,2,1' Enter): enter, a priority binding, runs
    before the field has read the keys queued for it; it must still apply the new text, and
    the hint says what changed."""
    from textual import events

    app = BptuiApp(preset="xor")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        field = screen.query_one("#layers", Input)
        field.focus()
        await pilot.pause()
        field.value = ""
        for key, char in [
            ("2", "2"),
            ("comma", ","),
            ("3", "3"),
            ("comma", ","),
            ("1", "1"),
            ("enter", None),
        ]:
            app._driver.send_message(events.Key(key, char))  # no pause between keys
        await pilot.pause()
        await pilot.pause()
        assert app.screen is not screen
        assert app.main_screen.stepper.spec.layers == (2, 3, 1)
        assert app.main_screen.hint.startswith("layers 2,2,1 → 2,3,1: weights re-initialized")


async def test_the_hint_says_when_applying_changed_nothing():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        await submit(pilot, screen, "learning_rate", "2")
        assert app.main_screen.hint.startswith("settings applied (nothing changed), weights kept")
        screen = await open_settings(pilot)
        await submit(pilot, screen, "learning_rate", "0.5")
        assert app.main_screen.hint.startswith("settings applied (η 2 → 0.5), weights kept")
