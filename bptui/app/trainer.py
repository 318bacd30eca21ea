"""Continuous training: a Trainer owns its thread and tells the app what happened by messages.

While it runs, the stepper belongs to the training thread. The thread runs chunks of steps (about
CHUNK_SECONDS each, or at the chosen pace), records them for undo, and posts a `Frame` (a fresh
snapshot) on a beat of FRAME_RATE a second; a newer frame replaces one the app has not drawn yet.
`stop()` only asks: the thread ends after the step in progress (the stepper polls between steps)
and posts `Finished` with no frame before it (the app redraws on Finished, and `r` waits for that
on the screen), and only then does the stepper belong to the app again (`finished()`, on the
app's thread). The app's thread never waits on this one, and this one waits on the app only
at a slow pace (below); no timer runs while idle. At paces of FRAME_RATE or fewer steps a second
each step is its own frame: the thread takes the next step only once the app says it has drawn
the last (`frame_drawn()`), or after DRAW_WAIT, so a slow screen slows training instead of
skipping steps.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from textual.message import Message
from textual.message_pump import MessagePump

from bptui.text import to_float, to_int

FRAME_RATE = 10  # frames per second while training runs (each step is one at ≤ 10 steps/s)
CHUNK_SECONDS = 0.01  # training time between checks for stop and frames at full speed
RECORD_SHARE = 0.1  # undo recording after each chunk takes at most this share of the time
TRAINING_NICENESS = 10  # the training thread yields the CPU to screens and keys (see below)
DRAW_WAIT = 1.0  # seconds a step-by-step run waits for the app to draw a frame at most


def draws_each_step(pace: float | None) -> bool:
    """Whether training at `pace` steps a second (None: as fast as it goes) draws each step:
    at FRAME_RATE or fewer, each step is its own frame."""
    return pace is not None and pace <= FRAME_RATE


def lower_this_threads_priority(niceness: int = TRAINING_NICENESS) -> None:
    """Make the calling thread nicer (Linux: a thread has its own nice value).

    Training wants every cycle; a key press wants a few milliseconds now. With `bptui --web`
    serving a class on one machine, five learners training kept the other learners' key presses
    waiting 250-550 ms for the screen (2 cores); a nice training thread lets every app's
    screen thread (and the server) run first, and trains as fast as before on an idle machine.
    Elsewhere (no per-thread niceness) nothing changes.
    """
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
    except (AttributeError, OSError):
        pass


@dataclass(frozen=True)
class Goal:
    """Where a run stops by itself: at step `step`, or once the loss is below `loss`; `None` for
    either: no such limit. The loss is the one the status line's loss shows and a lesson's
    `loss_below` checks: the whole training set's cost at the current weights (`reached_loss`)."""

    step: int | None = None
    loss: float | None = None

    def describe(self) -> str:
        parts = ([f"at step {self.step:,}"] if self.step is not None else []) + (
            [f"when the training-set loss is below {self.loss:g}"] if self.loss is not None else []
        )
        return " or ".join(parts)


def reached_loss(stepper) -> float:
    """The training set's cost at the current weights, as the status line's loss and a lesson's
    `loss_below` read it. The history's last entry is not it: with full batches it is the cost
    before the last update (the step's own forward pass), and an oscillating run (η too large)
    alternates around the goal, so it could stop with L above the goal or run on below it.
    With full batches this evaluation is the one the next step would record anyway."""
    if stepper.full_batch and stepper.eval_every == 1:
        return stepper.loss
    return stepper.evaluate(stepper.data.x_train, stepper.data.y_train)


def parse_run_to(text: str, step: int) -> Goal | str:
    """What "run to" was asked, from the user's text (a Goal), or why it cannot be read (a str):
    `500` (500 more steps), `step 2000` (until step 2,000), `loss 0.01` (until loss < 0.01)."""
    words = text.strip().lower().replace(",", "").split()
    usage = "type 500 (more steps), step 2000 (until that step) or loss 0.01 (until below it)"
    if not words or len(words) > 2 or len(words) == 2 and words[0] not in ("step", "loss"):
        return usage
    kind, value = ("steps", words[0]) if len(words) == 1 else words
    if kind in ("steps", "step"):
        try:
            count = to_int(value) if len(value) <= 9 else -1
        except ValueError:
            count = -1
        if count < 0:
            return f"{value!r} is not a whole number of steps — {usage}"
        target = step + count if kind == "steps" else count
        if target <= step:
            return f"the run is already at step {step:,}: give a later step"
        return Goal(step=target)
    try:
        loss = to_float(value)
    except ValueError:
        loss = float("nan")
    if not loss > 0 or loss == float("inf"):
        return f"{value!r} is not a positive loss — {usage}"
    return Goal(loss=loss)


def frame_after(due: float, now: float) -> float:
    """When the frame after one due at `due` (and posted at `now`) is due: on a steady beat of
    1/FRAME_RATE s (a chunk that ends late does not push every later frame back), but never
    sooner than half a beat after this one (a late frame is not followed by a burst)."""
    beat = 1 / FRAME_RATE
    return max(due + beat, now + beat / 2)


class Trainer:
    """Runs a stepper on a thread of its own; posts `Frame`, `Finished` and `Failed` to `target`."""

    class Frame(Message):
        """A fresh snapshot of the running stepper and the measured speed (steps/s)."""

        def __init__(self, snapshot, speed: float) -> None:
            super().__init__()
            self.snapshot = snapshot
            self.speed = speed

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, Trainer.Frame)

    class Finished(Message):
        """The thread has ended: `why` is "paused" (stop() was called), "reached" (the goal
        held) or "diverged" (a non-finite loss)."""

        def __init__(self, why: str) -> None:
            super().__init__()
            self.why = why

    class Failed(Message):
        """The thread raised: the app reports it as its own error."""

        def __init__(self, error: BaseException) -> None:
            super().__init__()
            self.error = error

    def __init__(self, target: MessagePump, take_snapshot: Callable[[], object]) -> None:
        self._target = target
        self._take_snapshot = take_snapshot
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._after: list[Callable[[], object]] = []
        self._drawn = threading.Event()
        self._drawn.set()
        self.pace: float | None = None
        """Steps per second (None: as fast as the engine goes); read by the thread each chunk."""
        self.goal: Goal | None = None
        """Where the current (or last) run stops."""

    @property
    def busy(self) -> bool:
        """The stepper belongs to the thread (from start() until `finished()` has run)."""
        return self._thread is not None

    def start(self, stepper, timeline, goal: Goal | None = None) -> None:
        """Train `stepper` (recording into `timeline`) until stop() or the goal."""
        assert self._thread is None, "one run at a time"
        self._stop.clear()
        self._drawn.set()
        self.goal = goal or Goal()
        self._thread = threading.Thread(
            target=self._run,
            args=(stepper, timeline, self.goal),
            name="bptui-trainer",
            daemon=True,
        )
        self._thread.start()

    def stop(self, then: Callable[[], object] | None = None) -> None:
        """Ask the thread to end (it posts Finished within one chunk); `then` runs on the app's
        thread once the stepper is the app's again (at once if it already is)."""
        if self._thread is None:
            if then is not None:
                then()
            return
        self._stop.set()
        self._drawn.set()  # a step-by-step run waiting for the screen stops now
        if then is not None:
            self._after.append(then)

    def frame_drawn(self) -> None:
        """On the app's thread, once a Frame is on screen: a step-by-step run may go on."""
        self._drawn.set()

    def finished(self) -> list[Callable[[], object]]:
        """On the app's thread, when Finished arrives: the stepper is the app's again; returns
        what stop() was asked to run then, in order."""
        self._thread = None
        after, self._after = self._after, []
        return after

    # ----- the thread ----------------------------------------------------------------------------

    def _run(self, stepper, timeline, goal: Goal) -> None:
        lower_this_threads_priority()
        try:
            why = self._loop(stepper, timeline, goal)
        except BaseException as error:  # handed to the app, which reports it
            self._target.post_message(Trainer.Failed(error))
            why = "paused"
        self._target.post_message(Trainer.Finished(why))

    def _loop(self, stepper, timeline, goal: Goal) -> str:
        history = stepper.history
        evaluated = -1  # the history's length when the loss was last compared (-1: never)
        reached = False
        every_step = stepper.full_batch and stepper.eval_every == 1

        def loss_reached() -> bool:
            """Is the loss at the current weights below the goal? Asked at every step when the
            history evaluates every step (full batches), else once per new evaluation (every
            epoch with mini-batches) and at the start. Once it holds it stays reached: the
            stepper's run and this loop both ask."""
            nonlocal evaluated, reached
            if reached or goal.loss is None:
                return reached
            if not every_step:
                if len(history.loss) == evaluated:
                    return False
                evaluated = len(history.loss)
            reached = bool(reached_loss(stepper) < goal.loss)
            return reached

        should_stop = (
            (lambda: self._stop.is_set() or loss_reached())
            if goal.loss is not None
            else self._stop.is_set
        )
        chunk = 1
        pace, paced_from, paced_steps = self.pace, time.perf_counter(), stepper.step
        window_time, window_step = time.perf_counter(), stepper.step
        next_frame, speed = time.perf_counter(), 0.0
        while True:
            if self._stop.is_set():
                return "paused"
            if stepper.diverged:
                return "diverged"
            if goal.step is not None and stepper.step >= goal.step or loss_reached():
                return "reached"
            each_step = draws_each_step(self.pace)
            if each_step and not self._drawn.is_set():  # the last step is not on screen yet
                self._drawn.wait(DRAW_WAIT)
                if self._stop.is_set():
                    return "paused"
                now = time.perf_counter()
                if pace is not None and (now - paced_from) * pace > stepper.step - paced_steps + 1:
                    # late for the next step: it is due now, and no burst follows to catch up
                    paced_from, paced_steps = now - 1 / pace, stepper.step
            if self.pace != pace:  # < or > while running: the new pace counts from now
                pace, paced_from, paced_steps = self.pace, time.perf_counter(), stepper.step
            now = time.perf_counter()
            if pace is None:
                todo = chunk
            else:
                todo = int(pace * (now - paced_from)) - (stepper.step - paced_steps)
                if todo < 1:
                    wait = (stepper.step - paced_steps + 1) / pace - (now - paced_from)
                    self._stop.wait(min(max(wait, 0.001), 1 / FRAME_RATE))
                    continue
                todo = min(todo, max(1, int(pace / FRAME_RATE)))
            if goal.step is not None:
                todo = min(todo, goal.step - stepper.step)
            t0 = time.perf_counter()
            stepper.run(todo, should_stop)
            t1 = time.perf_counter()
            timeline.record()  # copies the state: keep it under RECORD_SHARE
            recording = time.perf_counter() - t1
            if pace is None:
                target = max(CHUNK_SECONDS, recording / RECORD_SHARE)
                chunk = max(1, min(100_000, int(chunk * target / max(t1 - t0, 1e-6))))
            now = time.perf_counter()
            if now - window_time >= 0.5:  # speed over the last half second or so
                speed = (stepper.step - window_step) / (now - window_time)
                window_time, window_step = now, stepper.step
            elif speed == 0.0 and now > window_time:
                speed = (stepper.step - window_step) / (now - window_time)
            if self._stop.is_set():  # Finished comes next: a frame now would only delay it
                continue
            if each_step or now >= next_frame:
                next_frame = frame_after(next_frame, now)
                if each_step:
                    self._drawn.clear()
                self._target.post_message(Trainer.Frame(self._take_snapshot(), speed))
