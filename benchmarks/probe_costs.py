#!/usr/bin/env python
"""What the probes cost (nudge, slice, update check): a nudge and a 41-point slice on digits, and
the first-order
update check per step on blobs50k, each as a ratio to a plain training step in the same run.

    python benchmarks/probe_costs.py [--repeats 41] [--blocks 41] [--block-steps 200]

- nudge: `Point.current` + `nudge` of one weight (3 forward passes of the batch and a backward
  pass, with the chain-rule factors), on digits after 100 steps (mini-batch of 64).
- slice: `slice_loss` with 41 points along one weight (and, for comparison, the same 41 costs by
  41 separate forward passes, and a 41 × 41 map of two weights).
- first-order: two blobs50k steppers train the same run, one with `checking_updates`, in
  alternating blocks of steps; the overhead is the median over adjacent pairs of blocks of
  (time with the check / time without) − 1. Target: one extra batch forward pass
  a step, nothing when off.

BLAS runs single-threaded (set before NumPy loads, as bptui does) and times are CPU time of this
thread, so other processes on a busy machine do not count. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from problems import write_generated  # noqa: E402

from bptui.engine.address import parse  # noqa: E402
from bptui.engine.kernels import Workspace  # noqa: E402
from bptui.engine.landscape import slice_loss  # noqa: E402
from bptui.engine.nudge import nudge  # noqa: E402
from bptui.engine.probe import Point, batch_cost  # noqa: E402
from bptui.preset import load_preset  # noqa: E402


def cpu_seconds(work, repeats: int) -> float:
    """Median CPU seconds of this thread for one call of `work()`."""
    times = []
    for _ in range(repeats):
        start = time.thread_time()
        work()
        times.append(time.thread_time() - start)
    return statistics.median(times)


def plain_step_seconds(stepper, repeats: int, steps: int = 50) -> float:
    """Median CPU seconds of one training step (blocks of `steps`)."""
    return cpu_seconds(lambda: stepper.run(steps), repeats) / steps


def naive_slice(point: Point, index: int, values: np.ndarray) -> np.ndarray:
    """The slice's costs by one whole forward pass per value (what `losses_at` avoids)."""
    ws = Workspace(point.spec, point.m)
    out = []
    for value in values:
        flat = point.params.copy()
        flat[index] = value
        out.append(batch_cost(point, flat, ws))
    return np.array(out)


def probes_on_digits(repeats: int) -> list[tuple[str, float, float]]:
    """(what, µs, ratio to a plain step) for the digits rows."""
    preset = load_preset("digits")
    stepper = preset.stepper()
    stepper.run(100)
    step = plain_step_seconds(preset.stepper(), repeats)
    point = Point.current(stepper)
    address = parse("1:5:20", preset.network.layers)
    second = parse("2:3:7", preset.network.layers)
    low = parse("2:3:7", preset.network.layers)
    index = address.flat_index(point.shapes)
    values = slice_loss(point, [address]).values[0]
    assert np.allclose(
        naive_slice(point, index, values), slice_loss(point, [address]).loss, rtol=1e-12
    )
    rows = [
        ("step (plain, batch of 64)", step),
        (
            "nudge 1:5:20 (Point.current + nudge)",
            cpu_seconds(lambda: nudge(Point.current(stepper), address), repeats),
        ),
        (
            "slice, 41 points along 1:5:20 (layer 1)",
            cpu_seconds(lambda: slice_loss(point, [address]), repeats),
        ),
        (
            "slice, 41 points along 2:3:7 (output layer)",
            cpu_seconds(lambda: slice_loss(point, [low]), repeats),
        ),
        (
            "(41 separate forward passes, for comparison)",
            cpu_seconds(lambda: naive_slice(point, index, values), repeats),
        ),
        (
            "map, 41 × 41 points of 1:5:20 and 2:3:7",
            cpu_seconds(lambda: slice_loss(point, [address, second]), max(3, repeats // 8)),
        ),
    ]
    return [(what, seconds * 1e6, seconds / step) for what, seconds in rows]


def first_order_on_blobs(blocks: int, block_steps: int) -> dict:
    """Per-step CPU times with and without the update check, interleaved block by block."""
    folder = Path(tempfile.gettempdir()) / "bptui-benchmarks"
    folder.mkdir(exist_ok=True)
    preset = load_preset(str(write_generated("blobs50k", folder)))
    plain, checked = preset.stepper(), preset.stepper()
    checked.checking_updates = True
    for stepper in (plain, checked):
        stepper.run(block_steps)  # warm-up
    times: dict[str, list[float]] = {"plain": [], "checked": []}
    for i in range(blocks):
        order = [("plain", plain), ("checked", checked)]
        if i % 2:
            order.reverse()
        for label, stepper in order:
            start = time.thread_time()
            stepper.run(block_steps)
            times[label].append((time.thread_time() - start) / block_steps)
    assert np.array_equal(plain.params.flat, checked.params.flat), "the check changed the run"
    pairs = [c / p for c, p in zip(times["checked"], times["plain"])]
    return {
        "plain_us": statistics.median(times["plain"]) * 1e6,
        "checked_us": statistics.median(times["checked"]) * 1e6,
        "overhead": statistics.median(pairs) - 1,
        "overhead_min": min(times["checked"]) / min(times["plain"]) - 1,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=41)
    parser.add_argument("--blocks", type=int, default=41)
    parser.add_argument("--block-steps", type=int, default=200)
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"Machine: {os.cpu_count()} CPUs, load {load:.2f}, Python {platform.python_version()}, "
        f"NumPy {np.__version__}\n"
    )
    print("| digits (64-32-10, batch 64) | µs | × a plain step |")
    print("|---|---:|---:|")
    for what, micros, ratio in probes_on_digits(args.repeats):
        print(f"| {what} | {micros:,.0f} | {ratio:.1f} |")
    r = first_order_on_blobs(args.blocks, args.block_steps)
    print(
        "\n| blobs50k (20-64-3, batch 32) | µs/step without | with the update check | "
        "overhead (median of pairs) | (fastest blocks) |"
    )
    print("|---|---:|---:|---:|---:|")
    print(
        f"| first-order check | {r['plain_us']:.1f} | {r['checked_us']:.1f} | "
        f"{r['overhead']:+.1%} | {r['overhead_min']:+.1%} |"
    )


if __name__ == "__main__":
    main()
