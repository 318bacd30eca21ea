"""The numbers a bundled lesson's text quotes are its preset's: layer counts, η, and each cited
figure, computed here by the engine and compared to 3 significant figures (or to the digits
quoted, when fewer: "about 5×"). benchmarks/lesson_margins.py measures the longer runs.

A claim is (lesson, fragment, values): the fragment appears verbatim in the lesson file (step
texts, hints, description) once its braces are dropped, and the numbers in braces are the
values, in order."""

from __future__ import annotations

import copy
import re
from functools import cache

import numpy as np
import pytest

from bptui.lesson import bundled_lessons, load_lesson
from bptui.lesson.checks import whole_set_cost
from bptui.preset.loader import preset_from_dict

WORDS = {
    "no": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
}


def lesson_text(name: str) -> str:
    """Everything a learner reads of a lesson, on one line per paragraph (as wrapped text)."""
    lesson = load_lesson(name)
    parts = [lesson.description, lesson.outcome]
    for step in lesson.steps:
        parts += [step.text, *step.hints]
    return " ".join(" ".join(parts).split())


def variant(name: str, **changes):
    """The lesson's preset with network__KEY / training__KEY changed."""
    preset = load_lesson(name).preset
    doc = copy.deepcopy(preset.doc)
    for dotted, value in changes.items():
        table, key = dotted.split("__")
        doc.setdefault(table, {})[key] = value
    return preset_from_dict(doc, preset.source, preset.name, preset.base)


def at(stepper, phase: str, layer: int | None = None):
    """Micro-steps until the last one is `phase` (weight layer `layer`, from 1)."""
    while not (
        stepper.last.phase.value == phase and (layer is None or stepper.last.layer == layer - 1)
    ):
        stepper.micro_step()
    return stepper


def cost(stepper) -> float:
    return whole_set_cost(stepper, "train")


def steps_until(stepper, below: float, limit: int = 20_000, chunk: int = 10) -> int:
    """The first multiple of `chunk` steps at which the training cost is below `below`."""
    while cost(stepper) >= below and stepper.step < limit:
        stepper.run(chunk)
    return stepper.step


def rises(stepper, steps: int) -> int:
    """On how many of the next `steps` steps the training cost rose."""
    count, before = 0, cost(stepper)
    for _ in range(steps):
        stepper.run(1)
        now = cost(stepper)
        count += now > before
        before = now
    return count


def lowest(stepper, steps: int) -> float:
    """The lowest training cost over the next `steps` steps."""
    best = cost(stepper)
    for _ in range(steps):
        stepper.run(1)
        best = min(best, cost(stepper))
    return best


def diverges_after(stepper, rate: float, limit: int = 5000) -> int:
    """Steps at η = `rate` until training diverges."""
    stepper.learning_rate = rate
    start = stepper.step
    while not stepper.diverged and stepper.step - start < limit:
        stepper.run(1)
    return stepper.step - start


def batch_stepper(size: int):
    """The batch lesson's preset with `batch_size` = size."""
    return variant("batch", training__batch_size=size).stepper()


@cache
def largest_deltas(activation: str) -> list[float]:
    """Vanishing: the largest |δ| of each layer on sample 1 at backward layer 2."""
    stepper = at(
        variant("vanishing", network__hidden_activation=activation).stepper(), "backward", 2
    )
    return [float(np.abs(d[0]).max()) for d in stepper.ws.delta]


def w5_slice(rate: float):
    """The k view along w5 of Mazur's network at η = `rate` (the slope lesson's step 4): the
    slice, the tangent's promise at ◆ and the span (a power of 2) that shows ◆."""
    from types import SimpleNamespace

    from bptui.engine.address import parse
    from bptui.engine.landscape import SPAN, slice_loss
    from bptui.engine.probe import Point

    stepper = mazur()
    stepper.learning_rate = rate
    result = slice_loss(Point.current(stepper), [parse("2:1:1", (2, 2, 2))])
    move = result.next[0] - result.current[0]
    span = SPAN
    while span < abs(move):
        span *= 2
    return SimpleNamespace(
        promised=result.loss_current + result.gradient[0] * move,
        loss_next=result.loss_next,
        span_needed=span,
        loss_after_update=result.loss_after_update,
    )


def mazur():
    return load_lesson("forward").preset.stepper()


def trained(name: str, steps: int, **changes):
    stepper = variant(name, **changes).stepper()
    stepper.run(steps)
    return stepper


CLAIMS = [
    # forward, error, backward, slope: Mazur's worked example
    (
        "forward",
        "**w1 = {0.15}**, **w2 = {0.20}**, adds its bias **b1₁ = {0.35}**",
        lambda: [*mazur().weights[0][0], mazur().biases[0][0]],
    ),
    (
        "forward",
        "**w5 = {0.40}**, **w6 = {0.45}**, bias **b2₁ = {0.60}**",
        lambda: [*mazur().weights[1][0], mazur().biases[1][0]],
    ),
    ("forward", "answers **({0.7514}, {0.7729})**", lambda: at(mazur(), "forward", 2).ws.a[1][0]),
    (
        "forward",
        "z = 0.15·0.05 + 0.20·0.10 + 0.35 = {0.3775}",
        lambda: [at(mazur(), "forward", 1).ws.z[0][0, 0]],
    ),
    ("error", "Outputs **a = ({0.7514}, {0.7729})**", lambda: at(mazur(), "forward", 2).ws.a[1][0]),
    ("error", "**{0.2984}** (the top line's `loss`", lambda: [cost(mazur())]),
    ("error", "δ₁ = {0.1385} > 0", lambda: [at(mazur(), "error").ws.delta[1][0, 0]]),
    ("error", "δ₂ = {−0.0381} < 0", lambda: [at(mazur(), "error").ws.delta[1][0, 1]]),
    (
        "backward",
        "**δ₁ = {0.1385}** and **δ₂ = {−0.0381}**",
        lambda: at(mazur(), "error").ws.delta[1][0],
    ),
    (
        "backward",
        "w5 = {0.40} to output 1, w7 = {0.50} to output 2; a = {0.5933}",
        lambda: [
            mazur().weights[1][0, 0],
            mazur().weights[1][1, 0],
            at(mazur(), "forward", 1).ws.a[0][0, 0],
        ],
    ),
    (
        "backward",
        "∂C/∂w5 = 0.1385·0.5933 = {0.0822}",
        lambda: [at(mazur(), "backward", 2).grads.w[1][0, 0]],
    ),
    ("backward", "learning rate η = {0.5}", lambda: [mazur().learning_rate]),
    (
        "backward",
        "b ← b − η·δ: b2₁ from {0.60} to {0.5308}, b2₂ to {0.6190}",
        lambda: [mazur().biases[1][0], *at(mazur(), "update").biases[1]],
    ),
    ("backward", "δ_h1 = {0.008771}", lambda: [at(mazur(), "backward", 2).ws.delta[0][0, 0]]),
    (
        "backward",
        "0.008771·0.05 = {0.00043856}",
        lambda: [at(mazur(), "backward", 1).grads.w[0][0, 0]],
    ),
    (
        "slope",
        "(C(w+ε) − C(w−ε))/2ε = **{0.000438568}**",
        lambda: [at(mazur(), "backward", 1).grads.w[0][0, 0]],
    ),
    ("slope", "sits at w₅ = {0.3589}", lambda: [at(mazur(), "update").weights[1][0, 0]]),
    ("slope", "**+** six times (η = {32})", lambda: [mazur().learning_rate * 2**6]),
    (
        "slope",
        "(span ±{4}): ◆ moves {64}× further. The tangent promised C = {0.08233} at ◆, "
        "the curve gives {0.09516}",
        lambda: [w5_slice(32).span_needed, 64, w5_slice(32).promised, w5_slice(32).loss_next],
    ),
    (
        "slope",
        "The whole update moves every weight: {0.0005514}",
        lambda: [w5_slice(32).loss_after_update],
    ),
    # the learning rate
    (
        "update",
        "here **η = {0.0001}**",
        lambda: [load_lesson("update").preset.stepper().learning_rate],
    ),
    ("update", "about {0.2} after 10,000 steps", lambda: [cost(trained("update", 10_000))]),
    (
        "update",
        "below 0.03 after about {450} steps",
        lambda: [steps_until(variant("update", training__learning_rate=0.1).stepper(), 0.03)],
    ),
    (
        "update",
        "after {134} steps (η = 0.1 took {441})",
        lambda: [
            steps_until(variant("update", training__learning_rate=rate).stepper(), 0.03, chunk=1)
            for rate in (0.4, 0.1)
        ],
    ),
    # xor
    ("xor", "sticks at **{0.125}**", lambda: [cost(trained("xor", 500))]),
    (
        "xor",
        "it stays near 0.125 for about {600} steps",
        lambda: [steps_until(variant("xor", network__layers=[2, 2, 1]).stepper(), 0.12, chunk=100)],
    ),
    (
        "xor",
        "About {1,100} steps with η = {2}",
        lambda: [
            steps_until(variant("xor", network__layers=[2, 2, 1]).stepper(), 0.02, chunk=100),
            load_lesson("xor").preset.stepper().learning_rate,
        ],
    ),
    # vanishing
    (
        "vanishing",
        "**{Five} hidden layers** of {6} sigmoid units",
        lambda: [
            len(load_lesson("vanishing").preset.network.layers) - 2,
            load_lesson("vanishing").preset.network.layers[1],
        ],
    ),
    (
        "vanishing",
        "from the output: **{0.464}**, {0.0861}, {0.0126}, {0.00249}, {0.000525} and "
        "**{0.000159}** in hidden 1: about **{5}×**",
        lambda: [
            *largest_deltas("sigmoid")[::-1],
            (largest_deltas("sigmoid")[-1] / largest_deltas("sigmoid")[0]) ** (1 / 5),
        ],
    ),
    ("vanishing", "Stuck at **{0.693} = ln 2**", lambda: [cost(trained("vanishing", 2000))]),
    (
        "vanishing",
        "hidden 1 is **{0.146}**, 1/{3.56} of the output's (sigmoid: 1/{2920})",
        lambda: [
            largest_deltas("tanh")[0],
            largest_deltas("tanh")[-1] / largest_deltas("tanh")[0],
            largest_deltas("sigmoid")[-1] / largest_deltas("sigmoid")[0],
        ],
    ),
    # finding the learning rate
    (
        "learning-rate",
        "plain gradient descent with **η = {0.01}**",
        lambda: [load_lesson("learning-rate").preset.stepper().learning_rate],
    ),
    (
        "learning-rate",
        "at step 1,000 it is still about {0.170}",
        lambda: [cost(trained("learning-rate", 1000))],
    ),
    (
        "learning-rate",
        "The loss **falls**: about {0.0146} at step 1,000",
        lambda: [cost(trained("learning-rate", 1000, training__learning_rate=0.16))],
    ),
    (
        "learning-rate",
        "It rises on {28} of the first 300 steps",
        lambda: [rises(variant("learning-rate", training__learning_rate=0.32).stepper(), 300)],
    ),
    (
        "learning-rate",
        "Within about {140} steps",
        lambda: [diverges_after(trained("learning-rate", 300, training__learning_rate=0.32), 0.64)],
    ),
    (
        "learning-rate",
        "In these {300} steps the loss never gets below {0.018} at this η",
        lambda: [
            300,
            lowest(variant("learning-rate", training__learning_rate=0.32).stepper(), 300),
        ],
    ),
    (
        "learning-rate",
        "η = {0.32} converges, but bounces for {8,648} steps before it gets there.",
        lambda: [
            0.32,
            steps_until(
                variant("learning-rate", training__learning_rate=0.32).stepper(), 0.015, chunk=1
            ),
        ],
    ),
    (
        "learning-rate",
        "**-** (η = **{0.16}**), **N** `loss {0.015}` again: {828} steps",
        lambda: [
            0.16,
            0.015,
            steps_until(
                variant("learning-rate", training__learning_rate=0.16).stepper(), 0.015, chunk=1
            ),
        ],
    ),
    (
        "learning-rate",
        "η = {0.2} gets there in {980} steps, η = {0.3} in {8,312}",
        lambda: [
            0.2,
            steps_until(
                variant("learning-rate", training__learning_rate=0.2).stepper(), 0.015, chunk=10
            ),
            0.3,
            steps_until(
                variant("learning-rate", training__learning_rate=0.3).stepper(), 0.015, chunk=1
            ),
        ],
    ),
    # one sample, a mini-batch, the whole set
    (
        "batch",
        "w1 = {0.2}, w2 = {−0.1}, b = {0}",
        lambda: [*batch_stepper(1).weights[0][0], batch_stepper(1).biases[0][0]],
    ),
    (
        "batch",
        "a = {0.5744}, **δ = {−0.1040}**",
        lambda: [
            at(batch_stepper(1), "error").ws.a[0][0, 0],
            at(batch_stepper(1), "error").ws.delta[0][0, 0],
        ],
    ),
    (
        "batch",
        "(sample 1: {−0.1040}, sample 2: {0.125})",
        lambda: at(batch_stepper(0), "error").ws.delta[0][:2, 0],
    ),
    (
        "batch",
        "δ·x1 on w1: {−0.2081}, {0.125}, {−0.05923} and {0}",
        lambda: at(batch_stepper(0), "error").ws.delta[0][:, 0] * batch_stepper(0).batch_x[:, 0],
    ),
    (
        "batch",
        "{−0.1423} / 4 = {−0.03557}",
        lambda: [
            4 * at(batch_stepper(0), "backward", 1).dw[0][0, 0],
            at(batch_stepper(0), "backward", 1).dw[0][0, 0],
        ],
    ),
    (
        "batch",
        "δ·x1 = {−0.1040} · {2}",
        lambda: [at(batch_stepper(1), "error").ws.delta[0][0, 0], batch_stepper(1).batch_x[0, 0]],
    ),
    (
        "batch",
        "{−0.2081}: w1 will go up",
        lambda: [at(batch_stepper(1), "backward", 1).dw[0][0, 0]],
    ),
    # overfitting, dead units, initialization
    (
        "overfitting",
        "{24} noisy samples of y = sin(πx): the network trains on **{12}**",
        lambda: [
            load_lesson("overfitting").preset.data.x_train.shape[0]
            + load_lesson("overfitting").preset.data.x_test.shape[0],
            load_lesson("overfitting").preset.data.x_train.shape[0],
        ],
    ),
    (
        "overfitting",
        "At step {1,000} the training loss is higher ({0.09963}, was {0.01257}) and the test "
        "loss far lower ({0.09355}, was {0.8468})",
        lambda: [
            1000,
            cost(trained("overfitting", 1000, training__l2=0.03)),
            cost(trained("overfitting", 1000)),
            whole_set_cost(trained("overfitting", 1000, training__l2=0.03), "test"),
            whole_set_cost(trained("overfitting", 1000), "test"),
        ],
    ),
    (
        "dead-units",
        "ReLU network on the moons, **η = {5}**",
        lambda: [load_lesson("dead-units").preset.stepper().learning_rate],
    ),
    (
        "initialization",
        "preset's **seed** ({0})",
        lambda: [load_lesson("initialization").preset.stepper().seed],
    ),
]
NUMBER = re.compile(r"\{([^}]*)\}")


def agrees(value: float, quoted: str) -> bool:
    """`value` is the quoted figure to 3 significant figures (within 0.5%, as P grades), or,
    quoted with fewer digits, rounds to it."""
    text = quoted.replace(",", "").replace("−", "-")
    if text.lower() in WORDS:
        return value == WORDS[text.lower()]
    digits = len(text.lstrip("-").replace(".", "").lstrip("0").rstrip("0")) or 1
    if digits >= 3:
        return abs(value - float(text)) <= 0.005 * abs(float(text))
    return float(f"{float(value):.{digits}g}") == float(f"{float(text):.{digits}g}")


@pytest.mark.parametrize(
    "name, fragment, values", CLAIMS, ids=[f"{c[0]}-{i}" for i, c in enumerate(CLAIMS)]
)
def test_a_lessons_quoted_figures_are_its_presets(name, fragment, values):
    text = NUMBER.sub(r"\1", fragment)
    assert text in lesson_text(name), f"lesson {name} no longer says {text!r}"
    quoted = NUMBER.findall(fragment)
    computed = [float(v) for v in values()]
    assert len(quoted) == len(computed)
    wrong = [(q, f"{v:.6g}") for q, v in zip(quoted, computed) if not agrees(v, q)]
    assert not wrong, f"lesson {name}: quoted vs computed {wrong}"


ETA = re.compile(r"η = ([0-9.]+)")


@pytest.mark.parametrize("name", bundled_lessons())
def test_the_first_eta_a_lesson_quotes_is_its_presets(name):
    """Before any step changes it, η is the preset's."""
    lesson = load_lesson(name)
    first = ETA.search(" ".join([lesson.description, lesson.steps[0].text]))
    if first is not None:
        assert agrees(lesson.preset.stepper().learning_rate, first.group(1)), name


@pytest.mark.parametrize("name", bundled_lessons())
def test_hidden_layer_counts_a_lesson_quotes_are_its_presets(name):
    lesson = load_lesson(name)
    hidden = len(lesson.preset.network.layers) - 2
    opening = " ".join([lesson.description, lesson.steps[0].text]).lower()
    for word in re.findall(r"\b(\w+) hidden layers?\b", opening):
        if word in WORDS:
            assert WORDS[word] == hidden, f"{name} says {word} hidden layers; it has {hidden}"


def test_the_learning_rate_the_text_calls_the_answer_is_what_the_check_accepts():
    """learning-rate's last step: the text's answer (0.16) is the only η the check accepts, and
    the engine agrees it is the fastest of the halvings (0.32 converges too, far slower): the
    check asked for η ≤ 0.3 while the text said "- halves η" once (learner walk 2, #41). The
    0.32 run is a step of its own, whose check asks for 0.32: a learner who halved η once, as
    the text said, saw an 8,648-step run that did not count (learner walk 3)."""
    lesson = load_lesson("learning-rate")
    step = lesson.steps[-1]
    slower = lesson.steps[-2]
    assert slower.check.at_least == slower.check.at_most == 0.32 == 2 * step.check.at_most
    assert step.check.steps_at_most is not None  # the 828 steps count from R
    text = " ".join(step.text.split())
    answer = float(re.search(r"the answer is \*\*([0-9.]+)\*\*", text).group(1))
    assert step.check.at_least == answer == step.check.at_most
    taken = {
        rate: steps_until(
            variant("learning-rate", training__learning_rate=rate).stepper(), 0.015, chunk=10
        )
        for rate in (answer / 2, answer, answer * 2)
    }
    assert min(taken, key=taken.get) == answer, taken
