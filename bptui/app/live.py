"""The explorer's side of continuous training: `r`, the pace keys, "run to", the Trainer's messages.

The Trainer (bptui.app.trainer) owns the training thread. While it runs, `running` is true and
the stepper is the thread's: an action that needs the stepper is declared with `@paused`, which
asks the trainer to stop and runs the action when the trainer's `Finished` message says the
stepper is the app's again. The app's thread never waits for the training thread.

Served to a browser (`bptui --web`) a class shares one machine, and drawing a frame costs each
learner's app more than anything but training (diagram, matrix, readout, boundary, charts; and
the server forwards each frame). There, while training runs faster than each step is drawn, a
frame updates the status line (step, loss, speed) and the panes follow at most
PANES_PER_SECOND_WEB times a second; a terminal draws every frame in full, and once training
stops every pane shows the stepper as it is.
"""

from __future__ import annotations

import time
from functools import partial, wraps

from bptui.app.trainer import Goal, Trainer, draws_each_step
from bptui.preset.speed import PACES, pace_text

PANES_PER_SECOND_WEB = 2
"""Served to a browser, while training runs faster than FRAME_RATE steps a second: how often the
panes follow the frames (the status line follows each). At 120×40 a frame with every pane took
the app's thread 14.5 ms of CPU (xor; digits 28 ms), the status line alone 1.7 ms (2.9 ms;
benchmarks/frame_cost.py); with 5 of a class training at once each app's screen took 5 % of a
core instead of 8 %, and sent the browser 16 kB/s instead of 54 kB/s (class_training.py)."""


def panes_due(web: bool, pace: float | None, since: float) -> bool:
    """Whether a training frame updates the panes too (else only the status line): always in a
    terminal and when each step is drawn (a pace of FRAME_RATE or fewer steps a second); in a
    browser once `since` seconds have passed since they last did, at PANES_PER_SECOND_WEB."""
    return not web or draws_each_step(pace) or since >= 1 / PANES_PER_SECOND_WEB


def paused(method):
    """An action that uses the stepper: with training running, it stops training first and runs
    once the training thread has let go of the stepper (within one chunk). For the explorer
    screen's actions (it reads `self.trainer`)."""

    @wraps(method)
    def action(self, *args, **kwargs):
        if self.trainer.busy:
            self.trainer.stop(partial(method, self, *args, **kwargs))
            return None
        return method(self, *args, **kwargs)

    return action


class LiveControl:
    """Continuous training for one explorer screen: `r`, `<` `>`, `N` and the Trainer's
    messages.

    It drives the screen's `trainer` with the stepper and undo timeline of the screen's
    session, and shows what happens through the screen's view state: the reactives `running`,
    `pace`, `speed`, `hint` and `snapshot` (the status line alone while a browser's panes wait).
    Where a step or run ends is the lesson's business (`lessons.goal()`, `keep_served()`).
    """

    def __init__(self, screen) -> None:
        self.screen = screen
        """The explorer screen (bptui.app.explorer_screen.ExplorerScreen)."""
        self.panes_at = -1e9
        """When a training frame last updated the panes (time.monotonic())."""

    @property
    def trainer(self) -> Trainer:
        return self.screen.trainer

    def toggle(self) -> None:
        """r: run, or pause, until the lesson step's stop (if it has one)."""
        if self.trainer.busy:
            self.trainer.stop()
            return
        self.start(self.screen.lessons.goal())

    def start(self, goal: Goal) -> None:
        """Train until r, or until the goal holds."""
        screen = self.screen
        if screen.stepper.diverged:
            screen.hint = screen.explorer.next_hint()
            return
        screen.running = True
        self.trainer.pace = screen.pace
        until = goal.describe()
        screen.hint = (
            "training… r pauses"
            + (f" (it stops {until})" if until else "")
            + f" — {self.pace_keys()}"
        )
        self.trainer.start(screen.stepper, screen.timeline, goal)

    def pace_keys(self) -> str:
        return f"{pace_text(self.screen.pace)}, < slower, > faster"

    def change_pace(self, delta: int) -> None:
        """< and >: slower or faster training (1, 10, 100, 1,000 steps/s, max)."""
        screen = self.screen
        index = PACES.index(screen.pace) if screen.pace in PACES else len(PACES) - 1
        screen.pace = PACES[max(0, min(len(PACES) - 1, index + delta))]
        self.trainer.pace = screen.pace
        each = " (each step is drawn)" if draws_each_step(screen.pace) else ""
        screen.hint = f"training speed: {pace_text(screen.pace)}{each} — r runs, N runs to a step"

    def run_to(self) -> None:
        """N: ask for a number of steps, a step or a loss, then train until it holds."""
        from bptui.app.screens.runto import RunToScreen

        def chosen(goal: Goal | None) -> None:
            if goal is not None:
                self.start(goal)

        self.screen.app.push_screen(RunToScreen(self.screen.stepper.step), chosen)

    def frame(self, message: Trainer.Frame) -> None:
        """A training frame: the panes and the status line show it (see panes_due)."""
        screen = self.screen
        status = screen.query_one("#status")
        if self.trainer.busy:  # a frame that arrives after Finished is older than the view
            now = time.monotonic()
            if panes_due(screen.app.is_web, self.trainer.pace, now - self.panes_at):
                self.panes_at = now
                screen.snapshot = message.snapshot  # every pane (bound) and the status line
            else:  # the status line alone: the panes follow later, or on Finished
                status.snapshot = message.snapshot
            screen.speed = message.speed
        # step by step, the next step waits for this one on screen: asked through the status
        # line, whose bound values reach it in its own queue (a screen callback could run first)
        status.call_after_refresh(self.trainer.frame_drawn)

    def finished(self, message: Trainer.Finished) -> None:
        """Training stopped: say why, show the stepper as it is, run what waited for it."""
        screen = self.screen
        screen.running = False
        after = self.trainer.finished()
        step = f"step {screen.stepper.step:,}"
        if message.why == "diverged":
            screen.hint = "diverged: the loss is no longer finite — R resets, - lowers η"
        elif message.why == "reached":
            screen.hint = f"stopped at {step} — " + screen.explorer.next_hint()
        else:
            screen.hint = f"paused at {step} — " + screen.explorer.next_hint()
        if not after:  # the hint is what `r` waits for: it goes out in a frame of its own, and
            screen.call_after_refresh(screen.refresh_view)  # the panes' redraw (charts) after it
        else:
            screen.refresh_view()  # an action waiting for the stepper sees the view up to date
            for then in after:
                then()
        screen.lessons.keep_served()  # in a served lesson, keep the network as it is now
