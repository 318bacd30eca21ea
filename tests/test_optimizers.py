"""Optimizers, schedules and initializers: the registry, PyTorch's formulas, state everywhere.

Every optimizer and schedule is checked against a reference written here from the formulas
(independent of the engine's in-place arithmetic), and against torch.optim where PyTorch is
installed (it is not a dependency), on small random networks: loss histories and weights to
1e-10 relative.
"""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pytest

from bptui.engine import Phase, Stepper, optimizers, schedules
from bptui.engine.explain import explain
from bptui.engine.hyper import LEARNING_RATE
from bptui.engine.initializers import INITIALIZERS
from bptui.engine.spec import NetworkSpec, TrainingSpec
from bptui.engine.timeline import Timeline
from bptui.preset import load_preset, preset_from_text
from bptui.session import load_session, save_session
from tests.helpers import fingerprint, make_dataset

ALL = list(optimizers.NAMES)


def stepper_for(
    name: str,
    lr: float | None = None,
    schedule: str = "constant",
    options=(),
    layers=(3, 5, 4, 2),
    batch=0,
    m=9,
    seed=3,
    output="sigmoid",
    loss="quadratic",
    l2=0.0,
) -> Stepper:
    rng = np.random.default_rng(seed + 7)
    spec = NetworkSpec(tuple(layers), "tanh", output, loss)
    data = make_dataset(rng, m, layers[0], layers[-1], output, loss, m_test=4)
    lr = optimizers.OPTIMIZERS[name].default_learning_rate * 5 if lr is None else lr
    training = TrainingSpec(
        lr, batch, l2, optimizer=name, schedule=schedule, options=tuple(options)
    )
    return Stepper(spec, training, data, seed)


# ----- the registry --------------------------------------------------------------------------


def test_the_registry_lists_every_optimizer_torch_has_and_we_teach():
    assert ALL == ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]
    for cls in optimizers.OPTIMIZERS.values():
        assert cls.title and cls.summary and cls.rule and cls.delta.startswith("Δθ = ")
        assert LEARNING_RATE.contains(cls.default_learning_rate)
        for h in cls.hypers:
            assert h.contains(h.default), (cls.name, h)
            assert h.help and h.symbol


def test_pytorch_defaults():
    h = {name: optimizers.create(name).h for name in ALL}
    assert h["adam"] == {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}
    assert h["adamw"] == {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "weight_decay": 0.01}
    assert h["rmsprop"] == {"alpha": 0.99, "epsilon": 1e-8}
    assert h["adagrad"] == {"epsilon": 1e-10}
    assert optimizers.OPTIMIZERS["adam"].default_learning_rate == 0.001


def test_a_preset_without_optimizer_keeps_its_rule():
    assert load_preset("xor").training.optimizer == "sgd"
    assert load_preset("moons").training.optimizer == "momentum"
    assert load_preset("moons").training.settings == {"momentum": 0.9}


# ----- the update rules against references written from the formulas -------------------------


def reference_step(name, h, theta, g, lr, t, state):
    """One update by the textbook / torch.optim formulas; returns (new θ, new state)."""
    s = dict(state)
    if name == "sgd":
        return theta - lr * g, s
    if name == "momentum":
        s["v"] = h["momentum"] * s.get("v", 0 * g) - lr * g
        return theta + s["v"], s
    if name == "nesterov":
        s["b"] = h["momentum"] * s.get("b", 0 * g) + g
        return theta - lr * (g + h["momentum"] * s["b"]), s
    if name == "adagrad":
        s["s"] = s.get("s", 0 * g) + g * g
        return theta - lr * g / (np.sqrt(s["s"]) + h["epsilon"]), s
    if name == "rmsprop":
        s["s"] = h["alpha"] * s.get("s", 0 * g) + (1 - h["alpha"]) * g * g
        return theta - lr * g / (np.sqrt(s["s"]) + h["epsilon"]), s
    b1, b2, eps = h["beta1"], h["beta2"], h["epsilon"]
    if name == "adamw":
        theta = theta * (1 - lr * h["weight_decay"])
    s["m"] = b1 * s.get("m", 0 * g) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0 * g) + (1 - b2) * g * g
    m_hat, v_hat = s["m"] / (1 - b1**t), s["v"] / (1 - b2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), s


@pytest.mark.parametrize(
    "schedule, options",
    [
        ("constant", ()),
        ("step", (("gamma", 0.5), ("step_size", 3))),
        ("exponential", (("gamma", 0.9),)),
        ("cosine", (("t_max", 7), ("eta_min", 1e-4))),
        ("inverse_time", (("decay", 0.3),)),
    ],
)
@pytest.mark.parametrize("name", ALL)
def test_every_optimizer_and_schedule_follow_their_formulas(name, schedule, options):
    stepper = stepper_for(name, schedule=schedule, options=options, batch=4)
    opt = stepper.optimizer
    theta, state = stepper.params.flat.copy(), {}
    for t in range(1, 13):
        gradients(stepper)
        g = stepper.grads.flat.copy()
        lr = stepper.rate()
        theta, state = reference_step(name, opt.h, theta, g, lr, t, state)
        stepper.finish_step()
        np.testing.assert_allclose(stepper.params.flat, theta, rtol=1e-12, atol=1e-15)
        for k, (buffer, _) in enumerate(opt.buffers):
            np.testing.assert_allclose(stepper.opt_state[k], state[buffer], rtol=1e-12, atol=1e-18)
    assert stepper.opt_t == 12


def gradients(stepper: Stepper) -> None:
    """Micro-steps until every layer's gradient of this step is computed."""
    while stepper.next.phase != Phase.UPDATE:
        stepper.micro_step()


def test_schedules_closed_forms():
    base = 0.8
    cases = {
        "step": ({"gamma": 0.5, "step_size": 3}, lambda t: base * 0.5 ** (t // 3)),
        "exponential": ({"gamma": 0.9}, lambda t: base * 0.9**t),
        "cosine": (
            {"t_max": 10, "eta_min": 0.1},
            lambda t: 0.1 + (base - 0.1) * (1 + math.cos(math.pi * t / 10)) / 2,
        ),
        "inverse_time": ({"decay": 0.25}, lambda t: base / (1 + 0.25 * t)),
        "constant": ({}, lambda t: base),
    }
    assert set(cases) == set(schedules.NAMES)
    for name, (h, formula) in cases.items():
        schedule = schedules.create(name, h)
        for t in range(25):
            assert schedule.rate(base, t) == pytest.approx(formula(t), rel=1e-15)


def test_momentum_uses_the_scheduled_rate_inside_the_velocity():
    stepper = stepper_for("momentum", lr=0.5, schedule="exponential", options=(("gamma", 0.5),))
    stepper.finish_step()
    v1 = stepper.buffer("v").flat.copy()
    gradients(stepper)
    g = stepper.grads.flat.copy()
    stepper.finish_step()
    np.testing.assert_allclose(stepper.buffer("v").flat, 0.9 * v1 - 0.25 * g, rtol=1e-14)


# ----- against PyTorch, where it is installed -----------------------------------------------


def torch_run(stepper: Stepper, steps: int):
    """The same network, data, batches and optimizer in PyTorch (float64); (losses, θ)."""
    torch = pytest.importorskip("torch")
    spec, training = stepper.spec, stepper.training
    params = []
    for w, b in zip(stepper.weights, stepper.biases):
        params += [
            torch.tensor(w.copy(), requires_grad=True),
            torch.tensor(b.copy(), requires_grad=True),
        ]
    h, lr = stepper.optimizer.h, training.learning_rate
    cls = {
        "sgd": lambda: torch.optim.SGD(params, lr=lr),
        "momentum": lambda: torch.optim.SGD(params, lr=lr, momentum=h.get("momentum", 0)),
        "nesterov": lambda: torch.optim.SGD(
            params, lr=lr, momentum=h.get("momentum", 0), nesterov=True
        ),
        "adagrad": lambda: torch.optim.Adagrad(params, lr=lr, eps=h.get("epsilon", 0)),
        "rmsprop": lambda: torch.optim.RMSprop(
            params, lr=lr, alpha=h.get("alpha", 0), eps=h.get("epsilon", 0)
        ),
        "adam": lambda: torch.optim.Adam(
            params, lr=lr, betas=(h.get("beta1", 0), h.get("beta2", 0)), eps=h.get("epsilon", 0)
        ),
        "adamw": lambda: torch.optim.AdamW(
            params,
            lr=lr,
            betas=(h.get("beta1", 0), h.get("beta2", 0)),
            eps=h.get("epsilon", 0),
            weight_decay=h.get("weight_decay", 0),
        ),
    }
    optimizer = cls[training.optimizer]()
    x = torch.tensor(stepper.data.x_train)
    y = torch.tensor(stepper.data.y_train)

    def cost(xb, yb):
        a = xb
        for layer in range(spec.depth):
            z = a @ params[2 * layer].T + params[2 * layer + 1]
            a = torch.tanh(z) if layer < spec.depth - 1 else torch.sigmoid(z)
        return ((a - yb) ** 2).sum() / (2 * xb.shape[0])

    losses = []
    batch = stepper.batch_size
    for step in range(steps):
        start = (step % stepper.batches_per_epoch) * batch
        with torch.no_grad():
            losses.append(float(cost(x, y)))
        optimizer.zero_grad()
        cost(x[start : start + batch], y[start : start + batch]).backward()
        optimizer.step()
    with torch.no_grad():
        losses.append(float(cost(x, y)))
    theta = np.concatenate(
        [
            np.concatenate(
                [params[2 * l].detach().numpy().ravel(), params[2 * l + 1].detach().numpy()]
            )
            for l in range(spec.depth)
        ]
    )
    return losses, theta


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("batch", [0, 3])
def test_against_torch_optim(name, batch):
    lr = 2 * optimizers.OPTIMIZERS[name].default_learning_rate  # larger ones amplify rounding
    stepper = stepper_for(
        name,
        lr=lr,
        batch=batch,
        options=(("momentum", 0.8),) if name in ("momentum", "nesterov") else (),
    )
    stepper = Stepper(
        stepper.spec, dataclasses.replace(stepper.training, eval_every=1), stepper.data, 3
    )
    losses, theta = torch_run(stepper, 40)
    stepper.run(40)
    stepper.record_loss()
    np.testing.assert_allclose(stepper.loss_history, losses, rtol=1e-10)
    np.testing.assert_allclose(stepper.params.flat, theta, rtol=1e-10, atol=1e-14)


# ----- state everywhere: undo, sessions, settings --------------------------------------------


@pytest.mark.parametrize("name", ["adam", "rmsprop", "nesterov"])
def test_undo_and_redo_are_exact_with_optimizer_state(name):
    stepper = stepper_for(name, batch=4)
    timeline = Timeline(stepper)
    seen = []
    for _ in range(3 * stepper.steps_per_training_step + 2):
        stepper.micro_step()
        timeline.record()
        seen.append(fingerprint_all(stepper))
    for expected in reversed(seen[:-1]):
        assert timeline.undo()
        assert fingerprint_all(stepper) == expected
    for expected in seen[1:]:
        assert timeline.redo()
        assert fingerprint_all(stepper) == expected


def fingerprint_all(stepper):
    return (
        stepper.params.flat.tobytes(),
        stepper.applied.flat.tobytes(),
        stepper.opt_state.tobytes(),
        stepper.opt_before.tobytes(),
        stepper.opt_t,
        stepper.position,
        stepper.step,
    )


ADAM_PRESET = """
title = "Adam moons"
[network]
layers = [2, 6, 1]
hidden_activation = "tanh"
loss = "cross_entropy"
[training]
optimizer = "adam"
learning_rate = 0.02
beta2 = 0.99
batch_size = 16
shuffle = true
schedule = "cosine"
t_max = 40
[data]
generator = "moons"
samples = 80
test_fraction = 0.25
"""


def test_a_saved_adam_session_continues_bit_for_bit(tmp_path):
    preset = preset_from_text(ADAM_PRESET, "adam.toml", "adam", tmp_path)
    first, second = preset.stepper(), preset.stepper()
    for stepper in (first, second):
        stepper.run(9)
        stepper.micro_step()
    save_session(tmp_path / "s.npz", preset, second)
    loaded_preset, resumed = load_session(tmp_path / "s.npz")
    assert resumed.optimizer.name == "adam" and resumed.opt_t == 9
    assert resumed.training == preset.training
    first.run(20)
    resumed.run(20)
    assert fingerprint(resumed) == fingerprint(first)


def test_changing_the_optimizer_keeps_weights_and_resets_its_state(tmp_path):
    preset = preset_from_text(ADAM_PRESET, "adam.toml", "adam", tmp_path)
    stepper = preset.stepper()
    stepper.run(5)
    same = Stepper(
        preset.network,
        dataclasses.replace(preset.training, learning_rate=0.01),
        preset.data,
        preset.seed,
    )
    assert same.adopt(stepper) is True
    assert same.opt_t == 5 and same.opt_state.tobytes() == stepper.opt_state.tobytes()
    other = Stepper(
        preset.network, TrainingSpec(0.1, 16, optimizer="momentum"), preset.data, preset.seed
    )
    assert other.adopt(stepper) is False
    assert other.opt_t == 0 and not other.opt_state.any()
    assert other.params.flat.tobytes() == stepper.params.flat.tobytes() and other.step == 5


# ----- explanations: every printed formula gives its printed result ---------------------------


def evaluate_printed(expression: str) -> float:
    """A formula's numeric part as printed, evaluated: '0.9·(-0.01) + 0.1·0.05²' → number."""
    text = expression.replace("−", "-").replace("·", "*").replace("²", "**2").replace("^", "**")
    text = re.sub(r"√([0-9.e+-]+)", r"math.sqrt(\1)", text)
    text = re.sub(r"\bln ([0-9.e+-]+)", r"math.log(\1)", text)
    return eval(text, {"math": math})


def check_formula_line(text: str) -> int:
    """For 'symbolic = numbers = result' lines: the numbers must give the result."""
    if "…" in text or "=" not in text:
        return 0
    *_, numbers, result = [part.strip() for part in text.split(" = ")]
    numbers = numbers.split(": ")[-1]
    value, printed = evaluate_printed(numbers), float(result.replace("−", "-"))
    scale = max(
        [abs(printed)] + [abs(float(v)) for v in re.findall(r"\d+\.?\d*(?:e-?\d+)?", numbers)]
    )
    assert abs(value - printed) <= 2e-3 * scale, text
    return 1


@pytest.mark.parametrize("name", ALL)
def test_explained_updates_compute_what_they_print(name):
    stepper = stepper_for(name, schedule="exponential", options=(("gamma", 0.9),))
    stepper.run(2)
    stepper.finish_step()
    checked = 0
    for layer in range(stepper.depth):
        for line in explain(stepper, layer, 1, 0):
            if line.kind == "formula" and not line.text.startswith(("C", "z", "a", "δ")):
                checked += check_formula_line(line.text)
    assert checked >= 2 * stepper.depth


def test_the_plain_sgd_update_has_its_minus_sign():
    stepper = load_preset("mazur").stepper()
    stepper.finish_step()
    text = "\n".join(line.text for line in explain(stepper, 1, 0))
    assert "update · SGD · w ← w + Δw, Δw = −η·∂C/∂w" in text
    assert "Δw_1 = −η·g = −0.5·0.08217 = -0.04108" in text
    assert "w_1: 0.4 + (-0.04108) = 0.3589" in text


def test_adam_explains_its_moments():
    stepper = stepper_for("adam")
    stepper.run(3)
    text = "\n".join(line.text for line in explain(stepper, 0, 0))
    for part in (
        "m = β1·m + (1 − β1)·g",
        "v = β2·v + (1 − β2)·g²",
        "m̂ = m/(1 − β1^t), t = 3",
        "v̂ = v/(1 − β2^t)",
        "Δw_1 = −η·m̂/(√v̂ + ε)",
    ):
        assert part in text


# ----- initializers ---------------------------------------------------------------------------


def test_initializers():
    rng = np.random.default_rng(0)
    spec = NetworkSpec((400, 300, 2), init="zeros")
    assert set(INITIALIZERS) == {"xavier", "he", "lecun", "normal", "uniform", "zeros"}
    from bptui.engine.initializers import initial_parameters

    (w, b), _ = initial_parameters(spec, rng)
    assert not w.any() and not b.any()
    w, _ = initial_parameters(dataclasses.replace(spec, init="lecun"), rng)[0]
    assert w.std() == pytest.approx(math.sqrt(1 / 400), rel=0.02)
    w, _ = initial_parameters(dataclasses.replace(spec, init="normal", init_scale=0.3), rng)[0]
    assert w.std() == pytest.approx(0.3, rel=0.02)


def test_zero_initialization_keeps_hidden_units_identical():
    preset = load_preset("xor")
    spec = dataclasses.replace(preset.network, init="zeros")
    stepper = Stepper(spec, preset.training, preset.data, 0)
    stepper.run(50)
    w = stepper.weights[0]
    assert np.array_equal(w[0], w[1])  # the symmetry is never broken


def test_the_readme_states_every_rule_and_default():
    from pathlib import Path

    readme = Path(__file__).resolve().parents[1].joinpath("README.md").read_text(encoding="utf-8")
    for name, cls in optimizers.OPTIMIZERS.items():
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{name}` |"))
        assert f"| {cls.default_learning_rate:g} |" in row, name
        for h in cls.hypers:
            assert f"`{h.key}`" in row and f"({h.default:g})" in row, (name, h.key)
    for name, cls in schedules.SCHEDULES.items():
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{name}` |"))
        for h in cls.hypers:
            assert f"`{h.key}`" in row and f"({h.default:g})" in row, (name, h.key)
