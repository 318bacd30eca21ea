#!/usr/bin/env python
"""UI latency of bptui in a real terminal (tmux), against a bare Textual app.

Measures, in one run:

1. key press -> screen updated: `space` (one micro-step, every pane redrawn) in bptui on the xor
   and spiral presets, vs a bare Textual app whose `space` increments a counter in one Static.
2. start -> first full frame: launching the command in tmux until the pane shows the app's
   first full frame (bptui: the footer with "Forward" and the status line with the preset title;
   bare: its label).
3. live training throughput on every bundled preset and the two generated problems of
   `problems.py` (blobs50k, pixels20k; written as a CSV and a preset into a temporary folder):
   `r`, ~4 s, `r` (3 times, the median reported); steps/s from the status line's "step N" (the
   app gets this run's OPENBLAS_NUM_THREADS, if set), vs headless training of the same
   preset (what `bptui train PRESET --steps K --json` does once the preset is loaded, timed in
   this process at two K a whole number of epochs apart, so that start-up and loading cancel
   and the once-per-epoch evaluation counts as in real training), plus how long the pause
   takes to show.

4. paced training: at 10 steps/s (`<` three times) the screen shows every step: the distinct
   step numbers the status line shows in 5 s (target >= 45), beside section 3's share of the
   headless rate at max (target >= 50%).

Method: each app runs in its own detached tmux session (120x40, unique session names, only those
sessions are killed at the end; never kill-server). A press is timed from just before
`tmux send-keys` until a `tmux capture-pane -p` polled in a tight loop shows the change. The
polling overhead (one fork+exec of tmux per poll, a few ms) is included for both apps alike;
its median is reported. Presses of the three apps are interleaved so background load hits all
of them equally.

Usage (with the project's virtualenv):

    python benchmarks/ui_latency.py [--presses 30] [--starts 5] [--run-seconds 4]
    python benchmarks/ui_latency.py --sections live --live-presets digits,blobs50k

Prints a markdown report; --json FILE also writes the raw figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from importlib import metadata
from pathlib import Path

from problems import GENERATED, headless_seconds, preset_source

WIDTH, HEIGHT = 120, 40
POLL_TIMEOUT = 10.0  # seconds before a wait for the screen gives up
LOAD_TIMEOUT = 90.0  # seconds the explorer may take to load a large CSV before its first frame

BARE_APP = '''\
from textual.app import App, ComposeResult
from textual.widgets import Static


class Bare(App):
    """One label; space increments the counter shown in it."""

    BINDINGS = [("space", "bump", "Bump"), ("q", "quit", "Quit")]

    def __init__(self):
        super().__init__()
        self.count = 0

    def compose(self) -> ComposeResult:
        yield Static("bare counter 0", id="label")

    def action_bump(self) -> None:
        self.count += 1
        self.query_one("#label", Static).update(f"bare counter {self.count}")


if __name__ == "__main__":
    Bare().run()
'''

_started: list[str] = []  # every tmux session this run created (and must kill)


# ----- tmux --------------------------------------------------------------------------------------


def tmux(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=check)


class Pane:
    """One app in its own detached tmux session."""

    _count = 0

    def __init__(self, tag: str, command: str):
        Pane._count += 1
        self.name = f"uilat-{os.getpid()}-{Pane._count}-{tag}"
        self.command = command

    def start(self) -> None:
        # remain-on-exit keeps a crashed app's traceback on screen for the error message.
        # One retry: on a shared machine another tmux user may stop the server meanwhile.
        for attempt in range(2):
            done = tmux(
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(WIDTH),
                "-y",
                str(HEIGHT),
                self.command,
                ";",
                "set-option",
                "-w",
                "-t",
                self.name,
                "remain-on-exit",
                "on",
                check=False,
            )
            if done.returncode == 0:
                break
            tmux("kill-session", "-t", self.name, check=False)
            if attempt:
                raise RuntimeError(f"tmux could not start {self.command}: {done.stderr.strip()}")
            time.sleep(0.5)
        _started.append(self.name)

    def capture(self) -> list[str]:
        out = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        ).stdout
        lines = out.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return lines + [""] * (HEIGHT - len(lines))

    def send(self, key: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, key], check=True)

    def dead(self) -> bool:
        out = tmux("display-message", "-p", "-t", self.name, "#{pane_dead}", check=False).stdout
        return out.strip() != "0"

    def cpu_seconds(self) -> float | None:
        """User + system CPU time the app (the pane's process, all threads) has used so far."""
        try:
            pid = tmux("display-message", "-p", "-t", self.name, "#{pane_pid}").stdout.strip()
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError, subprocess.CalledProcessError):
            return None

    def kill(self) -> None:
        tmux("kill-session", "-t", self.name, check=False)
        if self.name in _started:
            _started.remove(self.name)

    def wait_for(self, ready, timeout: float = POLL_TIMEOUT) -> tuple[float, list[str]]:
        """Poll until ready(lines); returns (perf_counter at success, lines)."""
        deadline = time.perf_counter() + timeout
        polls = 0
        while True:
            lines = self.capture()
            now = time.perf_counter()
            if ready(lines):
                return now, lines
            polls += 1
            if now > deadline or (polls % 50 == 0 and self.dead()):
                raise RuntimeError(
                    f"tmux session {self.name} ({self.command}) did not get "
                    f"ready; screen:\n" + "\n".join(self.capture())
                )

    def wait_stable(self, gap: float = 0.04, timeout: float = 3.0) -> list[str]:
        """The screen once two captures `gap` apart agree (nothing is still being drawn)."""
        deadline = time.perf_counter() + timeout
        previous = self.capture()
        while True:
            time.sleep(gap)
            lines = self.capture()
            if lines == previous or time.perf_counter() > deadline:
                return lines
            previous = lines


# ----- the apps ----------------------------------------------------------------------------------


class Subject:
    """How to launch one app and recognise its frames."""

    def __init__(self, label: str, command: str, ready, changed):
        self.label = label
        self.command = command
        self.ready = ready  # lines -> the first full frame is on screen
        self.changed = changed  # (before, now) -> the press is fully drawn


def preset_title(source: str) -> str:
    """The title a preset (a bundled name or a path) shows on the status line, read from its
    TOML without loading its data; a narrow status line cuts it after a word within 18 cells
    (the part before its "…" is looked for)."""
    from bptui.app.widgets.statusline import title_text
    from bptui.preset.loader import resolve

    title = tomllib.loads(resolve(source).read_text(encoding="utf-8"))["title"]
    return title_text(title, 18).rstrip("…")


def bptui_subject(bptui: str, preset: str, folder: Path, tag: str = "") -> Subject:
    source = preset_source(preset, folder)
    title = preset_title(source)

    def ready(lines):
        return title in lines[0] and "Forward" in lines[-1]

    def changed(before, now):
        # space changes both the status line (phase, step) and the hint line above the footer
        return now[0] != before[0] and now[-2] != before[-2]

    # tmux starts the app in its server's environment: pass this run's BLAS thread setting on
    blas = os.environ.get("OPENBLAS_NUM_THREADS")
    prefix = f"env OPENBLAS_NUM_THREADS={shlex.quote(blas)} " if blas else ""
    return Subject(
        f"bptui {preset}{tag}",
        f"{prefix}{shlex.quote(bptui)} {shlex.quote(source)}",
        ready,
        changed,
    )


def bare_subject(python: str, script: Path) -> Subject:
    def ready(lines):
        return any("bare counter" in line for line in lines)

    def changed(before, now):
        return now != before

    return Subject(
        "bare Textual app", f"{shlex.quote(python)} {shlex.quote(str(script))}", ready, changed
    )


# ----- statistics --------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


# ----- 1. key press -> screen updated ------------------------------------------------------------


def key_latency(subjects: list[Subject], presses: int) -> dict:
    panes = {s.label: Pane("keys", s.command) for s in subjects}
    results = {s.label: {"first": [], "full": [], "poll": []} for s in subjects}
    try:
        for s in subjects:
            panes[s.label].start()
        for s in subjects:
            panes[s.label].wait_for(s.ready)
        cpu = {}
        for i in range(presses + 1):  # press 0 is a warm-up, not counted
            for s in subjects:
                pane = panes[s.label]
                before = pane.wait_stable()
                t0 = time.perf_counter()
                pane.send("space")
                first = None
                while True:
                    now = pane.capture()
                    t = time.perf_counter()
                    if first is None and now != before:
                        first = t - t0
                    if s.changed(before, now):
                        full = t - t0
                        break
                    if t - t0 > POLL_TIMEOUT:
                        raise RuntimeError(
                            f"{s.label}: press {i} never showed; screen:\n" + "\n".join(now)
                        )
                if i == 0:
                    cpu[s.label] = pane.cpu_seconds()
                if i:
                    results[s.label]["first"].append(first)
                    results[s.label]["full"].append(full)
        for s in subjects:  # CPU per press (idle time between presses included)
            after = panes[s.label].wait_stable() and panes[s.label].cpu_seconds()
            before = cpu.get(s.label)
            results[s.label]["cpu_per_press"] = (
                (after - before) / presses if before is not None and after else None
            )
        for s in subjects:  # the cost of one poll on this app's screen
            pane = panes[s.label]
            for _ in range(20):
                t0 = time.perf_counter()
                pane.capture()
                results[s.label]["poll"].append(time.perf_counter() - t0)
    finally:
        for pane in panes.values():
            pane.kill()
    return results


# ----- 2. start -> first frame -------------------------------------------------------------------


def startup(subjects: list[Subject], runs: int) -> dict:
    results = {s.label: [] for s in subjects}
    for i in range(runs + 1):  # round 0 warms the OS file cache and the .pyc files
        for s in subjects:
            pane = Pane("start", s.command)
            try:
                t0 = time.perf_counter()
                pane.start()
                t, _ = pane.wait_for(s.ready)
                if i:
                    results[s.label].append(t - t0)
            finally:
                pane.kill()
            time.sleep(0.3)  # let the killed app exit before the next launch
    return results


def compile_bytecode() -> str:
    """Write the .pyc files of the bptui package this process imports (the one PYTHONPATH
    names), as installing it does: an app started where PYTHONDONTWRITEBYTECODE is set (tmux
    passes on its server's environment) would otherwise compile ~100 modules at every launch,
    which a bare Textual app (its library compiled at install) does not. Says what it did."""
    import compileall

    import bptui

    folder = Path(bptui.__file__).parent
    compileall.compile_dir(folder, quiet=1)
    unset = tmux("show-environment", "-g", "PYTHONDONTWRITEBYTECODE", check=False).returncode
    return (
        f"bptui's bytecode compiled beforehand ({folder}); tmux's server environment "
        f"{'does not set' if unset else 'sets'} PYTHONDONTWRITEBYTECODE"
    )


def import_times(python: str, runs: int = 3) -> dict:
    """Wall time of a bare interpreter, of importing textual.app, and of importing the app."""
    programs = {
        "python -c pass": "pass",
        "import textual.app": "import textual.app",
        "import numpy": "import numpy",
        "import textual_plotext": "import textual_plotext",
        "import bptui.app.main": "import bptui.app.main",
    }
    out = {}
    for label, code in programs.items():
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run([python, "-c", code], check=True)
            times.append(time.perf_counter() - t0)
        out[label] = statistics.median(times)
    return out


# ----- 3. live training throughput ---------------------------------------------------------------


STEP = re.compile(r"\bstep (\d[\d,]*)\b")


def is_running(lines: list[str]) -> bool:
    """The status line's "▶ running N steps/s" (its tail is cut off when the line is wider than
    the terminal, so look for the marker), or the hint line's "training…"."""
    return "▶" in lines[0] or lines[-2].lstrip().startswith("training")


def live_throughput(subject: Subject, run_seconds: float) -> dict:
    pane = Pane("live", subject.command)
    try:
        pane.start()
        pane.wait_for(subject.ready, LOAD_TIMEOUT)
        pane.wait_stable()
        t_run = time.perf_counter()
        pane.send("r")
        t_shown, _ = pane.wait_for(is_running)
        time.sleep(max(0.0, run_seconds - (time.perf_counter() - t_run)))
        t_pause = time.perf_counter()
        pane.send("r")
        t_paused, lines = pane.wait_for(lambda lines: not is_running(lines))
        lines = pane.wait_stable()
        match = STEP.search(lines[0])
        if not match:
            raise RuntimeError(f"no 'step N' in the status line: {lines[0]!r}")
        steps = int(match.group(1).replace(",", ""))
        elapsed = t_pause - t_run
        return {
            "steps": steps,
            "seconds": elapsed,
            "steps_per_s": steps / elapsed,
            "run_shows_s": t_shown - t_run,
            "pause_shows_s": t_paused - t_pause,
        }
    finally:
        pane.kill()


def headless_throughput(preset, target_seconds: float = 1.5) -> dict:
    """Steps/s of headless training with the start-up cancelled: (K2 - K1) / (t(K2) - t(K1)),
    median of 3 each, K2 - K1 whole epochs (see problems.headless_seconds)."""
    epoch = preset.stepper().batches_per_epoch
    k1 = max(200, epoch)
    whole = lambda n: epoch * -(-n // epoch)
    extra = whole(250)
    while True:  # probe until the extra steps take long enough to time
        probe = headless_seconds(preset, k1 + extra)[0] - headless_seconds(preset, k1)[0]
        if probe > 0.25 * target_seconds or extra > 10_000_000:
            break
        extra = whole(4 * extra)
    k2 = k1 + whole(max(250, int(extra / max(probe, 1e-3) * target_seconds)))
    t1, t2 = [], []
    for _ in range(3):  # interleaved, so that a burst of load hits both alike
        t1.append(headless_seconds(preset, k1)[0])
        t2.append(headless_seconds(preset, k2)[0])
    t1, t2 = statistics.median(t1), statistics.median(t2)
    return {"k1": k1, "k2": k2, "t1": t1, "t2": t2, "steps_per_s": (k2 - k1) / (t2 - t1)}


# ----- report ------------------------------------------------------------------------------------


def machine_info(python: str) -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True
    ).stdout.strip()

    def pkg(name):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "?"

    return {
        "cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": model,
        "platform": platform.platform(),
        "python": version,
        "textual": pkg("textual"),
        "textual-plotext": pkg("textual-plotext"),
        "numpy": pkg("numpy"),
        "bptui": pkg("bptui"),
        "tmux": tmux("-V").stdout.strip(),
        "loadavg_start": os.getloadavg(),
    }


PACED_STEPS_PER_S = 10
PACED_SECONDS = 5.0
PACED_TARGET = 45  # distinct step numbers the status line must show in PACED_SECONDS


def paced_steps_seen(subject: Subject, seconds: float = PACED_SECONDS) -> dict:
    """At 10 steps/s (`<` three times from max), `r`, then the status line polled as fast as
    tmux allows for `seconds`: how many distinct step numbers it showed (every step drawn:
    about 10 a second), and the highest."""
    pane = Pane("paced", subject.command)
    try:
        pane.start()
        pane.wait_for(subject.ready, LOAD_TIMEOUT)
        pane.wait_stable()
        for _ in range(3):
            pane.send("<")
        pane.wait_for(lambda lines: f"{PACED_STEPS_PER_S} steps/s" in "\n".join(lines))
        pane.send("r")
        pane.wait_for(is_running)
        seen: set[int] = set()
        polls = 0
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            match = STEP.search(pane.capture()[0])
            polls += 1
            if match:
                seen.add(int(match.group(1).replace(",", "")))
        pane.send("r")
        return {
            "distinct_steps": len(seen),
            "highest": max(seen, default=0),
            "polls": polls,
            "seconds": seconds,
        }
    finally:
        pane.kill()


def verdict(ok: bool) -> str:
    return "ok" if ok else "**MISSED**"


def report(
    info: dict,
    keys: dict,
    starts: dict,
    imports: dict,
    live: dict,
    headless: dict,
    bare_label: str,
    paced: dict | None = None,
) -> str:
    out = []
    out.append(f"## bptui UI latency (tmux, {WIDTH}x{HEIGHT})\n")
    out.append(
        f"Machine: {info['cpus']} CPUs ({info['usable_cpus']} usable), {info['cpu_model']}; "
        f"{info['platform']}; Python {info['python']}, Textual {info['textual']}, "
        f"textual-plotext {info['textual-plotext']}, numpy {info['numpy']}, "
        f"bptui {info['bptui']}, {info['tmux']}, OPENBLAS_NUM_THREADS "
        f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}. Load average at start "
        f"{info['loadavg_start'][0]:.2f}, at end {info['loadavg_end'][0]:.2f}.\n"
    )
    if max(info["loadavg_start"][0], info["loadavg_end"][0]) > 0.5 * (info["usable_cpus"] or 1):
        out.append(
            "**Warning:** other processes were busy on this machine during the run; "
            "absolute figures are noisy (the ratios of 1 and 2 less so: the apps are "
            "interleaved there).\n"
        )

    if keys:
        bare = keys[bare_label]
        bare_med = statistics.median(bare["full"])
        n = len(bare["full"])
        out.append(f"### 1. Key press (space) -> screen updated ({n} presses each, interleaved)\n")
        out.append(
            "| app | median ms | p90 ms | min ms | first change median ms "
            "| app CPU ms/press | capture-pane cost ms | ratio to bare (median) "
            "| target <= 2x |"
        )
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for label, r in keys.items():
            med = statistics.median(r["full"])
            ratio = med / bare_med
            target = "-" if label == bare_label else verdict(ratio <= 2.0)
            out.append(
                f"| {label} | {ms(med)} | {ms(percentile(r['full'], 90))} | "
                f"{ms(min(r['full']))} | {ms(statistics.median(r['first']))} | "
                f"{ms(r['cpu_per_press']) if r['cpu_per_press'] is not None else '?'} | "
                f"{ms(statistics.median(r['poll']))} | {ratio:.2f}x | {target} |"
            )
        out.append("")

    if starts:
        bare_start = statistics.median(starts[bare_label])
        n = len(starts[bare_label])
        out.append(f"### 2. Start -> first full frame ({n} launches each, median)\n")
        out.append("| app | median s | min s | max s | ratio to bare | target <= 2x |")
        out.append("|---|---:|---:|---:|---:|---|")
        for label, r in starts.items():
            med = statistics.median(r)
            ratio = med / bare_start
            target = "-" if label == bare_label else verdict(ratio <= 2.0)
            out.append(
                f"| {label} | {med:.3f} | {min(r):.3f} | {max(r):.3f} | {ratio:.2f}x | {target} |"
            )
        out.append("")
        out.append(f"Bytecode: {info.get('bytecode', 'not compiled beforehand (--no-compile)')}.\n")
        out.append(
            "Import cost, separate interpreters (median of 3, wall s): "
            + ", ".join(f"`{k}` {v:.3f}" for k, v in imports.items())
            + ".\n"
        )

    if live:
        out.append("### 3. Live training throughput (r, wait, r)\n")
        n = len(next(iter(live.values())))
        out.append(
            f"| preset | app steps/s (median of {n}) | (min..max) "
            "| headless steps/s (K1..K2) | app / headless | target >= 50% "
            "| r -> 'running' shown ms | r -> pause shown ms |"
        )
        out.append("|---|---:|---:|---:|---:|---|---:|---:|")
        for preset, runs in live.items():
            h = headless[preset]
            rates = [r["steps_per_s"] for r in runs]
            rate = statistics.median(rates)
            share = rate / h["steps_per_s"]
            shown = statistics.median(r["run_shows_s"] for r in runs)
            paused = statistics.median(r["pause_shows_s"] for r in runs)
            out.append(
                f"| {preset} | {rate:,.0f} | {min(rates):,.0f}..{max(rates):,.0f} "
                f"| {h['steps_per_s']:,.0f} ({h['k1']}..{h['k2']}: {h['t1']:.2f} s.."
                f"{h['t2']:.2f} s) | {share:.0%} | {verdict(share >= 0.5)} "
                f"| {ms(shown)} | {ms(paused)} |"
            )
        out.append("")
        out.append(
            "App steps/s = the status line's step count after the pause / the time "
            "between the two r presses; the r -> times are medians. Headless: what "
            "`bptui train PRESET --steps K --json` does after loading, in this process, "
            "median of 3 per K, (K2 - K1) / (t(K2) - t(K1)), K2 - K1 whole epochs.\n"
        )
    if paced:
        out.append(f"### 4. Paced training: every step drawn at {PACED_STEPS_PER_S} steps/s\n")
        out.append(
            f"| preset | distinct steps seen in {PACED_SECONDS:g} s | highest step "
            f"| status-line polls | target >= {PACED_TARGET} "
            "| at max: app / headless (section 3) | target >= 50% |"
        )
        out.append("|---|---:|---:|---:|---|---:|---|")
        for preset, r in paced.items():
            share = "-"
            share_ok = "-"
            if preset in live and preset in headless:
                rate = statistics.median(x["steps_per_s"] for x in live[preset])
                ratio = rate / headless[preset]["steps_per_s"]
                share, share_ok = f"{ratio:.0%}", verdict(ratio >= 0.5)
            out.append(
                f"| {preset} | {r['distinct_steps']} | {r['highest']} | {r['polls']} "
                f"| {verdict(r['distinct_steps'] >= PACED_TARGET)} | {share} "
                f"| {share_ok} |"
            )
        out.append("")
        out.append(
            f"`<` three times from max sets {PACED_STEPS_PER_S} steps/s; then `r`, and the "
            "status line is captured in a tight loop; every step number it shows is "
            "counted once.\n"
        )
    return "\n".join(out)


def main() -> int:
    global WIDTH, HEIGHT
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--run-seconds", type=float, default=4.0)
    parser.add_argument(
        "--presets",
        default="xor,spiral",
        help="presets of the key-press measurement (the first also starts up)",
    )
    parser.add_argument(
        "--live-presets",
        default="all",
        help="presets of the live-training measurement (default: every bundled "
        f"preset, {', '.join(GENERATED)})",
    )
    parser.add_argument(
        "--live-runs",
        type=int,
        default=3,
        help="live-training runs per preset, the median reported (default 3)",
    )
    parser.add_argument(
        "--sections",
        default="keys,start,live,paced",
        help="which measurements to run (default keys,start,live,paced)",
    )
    parser.add_argument(
        "--paced-presets",
        default="xor,spiral",
        help="presets of the paced (10 steps/s) measurement",
    )
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="the interpreter of the bare app (default: this one)",
    )
    parser.add_argument("--bptui", default=str(Path(sys.executable).parent / "bptui"))
    parser.add_argument(
        "--baseline",
        help="another bptui command (e.g. a script running an "
        "older checkout) measured in the same run, labelled 'before': key "
        "presses and start-up",
    )
    parser.add_argument(
        "--no-compile",
        dest="compile",
        action="store_false",
        help="do not write bptui's .pyc files before the start-up section "
        "(measure launches that compile it, as PYTHONDONTWRITEBYTECODE=1 "
        "makes them)",
    )
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument(
        "--size",
        default=f"{WIDTH}x{HEIGHT}",
        help="terminal size COLSxROWS (default 120x40; the issue asks for 80x24 too)",
    )
    args = parser.parse_args()
    WIDTH, HEIGHT = (int(v) for v in args.size.lower().split("x"))
    presets = [p for p in args.presets.split(",") if p]
    sections = set(args.sections.split(","))
    if args.live_presets == "all":
        from bptui.preset import bundled_names

        live_presets = [*bundled_names(), *GENERATED]
    else:
        live_presets = [p for p in args.live_presets.split(",") if p]

    started = time.perf_counter()
    info = machine_info(args.python)
    with tempfile.TemporaryDirectory(prefix="bptui-uilat-") as tmp:
        script = Path(tmp) / "bare_app.py"
        script.write_text(BARE_APP)
        bare = bare_subject(args.python, script)
        folder = Path(tmp)
        subjects = [bare] + [bptui_subject(args.bptui, p, folder) for p in presets]
        before = (
            [bptui_subject(args.baseline, p, folder, " (before)") for p in presets]
            if args.baseline
            else []
        )
        keys, starts, imports, live, headless, paced = {}, {}, {}, {}, {}, {}
        try:
            if "keys" in sections:
                print("1/3 key press latency ...", file=sys.stderr, flush=True)
                keys = key_latency(subjects + before, args.presses)
            if "start" in sections:
                print("2/3 start-up ...", file=sys.stderr, flush=True)
                if args.compile:
                    info["bytecode"] = compile_bytecode()
                starts = startup([bare, subjects[1], *before[:1]], args.starts)
                imports = import_times(args.python)
            if "live" in sections:
                from bptui.preset import load_preset

                for p in live_presets:  # back to back, so both see the same background load
                    print(f"3/3 live training: {p} ...", file=sys.stderr, flush=True)
                    subject = bptui_subject(args.bptui, p, folder)
                    live[p] = [
                        live_throughput(subject, args.run_seconds) for _ in range(args.live_runs)
                    ]
                    headless[p] = headless_throughput(load_preset(preset_source(p, folder)))
            if "paced" in sections:
                for p in [p for p in args.paced_presets.split(",") if p]:
                    print(f"4/4 paced training: {p} ...", file=sys.stderr, flush=True)
                    paced[p] = paced_steps_seen(bptui_subject(args.bptui, p, folder))
        finally:
            for name in list(_started):
                tmux("kill-session", "-t", name, check=False)
    info["loadavg_end"] = os.getloadavg()
    print(report(info, keys, starts, imports, live, headless, bare.label, paced))
    print(f"Total benchmark time {time.perf_counter() - started:.0f} s.")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": info,
                    "keys": keys,
                    "startup": starts,
                    "imports": imports,
                    "live": live,
                    "headless": headless,
                    "paced": paced,
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
