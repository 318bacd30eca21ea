"""Events found in a run's history (`engine.events`) and `bptui train --events`."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bptui.commands.cli import main
from bptui.engine.events import Event, find_events, next_event, previous_event
from bptui.engine.health import Trace
from bptui.engine.history import History
from bptui.engine.kernels import forward_in_blocks
from bptui.preset import load_preset
from tests.helpers import DIVERGING


def run_main(argv):
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


def first_deaths_by_replay(steps: int) -> dict[tuple[int, int], int]:
    """(hidden layer, unit) 1-based → the first step at whose weights the unit's a is 0 on every
    training sample, found by a forward pass of the training set at every step."""
    stepper = load_preset("dead-relu").stepper()
    x = stepper.data.x_train
    names = [stepper.spec.activation(layer) for layer in range(stepper.depth)]
    found: dict[tuple[int, int], int] = {}
    for t in range(steps + 1):
        for layer in range(stepper.depth - 1):
            a = forward_in_blocks(stepper.weights, stepper.biases, names, x, upto=layer)
            for unit in np.flatnonzero(np.all(a == 0.0, axis=0)):
                found.setdefault((layer + 1, int(unit) + 1), t)
        if t < steps:
            stepper.run(1)
    return found


def test_dead_relu_died_events_are_the_first_deaths_found_by_replay():
    stepper = load_preset("dead-relu").stepper(trace=True)
    stepper.run(40)
    events = find_events(stepper.history, stepper.m_train)
    died = {(e.layer, e.unit): e.step for e in events if e.kind == "died"}
    assert died == first_deaths_by_replay(40)
    later = [e for e in events if e.kind == "died" and e.step > 0]
    assert later, "dead-relu: a unit dies during training"
    first = later[0]
    assert first.summary == f"hidden {first.layer}, unit {first.unit} died"
    assert first.describe() == f"step {first.step}: hidden {first.layer}, unit {first.unit} died"
    assert next_event(events, 0).step == first.step  # `j` from the start lands there


def test_loss_rose_more_than_ten_percent_between_evaluations():
    history = History(eval_steps=[0, 5, 10, 15], loss=[1.0, 1.09, 1.21, 0.5])
    events = find_events(history, m_train=4)
    assert [(e.step, e.kind) for e in events] == [(10, "loss_rose")]
    assert "11%" in events[0].detail and "since step 5" in events[0].detail


def trace_with_norms(norms: np.ndarray) -> Trace:
    """A trace of a 2-3-1 tanh network whose weight gradient norms are `norms` (steps, 2)."""
    shapes = [(3, 2), (1, 3)]
    rows = np.zeros((norms.shape[0], 6 * 2 + 3))
    rows[:, 0] = norms[:, 0] ** 2
    rows[:, 2] = norms[:, 1] ** 2
    rows[:, 12:] = 4.0
    return Trace(shapes, rows, [(0, 4, 0)], [("tanh",)])


def test_gradient_norm_jump_of_more_than_100x_in_one_step():
    norms = np.array([[1e-3, 1.0], [0.2, 1.5], [0.3, 99.0], [0.31, 200.0]])
    history = History(batch_loss=[1.0] * 4, trace=trace_with_norms(norms))
    events = find_events(history, m_train=4)
    assert [(e.step, e.kind, e.layer) for e in events] == [(1, "gradient_jump", 1)]
    assert events[0].unit is None


def test_first_non_finite_value_only():
    norms = np.array([[1.0, 1.0], [1.0, np.inf], [np.nan, np.nan]])
    history = History(
        eval_steps=[0, 1, 2],
        loss=[1.0, 1.0, np.nan],
        batch_loss=[1.0, 1.0, np.nan],
        trace=trace_with_norms(norms),
    )
    events = [e for e in find_events(history, m_train=4) if e.kind == "non_finite"]
    assert [(e.step, e.layer) for e in events] == [(1, 2)]


def test_next_and_previous_event():
    events = [Event(s, "loss_rose", None, None, "x", "x") for s in (3, 3, 9)]
    assert next_event(events, 0).step == 3
    assert next_event(events, 3).step == 9
    assert next_event(events, 9) is None
    assert previous_event(events, 9).step == 3
    assert previous_event(events, 3) is None


def test_train_events_json_lists_them_without_the_trace(capsys):
    assert run_main(["train", "dead-relu", "--steps", "30", "--events", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "trace" not in doc
    assert doc["events"], "dead-relu has events"
    for event in doc["events"]:
        assert set(event) == {"step", "kind", "layer", "unit", "detail"}
    kinds = {e["kind"] for e in doc["events"]}
    assert "died" in kinds and "loss_rose" in kinds
    steps = [e["step"] for e in doc["events"]]
    assert steps == sorted(steps)


def test_train_events_with_trace_keeps_the_trace(capsys):
    assert run_main(["train", "dead-relu", "--steps", "5", "--events", "--trace", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "trace" in doc and "events" in doc


def test_train_events_finds_the_first_non_finite_step(capsys, tmp_path):
    path = tmp_path / "diverges.toml"
    path.write_text(DIVERGING, encoding="utf-8")
    assert run_main(["train", str(path), "--steps", "50", "--events", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["diverged"]
    bad = [e for e in doc["events"] if e["kind"] == "non_finite"]
    assert len(bad) == 1
    first = next(t for t, v in zip(doc["eval_steps"], doc["loss"]) if v is None)
    assert bad[0]["step"] == first == doc["steps"]  # the step that overflowed
    assert all(v is not None for v in doc["batch_loss"])


def test_train_events_text_summary(capsys):
    assert run_main(["train", "dead-relu", "--steps", "10", "--events"]) == 0
    out = capsys.readouterr().out
    assert "events (" in out and "died" in out


@pytest.mark.parametrize("preset", ["xor", "mazur"])
def test_no_events_on_a_quiet_run(preset):
    stepper = load_preset(preset).stepper(trace=True)
    stepper.run(50)
    assert find_events(stepper.history, stepper.m_train) == []
