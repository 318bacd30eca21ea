"""`bptui compare PRESET --vary KEY=V1,V2 [...]`: train every combination side by side.

Each run is the preset with `--set` overrides and one value of each `--vary` key, trained from
the preset's seeded initial weights (the same for every run unless a varied key changes the
layer sizes, the initialization or the seed). The runs are independent and deterministic, so
they go to a pool of two worker processes when there are two or more and they take long
enough (the numbers are the same bit for bit as in one process). Output: a table and, on a
terminal, one chart of the loss curves (the training and the test loss when the preset holds out a
test set; `--curve train|test|both`); or with `--json`, one JSON array of `bptui train
--json` objects, each with a `vary` object of its values, `seconds` and `steps_to_goal`.

However the command ends (Ctrl+C, SIGTERM, SIGHUP, an error), its workers end with it: the
parent terminates them at once, and a worker whose parent has gone (killed outright) notices
within moments through a pipe only the parent holds open, and exits.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import json
import math
import multiprocessing
import os
import queue
import shutil
import signal
import sys
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from bptui.commands.train import DEFAULT_STEPS, ProgressBar, headless_stepper, result
from bptui.preset import Preset, PresetError
from bptui.preset import goal as goals
from bptui.preset.loader import with_overrides
from bptui.preset.overrides import Override, parse_key, parse_set, parse_value, split_assignment
from bptui.text import printable

MAX_RUNS = 64
WORKERS = 2
GOAL_CHECKS = 200  # goal progress is checked about this many times per run
POOL_FROM = 1.0  # seconds of estimated work in one process from which a pool pays off
PROBE_STEPS = 20  # steps of the first run timed to estimate that
RUN_POINTS = 2_000  # history values kept per series of one run (up to MAX_RUNS of them)


# ----- the command line -----------------------------------------------------------------------


def split_top_level(text: str) -> list[str]:
    """'sgd,adam' → ['sgd', 'adam']; commas inside [...], {...} or quotes do not split, so
    '[2,4,1],[2,8,1]' → ['[2,4,1]', '[2,8,1]']."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def parse_vary(text: str) -> tuple[str, list]:
    """One `--vary KEY=V1,V2,...` → (key, values)."""
    key, values = split_assignment(text, "--vary", "training.optimizer=sgd,momentum,adam")
    items = split_top_level(values)
    if not values or any(not item for item in items):
        raise PresetError(
            "--vary",
            key,
            f"{values!r} has an empty value (allowed: values "
            f"separated by commas, e.g. sgd,momentum,adam)",
        )
    return key, [parse_value(item, "--vary", key) for item in items]


def plan_runs(
    preset: Preset, sets: list[Override], varies: list[tuple[str, list]]
) -> list[tuple[dict, Preset]]:
    """Every combination of the varied values as ({key: value}, validated preset), in order:
    `preset` (which has the `--set` overrides `sets` applied already) with one value of each
    varied key. Every run is validated before any trains."""
    keys = [key for key, _ in varies]
    for key in keys:
        parse_key(key, "--vary")
        if keys.count(key) > 1:
            raise PresetError("--vary", key, "is varied twice (give all its values in one --vary)")
        if any(o.key == key for o in sets):
            raise PresetError("--vary", key, "is also given with --set (vary it or set it)")
    count = math.prod(len(values) for _, values in varies)
    if count > MAX_RUNS:
        raise PresetError(
            "--vary", None, f"{count} combinations is too many runs (allowed: up to {MAX_RUNS})"
        )
    runs = []
    for combo in itertools.product(*(values for _, values in varies)):
        vary = dict(zip(keys, combo))
        overrides = [Override(k, v, "--vary") for k, v in vary.items()]
        runs.append((vary, with_overrides(preset, overrides)))
    return runs


# ----- one run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One run: its position, its varied values, its preset and its length."""

    index: int
    vary: dict
    preset: Preset
    steps: int


_progress = None  # in a worker: the queue to report (index, steps done, loss) to
_stop = None  # in a worker: the event that asks runs to stop early


def _init_worker(progress, stop, lifeline=None) -> None:
    """A worker ignores ctrl+c (the parent ends it), reports to the parent, and exits as soon as
    the parent is gone: `lifeline` is the reading end of a pipe whose writing end only the
    parent holds, so reading it ends (EOF) exactly when the parent has exited, however."""
    global _progress, _stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _progress, _stop = progress, stop
    if lifeline is not None:
        threading.Thread(target=_exit_with_parent, args=(lifeline,), daemon=True).start()


def _exit_with_parent(lifeline) -> None:
    """Block until the parent's end of the lifeline closes, then end this worker."""
    try:
        lifeline.recv_bytes()
    except (EOFError, OSError):
        pass
    os._exit(1)


def run_job(job: Job, report=None, should_stop=None) -> dict:
    """Train one run and return its `train --json` object with `vary`, `seconds` and
    `steps_to_goal` (the first goal check at which the goal's loss/accuracy target was met;
    checked every `steps / GOAL_CHECKS` steps)."""
    if report is None and _progress is not None:
        report = lambda done, loss: _progress.put((job.index, done, loss))
    if should_stop is None and _stop is not None:
        should_stop = _stop.is_set
    preset, goal = job.preset, job.preset.goal
    stepper = headless_stepper(preset, points=RUN_POINTS)
    chunk = max(1, job.steps // GOAL_CHECKS)
    reached_at = 0 if goal and goals.progress(goal, stepper) else None
    start = time.perf_counter()
    done = 0
    while done < job.steps and not stepper.diverged:
        if should_stop is not None and should_stop():
            break
        done += stepper.run(min(chunk, job.steps - done))
        if reached_at is None and goal is not None and goals.progress(goal, stepper):
            reached_at = done
        if report is not None:
            report(done, stepper.last_cost)
    seconds = time.perf_counter() - start
    out = result(preset, stepper, done)
    out.update(vary=job.vary, seconds=round(seconds, 4), steps_to_goal=reached_at)
    return out


def estimated_seconds(jobs: list[Job]) -> float:
    """Seconds all jobs would take in this process, from a few steps of the first one."""
    stepper = jobs[0].preset.stepper()
    steps = min(PROBE_STEPS, jobs[0].steps)
    start = time.perf_counter()
    stepper.run(steps)
    per_step = (time.perf_counter() - start) / max(1, steps)
    return per_step * sum(job.steps for job in jobs)


def workers_for(jobs: list[Job]) -> int:
    """Two worker processes for two or more runs that take long enough for the processes'
    start-up (a few tenths of a second) to pay off; else 1 (this process)."""
    workers = min(WORKERS, os.cpu_count() or 1, len(jobs))
    if workers < 2 or estimated_seconds(jobs) < POOL_FROM:
        return 1
    return workers


def run_all(jobs: list[Job], workers: int, show_progress: bool) -> list[dict]:
    """Results of every job, in order: in this process (workers ≤ 1) or in a process pool."""
    bar = ProgressBar(sum(job.steps for job in jobs), show_progress)
    done = [0] * len(jobs)

    def report(index, steps, loss):
        done[index] = steps
        bar.update(sum(done), loss)

    def here():
        return [run_job(job, lambda s, loss, i=job.index: report(i, s, loss)) for job in jobs]

    try:
        if workers <= 1 or len(jobs) < 2:
            return here()
        try:
            return run_in_pool(jobs, workers, report)
        except (BrokenProcessPool, OSError):
            return here()  # no processes to be had here: the same numbers, one by one
    finally:
        bar.close()


def pool_context():
    """forkserver where there is one (no fork of a process with BLAS threads), else spawn. The
    workers inherit this process's environment, so their BLAS uses as many threads as ours:
    OpenBLAS's results can depend on its thread count, and the runs must come out as they
    would here (and in `bptui train`), bit for bit."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["bptui.commands.compare"])
        start_forkserver()
    return context


def start_forkserver() -> None:
    """Start multiprocessing's fork server (and its resource tracker) with SIGHUP blocked, so
    that they and the workers forked from them keep it blocked: when a closing terminal sends
    SIGHUP to the whole process group, only this process acts on it (it ends the workers), and
    the helpers are not killed halfway with a traceback on stderr; they exit once it has."""
    from multiprocessing import forkserver

    hangup = getattr(signal, "SIGHUP", None)
    if hangup is None or not hasattr(signal, "pthread_sigmask"):
        forkserver.ensure_running()
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {hangup})
    try:
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {hangup})


def run_in_pool(jobs: list[Job], workers: int, report) -> list[dict]:
    """The jobs on `workers` processes; progress reports come back through a queue. Whatever
    ends the wait early (ctrl+c, a signal turned into an exception by `ended_by_signals`, an
    error in a run or in `report`) ends the workers before it goes on."""
    context = pool_context()
    progress, stop = context.Queue(), context.Event()
    lifeline, parent_end = context.Pipe(duplex=False)
    pool = None
    try:
        pool = concurrent.futures.ProcessPoolExecutor(
            workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(progress, stop, lifeline),
        )
        futures = [pool.submit(run_job, job) for job in jobs]
        pending = set(futures)
        while pending:
            finished, pending = concurrent.futures.wait(pending, timeout=0.1)
            drain(progress, report)
        drain(progress, report)
        results = [f.result() for f in futures]
    except BaseException:
        stop.set()
        if pool is not None:
            end_workers(pool)
        raise
    finally:
        lifeline.close()
        parent_end.close()
    pool.shutdown()
    return results


def end_workers(pool: concurrent.futures.ProcessPoolExecutor, grace: float = 1.0) -> None:
    """Cancel what has not started and end the pool's processes now: SIGTERM, then SIGKILL for
    any still there after `grace` seconds (a run does not stop between its chunks)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public API in 3.11
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(grace)
    # and the pool's manager thread, which ends once its workers have: left running, it closed
    # its wake-up pipe while Python's exit wrote to it (3.11: "Exception ignored in: <module
    # 'threading'> … OSError: [Errno 9] Bad file descriptor" on stderr, once on CI)
    manager = getattr(pool, "_executor_manager_thread", None)  # no public API in 3.11
    if manager is not None:
        manager.join(grace)


def drain(progress, report) -> None:
    """Pass on every progress report waiting in the queue."""
    while True:
        try:
            report(*progress.get_nowait())
        except queue.Empty:
            return


# ----- output ---------------------------------------------------------------------------------


def labels(runs: list[dict]) -> list[str]:
    """Each run named by its varied values, e.g. 'optimizer=adam learning_rate=0.1' (last key
    parts, or whole keys where two would read the same); `printable`, as a value given on the
    command line may hold escape codes (a title)."""
    keys = list(runs[0]["vary"]) if runs else []
    short = {k: k.rsplit(".", 1)[-1] for k in keys}
    if len(set(short.values())) < len(keys):
        short = {k: k for k in keys}
    return [
        printable(" ".join(f"{short[k]}={goals.shown(v)}" for k, v in run["vary"].items()))
        for run in runs
    ]


def number(value, fmt: str = ".4g") -> str:
    """A table cell: the number, or '-' for None."""
    return "-" if value is None else format(value, fmt)


def table(runs: list[dict], goal) -> str:
    """The side-by-side table."""
    held_out = any("test_loss" in run for run in runs)
    rows = [
        [
            "run",
            "loss",
            "test loss",
            "test accuracy" if held_out else "accuracy",
            "to goal",
            "diverged",
            "time",
        ]
    ]
    for label, run in zip(labels(runs), runs):
        test = run.get("test_loss")
        rows.append(
            [
                label,
                number(run["loss"][-1] if run["loss"] else None),
                number(test[-1] if test else None),
                number(run.get("accuracy"), ".1%"),
                "-"
                if goal is None or goal.target == (None, None)
                else ("not reached" if run["steps_to_goal"] is None else f"{run['steps_to_goal']}"),
                "yes" if run["diverged"] else "no",
                f"{run['seconds']:.2f} s",
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths))
        ).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def goal_note(goal, steps: int) -> str:
    """What 'to goal' means for this preset."""
    loss, accuracy = goal.target if goal else (None, None)
    parts = ([f"loss < {loss:g}"] if loss is not None else []) + (
        [f"accuracy ≥ {accuracy:.0%}"] if accuracy is not None else []
    )
    if not parts:
        return ""
    every = max(1, steps // GOAL_CHECKS)
    return (
        f"to goal: first step with {' and '.join(parts)} "
        f"(checked {'every step' if every == 1 else f'every {every} steps'})"
    )


CURVES = ("train", "test", "both")
"""What `--curve` may chart: the training loss, the held-out set's, or both."""


def curves_of(runs: list[dict], curve: str | None) -> tuple[str, ...]:
    """The loss curves to chart: `curve` (train, test or both), by default both when the
    runs hold out a test set, else the training loss; the test curve only where there is one."""
    held_out = any(run.get("test_loss") for run in runs)
    if curve is None:
        curve = "both" if held_out else "train"
    wanted = ("train", "test") if curve == "both" else (curve,)
    return tuple(c for c in wanted if c == "train" or held_out)


def chart(runs: list[dict], title: str, curve: str | None = None) -> str:
    """One plotext chart of every run's loss curves (log10 when they span decades): the
    training loss, the test loss or both (`curves_of`); a run's two curves share its colour,
    the test curve drawn in dots."""
    import plotext as plt

    plt.clear_figure()
    width, height = shutil.get_terminal_size((100, 30))
    plt.plotsize(min(width, 120), max(12, min(height - 4, 24)))
    kinds = curves_of(runs, curve)
    curves = []
    for k, (label, run) in enumerate(zip(labels(runs), runs)):
        for kind in kinds:
            values = run["loss"] if kind == "train" else run.get("test_loss") or []
            name = label if len(kinds) == 1 and kind == "train" else f"{label} {kind}"
            curves.append((name, run["eval_steps"], values, k, kind))
    finite = [v for _, _, values, _, _ in curves for v in values if v is not None and v > 0]
    log = bool(finite) and max(finite) / min(finite) > 100
    palette = ("blue", "orange", "green", "red", "magenta", "cyan", "yellow", "gray")
    for name, steps, values, k, kind in curves:
        points = [
            (s, math.log10(v) if log else v)
            for s, v in zip(steps, values)
            if v is not None and (v > 0 or not log)
        ]
        if points:
            plt.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                label=name,
                color=palette[k % len(palette)],
                marker="braille" if kind == "train" else "dot",
            )
    plt.title(title)
    plt.xlabel("step")
    loss = (
        "loss"
        if kinds == ("train",)
        else ("test loss" if kinds == ("test",) else "loss (train, test in dots)")
    )
    plt.ylabel(f"log10({loss})" if log else loss)
    plt.theme("clear")
    return plt.build()


# ----- the command ----------------------------------------------------------------------------


class Ended(BaseException):
    """SIGTERM or SIGHUP arrived while the runs trained (a BaseException, like ctrl+c's
    KeyboardInterrupt, so that only the code that ends the workers handles it)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


ENDING_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class ended_by_signals:  # a context manager named like a function
    """Within: SIGTERM and SIGHUP raise `Ended` in the main thread (so the workers are ended
    like on ctrl+c), once: a second signal does not cut short the ending of the workers. A
    signal ignored on entry (`nohup`) stays ignored; the previous handlers are back on leaving."""

    def __enter__(self):
        self.previous = {}
        if threading.current_thread() is threading.main_thread():
            for signum in ENDING_SIGNALS:
                if signal.getsignal(signum) is not signal.SIG_IGN:
                    self.previous[signum] = signal.signal(signum, self.raise_ended)
        return self

    def raise_ended(self, signum, frame):
        for caught in self.previous:
            signal.signal(caught, signal.SIG_IGN)
        raise Ended(signum)

    def __exit__(self, *exc):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        return False


def compare_command(args) -> int:
    """Run `bptui compare` with parsed arguments."""
    from bptui.commands.options import preset_of

    preset = preset_of(args)
    varies = [parse_vary(text) for text in args.vary]
    sets = [parse_set(text) for text in args.set or ()]
    runs = plan_runs(preset, sets, varies)
    if args.curve == "test" and not preset.data.has_test:
        raise PresetError(
            "--curve",
            "test",
            "this preset holds out no test set (allowed: "
            "train, or data.test_fraction to hold one out)",
        )
    steps = args.steps
    if steps is None:
        steps = preset.goal.steps if preset.goal else DEFAULT_STEPS
    jobs = [Job(i, vary, run_preset, steps) for i, (vary, run_preset) in enumerate(runs)]
    try:
        with ended_by_signals():
            results = run_all(jobs, workers_for(jobs), show_progress=not args.json)
    except KeyboardInterrupt:
        print("bptui: interrupted", file=sys.stderr)
        return 130
    except Ended as ended:
        print(f"bptui: ended by {signal.Signals(ended.signum).name}", file=sys.stderr)
        return 128 + ended.signum
    if args.json:
        json.dump(results, sys.stdout, allow_nan=False, separators=(",", ":"))
        sys.stdout.write("\n")
        return 0
    print(printable(f"{preset.title} ({preset.source}): {len(results)} runs of {steps} steps"))
    print(table(results, preset.goal))
    note = goal_note(preset.goal, steps)
    if note:
        print(note)
    if sys.stdout.isatty():
        kinds = curves_of(results, args.curve)
        what = {("train",): "training loss", ("test",): "test loss"}.get(
            kinds, "training and test loss"
        )
        print(chart(results, printable(f"{preset.title}: {what}"), args.curve))
    return 0
