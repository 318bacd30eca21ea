"""Per-step training time of `bptui train` against PyTorch (CPU, float64) on the same problem.

    python benchmarks/train_vs_pytorch.py                 # every bundled preset, ~3 minutes
    python benchmarks/train_vs_pytorch.py --quick         # fewer repeats, shorter runs
    python benchmarks/train_vs_pytorch.py --presets spiral300 xor

For each preset both sides train the same network from the same initial weights on the same data
with the same per-step work (see `TorchProblem.train` for the list), and each is timed at two step
counts N1 < N2; the per-step time is (t(N2) − t(N1)) / (N2 − N1), which cancels interpreter
start-up, imports, data loading and JSON output. Every run is repeated and the fastest taken
(`--stat median` for the median): on a shared machine the minimum is the least disturbed.

- bptui: the real command, `python -m bptui train PRESET --steps N --json`, timed wall-clock as a
  subprocess.
- PyTorch: one long-lived worker subprocess per thread setting (this file with `--torch-worker`;
  torch's default number of threads, and 1) imports torch once, then on request times a whole
  training run of N steps in-process: model and optimizer built afresh from the NumPy weights,
  the steps, the loss history serialised as JSON.

The runs of all sides are interleaved (bptui N1, bptui N2, PyTorch N1, PyTorch N2, …, repeated),
so that a burst of other load on the machine hits every side alike. N2 is chosen per side from a
short calibration so that the N2 − N1 extra steps take about `--target-seconds`.

The first row is `benchmarks/spiral300.toml` (2-16-16-3 tanh/softmax, cross-entropy, 300
samples, full batch), where bptui's target is at most 0.35× PyTorch's time per step, judged
against the faster of the two PyTorch thread settings. As a correctness cross-check, the loss
histories of both sides' N1-step runs are compared.

Without torch installed the script says so and reports the bptui numbers only.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
HEADLINE = "spiral300"
HEADLINE_PATH = HERE / f"{HEADLINE}.toml"
TARGET_RATIO = 0.35  # bptui time per step / PyTorch time per step on the headline row
HEADLINE_FACTOR = 2  # the headline row runs this many times longer, for a steadier number
AGREE_STEPS = 20  # "a few steps" over which the two loss histories should agree to ~1e-10
STATISTICS = {"min": min, "median": statistics.median}
MIN_EXTRA_STEPS = 500  # N2 − N1 at least, whatever a (possibly disturbed) calibration says
NOISY = 0.2  # flag a number when its min- and median-based estimates differ by more than this


# ----- shared helpers -------------------------------------------------------------------------------


def preset_source(name: str) -> str:
    """What to pass to `bptui train`: the headline's file path or a bundled preset name."""
    return str(HEADLINE_PATH) if name == HEADLINE else name


def describe_network(preset) -> str:
    """E.g. '2-16-16-3 tanh/softmax, cross_entropy'."""
    net = preset.network
    shape = "-".join(str(n) for n in net.layers)
    acts = net.output_activation if len(net.layers) == 2 else \
        f"{net.hidden_activation}/{net.output_activation}"
    return f"{shape} {acts}, {net.loss}"


def describe_data(preset) -> str:
    """E.g. '300 / 0, full batch' or '1438 / 359, batch 64, shuffled' (train / test samples)."""
    data, training = preset.data, preset.training
    m = data.x_train.shape[0]
    text = f"{m} / {data.x_test.shape[0]}, "
    if training.batch_size <= 0 or training.batch_size >= m:
        return text + "full batch"
    return text + f"batch {training.batch_size}" + (", shuffled" if training.shuffle else "")


def calibrate_seconds_per_step(run_steps, budget: float = 0.15) -> float:
    """Seconds per step of `run_steps(n)`: double n until a run takes `budget` seconds, then
    take the fastest of three runs of that length."""
    def timed(n: int) -> float:
        start = time.perf_counter()
        run_steps(n)
        return time.perf_counter() - start

    n = 16
    while timed(n) < budget and n < 1 << 22:
        n *= 2
    return min(timed(n) for _ in range(3)) / n


def choose_n2(n1: int, seconds_per_step: float, target_seconds: float) -> int:
    """N2 such that the N2 − N1 extra steps take about target_seconds (at least MIN_EXTRA_STEPS)."""
    extra = int(round(target_seconds / max(seconds_per_step, 1e-9)))
    return n1 + min(max(extra, MIN_EXTRA_STEPS), 5_000_000)


def per_step_us(n1: int, n2: int, t1: list[float], t2: list[float], stat: str = "min") -> float:
    """(stat t(N2) − stat t(N1)) / (N2 − N1), in microseconds."""
    pick = STATISTICS[stat]
    return (pick(t2) - pick(t1)) / (n2 - n1) * 1e6


@dataclass
class Measurement:
    """One side's timings for one preset: step counts, wall times per repeat, the N1 run's losses."""

    n1: int
    n2: int
    t1: list[float] = field(default_factory=list)
    t2: list[float] = field(default_factory=list)
    loss: list[float | None] = field(default_factory=list)
    test_loss: list[float | None] = field(default_factory=list)
    stat: str = "min"

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


# ----- the bptui side -------------------------------------------------------------------------------


class BptuiSide:
    """Times the real `bptui train` command as a subprocess."""

    label = "bptui"

    def calibrate(self, name: str, n1: int, target_seconds: float) -> int:
        """N2 for this preset, from timing the engine in this process."""
        from bptui.preset import load_preset

        stepper = load_preset(preset_source(name)).stepper()
        return choose_n2(n1, calibrate_seconds_per_step(stepper.run), target_seconds)

    def run(self, name: str, steps: int) -> tuple[float, dict]:
        """Wall-clock seconds of one `bptui train --json` run and its parsed output."""
        command = [sys.executable, "-m", "bptui", "train", preset_source(name),
                   "--steps", str(steps), "--json"]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr}")
        return elapsed, json.loads(done.stdout)

    def close(self) -> None:
        """Nothing to clean up."""


# ----- the PyTorch side -----------------------------------------------------------------------------


class TorchProblem:
    """A preset's network, data, initial weights and training settings as torch float64 tensors."""

    def __init__(self, name: str):
        import torch

        from bptui.preset import load_preset

        preset = load_preset(preset_source(name))
        stepper = preset.stepper()
        self.torch = torch
        self.seed = preset.seed
        self.net = preset.network
        self.training = preset.training
        data = preset.data
        as_tensor = lambda a: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64))  # noqa: E731
        self.x, self.y = as_tensor(data.x_train), as_tensor(data.y_train)
        self.x_test, self.y_test = as_tensor(data.x_test), as_tensor(data.y_test)
        self.has_test = data.x_test.shape[0] > 0
        self.init = [(w.copy(), b.copy()) for w, b in zip(stepper.weights, stepper.biases)]
        self.m = self.x.shape[0]
        size = self.training.batch_size
        self.batch_size = self.m if size <= 0 or size >= self.m else size
        self.full_batch = self.batch_size == self.m
        self.batches_per_epoch = -(-self.m // self.batch_size)

    def model(self):
        """nn.Sequential of Linear layers and hidden activations, at the initial weights.

        The output activation is left to `cost` (log-softmax / logits for cross-entropy).
        """
        nn = self.torch.nn
        hidden = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU,
                  "leaky_relu": lambda: nn.LeakyReLU(0.01), "linear": nn.Identity}
        layers = []
        for index, (w, b) in enumerate(self.init):
            linear = nn.Linear(w.shape[1], w.shape[0], dtype=self.torch.float64)
            with self.torch.no_grad():
                linear.weight.copy_(self.torch.from_numpy(w))
                linear.bias.copy_(self.torch.from_numpy(b))
            layers.append(linear)
            if index < len(self.init) - 1:
                layers.append(hidden[self.net.hidden_activation]())
        return nn.Sequential(*layers)

    def cost(self, model, z, y):
        """bptui's cost of a batch from output pre-activations z (m, K), with the L2 term."""
        F = self.torch.nn.functional
        m = z.shape[0]
        loss, out = self.net.loss, self.net.output_activation
        if loss == "cross_entropy" and out == "softmax":
            value = -(y * F.log_softmax(z, dim=1)).sum() / m
        elif loss == "cross_entropy":
            value = F.binary_cross_entropy_with_logits(z, y, reduction="sum") / m
        else:
            outputs = {"sigmoid": self.torch.sigmoid, "tanh": self.torch.tanh, "relu": F.relu,
                       "leaky_relu": lambda t: F.leaky_relu(t, 0.01), "linear": lambda t: t,
                       "softmax": lambda t: F.softmax(t, dim=1)}
            a = outputs[out](z)
            value = F.mse_loss(a, y, reduction="sum") / (2 * m) if loss == "quadratic" \
                else F.mse_loss(a, y, reduction="mean")
        l2 = self.training.l2
        if l2 != 0.0:
            value = value + l2 / (2 * m) * sum(layer.weight.square().sum()
                                               for layer in model if hasattr(layer, "weight"))
        return value

    def evaluate(self, model, x, y) -> float:
        """Cost of (x, y) at the current weights, without autograd."""
        with self.torch.no_grad():
            return self.cost(model, model(x), y).item()

    def permutation(self, epoch: int):
        """The sample order of an epoch, drawn exactly as bptui's stepper draws it."""
        rng = np.random.default_rng(np.random.SeedSequence((self.seed, 0x5EED, epoch)))
        return self.torch.from_numpy(rng.permutation(self.m))

    def train(self, steps: int) -> dict:
        """`steps` training steps, doing per step what `bptui train` does:

        the batch (the whole set, or the preset's mini-batches in bptui's shuffled order,
        gathered with index_select); for mini-batches the cost of the whole training set, for a
        full batch the batch cost itself, recorded with .item(); the test-set cost (no_grad)
        when there is a held-out set; forward, loss, backward and a torch.optim.SGD step with
        the preset's learning rate, momentum and L2 (in the loss, weights only). Ends like
        bptui: the loss at the final weights, and the history serialised as JSON.
        """
        torch = self.torch
        model = self.model()
        optimizer = torch.optim.SGD(model.parameters(), lr=self.training.learning_rate,
                                    momentum=self.training.momentum)
        loss_history: list[float] = []
        test_history: list[float] = []
        epoch, order = -1, None

        def record(train_cost: float | None = None) -> None:
            loss_history.append(self.evaluate(model, self.x, self.y)
                                if train_cost is None else train_cost)
            if self.has_test:
                test_history.append(self.evaluate(model, self.x_test, self.y_test))

        for step in range(steps):
            start = (step % self.batches_per_epoch) * self.batch_size
            stop = min(start + self.batch_size, self.m)
            if self.full_batch:
                xb, yb = self.x, self.y
            else:
                if self.training.shuffle:
                    if step // self.batches_per_epoch != epoch:
                        epoch = step // self.batches_per_epoch
                        order = self.permutation(epoch)
                    rows = order[start:stop]
                    xb, yb = self.x.index_select(0, rows), self.y.index_select(0, rows)
                else:
                    xb, yb = self.x[start:stop], self.y[start:stop]
                record()
            loss = self.cost(model, model(xb), yb)
            value = loss.item()
            if self.full_batch:
                record(value)
            if not math.isfinite(value):
                break
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if len(loss_history) <= steps:
            record()
        result = {"loss": loss_history, "test_loss": test_history}
        json.dumps(result)  # as bptui does with its history
        return result


def torch_worker(threads: int) -> int:
    """The worker's loop: one JSON request per stdin line, one JSON answer per stdout line.

    Requests: {"preset", "calibrate": n1, "target"} → {"n2"} (after a warm-up run);
    {"preset", "steps", "history"} → {"seconds", and with history "loss", "test_loss"}.
    """
    import torch

    default_threads = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    print(json.dumps({"torch": torch.__version__, "default_threads": default_threads,
                      "threads": torch.get_num_threads()}), flush=True)
    problems: dict[str, TorchProblem] = {}
    for line in sys.stdin:
        request = json.loads(line)
        name = request["preset"]
        if name not in problems:
            problems[name] = TorchProblem(name)
        problem = problems[name]
        if "calibrate" in request:
            n1 = request["calibrate"]
            problem.train(n1)  # warm-up
            seconds_per_step = calibrate_seconds_per_step(problem.train)
            answer = {"n2": choose_n2(n1, seconds_per_step, request["target"])}
        else:
            start = time.perf_counter()
            result = problem.train(request["steps"])
            answer = {"seconds": time.perf_counter() - start}
            if request.get("history"):
                answer.update(result)
        print(json.dumps(answer), flush=True)
    return 0


class TorchSide:
    """A PyTorch worker subprocess at one thread setting (0: torch's default)."""

    def __init__(self, threads: int):
        command = [sys.executable, str(Path(__file__).resolve()), "--torch-worker",
                   "--threads", str(threads)]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True)
        self.info = self._answer()
        count = self.info["threads"]
        self.threads = count
        self.default = threads == 0
        self.label = f"PyTorch ({count} thread{'s' * (count != 1)}{', default' * self.default})"

    def _answer(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the PyTorch worker stopped (see its error above)")
        return json.loads(line)

    def _ask(self, **request) -> dict:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._answer()

    def calibrate(self, name: str, n1: int, target_seconds: float) -> int:
        """N2 for this preset, calibrated in the worker after a warm-up run."""
        return self._ask(preset=name, calibrate=n1, target=target_seconds)["n2"]

    def run(self, name: str, steps: int) -> tuple[float, dict]:
        """Seconds of one training run of `steps` steps in the worker, and its loss history."""
        answer = self._ask(preset=name, steps=steps, history=True)
        return answer.pop("seconds"), answer

    def close(self) -> None:
        """End the worker (it exits when its stdin closes)."""
        self.process.stdin.close()
        self.process.wait(timeout=30)


# ----- measuring ------------------------------------------------------------------------------------


def measure(name: str, sides: list, args) -> list[Measurement]:
    """Per side, the timings of N1- and N2-step runs, interleaved across sides and repeats."""
    target = args.target_seconds * (HEADLINE_FACTOR if name == HEADLINE else 1)
    results = [Measurement(args.n1, side.calibrate(name, args.n1, target), stat=args.stat)
               for side in sides]
    for _ in range(args.repeats):
        for side, result in zip(sides, results):
            seconds, out = side.run(name, result.n1)
            result.t1.append(seconds)
            if not result.loss:
                result.loss, result.test_loss = out["loss"], out.get("test_loss", [])
            result.t2.append(side.run(name, result.n2)[0])
    for side, result in zip(sides, results):
        print(f"{name}: {side.label} {result.us_per_step:.1f} µs/step (N = {result.n1} / "
              f"{result.n2}{', noisy' if result.noisy else ''})", file=sys.stderr, flush=True)
    return results


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


# ----- the report -----------------------------------------------------------------------------------


def machine_info(torch_info: dict | None, load_before: float | None) -> list[str]:
    """Lines about the machine and library versions."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # noqa: BLE001 - informational only
        blas = "BLAS unknown"
    line = f"- CPU: {cpu}, {os.cpu_count()} logical CPUs; {platform.system()} {platform.release()}"
    if load_before is not None:
        line += f"; 1-min load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
    lines = [line, f"- Python {platform.python_version()}, NumPy {np.__version__} ({blas}, its "
                   "default threads)"]
    if torch_info is None:
        lines.append("- PyTorch: not installed (bptui numbers only)")
    else:
        default = torch_info["default_threads"]
        lines.append(f"- PyTorch {torch_info['torch']}, float64, CPU; default "
                     f"torch.get_num_threads() = {default}"
                     + (", and with torch.set_num_threads(1)" if default != 1 else ""))
    return lines


def fmt_us(measurement: Measurement | None) -> str:
    """A per-step time in µs with sensible precision; † marks a noisy one."""
    if measurement is None:
        return "–"
    value = measurement.us_per_step
    if value <= 0:
        return "noisy†"
    text = f"{value:,.0f}" if value >= 100 else f"{value:.1f}"
    return text + ("†" if measurement.noisy else "")


def ratio(ours: Measurement, theirs: Measurement | None) -> float | None:
    """bptui's time per step as a multiple of PyTorch's, None if not measurable."""
    if theirs is None or theirs.us_per_step <= 0 or ours.us_per_step <= 0:
        return None
    return ours.us_per_step / theirs.us_per_step


def fmt_ratio(value: float | None) -> str:
    """E.g. '0.21×'."""
    return "–" if value is None else f"{value:.2f}×"


def fmt_loss(value: float | None) -> str:
    """A loss value, or 'nan' where JSON had null."""
    return "nan" if value is None else f"{value:.6g}"


def print_report(rows, torch_sides: list[TorchSide], load_before: float | None, args) -> None:
    """The machine info, the markdown table, the target verdict and the cross-check.

    rows: (name, preset, [bptui measurement, PyTorch measurement per torch side]).
    """
    torch_info = torch_sides[0].info if torch_sides else None
    if torch_info is None:
        print("PyTorch is not installed: bptui numbers only.\n")
    print("## Training step time: bptui vs PyTorch (CPU, float64)\n")
    print("\n".join(machine_info(torch_info, load_before)))
    print(f"- per-step time = ({args.stat} t(N2) − {args.stat} t(N1)) / (N2 − N1) over "
          f"{args.repeats} interleaved runs of each, N1 = {args.n1}, N2 calibrated to ≈"
          f"{args.target_seconds:g} s of extra steps "
          f"({HEADLINE_FACTOR * args.target_seconds:g} s for {HEADLINE})\n")
    head = ["preset", "network", "train / test, batch", "bptui µs/step"]
    for side in torch_sides:
        threads = f"{side.threads} thr."
        head += [f"PyTorch µs/step ({threads})", f"ratio ({threads})"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" if i < 3 else "---:" for i in range(len(head))) + "|")
    for name, preset, (ours, *theirs) in rows:
        label = f"**{name}**" if name == HEADLINE else name
        cells = [label, describe_network(preset), describe_data(preset), fmt_us(ours)]
        for other in theirs:
            cells += [fmt_us(other), fmt_ratio(ratio(ours, other))]
        print("| " + " | ".join(cells) + " |")
    notes = "ratio = bptui time per step / PyTorch time per step (lower is better for bptui). " \
        if torch_sides else ""
    print(f"\n{notes}† = noisy: the min- and median-based estimates differ by more than "
          f"{NOISY:.0%} (other load on the machine); rerun for a steadier number.")
    headline = next((row for row in rows if row[0] == HEADLINE), None)
    if headline and torch_sides:
        print_target(headline[2], torch_sides)
    if torch_sides:
        print_cross_check(rows, args.n1)


def print_target(measurements: list[Measurement], torch_sides: list[TorchSide]) -> None:
    """The headline verdict: bptui ≤ TARGET_RATIO × the faster PyTorch setting, per step."""
    ours, *theirs = measurements
    ratios = [ratio(ours, other) for other in theirs]
    known = [r for r in ratios if r is not None]
    worst = max(known) if known else None
    ok = worst is not None and worst <= TARGET_RATIO
    each = ", ".join(f"{fmt_ratio(r)} vs {side.threads} thread{'s' * (side.threads != 1)}"
                     for r, side in zip(ratios, torch_sides))
    line = (f"\n**Target** ({HEADLINE}: bptui ≤ {TARGET_RATIO}× the faster PyTorch setting per "
            f"step): {fmt_ratio(worst)} → **{'PASS' if ok else 'FAIL'}** ({each})")
    if any(m.noisy for m in measurements):
        line += " — noisy timings, rerun to confirm"
    print(line)


def print_cross_check(rows, n1: int) -> None:
    """How closely the two sides' loss histories of the N1-step runs agree, and that both learn."""
    print(f"\nCross-check, loss histories of the {n1}-step runs (max relative difference, "
          "bptui vs PyTorch with default threads):\n")
    print(f"| preset | first {AGREE_STEPS} steps | all {n1} steps | test loss | "
          f"loss at 0 → {n1} (bptui) | (PyTorch) |")
    print("|---|---:|---:|---:|---|---|")
    for name, _, (ours, other, *_) in rows:
        few = max_relative_difference(ours.loss, other.loss, AGREE_STEPS + 1)
        every = max_relative_difference(ours.loss, other.loss)
        test = (f"{max_relative_difference(ours.test_loss, other.test_loss):.1e}"
                if ours.test_loss else "–")
        ends = [f"{fmt_loss(m.loss[0])} → {fmt_loss(m.loss[-1])}" for m in (ours, other)]
        print(f"| {name} | {few:.1e} | {every:.1e} | {test} | {ends[0]} | {ends[1]} |")


# ----- command line ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None):
    """Command-line options (--torch-worker and --threads are internal)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presets", nargs="+", metavar="NAME",
                        help=f"rows to run (default: {HEADLINE} and every bundled preset)")
    parser.add_argument("--repeats", type=int, default=5, help="runs per step count (default 5)")
    parser.add_argument("--stat", choices=sorted(STATISTICS), default="min",
                        help="statistic of the repeated runs (default min)")
    parser.add_argument("--target-seconds", type=float, default=0.4,
                        help="time the N2 − N1 extra steps should take (default 0.4; the "
                             f"{HEADLINE} row gets {HEADLINE_FACTOR}×)")
    parser.add_argument("--n1", type=int, default=200, help="the smaller step count (default 200)")
    parser.add_argument("--no-single-thread", action="store_true",
                        help="skip the PyTorch runs with torch.set_num_threads(1)")
    parser.add_argument("--quick", action="store_true",
                        help="3 repeats and a 0.2 s target: a rough answer in about a minute")
    parser.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.target_seconds = 3, 0.2
    return args


def start_torch_sides(args) -> list[TorchSide]:
    """PyTorch workers at the default thread count and (unless it is 1 or skipped) 1 thread."""
    if importlib.util.find_spec("torch") is None:
        print("PyTorch is not installed: reporting bptui numbers only.", file=sys.stderr)
        return []
    sides = [TorchSide(0)]
    if not args.no_single_thread and sides[0].threads != 1:
        sides.append(TorchSide(1))
    return sides


def main(argv: list[str] | None = None) -> int:
    """Measure every requested preset and print the report (markdown) on stdout."""
    args = parse_args(argv)
    if args.torch_worker:
        return torch_worker(args.threads)
    from bptui.preset import bundled_names, load_preset

    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    names = args.presets or [HEADLINE] + bundled_names()
    torch_sides = start_torch_sides(args)
    sides = [BptuiSide(), *torch_sides]
    try:
        rows = [(name, load_preset(preset_source(name)), measure(name, sides, args))
                for name in names]
    finally:
        for side in sides:
            side.close()
    print_report(rows, torch_sides, load_before, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
