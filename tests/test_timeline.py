"""Undo and redo restore the exact state, bit for bit, with bounded memory."""

from __future__ import annotations

import pytest

from bptui.engine.timeline import Timeline
from bptui.preset import load_preset
from tests.helpers import history_fingerprint


def fingerprint(stepper):
    """Everything a screen can show as computed (values of layers not yet computed in the
    current step are not state: the screens show them as not computed)."""
    ws = stepper.ws
    depth = range(stepper.depth)
    return (
        stepper.params.flat.tobytes(),
        stepper.before.flat.tobytes(),
        stepper.applied.flat.tobytes(),
        stepper.opt_state.tobytes(),
        stepper.opt_before.tobytes(),
        stepper.opt_t,
        tuple(
            stepper.dw[l].tobytes() + stepper.db[l].tobytes()
            for l in depth
            if stepper.gradient_done(l)
        ),
        tuple(ws.z[l].tobytes() + ws.a[l].tobytes() for l in depth if stepper.forward_done(l)),
        tuple(ws.delta[l].tobytes() for l in depth if stepper.delta_done(l)),
        stepper.position,
        stepper.step,
        stepper.batch_indices.tobytes(),
        history_fingerprint(stepper),
        stepper.learning_rate,
    )


@pytest.mark.parametrize("name", ["xor", "moons", "spiral"])
def test_every_micro_step_undoes_and_redoes_exactly(name):
    stepper = load_preset(name).stepper()
    timeline = Timeline(stepper)
    seen = [fingerprint(stepper)]
    for _ in range(3 * stepper.steps_per_training_step + 3):
        stepper.micro_step()
        timeline.record()
        seen.append(fingerprint(stepper))
    for expected in reversed(seen[:-1]):
        assert timeline.undo()
        assert fingerprint(stepper) == expected
    assert not timeline.undo()
    for expected in seen[1:]:
        assert timeline.redo()
        assert fingerprint(stepper) == expected
    assert not timeline.redo()


def test_learning_rate_change_is_pinned():
    stepper = load_preset("xor").stepper()
    timeline = Timeline(stepper)
    stepper.run(3)
    timeline.record()
    stepper.learning_rate = 0.25
    timeline.pin()
    stepper.run(3)
    timeline.record()
    after = fingerprint(stepper)
    timeline.go_to(0)
    assert stepper.learning_rate == 2.0 and stepper.step == 0
    timeline.go_to(timeline.end)
    assert fingerprint(stepper) == after


def test_a_new_action_after_undo_cuts_the_redo_branch():
    stepper = load_preset("xor").stepper()
    timeline = Timeline(stepper)
    stepper.run(5)
    timeline.record()
    timeline.undo(8)
    stepper.learning_rate = 0.5
    timeline.pin()
    assert not timeline.redo()


def test_memory_stays_bounded_over_long_sessions():
    stepper = load_preset("xor").stepper()
    timeline = Timeline(stepper)
    for _ in range(3000):
        stepper.finish_step()
        timeline.record()
    stored = len(timeline.recent) + len(timeline.checkpoints) + len(timeline.pins)
    assert stored <= timeline.max_recent + timeline.max_checkpoints + 1
    before = fingerprint(stepper)
    timeline.go_to(6 * 5)  # far back: replayed from the start or a checkpoint
    assert stepper.step == 5
    timeline.go_to(timeline.end)
    assert fingerprint(stepper) == before
