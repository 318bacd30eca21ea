"""The gradient-health trace: what it records, that it changes nothing, and undo/redo."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bptui.engine.health import FLAT, flat_units, unit_health
from bptui.engine.stepper import Phase
from bptui.engine.timeline import Timeline
from bptui.preset import load_preset
from tests.test_overrides import run
from tests.test_timeline import fingerprint


def expected_rows(preset, steps: int) -> list[tuple]:
    """(grad norms, update ratios, saturated, dead) per step, computed directly from the
    micro-stepper's buffers with NumPy's own norms."""
    stepper = preset.stepper()
    rows = []
    for _ in range(steps):
        stepper.run_until(Phase.BACKWARD) if stepper.position == 0 else None
        while stepper.next.phase != Phase.UPDATE:
            stepper.micro_step()
        grads = [np.linalg.norm(w) for w in stepper.dw]
        before = [np.linalg.norm(w) for w in stepper.weights]
        ws = stepper.ws
        saturated, dead = [], []
        for layer, name in enumerate(stepper.plan.names[:-1]):
            flat = flat_units(name, ws.z[layer], ws.a[layer])
            saturated.append(flat.mean() if name in ("sigmoid", "tanh") else np.nan)
            dead.append(flat.mean() if name == "relu" else np.nan)
        stepper.micro_step()
        ratios = [np.linalg.norm(d) / b for d, b in zip(stepper.applied.w, before)]
        rows.append((grads, ratios, saturated, dead))
    return rows


@pytest.mark.parametrize("name", ["spiral", "moons", "xor", "gaussian", "dead-relu", "vanishing"])
def test_trace_records_what_it_documents(name):
    preset = load_preset(name)
    stepper = preset.stepper(trace=True)
    stepper.run(12)
    trace = stepper.trace
    depth, hidden = stepper.depth, stepper.depth - 1
    assert trace.grad_norm.shape == trace.update_ratio.shape == (12, depth)
    assert trace.saturated.shape == trace.dead.shape == (12, hidden)
    want = expected_rows(preset, 12)
    np.testing.assert_allclose(trace.grad_norm, [r[0] for r in want], rtol=1e-12)
    np.testing.assert_allclose(trace.update_ratio, [r[1] for r in want], rtol=1e-12)
    np.testing.assert_array_equal(trace.saturated, [r[2] for r in want])
    np.testing.assert_array_equal(trace.dead, [r[3] for r in want])


def test_dead_relu_shows_dead_units_and_vanishing_a_fan():
    dead = load_preset("dead-relu").stepper(trace=True)
    dead.run(30)
    assert np.nanmean(dead.trace.dead[-1]) > 0.5 and np.isnan(dead.trace.saturated).all()
    fan = load_preset("vanishing").stepper(trace=True)
    fan.run(1)
    norms = fan.trace.grad_norm[0]
    assert (np.diff(norms) > 0).all() and norms[0] < 1e-3 * norms[-1]


def test_saturation_is_mean_slope_below_flat():
    z = np.array([[10.0, 0.0], [12.0, 0.0], [-1.0, 0.0]])
    a = 1 / (1 + np.exp(-z))
    # unit 0: slopes ~4.5e-5, ~6e-6 and 0.197: mean 0.066 > 0.01, not saturated
    assert flat_units("sigmoid", z, a).tolist() == [False, False]
    z[2, 0] = 11.0
    a = 1 / (1 + np.exp(-z))
    assert flat_units("sigmoid", z, a).tolist() == [True, False]
    relu_z = np.array([[-1.0, 2.0], [-3.0, -1.0]])
    assert flat_units("relu", relu_z, np.maximum(relu_z, 0)).tolist() == [True, False]
    assert flat_units("leaky_relu", relu_z, relu_z) is None and FLAT == 0.01


def test_unit_health_for_the_diagram():
    stepper = load_preset("dead-relu").stepper()
    assert unit_health(stepper, 0) == ("dead", None), "nothing of the current step computed yet"
    stepper.run(30)
    kind, flat = unit_health(stepper, 0)  # the last step's batch
    assert kind == "dead" and flat.shape == (16,) and flat.dtype == bool and flat.any()
    stepper.micro_step()
    ws = stepper.ws
    assert (unit_health(stepper, 0)[1] == flat_units("relu", ws.z[0], ws.a[0])).all()
    assert unit_health(stepper, stepper.depth - 1) == (None, None)


@pytest.mark.parametrize("name", ["spiral", "moons", "digits"])
def test_trace_changes_nothing_and_off_costs_nothing(name):
    plain, traced = load_preset(name).stepper(), load_preset(name).stepper(trace=True)
    plain.run(25)
    traced.run(25)
    assert plain.trace is None and len(plain.history.series) == 4
    assert plain.params.flat.tobytes() == traced.params.flat.tobytes()
    assert [s.values.tobytes() for s in plain.history.series] == [
        s.values.tobytes() for s in traced.history.series[:4]
    ]


def trace_bytes(stepper) -> tuple:
    trace = stepper.trace
    return trace.rows.values.tobytes(), tuple(trace.segments), tuple(trace.layouts)


@pytest.mark.parametrize("name", ["xor", "moons", "vanishing"])
def test_undo_and_redo_keep_the_trace_bit_exact(name):
    stepper = load_preset(name).stepper(trace=True)
    timeline = Timeline(stepper)
    seen = [(fingerprint(stepper), trace_bytes(stepper))]
    for _ in range(3 * stepper.steps_per_training_step + 2):
        stepper.micro_step()
        timeline.record()
        seen.append((fingerprint(stepper), trace_bytes(stepper)))
    for expected in reversed(seen[:-1]):
        assert timeline.undo()
        assert (fingerprint(stepper), trace_bytes(stepper)) == expected
    for expected in seen[1:]:
        assert timeline.redo()
        assert (fingerprint(stepper), trace_bytes(stepper)) == expected


def test_long_undo_replays_the_trace():
    stepper = load_preset("spiral").stepper(trace=True)
    timeline = Timeline(stepper)
    for _ in range(40):
        stepper.run(5)
        timeline.record()
    full = trace_bytes(stepper)
    timeline.go_to(0)
    assert len(stepper.trace) == 0
    timeline.go_to(timeline.end)
    assert trace_bytes(stepper) == full and len(stepper.trace) == 200


def test_a_new_branch_after_undo_rewrites_the_trace():
    stepper = load_preset("xor").stepper(trace=True)
    timeline = Timeline(stepper)
    stepper.run(10)
    timeline.record()
    timeline.go_to(5 * stepper.steps_per_training_step)
    stepper.learning_rate = 0.5
    timeline.pin()
    stepper.run(5)
    timeline.record()
    fresh = load_preset("xor").stepper(trace=True)
    fresh.run(5)
    fresh.learning_rate = 0.5
    fresh.run(5)
    assert trace_bytes(stepper) == trace_bytes(fresh)


def test_trace_turned_on_mid_run_and_edits():
    stepper = load_preset("xor").stepper()
    stepper.run(3)
    stepper.trace = True
    stepper.run(2)
    norms = stepper.trace.grad_norm
    assert np.isnan(norms[:3]).all() and np.isfinite(norms[3:]).all()
    stepper.weights[0][0, 0] += 0.1
    stepper.restart_step()
    assert len(stepper.trace) == 5
    stepper.history.forget_from(4)
    assert len(stepper.trace) == 4
    stepper.reset()
    assert stepper.trace is not None and len(stepper.trace) == 0, "reset keeps the choice"
    stepper.trace = False
    stepper.run(2)
    assert stepper.trace is None


def test_train_json_trace(capsys):
    rc, out, err = run(["train", "moons", "--steps", "7", "--json", "--trace"], capsys)
    assert rc == 0, err
    trace = json.loads(out)["trace"]
    assert set(trace) == {"grad_norm", "update_ratio", "saturated", "dead"}
    assert [len(trace[k]) for k in trace] == [7, 7, 7, 7]
    assert all(len(row) == 3 for row in trace["grad_norm"] + trace["update_ratio"])
    assert trace["saturated"][0] == [None, None] and all(v is not None for v in trace["dead"][0])
    rc, out, _ = run(["train", "moons", "--steps", "7", "--json"], capsys)
    assert "trace" not in json.loads(out)


def test_train_json_trace_with_zero_weights_is_null_not_nan(capsys):
    rc, out, err = run(["train", "symmetry", "--steps", "2", "--json", "--trace"], capsys)
    assert rc == 0, err
    assert json.loads(out)["trace"]["update_ratio"][0] == [None, None]


def test_train_summary_with_trace(capsys):
    rc, out, _ = run(["train", "dead-relu", "--trace"], capsys)
    assert rc == 0
    assert out.splitlines()[-1].startswith("last step, per layer: |dC/dW| ")
    assert "dead " in out.splitlines()[-1]
