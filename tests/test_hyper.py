"""The training settings every run has (η, λ, λ1, batch size) as `Hyper` records, and the L1
penalty: its cost, its gradient (finite differences and torch) and where it is shown."""

from __future__ import annotations

import numpy as np
import pytest

from bptui.engine import NetworkSpec, Stepper, TrainingSpec, hyper, kernels
from bptui.engine.explain import explain
from bptui.engine.gradcheck import analytic_gradients
from bptui.preset import PresetError, preset_from_text
from bptui.preset.loader import TRAINING_KEYS, training_doc, with_sets
from tests.helpers import make_dataset

XOR = """
title = "xor"
[network]
layers = [2, 3, 1]
hidden_activation = "tanh"
[training]
{training}
[data]
generator = "xor"
samples = 16
"""


def test_every_training_record_is_a_preset_key_with_its_range():
    assert [h.key for h in hyper.TRAINING] == ["learning_rate", "l2", "l1", "batch_size"]
    for h in hyper.TRAINING:
        assert h.key in TRAINING_KEYS and h.symbol and h.help and h.field_label
        assert h.contains(h.default) or h is hyper.LEARNING_RATE


@pytest.mark.parametrize(
    "line, message",
    [
        ("l1 = -0.5", "p.toml: training.l1: -0.5 is out of range (allowed: 0.0 ≤ l1 ≤ 1000.0)"),
        ("l1 = true", "p.toml: training.l1: expected a number, got a boolean true"),
        ("l2 = 2000", "p.toml: training.l2: 2000 is out of range (allowed: 0.0 ≤ l2 ≤ 1000.0)"),
        ("batch_size = 1.5", "p.toml: training.batch_size: expected an integer, got a float 1.5"),
        (
            "batch_size = -1",
            ("p.toml: training.batch_size: -1 is out of range (allowed: 0 ≤ batch_size)"),
        ),
    ],
)
def test_the_loader_validates_training_settings_against_their_records(line, message):
    with pytest.raises(PresetError) as info:
        preset_from_text(XOR.format(training=line), "p.toml", "p", None)
    assert str(info.value) == message


def test_l1_is_read_written_back_and_set_from_the_command_line():
    preset = preset_from_text(XOR.format(training="l1 = 0.25"), "p.toml", "p", None)
    assert preset.training.l1 == 0.25 and preset.training.l2 == 0.0
    assert training_doc(preset.training)["l1"] == 0.25
    assert "l1" not in training_doc(TrainingSpec())  # a run without L1 writes what it did
    assert with_sets(preset, ["training.l1=0.5"]).training.l1 == 0.5


def network(l1: float, l2: float = 0.0, m: int = 7):
    rng = np.random.default_rng(5)
    spec = NetworkSpec((3, 4, 2), "tanh", "sigmoid", "quadratic")
    data = make_dataset(rng, m, 3, 2, "sigmoid", "quadratic")
    return Stepper(spec, TrainingSpec(0.1, 0, l2, l1=l1), data, 1)


def test_l1_adds_its_term_to_the_cost():
    with_l1, without = network(0.3), network(0.0)
    for stepper in (with_l1, without):
        stepper.finish_step()
    total = sum(float(np.abs(w).sum()) for w in with_l1.w_before)
    assert with_l1.last_cost == pytest.approx(without.last_cost + 0.3 / 7 * total, rel=1e-12)


def test_l1_gradient_matches_finite_differences():
    stepper = network(0.3, 0.2)
    stepper.finish_step()
    for check in stepper.gradient_check():
        assert check.relative_error < 1e-6, check


def test_l1_and_l2_gradients_match_torch_with_explicit_penalties():
    torch = pytest.importorskip("torch")
    stepper = network(0.3, 0.2)
    spec, x, y = stepper.spec, stepper.data.x_train, stepper.data.y_train
    weights = [w.copy() for w in stepper.weights]
    weights[0][0, 0] = 0.0  # |w| at 0: both take the gradient 0
    biases = [b.copy() for b in stepper.biases]
    dws, dbs = analytic_gradients(spec, 0.2, weights, biases, x, y, l1=0.3)
    tw = [torch.tensor(w, requires_grad=True) for w in weights]
    tb = [torch.tensor(b, requires_grad=True) for b in biases]
    hidden = torch.tanh(torch.tensor(x) @ tw[0].T + tb[0])
    out = torch.sigmoid(hidden @ tw[1].T + tb[1])
    m = x.shape[0]
    loss = ((out - torch.tensor(y)) ** 2).sum() / (2 * m)
    loss = loss + 0.2 / (2 * m) * sum((w**2).sum() for w in tw)
    loss = loss + 0.3 / m * sum(w.abs().sum() for w in tw)
    loss.backward()
    for ours, theirs in zip(dws + dbs, tw + tb):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-12, atol=1e-15)
    assert dws[0][0, 0] == pytest.approx(float(tw[0].grad[0, 0]), abs=1e-15)


def test_the_l1_kernel_leaves_biases_alone():
    stepper = network(0.0)
    stepper.finish_step()
    plain_b = [b.copy() for b in stepper.grads.b]
    plain_w = [w.copy() for w in stepper.grads.w]
    penalised = network(0.5)
    penalised.finish_step()
    for b0, b1 in zip(plain_b, penalised.grads.b):
        np.testing.assert_array_equal(b0, b1)
    for w, w0, w1 in zip(penalised.w_before, plain_w, penalised.grads.w):
        np.testing.assert_allclose(w1 - w0, 0.5 / 7 * np.sign(w), rtol=1e-12, atol=1e-15)
    assert kernels.l1_term(0.0, 7, penalised.weights) == 0.0


def test_explain_shows_the_l1_terms():
    stepper = network(0.3)
    stepper.finish_step()
    text = "\n".join(line.text for line in explain(stepper, 1, 0))
    assert "+ λ1/m·sign(w)" in text and "+ 0.3/7·sign(" in text
    assert "λ1/m·Σ|w| (λ1 = 0.3)" in text


def test_ghost_labels_and_settings_read_the_records():
    from bptui.app.ghosts import SYMBOLS, describe
    from bptui.app.screens.settings import BASE_FIELDS

    assert BASE_FIELDS == hyper.TRAINING
    assert describe("training.l1", 0.1) == "λ1 0.1"
    assert {SYMBOLS[f"training.{h.key}"] for h in hyper.TRAINING} == {"η", "λ", "λ1", "batch"}
