"""Training-step time per hidden activation, as a ratio to tanh (same network, data, seed).

    PYTHONPATH=. python benchmarks/activation_cost.py [--steps N] [--repeats R]

Network 2-32-32-1 on 200 generated circle samples, full batch (the explorer's typical size),
and 64-64-10 on the digits preset; prints a markdown table of the median time per step and
its ratio to tanh. GELU computes erf with the standard library element by element (NumPy has
no erf), so it is expected to cost several times tanh; the others are NumPy ufuncs.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bptui.engine.activations import HIDDEN_ACTIVATIONS
from bptui.preset import load_preset
from bptui.preset.loader import with_sets


def step_time(preset, steps: int, repeats: int) -> float:
    """Median seconds per training step over `repeats` runs of `steps` steps."""
    times = []
    for _ in range(repeats):
        stepper = preset.stepper()
        start = time.perf_counter()
        stepper.run(steps)
        times.append((time.perf_counter() - start) / steps)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows = (
        ("circle 2-32-32-1", "circle", ["network.layers=[2, 32, 32, 1]"]),
        ("digits 64-64-10", "digits", ["network.layers=[64, 64, 10]"]),
    )
    print("| network | " + " | ".join(HIDDEN_ACTIVATIONS) + " |")
    print("|---|" + "---|" * len(HIDDEN_ACTIVATIONS))
    for label, name, sets in rows:
        base = with_sets(load_preset(name), sets)
        times = {
            act: step_time(
                with_sets(base, [f"network.hidden_activation={act}"]), args.steps, args.repeats
            )
            for act in HIDDEN_ACTIVATIONS
        }
        cells = [
            f"{times[a] * 1e3:.3f} ms ({times[a] / times['tanh']:.1f}×)" for a in HIDDEN_ACTIVATIONS
        ]
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
