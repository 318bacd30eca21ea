"""What the phase keys mean: the stepper driven the way a learner presses keys.

No Textual here. Each key method does its micro-step(s) and returns a sentence for the hint line
saying what was computed and what comes next. A key pressed out of order never silently does
nothing: it runs what must come first and says so, or says which key comes next.
"""

from __future__ import annotations

from collections.abc import Callable

from bptui.engine import phases
from bptui.engine.stepper import MicroStep, Phase, Stepper
from bptui.keys import BY_NAME

KEY_OF = {Phase.FORWARD: "f", Phase.ERROR: "e", Phase.BACKWARD: "b", Phase.UPDATE: "u"}

WHAT = {phase: phases.text(phase.value) for phase in (Phase.FORWARD, Phase.BACKWARD)}
WHAT[Phase.ERROR] = phases.text("error", " and ")
WHAT[Phase.UPDATE] = phases.text("update") + " with "


def micro_steps(count: int) -> str:
    """'1 micro-step', '3 micro-steps'."""
    return f"{count} micro-step" + ("" if count == 1 else "s")


def describe(micro: MicroStep, depth: int) -> str:
    """'forward layer 2/3' style, with the layer counted from 1."""
    return micro.describe(depth)


class Explorer:
    """The stepper plus the key semantics of the explorer."""

    def __init__(self, stepper: Stepper, allowed: Callable[[str], bool] = lambda action: True):
        self.stepper = stepper
        self.allowed = allowed
        """Whether an action's key works now (a lesson step may lock keys): a hint names no key
        that does not ("next: f" where the step locks f, with space allowed, says space)."""

    @property
    def depth(self) -> int:
        """Weight layers."""
        return self.stepper.depth

    def next_hint(self) -> str:
        """'next: f (forward layer 1/2)'."""
        if self.stepper.diverged:
            return "training diverged (non-finite loss): press R to reset, - to lower η"
        micro = self.stepper.next
        what = describe(micro, self.depth)
        keys = (KEY_OF[micro.phase], "space")
        key = next((k for k in keys if self.allowed(BY_NAME[k].action)), None)
        return f"next: {key} ({what})" if key else f"next: {what}"

    def _done(self, done: list[MicroStep], asked: Phase | None = None) -> str:
        if not done:
            return self.next_hint()
        last = done[-1]
        first = [m for m in done[:-1]]
        text = f"{describe(last, self.depth)}: {WHAT[last.phase]}"
        if last.phase == Phase.UPDATE:
            text += self.stepper.optimizer.delta.replace("θ", "W")
        if first and asked is not None:
            ran = sorted({m.phase for m in first}, key=list(Phase).index)
            names = ", ".join(p.value for p in ran)
            text = f"ran {names} first ({micro_steps(len(first))}), then {text}"
        return f"{text} — {self.next_hint()}"

    def _out_of_order(self, key_phase: Phase) -> str:
        micro = self.stepper.next
        return (
            f"{key_phase.value} is done for this step; {self.next_hint()}"
            if micro.phase != key_phase
            else self.next_hint()
        )

    def forward(self) -> str:
        """f: the next forward layer; out of order, say which key comes next."""
        if self.stepper.next.phase != Phase.FORWARD:
            return self._out_of_order(Phase.FORWARD)
        return self._done(self._guarded(self.stepper.micro_step))

    def error(self) -> str:
        """e: the loss and the output δ, running the rest of the forward pass first."""
        if self.stepper.next.phase in (Phase.BACKWARD, Phase.UPDATE):
            return self._out_of_order(Phase.ERROR)
        return self._done(self.stepper.run_until(Phase.ERROR), Phase.ERROR)

    def backward(self) -> str:
        """b: one layer back, running forward and error first if needed."""
        if self.stepper.next.phase == Phase.UPDATE:
            return self._out_of_order(Phase.BACKWARD)
        return self._done(self.stepper.run_until(Phase.BACKWARD), Phase.BACKWARD)

    def update(self) -> str:
        """u: apply the updates, running whatever of the step is left first."""
        return self._done(self.stepper.run_until(Phase.UPDATE), Phase.UPDATE)

    def micro(self) -> str:
        """space: the next micro-step, whatever it is."""
        return self._done(self._guarded(self.stepper.micro_step))

    def micro_steps(self, count: int) -> str:
        """`count` micro-steps (a right prediction runs up to the one it predicted)."""
        done = []
        for _ in range(count):
            micro = self.stepper.micro_step()
            if micro is None:
                break
            done.append(micro)
        return self._done(done, done[-1].phase if len(done) > 1 else None)

    def finish_step(self) -> str:
        """s: through the update of the current step."""
        done = self.stepper.finish_step()
        if not done:
            return self.next_hint()
        return f"finished step {done[-1].step + 1} ({micro_steps(len(done))}) — {self.next_hint()}"

    def _guarded(self, action) -> list[MicroStep]:
        micro = action()
        return [] if micro is None else [micro]
