"""Running live: continuous training in a thread worker, redrawn on a timer.

The worker runs chunks of steps (about CHUNK_SECONDS each), checks for cancellation between them
(so `r` pauses within one chunk), and publishes a fresh snapshot whenever the UI has asked for
one; the UI timer draws it at most FRAME_RATE times a second and asks for the next.
"""

from __future__ import annotations

import time

from textual import work
from textual.worker import get_current_worker

FRAME_RATE = 10       # redraws per second while training runs
CHUNK_SECONDS = 0.01  # training time between checks for cancel / snapshot requests
RECORD_SHARE = 0.1    # undo recording after each chunk takes at most this share of the time


class LiveTraining:
    """Mixin for the app: `r`, pause, the training worker and the redraw timer.

    Expects the app's `stepper`, `explorer`, `timeline`, `hint`, `running`, `snapshot`,
    `speed`, `refresh_view()`, `take_snapshot()`, `stop_at()` (a step to pause at, or None) and
    the events `_want_snapshot` and `_trainer_idle`; the worker publishes in `_published` and
    `_speed`.
    """

    def tick(self) -> None:
        """Timer: while training runs, hand the newest snapshot to the panes, ask for the next."""
        if not self.running:
            return
        if self._published is not None and self._published is not self.snapshot:
            self.snapshot = self._published
            self.speed = self._speed
        self._want_snapshot.set()

    def action_run(self) -> None:
        """r: run or pause continuous training."""
        if self.running:
            self.pause()
            self.hint = f"paused at step {self.stepper.step} — " + self.explorer.next_hint()
            return
        if self.stepper.diverged:
            self.hint = self.explorer.next_hint()
            return
        self.running = True
        self._trainer_idle.clear()
        stop = self.stop_at()
        self.hint = "training… r pauses" + (f" (it stops at step {stop})" if stop else "")
        self.train_live(stop)


    def pause(self) -> None:
        """Stop the training thread (returns once it has stopped: within one chunk)."""
        if not self.running:
            return
        self.running = False
        self.workers.cancel_group(self, "train")
        self._trainer_idle.wait(timeout=2.0)
        self.refresh_view(fresh=False)  # paused on screen at once; fresh readouts follow
        self.call_later(self.refresh_view)

    @work(thread=True, exclusive=True, group="train")
    def train_live(self, stop: int | None = None) -> None:
        """The training thread: run chunks of steps (until step `stop`, if given), publish
        snapshots on request."""
        worker = get_current_worker()
        stepper = self.stepper
        chunk = 1
        started, start_step = time.perf_counter(), stepper.step
        stopped = False
        try:
            while not worker.is_cancelled and not stepper.diverged:
                if stop is not None:
                    if stepper.step >= stop:
                        stopped = True
                        break
                    chunk = min(chunk, stop - stepper.step)
                t0 = time.perf_counter()
                stepper.run(chunk)
                t1 = time.perf_counter()
                self.timeline.record()  # copies the state: keep it under RECORD_SHARE
                recording = time.perf_counter() - t1
                target = max(CHUNK_SECONDS, recording / RECORD_SHARE)
                chunk = max(1, min(100_000, int(chunk * target / max(t1 - t0, 1e-6))))
                if self._want_snapshot.is_set():
                    self._want_snapshot.clear()
                    span = time.perf_counter() - started
                    self._speed = (stepper.step - start_step) / span if span else 0.0
                    self._published = self.take_snapshot()
            if stepper.diverged and not worker.is_cancelled:
                self.call_from_thread(self.on_diverged)
        finally:
            self._trainer_idle.set()
        if stopped and not worker.is_cancelled:
            self.call_from_thread(self.on_stopped)

    def on_stopped(self) -> None:
        """Live training reached the step it was to stop at (the thread has finished)."""
        self.running = False
        self.hint = f"stopped at step {self.stepper.step} — " + self.explorer.next_hint()
        self.refresh_view()

    def on_diverged(self) -> None:
        """A non-finite loss paused training."""
        self.running = False
        self.hint = "diverged: the loss is no longer finite — R resets, - lowers η"
        self.refresh_view()

