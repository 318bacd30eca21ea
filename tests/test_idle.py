"""An idle explorer runs no timer: nothing fires while nothing is training or changing
(benchmarks/idle.py measures the CPU this saves)."""

from __future__ import annotations

import asyncio

import pytest

from bptui.app.main import BptuiApp


def running_timers(app) -> list[str]:
    """Timers that would fire: started, not finished and not paused, on the app, every screen
    and every widget of them, and the animator's."""
    pumps = [app]
    for screen in (*app.screen_stack, *app._installed_screens.values()):
        if hasattr(screen, "walk_children"):
            pumps += [screen, *screen.walk_children(with_self=False)]
    timers = [(pump, timer) for pump in pumps for timer in list(pump._timers)]
    timers.append((app, app.animator._timer))
    return [
        f"{type(pump).__name__}#{pump.id}: {timer.name}"
        for pump, timer in timers
        if timer._task is not None and not timer._task.done() and timer._active.is_set()
    ]


async def settle(pilot) -> None:
    """Let every one-shot timer (a chart's delayed replot) run out."""
    for _ in range(10):
        await pilot.pause()
        await asyncio.sleep(0.1)
        if not running_timers(pilot.app):
            return


@pytest.mark.parametrize("preset", ["xor", "sine", "iris"])
async def test_an_idle_explorer_runs_no_timer(preset):
    app = BptuiApp(preset=preset)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert running_timers(app) == []
        assert not any(w.auto_refresh for w in app.screen.walk_children(with_self=True))


async def test_no_timer_runs_after_keys_a_run_and_the_other_panes():
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space", "s", "d", "x", "h", "h", "l")
        await pilot.press("r")
        await asyncio.sleep(0.2)
        await pilot.press("r")
        for _ in range(200):
            if not app.main_screen.trainer.busy:
                break
            await pilot.pause(0.01)
        assert not app.main_screen.trainer.busy
        await settle(pilot)
        assert running_timers(app) == []
