"""Training time of bptui against PyTorch (CPU, float64) and scikit-learn on the same problems.

    python benchmarks/train_vs_pytorch.py                 # every row, about 7 minutes on 2 cores
    python benchmarks/train_vs_pytorch.py --quick         # fewer repeats, shorter runs
    python benchmarks/train_vs_pytorch.py --presets spiral300 blobs50k --repeats 7

Rows: `spiral300` (benchmarks/spiral300.toml), every bundled preset, and two generated problems
that `problems.py` writes as a CSV and a preset into a temporary folder (blobs50k: 50,000 × 20,
3 classes, batches of 32; pixels20k: 784-256-10 on 20,000 rows, batches of 64).

For each row every side trains the same network from the same initial weights on the same data
with the same work per step as `bptui train` (see `TorchProblem.train`), and each side is timed
at two step counts N1 < N2; the per-step time is (t(N2) − t(N1)) / (N2 − N1), which cancels
start-up and the work done once per run. With mini-batches N2 − N1 is a whole number of epochs,
so the once-per-epoch evaluation of the whole training and held-out sets is in the figure as
often as it is in real training. The N1 and N2 runs are repeated (5 rounds, 3 for rows whose
runs are long) and the median of t(N2) − t(N1) over the rounds taken (`--stat min`: min t(N2) −
min t(N1)); rows whose min- and median-based figures disagree are measured once more, the
quickest first, while the time allows (`--budget`).

Each side runs in a long-lived worker subprocess (this file with `--worker KIND`) that loads
the row's data once and then times whole runs on request:

- bptui: what `bptui train PRESET --steps N --json` does once the preset is loaded (a fresh
  stepper, `run_with_progress`, the JSON result serialised), with NumPy's BLAS at its default
  thread count, and again with OPENBLAS_NUM_THREADS=1;
- PyTorch: at torch's default thread count, and with torch.set_num_threads(1); each run builds
  the model and optimizer afresh;
- scikit-learn (mini-batch rows where MLPClassifier can mirror the network): a worker that times
  `MLPClassifier.partial_fit` once per epoch, with the same layers, activation, solver,
  learning rate, momentum, batch size, L2 (its `alpha` is bptui's λ) and shuffling.

The runs of all sides are interleaved (bptui N1, bptui N2, PyTorch N1, …, repeated), so that a
burst of load on the machine hits every side alike. N2 comes from a short calibration per side.

Targets, for bptui as installed (default BLAS threads): ≤ 0.5× the faster PyTorch
setting per step on every bundled preset (and ≤ 0.35× on spiral300, the earlier headline), and
per epoch ≤ 0.5× scikit-learn on blobs50k.
As a correctness check the N1-step runs' loss histories (batch losses, and the whole-set losses
at the evaluation steps) of bptui and PyTorch are compared over the first 200 steps.

Without torch (or scikit-learn) installed the script says so and leaves that column out.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from mirrors import SklearnProblem, TorchProblem, batch_size, batches_per_epoch, sklearn_applies
from problems import GENERATED, SPIRAL300, headless_run, preset_source

HEADLINE_TARGET = 0.35  # spiral300: bptui / PyTorch per step
PRESET_TARGET = 0.5  # every bundled preset: bptui / PyTorch per step
SKLEARN_TARGET = 0.5  # blobs50k: bptui / scikit-learn per epoch
SKLEARN_TARGET_ROW = "blobs50k"
AGREE_STEPS = 200  # the loss histories should agree over this many steps ...
AGREE_TOLERANCE = 1e-9  # ... to this relative difference
STATISTICS = ("median", "min")
MIN_EXTRA_STEPS = 250  # N2 − N1 at least this many steps (then rounded up to whole epochs)
SLOW_ROUND = 12.0  # seconds: a row whose round of runs takes longer gets only ...
SLOW_REPEATS = 3  # ... this many rounds
NOISY = 0.2  # flag a number when its min- and median-based estimates differ by more than this


# ----- shared helpers -----------------------------------------------------------------------------


def describe_network(preset) -> str:
    """E.g. '2-16-16-3 tanh/softmax, CE'."""
    net = preset.network
    shape = "-".join(str(n) for n in net.layers)
    acts = (
        net.output_activation
        if len(net.layers) == 2
        else f"{net.hidden_activation}/{net.output_activation}"
    )
    loss = "CE" if net.loss == "cross_entropy" else net.loss
    return f"{shape} {acts}, {loss}"


def describe_training(preset) -> str:
    """E.g. '300 / 0, full, momentum' or '1438 / 359, 64, momentum, λ 0.5' (train / test)."""
    data, training = preset.data, preset.training
    m = data.x_train.shape[0]
    size = batch_size(preset)
    text = (
        f"{m:,} / {data.x_test.shape[0]:,}, {'full' if size == m else size}, {training.optimizer}"
    )
    return text + (f", λ {training.l2:g}" if training.l2 else "")


def calibrate_seconds_per_step(run_steps, multiple: int = 1, budget: float = 0.15) -> float:
    """Seconds per step of `run_steps(n)`: double n (a multiple of `multiple`) until a run takes
    `budget` seconds, then take the fastest of three runs of that length."""

    def timed(n: int) -> float:
        start = time.perf_counter()
        run_steps(n)
        return time.perf_counter() - start

    n = multiple * -(-16 // multiple)
    while timed(n) < budget and n < 1 << 22:
        n *= 2
    return min(timed(n) for _ in range(3)) / n


def choose_n2(n1: int, seconds_per_step: float, target_seconds: float, multiple: int = 1) -> int:
    """N2 such that the N2 − N1 extra steps take about target_seconds: at least MIN_EXTRA_STEPS,
    rounded up to whole epochs of `multiple` steps."""
    extra = max(target_seconds / max(seconds_per_step, 1e-9), MIN_EXTRA_STEPS)
    extra = min(int(extra), 5_000_000)
    return n1 + multiple * -(-extra // multiple)


def per_step_us(n1: int, n2: int, t1: list[float], t2: list[float], stat: str) -> float:
    """The extra time of N2 over N1 steps per extra step, in microseconds: min t(N2) − min t(N1)
    for "min"; for "median" the median of the differences of each repeat's N1 and N2 runs, which
    ran back to back (a burst of load that slows both cancels)."""
    if stat == "min":
        extra = min(t2) - min(t1)
    else:
        extra = statistics.median(b - a for a, b in zip(t1, t2))
    return extra / (n2 - n1) * 1e6


@dataclass
class Measurement:
    """One side's timings for one row: step counts, wall times per repeat, the N1 run's output."""

    n1: int
    n2: int
    stat: str
    t1: list[float] = field(default_factory=list)
    t2: list[float] = field(default_factory=list)
    out: dict = field(default_factory=dict)

    @property
    def us_per_step(self) -> float:
        """Per-step time in µs with start-up cancelled, from the chosen statistic."""
        return per_step_us(self.n1, self.n2, self.t1, self.t2, self.stat)

    @property
    def noisy(self) -> bool:
        """Whether the repeats disagree: min- and median-based estimates differ by > NOISY."""
        low = per_step_us(self.n1, self.n2, self.t1, self.t2, "min")
        mid = per_step_us(self.n1, self.n2, self.t1, self.t2, "median")
        return low <= 0 or mid <= 0 or abs(mid - low) > NOISY * min(low, mid)


@dataclass
class Row:
    """One problem: its name, the loaded preset, where workers read it, and what was measured."""

    name: str
    preset: object
    pickled: Path
    results: dict = field(default_factory=dict)  # side key → Measurement

    @property
    def per_epoch(self) -> int:
        """Steps per epoch: step counts are whole epochs apart."""
        return batches_per_epoch(self.preset)

    @property
    def mini_batch(self) -> bool:
        """Whether the preset trains on mini-batches."""
        return batch_size(self.preset) < self.preset.data.x_train.shape[0]


# ----- the sides: worker subprocesses -----------------------------------------------------------


class BptuiProblem:
    """What `bptui train PRESET --steps N --json` does once the preset is loaded."""

    def __init__(self, preset):
        self.preset = preset

    def train(self, steps: int) -> dict:
        """One run of `steps` steps; its JSON result."""
        return headless_run(self.preset, steps)

    @staticmethod
    def summary(out: dict) -> dict:
        """The histories and the accuracy (not the weights)."""
        keys = ("loss", "test_loss", "eval_steps", "batch_loss", "accuracy")
        return {key: out[key] for key in keys if key in out}


def worker(kind: str, threads: int) -> int:
    """A worker's loop: one JSON request per stdin line, one JSON answer per stdout line.

    Requests: {"row", "pickle", "calibrate": n1, "target", "multiple"} → {"n2"} (after a warm-up
    run); {"row", "pickle", "steps"} → {"seconds", and the run's history or summary}.
    The bptui worker's BLAS threads are set by its environment (OPENBLAS_NUM_THREADS).
    """
    if kind == "torch":
        import torch

        info = {"version": torch.__version__, "default_threads": torch.get_num_threads()}
        if threads:
            torch.set_num_threads(threads)
        info["threads"] = torch.get_num_threads()
        make = TorchProblem
    elif kind == "sklearn":
        import sklearn

        info, make = {"version": sklearn.__version__}, SklearnProblem
    else:
        info, make = {"blas": blas_info()}, BptuiProblem
    print(json.dumps(info), flush=True)
    problems: dict = {}
    for line in sys.stdin:
        request = json.loads(line)
        name = request["row"]
        if name not in problems:
            problems[name] = make(pickle.loads(Path(request["pickle"]).read_bytes()))
        problem = problems[name]
        if "calibrate" in request:
            n1, multiple = request["calibrate"], request["multiple"]
            problem.train(n1)  # warm-up
            seconds = calibrate_seconds_per_step(
                problem.train, multiple if kind == "sklearn" else 1
            )
            answer = {"n2": choose_n2(n1, seconds, request["target"], multiple)}
        else:
            start = time.perf_counter()
            out = problem.train(request["steps"])
            answer = {"seconds": time.perf_counter() - start}
            answer.update(problem.summary(out))
        print(json.dumps(answer), flush=True)
    return 0


class WorkerSide:
    """A worker subprocess: bptui or PyTorch at one thread setting (0: the library's default,
    1: one thread), or scikit-learn."""

    def __init__(self, kind: str, threads: int = 0):
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            kind,
            "--threads",
            str(threads),
        ]
        env = dict(os.environ)
        if kind == "bptui" and threads:
            env["OPENBLAS_NUM_THREADS"] = str(threads)
        self.kind = kind
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        self.info = self._answer()
        self.key = kind + ("-1" if threads == 1 else "")
        if kind == "torch":
            count = self.threads = self.info["threads"]
            self.label = f"PyTorch ({count} thread{'s' * (count != 1)})"
        elif kind == "bptui":
            self.threads = threads
            self.label = "bptui (1 BLAS thread)" if threads == 1 else "bptui"
        else:
            self.threads = None
            self.label = "scikit-learn"

    def applies(self, row: Row) -> bool:
        """scikit-learn: see `sklearn_applies`; the others: every row."""
        return self.kind != "sklearn" or sklearn_applies(row.preset)

    def _answer(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.kind} worker stopped (see its error above)")
        return json.loads(line)

    def _ask(self, row: Row, **request) -> dict:
        request.update(row=row.name, pickle=str(row.pickled))
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._answer()

    def calibrate(self, row: Row, n1: int, target_seconds: float) -> int:
        """N2 for this row, calibrated in the worker after a warm-up run."""
        return self._ask(row, calibrate=n1, target=target_seconds, multiple=row.per_epoch)["n2"]

    def run(self, row: Row, steps: int) -> tuple[float, dict]:
        """Seconds of one training run of `steps` steps in the worker, and its output."""
        answer = self._ask(row, steps=steps)
        return answer.pop("seconds"), answer

    def close(self) -> None:
        """End the worker (it exits when its stdin closes)."""
        self.process.stdin.close()
        self.process.wait(timeout=60)


# ----- measuring ----------------------------------------------------------------------------------


def first_n(row: Row, n1: int) -> int:
    """N1 for a row: at least `n1` steps and at least one epoch, whole epochs for scikit-learn."""
    return max(n1, row.per_epoch)


def measure(row: Row, sides: list, args) -> None:
    """Per side that applies, the timings of N1- and N2-step runs, interleaved across sides and
    repeats; a second round of repeats (same N1, N2) when a row's timings are noisy."""
    n1 = first_n(row, args.n1)
    target = args.target_seconds
    todo = [side for side in sides if side.applies(row)]
    for side in todo:
        if side.key not in row.results:
            step_1 = n1 if side.kind != "sklearn" else row.per_epoch * -(-n1 // row.per_epoch)
            row.results[side.key] = Measurement(
                step_1, side.calibrate(row, step_1, target), args.stat
            )
    rounds, done = args.repeats, 0
    while done < rounds:
        started = time.perf_counter()
        for side in todo:
            result = row.results[side.key]
            seconds, out = side.run(row, result.n1)
            result.t1.append(seconds)
            result.out = result.out or out
            result.t2.append(side.run(row, result.n2)[0])
        done += 1
        if time.perf_counter() - started > SLOW_ROUND:
            rounds = min(rounds, SLOW_REPEATS)
    for side in todo:
        result = row.results[side.key]
        print(
            f"{row.name}: {side.label} {result.us_per_step:,.1f} µs/step (N = {result.n1} / "
            f"{result.n2}, {len(result.t1)} runs each{', noisy' if result.noisy else ''})",
            file=sys.stderr,
            flush=True,
        )


def max_relative_difference(a: list, b: list, count: int | None = None) -> float:
    """max |a − b| / |b| over the first `count` entries (inf if any is missing or non-finite)."""
    n = min(len(a), len(b)) if count is None else count
    if len(a) < n or len(b) < n:
        return math.inf
    worst = 0.0
    for u, v in zip(a[:n], b[:n]):
        if u is None or v is None or not math.isfinite(u) or not math.isfinite(v):
            return math.inf
        worst = max(worst, abs(u - v) / max(abs(v), 1e-300))
    return worst


def agreement(ours: dict, theirs: dict, steps: int = AGREE_STEPS) -> dict:
    """Relative differences of two runs' histories over their first `steps` steps: batch losses,
    and the training and held-out costs at the evaluation steps ≤ steps (same steps required)."""
    k = sum(1 for s in ours["eval_steps"] if s <= steps)
    same = ours["eval_steps"][:k] == theirs["eval_steps"][:k]
    out = {
        "batch": max_relative_difference(ours["batch_loss"], theirs["batch_loss"], steps),
        "loss": max_relative_difference(ours["loss"], theirs["loss"], k) if same else math.inf,
        "evals": k,
    }
    if ours.get("test_loss"):
        out["test"] = (
            max_relative_difference(ours["test_loss"], theirs["test_loss"], k) if same else math.inf
        )
    return out


# ----- the report ---------------------------------------------------------------------------------


def blas_info() -> str:
    """NumPy's BLAS and its thread count (threadpoolctl, which scikit-learn brings, if present)."""
    try:
        from threadpoolctl import threadpool_info

        pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        if pools:
            p = pools[0]
            return (
                f"{p['internal_api']} {p['version']} ({p['architecture']}), "
                f"{p['num_threads']} threads"
            )
    except Exception:
        pass
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')}, its default threads"
    except Exception:
        return "BLAS unknown"


def machine_info(sides: dict, loads: tuple[float, float]) -> list[str]:
    """Lines about the machine, its load and the library versions."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    lines = [
        f"- CPU: {cpu}, {os.cpu_count()} logical CPUs; {platform.system()} "
        f"{platform.release()}; 1-min load average {loads[0]:.2f} before, "
        f"{loads[1]:.2f} after",
        f"- Python {platform.python_version()}, NumPy {np.__version__} "
        f"({sides['bptui'].info['blas']}"
        + ("; and with OPENBLAS_NUM_THREADS=1" if "bptui-1" in sides else "")
        + ")",
    ]
    torch = sides.get("torch")
    if torch is None:
        lines.append("- PyTorch: not installed (no PyTorch columns)")
    else:
        default = torch.info["default_threads"]
        lines.append(
            f"- PyTorch {torch.info['version']}, float64, CPU, eager `nn.Sequential`; "
            f"default torch.get_num_threads() = {default}"
            + (", and with torch.set_num_threads(1)" if "torch-1" in sides else "")
        )
    learn = sides.get("sklearn")
    lines.append(
        f"- scikit-learn {learn.info['version']}, MLPClassifier.partial_fit once per epoch"
        if learn
        else "- scikit-learn: not installed (no scikit-learn column)"
    )
    return lines


def fmt_time(measurement: Measurement | None, scale: float = 1.0) -> str:
    """A per-step time in µs (times `scale`, e.g. steps per epoch / 1000 for ms per epoch) with
    sensible precision; † marks a noisy one."""
    if measurement is None:
        return "–"
    value = measurement.us_per_step * scale
    if value <= 0:
        return "noisy†"
    text = f"{value:,.0f}" if value >= 100 else f"{value:.1f}"
    return text + ("†" if measurement.noisy else "")


def ratio(ours: Measurement | None, theirs: Measurement | None) -> float | None:
    """bptui's time as a multiple of the other's, None if not measurable."""
    if ours is None or theirs is None or theirs.us_per_step <= 0 or ours.us_per_step <= 0:
        return None
    return ours.us_per_step / theirs.us_per_step


def fmt_ratio(value: float | None) -> str:
    """E.g. '0.21×'."""
    return "–" if value is None else f"{value:.2f}×"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def fastest_torch(row: Row) -> Measurement | None:
    """The faster of the PyTorch settings on this row (None without PyTorch)."""
    known = [
        row.results[key]
        for key in ("torch", "torch-1")
        if key in row.results and row.results[key].us_per_step > 0
    ]
    return min(known, key=lambda m: m.us_per_step) if known else None


def step_target(row: Row) -> float | None:
    """The per-step target against PyTorch for this row, if it has one."""
    if row.name == SPIRAL300:
        return HEADLINE_TARGET
    return None if row.name in GENERATED else PRESET_TARGET


def print_report(rows: list[Row], sides: dict, loads: tuple[float, float], args) -> None:
    """The machine, the per-step table, the per-epoch table, the targets and the cross-check."""
    print("## Training time: bptui vs PyTorch (CPU, float64) and scikit-learn\n")
    print("\n".join(machine_info(sides, loads)))
    runs = sorted({len(m.t1) for row in rows for m in row.results.values()})
    runs = f"{runs[0]}" if len(runs) == 1 else f"{runs[0]}–{runs[-1]}"
    how = (
        "median over repeats of (t(N2) − t(N1))"
        if args.stat == "median"
        else "(min t(N2) − min t(N1))"
    )
    print(
        f"- per-step time = {how} / (N2 − N1), {runs} interleaved repeats of each; "
        f"N1 = max({args.n1}, one epoch), "
        f"N2 − N1 whole epochs calibrated to ≈{args.target_seconds:g} s\n"
    )
    columns = [(key, f"{side.label} µs/step") for key, side in sides.items() if key != "sklearn"]
    head = [
        "problem",
        "network",
        "train / test, batch, optimizer",
        *(title for _, title in columns),
        "bptui / faster PyTorch",
        "target",
    ]
    if "bptui-1" in sides and "torch" in sides:
        head.insert(-1, "(with 1 BLAS thread)")
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" if i < 3 else "---:" for i in range(len(head) - 1)) + "|---|")
    for row in rows:
        fastest = fastest_torch(row)
        cells = [
            row.name,
            describe_network(row.preset),
            describe_training(row.preset),
            *(fmt_time(row.results.get(key)) for key, _ in columns),
            fmt_ratio(ratio(row.results["bptui"], fastest)),
        ]
        if "bptui-1" in sides and "torch" in sides:
            cells.append(fmt_ratio(ratio(row.results["bptui-1"], fastest)))
        target, value = step_target(row), ratio(row.results["bptui"], fastest)
        cells.append(
            "–" if target is None or value is None else f"≤ {target}×: {verdict(value <= target)}"
        )
        print("| " + " | ".join(cells) + " |")
    print(
        "\nratio = bptui time per step / the faster PyTorch setting's (lower is better for "
        "bptui). † = noisy: the min- and median-based estimates differ by more than "
        f"{NOISY:.0%} (other load on the machine)."
    )
    print_epochs(rows, sides)
    print_targets(rows, sides)
    if "torch" in sides:
        print_cross_check(rows, sides["torch"])


def print_epochs(rows: list[Row], sides: dict) -> None:
    """Per-epoch times of the mini-batch rows, with scikit-learn where it applies."""
    epoch_rows = [row for row in rows if row.mini_batch]
    if not epoch_rows:
        return
    print(
        "\nPer epoch (mini-batch rows; bptui's and PyTorch's include the one evaluation of the "
        "whole training and held-out sets per epoch, scikit-learn evaluates nothing):\n"
    )
    print(
        "| problem | steps / epoch | bptui ms/epoch | (1 BLAS thread) | PyTorch ms/epoch "
        "(faster) | scikit-learn ms/epoch | bptui / scikit-learn | (1 BLAS thread) | "
        "held-out accuracy after the N1 runs (bptui / scikit-learn; epochs) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for row in epoch_rows:
        scale = row.per_epoch / 1000
        ours, single = row.results["bptui"], row.results.get("bptui-1")
        learn = row.results.get("sklearn")
        accuracy = f"{ours.out.get('accuracy', math.nan):.3f}"
        epochs = f"{ours.n1 / row.per_epoch:.3g}"
        if learn:
            accuracy += f" / {learn.out['accuracy']:.3f}"
            epochs += f" / {learn.n1 // row.per_epoch}"
        print(
            f"| {row.name} | {row.per_epoch:,} | {fmt_time(ours, scale)} | "
            f"{fmt_time(single, scale)} | {fmt_time(fastest_torch(row), scale)} | "
            f"{fmt_time(learn, scale)} | {fmt_ratio(ratio(ours, learn))} | "
            f"{fmt_ratio(ratio(single, learn))} | {accuracy} ({epochs}) |"
        )


def print_targets(rows: list[Row], sides: dict) -> None:
    """Each speed target (and the spiral300 headline), met or missed."""
    print("\n**Targets** (bptui with NumPy's default BLAS threads)\n")
    against = {row.name: ratio(row.results["bptui"], fastest_torch(row)) for row in rows}
    presets = [row.name for row in rows if step_target(row) == PRESET_TARGET]
    if "torch" in sides and presets:
        missed = [
            f"{name} {fmt_ratio(against[name])}"
            for name in presets
            if (against[name] or math.inf) > PRESET_TARGET
        ]
        worst = max(presets, key=lambda name: against[name] or math.inf)
        print(
            f"- bptui ≤ {PRESET_TARGET}× PyTorch per step on every bundled preset: "
            f"{verdict(not missed)} (worst: {worst} {fmt_ratio(against[worst])}"
            + (f"; missed on {', '.join(missed)})" if missed else ")")
        )
    if SPIRAL300 in against and "torch" in sides:
        value = against[SPIRAL300]
        print(
            f"- {SPIRAL300}: bptui ≤ {HEADLINE_TARGET}× PyTorch per step: "
            f"{fmt_ratio(value)} → {verdict(value is not None and value <= HEADLINE_TARGET)}"
        )
    blobs = next((row for row in rows if row.name == SKLEARN_TARGET_ROW), None)
    if blobs and "sklearn" in blobs.results:
        value = ratio(blobs.results["bptui"], blobs.results["sklearn"])
        print(
            f"- {SKLEARN_TARGET_ROW}: bptui ≤ {SKLEARN_TARGET}× scikit-learn per epoch: "
            f"{fmt_ratio(value)} → {verdict(value is not None and value <= SKLEARN_TARGET)}"
        )
    if any(m.noisy for row in rows for m in row.results.values()):
        print("- some figures are marked noisy (†): the machine was busy; rerun to confirm")


def print_cross_check(rows: list[Row], torch_side) -> None:
    """How closely bptui's and PyTorch's histories of the N1-step runs agree."""
    print(
        f"\nCross-check: the histories of bptui's and {torch_side.label}'s N1-step runs over "
        f"the first {AGREE_STEPS} steps (max relative difference; target ≤ "
        f"{AGREE_TOLERANCE:g}):\n"
    )
    print(
        "| problem | batch loss (per step) | training-set loss (evaluations) | held-out loss | "
        "loss at 0 → last (bptui) | (PyTorch) |"
    )
    print("|---|---:|---:|---:|---|---|")
    worst = (0.0, "")
    for row in rows:
        ours, theirs = row.results["bptui"].out, row.results["torch"].out
        check = agreement(ours, theirs)
        for key in ("batch", "loss", "test"):
            if check.get(key, 0.0) > worst[0]:
                worst = (check[key], row.name)
        test = f"{check['test']:.1e}" if "test" in check else "–"
        ends = [f"{fmt_loss(h['loss'][0])} → {fmt_loss(h['loss'][-1])}" for h in (ours, theirs)]
        print(
            f"| {row.name} | {check['batch']:.1e} | {check['loss']:.1e} ({check['evals']}) | "
            f"{test} | {ends[0]} | {ends[1]} |"
        )
    print(f"\nWorst: {worst[0]:.1e} ({worst[1] or '–'}) → {verdict(worst[0] <= AGREE_TOLERANCE)}")


def fmt_loss(value: float | None) -> str:
    """A loss value, or 'nan' where JSON had null."""
    return "nan" if value is None else f"{value:.6g}"


# ----- command line -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None):
    """Command-line options (--worker and --threads are internal)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--presets",
        nargs="+",
        metavar="NAME",
        help=f"rows to run (default: {SPIRAL300}, every bundled preset, {', '.join(GENERATED)})",
    )
    parser.add_argument("--repeats", type=int, default=5, help="runs per step count (default 5)")
    parser.add_argument(
        "--stat",
        choices=STATISTICS,
        default="median",
        help="statistic of the repeated runs (default median)",
    )
    parser.add_argument(
        "--target-seconds",
        type=float,
        default=0.4,
        help="time the N2 − N1 extra steps should take (default 0.4; at least one epoch)",
    )
    parser.add_argument(
        "--n1",
        type=int,
        default=AGREE_STEPS,
        help=f"the smaller step count (default {AGREE_STEPS}; at least one epoch)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=420,
        help="seconds within which rows with noisy figures are measured once more (default 420)",
    )
    parser.add_argument(
        "--no-single-thread",
        action="store_true",
        help="skip the runs with one thread (bptui's BLAS, PyTorch)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="3 repeats and a 0.2 s target: a rough answer"
    )
    parser.add_argument("--worker", choices=("bptui", "torch", "sklearn"), help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.target_seconds, args.budget = 3, 0.2, 0
    return args


def start_workers(args) -> dict[str, WorkerSide]:
    """Workers by key: bptui and PyTorch at their default thread counts and (unless skipped)
    with one thread, and scikit-learn, for the libraries that are installed."""
    sides = {"bptui": WorkerSide("bptui")}
    if not args.no_single_thread:
        sides["bptui-1"] = WorkerSide("bptui", 1)
    if importlib.util.find_spec("torch") is None:
        print("PyTorch is not installed: no PyTorch columns.", file=sys.stderr)
    else:
        sides["torch"] = WorkerSide("torch")
        if not args.no_single_thread and sides["torch"].threads != 1:
            sides["torch-1"] = WorkerSide("torch", 1)
    if importlib.util.find_spec("sklearn") is None:
        print("scikit-learn is not installed: no scikit-learn column.", file=sys.stderr)
    else:
        sides["sklearn"] = WorkerSide("sklearn")
    return sides


def load_rows(names: list[str], folder: Path) -> list[Row]:
    """Load every row's preset (writing the generated ones) and pickle it for the workers."""
    from bptui.preset import load_preset

    rows = []
    for name in names:
        print(f"{name}: loading", file=sys.stderr, flush=True)
        preset = load_preset(preset_source(name, folder))
        pickled = folder / f"{name}.pickle"
        pickled.write_bytes(pickle.dumps(preset))
        rows.append(Row(name, preset, pickled))
    return rows


def main(argv: list[str] | None = None) -> int:
    """Measure every requested row and print the report (markdown) on stdout."""
    args = parse_args(argv)
    if args.worker:
        return worker(args.worker, args.threads)
    from bptui.preset import bundled_names

    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    names = args.presets or [SPIRAL300, *bundled_names(), *GENERATED]
    with tempfile.TemporaryDirectory(prefix="bptui-bench-") as tmp:
        rows = load_rows(names, Path(tmp))
        sides = start_workers(args)
        try:
            took = {}
            for row in rows:
                start = time.perf_counter()
                measure(row, list(sides.values()), args)
                took[row.name] = time.perf_counter() - start
            for row in sorted(rows, key=lambda row: took[row.name]):
                noisy = any(m.noisy for m in row.results.values())
                if noisy and time.perf_counter() - started + took[row.name] < args.budget:
                    print(f"{row.name}: noisy, measuring again", file=sys.stderr, flush=True)
                    measure(row, list(sides.values()), args)
        finally:
            for side in sides.values():
                side.close()
    print_report(rows, sides, (load_before, os.getloadavg()[0]), args)
    print(f"\nTotal benchmark time {time.perf_counter() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
