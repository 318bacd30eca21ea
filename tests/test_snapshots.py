"""Snapshot tests of the screens (pytest-textual-snapshot): seeded, no animations, no autostart.

Update with `pytest --snapshot-update` on the full suite, then look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from bptui.app.main import BptuiApp

SIZE = (120, 40)


def no_blink(pilot) -> None:
    """Turn off the cursor blink of any input on the screen."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


class TestXorStep:
    """One training step of xor, phase by phase."""

    def test_start(self, snap_compare):
        assert snap_compare(BptuiApp(preset="xor"), terminal_size=SIZE)

    def test_after_forward(self, snap_compare):
        assert snap_compare(BptuiApp(preset="xor"), press=["f"], terminal_size=SIZE)

    def test_after_error(self, snap_compare):
        assert snap_compare(BptuiApp(preset="xor"), press=["f", "f", "e"], terminal_size=SIZE)

    def test_after_backward(self, snap_compare):
        assert snap_compare(BptuiApp(preset="xor"), press=["e", "b"], terminal_size=SIZE)

    def test_after_update(self, snap_compare):
        assert snap_compare(BptuiApp(preset="xor"), press=["u"], terminal_size=SIZE)


class TestScreens:
    def test_help(self, snap_compare):
        assert snap_compare(BptuiApp(preset="xor"), press=["question_mark"], terminal_size=SIZE)

    def test_preset_picker(self, snap_compare):
        async def open_picker(pilot):
            await pilot.press("p")
            await pilot.pause()
            no_blink(pilot)

        assert snap_compare(BptuiApp(preset="xor"), run_before=open_picker, terminal_size=SIZE)

    def test_small_terminal(self, snap_compare):
        assert snap_compare(BptuiApp(preset="spiral"), press=["f"], terminal_size=(80, 24))

    def test_after_50_steps(self, snap_compare):
        async def train(pilot):
            pilot.app.main_screen.stepper.run(50)
            pilot.app.main_screen.refresh_view()
            await pilot.pause()

        assert snap_compare(BptuiApp(preset="spiral"), run_before=train, terminal_size=SIZE)

    def test_digits_collapses_wide_layers(self, snap_compare):
        assert snap_compare(BptuiApp(preset="digits"), press=["e"], terminal_size=SIZE)


class TestExplain:
    """The explain pane: formulas with the numbers, for each phase."""

    def test_forward(self, snap_compare):
        assert snap_compare(BptuiApp(preset="xor"), press=["f", "x"], terminal_size=SIZE)

    def test_output_delta(self, snap_compare):
        assert snap_compare(BptuiApp(preset="xor"), press=["e", "right", "x"], terminal_size=SIZE)

    def test_hidden_delta_and_gradient(self, snap_compare):
        assert snap_compare(BptuiApp(preset="xor"), press=["e", "b", "b", "x"], terminal_size=SIZE)

    def test_update(self, snap_compare):
        assert snap_compare(BptuiApp(preset="xor"), press=["u", "x"], terminal_size=SIZE)

    def test_spiral_softmax_output(self, snap_compare):
        assert snap_compare(
            BptuiApp(preset="spiral"), press=["e", "b", "right", "right", "x"], terminal_size=SIZE
        )


class TestBoundary:
    def test_xor_after_training(self, snap_compare):
        async def train(pilot):
            pilot.app.main_screen.stepper.run(3000)
            pilot.app.main_screen.refresh_view()
            await pilot.press("d", "right")
            await pilot.pause()

        assert snap_compare(BptuiApp(preset="xor"), run_before=train, terminal_size=SIZE)

    def test_hidden_unit_map(self, snap_compare):
        async def train(pilot):
            pilot.app.main_screen.stepper.run(1500)
            pilot.app.main_screen.refresh_view()
            await pilot.press("d", "left", "down")  # hidden layer 1, unit 2
            await pilot.pause()

        assert snap_compare(BptuiApp(preset="circle"), run_before=train, terminal_size=SIZE)


class TestSettings:
    def test_settings_screen(self, snap_compare):
        async def open_settings(pilot):
            await pilot.press("o")
            await pilot.pause()
            no_blink(pilot)

        assert snap_compare(BptuiApp(preset="spiral"), run_before=open_settings, terminal_size=SIZE)


class TestLesson:
    """The forward lesson at its second step, after a first wrong prediction (the formula shown)."""

    @staticmethod
    def app():
        from bptui.lesson import load_lesson

        lesson = load_lesson("forward")
        return BptuiApp(preset=lesson.preset, lesson=lesson)

    @staticmethod
    async def wrong_prediction(pilot):
        await pilot.press("x", "n", "P")
        await pilot.pause()
        pilot.app.screen.query_one("#guess", Input).value = "0.5"
        await pilot.press("enter")
        await pilot.pause()

    def test_lesson_120x40(self, snap_compare, tmp_path, monkeypatch):
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
        assert snap_compare(self.app(), run_before=self.wrong_prediction, terminal_size=SIZE)

    def test_lesson_80x24(self, snap_compare, tmp_path, monkeypatch):
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
        assert snap_compare(self.app(), run_before=self.wrong_prediction, terminal_size=(80, 24))


class TestDynamics:
    """What the numbers do over many steps: gradient health, pinned runs."""

    @staticmethod
    async def health(pilot):
        pilot.app.main_screen.stepper.run(60)
        pilot.app.main_screen.refresh_view()
        await pilot.press("h")
        await pilot.pause()

    def test_vanishing_health_120x40(self, snap_compare):
        assert snap_compare(
            BptuiApp(preset="vanishing"), run_before=self.health, terminal_size=SIZE
        )

    def test_vanishing_health_80x24(self, snap_compare):
        assert snap_compare(
            BptuiApp(preset="vanishing"), run_before=self.health, terminal_size=(80, 24)
        )

    def test_pinned_runs(self, snap_compare):
        async def two_runs(pilot):
            app = pilot.app
            app.main_screen.stepper.run(300)
            app.main_screen.refresh_view()
            await pilot.press("c", "R", "minus")
            app.main_screen.stepper.run(300)
            app.main_screen.refresh_view()
            await pilot.pause()

        assert snap_compare(BptuiApp(preset="xor"), run_before=two_runs, terminal_size=SIZE)


class TestSizes:
    """Every size from 80×24 up: xor, spiral, digits (a picture and a receptive field), explain."""

    CASES = {
        "xor": ("xor", ["f", "f", "e", "b"]),
        "spiral": ("spiral", ["f", "right"]),
        "digits": ("digits", ["s", "f", "down", "down"]),
        "explain": ("mazur", ["s", "x", "right"]),
    }

    def check(self, snap_compare, case, size):
        preset, keys = self.CASES[case]
        assert snap_compare(BptuiApp(preset=preset), press=keys, terminal_size=size)

    def test_xor_80x24(self, snap_compare):
        self.check(snap_compare, "xor", (80, 24))

    def test_xor_120x40(self, snap_compare):
        self.check(snap_compare, "xor", SIZE)

    def test_spiral_80x24(self, snap_compare):
        self.check(snap_compare, "spiral", (80, 24))

    def test_spiral_120x40(self, snap_compare):
        self.check(snap_compare, "spiral", SIZE)

    def test_digits_80x24(self, snap_compare):
        self.check(snap_compare, "digits", (80, 24))

    def test_digits_120x40(self, snap_compare):
        self.check(snap_compare, "digits", SIZE)

    def test_explain_80x24(self, snap_compare):
        self.check(snap_compare, "explain", (80, 24))

    def test_explain_120x40(self, snap_compare):
        self.check(snap_compare, "explain", SIZE)


class TestTheme:
    def test_light_theme(self, snap_compare):
        async def light(pilot):
            await pilot.press("s", "f", "x")
            pilot.app.theme = "textual-light"
            await pilot.pause()

        assert snap_compare(BptuiApp(preset="spiral"), run_before=light, terminal_size=SIZE)


class TestZoomedWideLayers:
    """Spiral zoomed: the diagram shows every unit of its 16-unit layers, the matrix pane every
    column of its second layer (whole numbers on a common scale at 80×24); a CSV's feature
    names label the inputs."""

    FRUIT = str(Path(__file__).parent / "data" / "fruit.toml")

    def test_spiral_diagram_zoomed_80x24(self, snap_compare):
        assert snap_compare(BptuiApp(preset="spiral"), press=["s", "1"], terminal_size=(80, 24))

    def test_spiral_diagram_zoomed_120x40(self, snap_compare):
        assert snap_compare(BptuiApp(preset="spiral"), press=["s", "1"], terminal_size=SIZE)

    def test_spiral_matrix_zoomed_80x24(self, snap_compare):
        assert snap_compare(
            BptuiApp(preset="spiral"),
            press=["s", "2", "right_square_bracket"],
            terminal_size=(80, 24),
        )

    def test_spiral_matrix_zoomed_120x40(self, snap_compare):
        assert snap_compare(
            BptuiApp(preset="spiral"), press=["s", "2", "right_square_bracket"], terminal_size=SIZE
        )

    def test_named_features_80x24(self, snap_compare):
        assert snap_compare(BptuiApp(preset=self.FRUIT), press=["f", "x"], terminal_size=(80, 24))

    def test_named_features_120x40(self, snap_compare):
        assert snap_compare(BptuiApp(preset=self.FRUIT), press=["f", "x"], terminal_size=SIZE)
