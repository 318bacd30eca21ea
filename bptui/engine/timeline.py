"""Undo and redo of micro-steps with bounded memory.

The engine is deterministic, so any earlier micro-step can be reached by restoring an earlier
state and replaying. The timeline stores light states (weights, gradients, the optimizer's
state; no per-sample arrays, (4 + 2B)·P floats each for an optimizer with B buffers) at step
boundaries: every recent step, and checkpoints
further back whose spacing doubles whenever there are too many, so memory stays within a budget
however long the session. Undoing to micro-step t restores the latest stored state before t and
replays the micro-steps in between (whole steps through the fast loop), which reproduces
z, a, δ and everything else bit for bit. A setting changed mid-timeline (the learning rate) is
pinned as a full state at that point, so replays across it use the right value.
"""

from __future__ import annotations

from bptui.engine.stepper import Stepper, StepperState

MEMORY_BUDGET = 32 * 1024 * 1024  # bytes of stored states
MAX_RECENT = 512  # recent step boundaries kept one by one
MAX_CHECKPOINTS = 128  # older checkpoints, thinned by doubling their spacing


class Timeline:
    """Undo/redo over a Stepper; call `record()` after anything that advanced it."""

    def __init__(self, stepper: Stepper):
        self.stepper = stepper
        per_state = self.floats_per_state() * 8 + 256
        self.max_recent = max(16, min(MAX_RECENT, MEMORY_BUDGET // 2 // per_state))
        self.max_checkpoints = max(16, min(MAX_CHECKPOINTS, MEMORY_BUDGET // 2 // per_state))
        self.clear()

    def floats_per_state(self) -> int:
        """Floats in one light state: parameters, before, gradients, update, optimizer state."""
        stepper = self.stepper
        return 4 * stepper.params.flat.size + 2 * stepper.opt_state.size

    def clear(self) -> None:
        """Forget everything; the current state becomes the start."""
        self.recent: dict[int, StepperState] = {}
        self.checkpoints: dict[int, StepperState] = {}
        self.pins: dict[int, StepperState] = {}
        self.spacing = 1  # checkpoint spacing in training steps
        self.end = self.t
        self._keep_history()
        self.pins[self.t] = self.stepper.state()

    @property
    def t(self) -> int:
        """The stepper's micro-step index."""
        return self.stepper.micro_index

    @property
    def per_step(self) -> int:
        """Micro-steps per training step."""
        return self.stepper.steps_per_training_step

    def stored_bytes(self) -> int:
        """Memory held by stored states (their flat vectors only)."""
        states = [*self.recent.values(), *self.checkpoints.values(), *self.pins.values()]
        return sum(8 * self.floats_per_state() for _ in states)

    # ----- recording ----------------------------------------------------------------------------

    def record(self) -> None:
        """After an action: cut any redo branch and store a state at a step boundary."""
        t = self.t
        if t < self.end:
            self._cut(t)
        self.end = t
        if t % self.per_step == 0 and t not in self.pins:
            self.recent[t] = self.stepper.state(light=True)
            self._prune()

    def pin(self) -> None:
        """A setting changed here: cut the redo branch and keep a full state at this point."""
        t = self.t
        self._cut(t)
        self.end = t
        self.pins[t] = self.stepper.state()

    def _keep_history(self) -> None:
        """Remember the history of this branch (light states store only its lengths)."""
        self.history = self.stepper.history.copy()

    def _cut(self, t: int) -> None:
        self._keep_history()
        for store in (self.recent, self.checkpoints, self.pins):
            for key in [k for k in store if k > t]:
                del store[key]

    def _prune(self) -> None:
        while len(self.recent) > self.max_recent:
            oldest = min(self.recent)
            state = self.recent.pop(oldest)
            if (oldest // self.per_step) % self.spacing == 0:
                self.checkpoints[oldest] = state
        while len(self.checkpoints) > self.max_checkpoints:
            self.spacing *= 2
            grid = self.spacing * self.per_step
            for key in [k for k in self.checkpoints if k % grid]:
                del self.checkpoints[key]

    # ----- moving -----------------------------------------------------------------------------

    def _base(self, target: int) -> tuple[int, StepperState]:
        """The latest stored state from which `target` is reached by replay."""
        best = None
        for store, full in ((self.pins, True), (self.recent, False), (self.checkpoints, False)):
            for key, state in store.items():
                usable = key <= target if full else (key < target or key == target == 0)
                if usable and (best is None or key > best[0]):
                    best = (key, state)
        return best

    def go_to(self, target: int) -> None:
        """Restore micro-step `target` (0 ≤ target ≤ end) exactly."""
        target = max(0, min(target, self.end))
        key, state = self._base(target)
        stepper = self.stepper
        mine, kept = stepper.history.lengths(), self.history.lengths()
        if len(mine) != len(kept) or any(m > k for m, k in zip(mine, kept)):
            self._keep_history()
        stepper.history = self.history.copy()
        stepper.restore(state)
        remaining = target - key
        if stepper.position in (0, self.per_step) and remaining >= self.per_step:
            whole = remaining // self.per_step
            stepper.run(whole)
            remaining -= whole * self.per_step
        for _ in range(remaining):
            stepper.micro_step()

    def undo(self, count: int = 1) -> bool:
        """Back `count` micro-steps; False at the start."""
        if self.t == 0:
            return False
        self.go_to(self.t - count)
        return True

    def redo(self, count: int = 1) -> bool:
        """Forward `count` micro-steps along the undone branch; False at its end."""
        if self.t >= self.end:
            return False
        self.go_to(self.t + count)
        return True
