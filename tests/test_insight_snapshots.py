"""Snapshots of the insight views at 80×24 and 120×40 (seeded, no autostart, workers awaited)."""

from __future__ import annotations

import pytest

from bptui.app.main import BptuiApp

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


def run(keys: list[str], steps: int = 0, record: bool = False):
    """A run_before: train `steps` (recorded step by step for undo when `record`), press `keys`,
    wait for the views' workers."""

    async def before(pilot):
        app = pilot.app
        for _ in range(steps if record else 0):
            app.main_screen.stepper.run(1)
            app.main_screen.timeline.record()
        if steps and not record:
            app.main_screen.stepper.run(steps)
            app.main_screen.timeline.record()
        app.main_screen.refresh_view()
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        for screen in app.screen_stack:
            await screen.workers.wait_for_complete()
        await app.workers.wait_for_complete()
        await pilot.pause()

    return before


@pytest.mark.parametrize("size", SIZES)
class TestInsight:
    def test_weight_cursor(self, snap_compare, size):
        assert snap_compare(
            BptuiApp(preset="mazur"),
            run_before=run(["right_curly_bracket", "right_curly_bracket"]),
            terminal_size=SIZES[size],
        )

    def test_nudge(self, snap_compare, size):
        assert snap_compare(
            BptuiApp(preset="mazur"), run_before=run(["v"]), terminal_size=SIZES[size]
        )

    def test_slice_one_weight(self, snap_compare, size):
        assert snap_compare(
            BptuiApp(preset="mazur"), run_before=run(["right", "k"]), terminal_size=SIZES[size]
        )

    def test_slice_two_weights(self, snap_compare, size):
        assert snap_compare(
            BptuiApp(preset="xor"),
            run_before=run(["K"], 300, record=True),
            terminal_size=SIZES[size],
        )

    def test_pull(self, snap_compare, size):
        assert snap_compare(
            BptuiApp(preset="xor"), run_before=run(["y"], 100), terminal_size=SIZES[size]
        )

    def test_unit_graph(self, snap_compare, size):
        assert snap_compare(
            BptuiApp(preset="mazur"), run_before=run(["right", "G"]), terminal_size=SIZES[size]
        )

    def test_update_check(self, snap_compare, size):
        assert snap_compare(
            BptuiApp(preset="xor"),
            run_before=run(["s"] * 5 + ["plus"] * 4 + ["s"] * 5 + ["u", "x", "h", "h"]),
            terminal_size=SIZES[size],
        )

    def test_event(self, snap_compare, size):
        assert snap_compare(
            BptuiApp(preset="dead-relu"), run_before=run(["j"]), terminal_size=SIZES[size]
        )
