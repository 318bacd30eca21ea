"""The numbers the bundled lessons' checks and texts rely on, at the step counts the scripted
solutions use and at the far larger ones a learner reaches with `r` (the app trains 10,000 to
40,000 steps a second, so "train a few seconds" means 10^4 to 10^5 steps).

    python benchmarks/lesson_margins.py           # about a minute on 2 cores
    python benchmarks/lesson_margins.py --quick   # without the 100,000-step runs

Each line: the lesson, the situation, and the training (and held-out) cost at each step count.
"""

from __future__ import annotations

import argparse
import copy
import time

from bptui.lesson import load_lesson
from bptui.lesson.checks import whole_set_cost
from bptui.preset.loader import preset_from_dict


def variant(lesson: str, **changes):
    """The lesson's preset with `{"network.KEY": value, "training.KEY": value}` changed."""
    preset = load_lesson(lesson).preset
    doc = copy.deepcopy(preset.doc)
    for dotted, value in changes.items():
        table, key = dotted.split("__")
        doc.setdefault(table, {})[key] = value
    return preset_from_dict(doc, preset.source, preset.name, preset.base)


def costs(stepper, marks) -> str:
    """Train to each step count in `marks`; the costs there ('train/test')."""
    out = []
    for mark in marks:
        stepper.run(mark - stepper.step)
        text = f"{whole_set_cost(stepper, 'train'):.4g}"
        if stepper.data.has_test:
            text += f"/{whole_set_cost(stepper, 'test'):.4g}"
        out.append(f"{mark}: {text}" + (" DIVERGED" if stepper.diverged else ""))
        if stepper.diverged:
            break
    return ", ".join(out)


def report(lesson: str, what: str, stepper, marks) -> None:
    start = time.perf_counter()
    line = costs(stepper, marks)
    print(f"{lesson:15s} {what:42s} {line}  ({time.perf_counter() - start:.1f} s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 100,000-step runs")
    long = [] if parser.parse_args().quick else [100_000]

    report(
        "update",
        "η = 0.0001 (check: 10,000 steps)",
        load_lesson("update").preset.stepper(),
        [10_000, 30_000] + long,
    )
    for rate, check in ((0.1, "loss < 0.03"), (3.2, "diverged")):
        stepper = load_lesson("update").preset.stepper()
        stepper.learning_rate = rate
        report("update", f"η = {rate} from R (check: {check})", stepper, [500, 1000, 10_000])

    report("xor", "layers 2,1 (stays at 0.125)", variant("xor").stepper(), [500, 10_000] + long)
    report(
        "xor",
        "layers 2,2,1 (check: loss < 0.02)",
        variant("xor", network__layers=[2, 2, 1]).stepper(),
        [800, 1000, 1500],
    )

    sigmoid = load_lesson("vanishing").preset.stepper()
    report("vanishing", "sigmoid (stuck at ln 2 = 0.693)", sigmoid, [2000, 30_000] + long)
    for activation in ("tanh", "relu"):
        stepper = variant("vanishing", network__hidden_activation=activation).stepper()
        sigmoid = load_lesson("vanishing").preset.stepper()
        sigmoid.run(2000)
        stepper.adopt(sigmoid)
        report(
            "vanishing",
            f"{activation} from step 2000 (check: loss < 0.1)",
            stepper,
            [2500, 3000, 12_000],
        )

    report(
        "overfitting",
        "λ = 0 (check: loss < 0.03, test > 0.3)",
        load_lesson("overfitting").preset.stepper(),
        [200, 1000, 30_000] + long,
    )
    for l2 in (0.02, 0.03, 0.1):
        report(
            "overfitting",
            f"λ = {l2} from R (check: test < 0.15)",
            variant("overfitting", training__l2=l2).stepper(),
            [1000, 30_000] + long,
        )

    report(
        "initialization",
        "zeros (stays above 0.28)",
        load_lesson("initialization").preset.stepper(),
        [1000, 30_000] + long,
    )
    for init in ("xavier", "he", "normal", "uniform"):
        report(
            "initialization",
            f"{init} (check: loss < 0.05)",
            variant("initialization", network__init=init).stepper(),
            [200, 500, 1000],
        )


if __name__ == "__main__":
    main()
