"""The engine against finite differences, a published worked example, and itself."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bptui.engine import Phase, Stepper
from bptui.engine.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from bptui.engine.losses import LOSSES, is_valid_pair
from bptui.preset import load_preset
from tests.helpers import fingerprint, make_stepper

VALID_PAIRS = [
    (out, loss) for out in OUTPUT_ACTIVATIONS for loss in LOSSES if is_valid_pair(loss, out)
]


@settings(max_examples=60, deadline=None)
@given(
    hidden_layers=st.lists(st.integers(1, 4), min_size=0, max_size=3),
    n_in=st.integers(1, 3),
    hidden=st.sampled_from(HIDDEN_ACTIVATIONS),
    pair=st.sampled_from(VALID_PAIRS),
    k=st.integers(2, 3),
    l2=st.sampled_from([0.0, 0.3]),
    momentum=st.sampled_from([0.0, 0.9]),
    batch=st.sampled_from([0, 1, 5]),
    steps=st.integers(0, 3),
    seed=st.integers(0, 2**16),
)
def test_gradients_match_central_differences(
    hidden_layers, n_in, hidden, pair, k, l2, momentum, batch, steps, seed
):
    output, loss = pair
    k = k if output == "softmax" else k - 1
    layers = [n_in, *hidden_layers, k]
    stepper = make_stepper(
        layers, hidden, output, loss, lr=0.05, batch=batch, l2=l2, momentum=momentum, m=7, seed=seed
    )
    stepper.run(steps)
    stepper.run_until(Phase.ERROR)  # the forward pass of the batch that is checked
    for layer in range(stepper.depth):  # relu kinks are not differentiable: skip them
        if stepper.spec.activation(layer) in ("relu", "leaky_relu"):
            assume(np.abs(stepper.ws.z[layer]).min() > 1e-4)
    for check in stepper.gradient_check():
        assert check.relative_error < 1e-5 or check.max_abs_difference < 1e-8, check


def test_update_is_momentum_sgd():
    stepper = make_stepper([2, 3, 1], lr=0.3, momentum=0.8, m=6)
    stepper.finish_step()
    assert stepper.optimizer.name == "momentum"
    v_prev = [v.copy() for v in stepper.buffer("v").w]
    w_prev = [w.copy() for w in stepper.weights]
    stepper.run_until(Phase.BACKWARD)
    stepper.finish_step()
    velocity = stepper.buffer("v").w
    for layer in range(stepper.depth):
        expected_v = 0.8 * v_prev[layer] - 0.3 * stepper.dw[layer]
        np.testing.assert_allclose(velocity[layer], expected_v, rtol=1e-14, atol=1e-16)
        np.testing.assert_array_equal(stepper.weights[layer], w_prev[layer] + velocity[layer])
        np.testing.assert_array_equal(stepper.w_before[layer], w_prev[layer])


def printed(value: float, figure: str) -> bool:
    """Whether value rounds to the published figure at the digits it was printed with."""
    decimals = len(figure.split(".")[1])
    return f"{value:.{decimals}f}" == figure


def test_mazur_worked_example_first_step():
    """Matt Mazur, 'A Step by Step Backpropagation Example' (2015): every printed figure."""
    stepper = load_preset("mazur").stepper()
    stepper.run_until(Phase.FORWARD)
    assert printed(stepper.ws.z[0][0, 0], "0.3775")  # net_h1
    assert printed(stepper.ws.a[0][0, 0], "0.593269992")  # out_h1
    assert printed(stepper.ws.a[0][0, 1], "0.596884378")  # out_h2
    stepper.run_until(Phase.FORWARD)
    assert printed(stepper.ws.z[1][0, 0], "1.105905967")  # net_o1
    assert printed(stepper.ws.a[1][0, 0], "0.75136507")  # out_o1
    assert printed(stepper.ws.a[1][0, 1], "0.772928465")  # out_o2
    stepper.run_until(Phase.ERROR)
    assert printed(stepper.last_cost, "0.298371109")  # E_total
    assert printed(stepper.ws.delta[1][0, 0], "0.138498562")  # δ_o1 = ∂E/∂out_o1 · ∂out_o1/∂net_o1
    stepper.run_until(Phase.BACKWARD)
    assert printed(stepper.dw[1][0, 0], "0.082167041")  # ∂E/∂w5
    stepper.run_until(Phase.BACKWARD)
    assert printed(stepper.dw[0][0, 0], "0.000438568")  # ∂E/∂w1
    stepper.run_until(Phase.UPDATE)
    w1, w2 = stepper.weights
    for value, figure in zip(
        w2.ravel(), ["0.35891648", "0.408666186", "0.511301270", "0.561370121"]
    ):
        assert printed(value, figure)  # w5+ w6+ w7+ w8+
    for value, figure in zip(w1.ravel(), ["0.149780716", "0.19956143", "0.24975114", "0.29950229"]):
        assert printed(value, figure)  # w1+ w2+ w3+ w4+


PRESETS_FOR_PATHS = ["xor", "mazur", "spiral", "moons", "digits", "sine"]


@pytest.mark.parametrize("name", PRESETS_FOR_PATHS)
def test_micro_steps_phases_steps_and_run_are_bit_identical(name):
    steps = 3 if name == "digits" else 7
    preset = load_preset(name)
    by_micro, by_phase, by_step, by_run = (preset.stepper() for _ in range(4))
    for _ in range(steps * by_micro.steps_per_training_step):
        by_micro.micro_step()
    while by_phase.step < steps:
        by_phase.finish_phase()
    for _ in range(steps):
        by_step.finish_step()
    by_run.run(steps)
    expected = fingerprint(by_run)
    assert fingerprint(by_micro) == expected
    assert fingerprint(by_phase) == expected
    assert fingerprint(by_step) == expected


def test_same_preset_twice_is_identical():
    first, second = load_preset("moons").stepper(), load_preset("moons").stepper()
    first.run(50)
    second.run(50)
    assert fingerprint(first) == fingerprint(second)


def test_reset_restores_the_seeded_weights():
    stepper = load_preset("spiral").stepper()
    initial = stepper.params.flat.copy()
    stepper.run(5)
    stepper.reset()
    assert stepper.params.flat.tobytes() == initial.tobytes()
    assert stepper.step == 0 and len(stepper.loss_history) == 0


def test_state_restore_continues_bit_for_bit():
    stepper = load_preset("moons").stepper()
    stepper.run(3)
    for _ in range(4):
        stepper.micro_step()
    saved = stepper.state()
    stepper.run(5)
    after = fingerprint(stepper)
    stepper.run(2)
    stepper.restore(saved)
    stepper.run(5)
    assert fingerprint(stepper) == after


def test_phase_sequence():
    stepper = make_stepper([2, 3, 2, 1])
    seen = [stepper.micro_step().describe() for _ in range(stepper.steps_per_training_step)]
    assert seen == [
        "forward layer 1",
        "forward layer 2",
        "forward layer 3",
        "error",
        "backward layer 3",
        "backward layer 2",
        "backward layer 1",
        "update",
    ]
    assert stepper.step == 1 and stepper.next.describe() == "forward layer 1"


def test_finish_phase_stops_at_phase_boundaries():
    stepper = make_stepper([2, 3, 2, 1])
    assert [m.phase for m in stepper.finish_phase()] == [Phase.FORWARD] * 3
    assert [m.phase for m in stepper.finish_phase()] == [Phase.ERROR]
    assert [m.phase for m in stepper.finish_phase()] == [Phase.BACKWARD] * 3
    assert [m.phase for m in stepper.finish_phase()] == [Phase.UPDATE]


def test_divergence_stops_quietly():
    stepper = make_stepper([1, 8, 1], output="linear", loss="mse", lr=500.0, m=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        done = stepper.run(1000)
        stepper.record_loss()
    assert stepper.diverged
    assert done < 1000
    assert stepper.micro_step() is None
    stepper.reset()
    assert not stepper.diverged


@pytest.mark.parametrize("eval_every", [1, 3])
def test_loss_history_is_training_cost_at_the_evaluation_steps(eval_every):
    preset = load_preset("moons")  # mini-batches: the history uses the whole training set
    training = dataclasses.replace(preset.training, eval_every=eval_every)
    stepper = Stepper(preset.network, training, preset.data, preset.seed)
    stepper.run(4)
    reference = preset.stepper()
    costs, batch_costs = [], []
    for step in range(5):
        if step % eval_every == 0 or step == 4:
            costs.append(reference.evaluate(preset.data.x_train, preset.data.y_train))
        if step < 4:
            reference.run_until(Phase.ERROR)
            batch_costs.append(reference.last_cost)
            reference.finish_step()
    stepper.record_loss()
    assert stepper.loss_history.tolist() == costs
    assert stepper.history.eval_steps.tolist() == [0, 3, 4] if eval_every == 3 else list(range(5))
    assert len(stepper.test_loss_history) == len(costs)
    assert stepper.history.batch_loss.tolist() == batch_costs


def test_a_mini_batch_step_does_not_evaluate_the_whole_set():
    preset = load_preset("digits")
    stepper = preset.stepper()
    calls = []
    original = stepper.evaluate
    stepper.evaluate = lambda x, y: calls.append(len(x)) or original(x, y)
    stepper.run(2 * stepper.batches_per_epoch)
    # once per epoch: at steps 0 and 23 (training and held-out set each)
    assert stepper.history.eval_steps.tolist() == [0, stepper.batches_per_epoch]
    assert len(calls) == 4


def test_l2_adds_to_the_cost_with_training_set_size():
    plain = make_stepper([2, 3, 1], m=10)
    regular = make_stepper([2, 3, 1], l2=0.5, m=10)
    squares = sum(float((w**2).sum()) for w in regular.weights)
    assert regular.loss == pytest.approx(plain.loss + 0.5 / (2 * 10) * squares, rel=1e-14)


def test_done_flags_follow_the_micro_steps():
    stepper = make_stepper([2, 3, 2, 1])
    assert not stepper.forward_done(0)
    stepper.micro_step()
    assert stepper.forward_done(0) and not stepper.forward_done(1)
    stepper.run_until(Phase.ERROR)
    assert stepper.delta_done(2) and not stepper.delta_done(1) and not stepper.gradient_done(2)
    stepper.micro_step()
    assert stepper.gradient_done(2) and stepper.delta_done(1) and not stepper.gradient_done(1)
    stepper.run_until(Phase.BACKWARD)
    stepper.run_until(Phase.BACKWARD)
    assert stepper.gradient_done(0) and not stepper.updated
    stepper.micro_step()
    assert stepper.updated


def test_metrics():
    from bptui.engine import metrics

    out = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    y = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    assert metrics.accuracy(out, y) == 2 / 3
    assert metrics.confusion_matrix(out, y).tolist() == [[1, 0], [1, 1]]
    single = metrics.confusion_matrix(np.array([[0.7], [0.2]]), np.array([[1.0], [1.0]]))
    assert single.tolist() == [[0, 0], [1, 1]]
    assert metrics.r_squared(np.array([[1.0], [2.0]]), np.array([[1.0], [2.0]])) == 1.0
