#!/usr/bin/env python
"""Training rate of learners training at once under `bptui --web`, against one learner alone.

Starts `python -m bptui --web PRESET` on a free loopback port (a temporary class folder), and
alternates, `--rounds` times: one learner alone trains (`r`, `--seconds` s, `r`), then
`--trainers` learners train at the same time (each its own session, the same way). A learner's
rate is the step it paused at ("paused at step N" on its screen) over the time between its two
keys. Sessions are local WebSocket clients that read all they are sent, as class_of_30.py's.
Alternating keeps the machine's other load alike for both figures.

Target (issue 19, item 7): with 5 learners training at once each keeps >= 25 % of a lone
learner's rate. On N cores a fair share is N/5 of a lone rate (2 cores: 40 %) less what the
screens, the server and the browsers take.

    python benchmarks/class_training.py [--preset xor] [--trainers 5] [--seconds 5] [--rounds 2]

Prints the lone rate, each learner's rate and the lowest share, per round, and the medians;
and where the learners' apps spent their CPU while they trained at once: each app's screen (its
main thread: frames, keys, the output to the browser) and its other threads (training, input),
as a share of one core. The shares depend on the machine's other load (a shared machine gives
the training threads, which run at a lower priority, what is left); the screens' cost depends
much less on it: compare that figure between branches.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import sys
import tempfile
import time

import aiohttp
from class_of_30 import Learner
from procs import TICK, children, web_server

PAUSED = re.compile(rb"paused at step ([\d,]+)")


class Trainee(Learner):
    """A learner that remembers the last "paused at step N" its screen showed."""

    def __init__(self, url: str):
        super().__init__(url)
        self.paused_at: int | None = None
        self.paused = asyncio.Event()

    async def read(self) -> None:
        async for message in self.websocket:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.bytes += len(message.data)
                if len(message.data) > 10_000:
                    self.drawn.set()
                found = PAUSED.findall(message.data)
                if found:
                    self.paused_at = int(found[-1].replace(b",", b""))
                    self.paused.set()


def thread_cpu(apps: list[int]) -> dict[int, tuple[float, float]]:
    """CPU seconds of each app process: (its main thread, its other threads)."""
    found = {}
    for pid in apps:
        main = other = 0.0
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            seconds = (int(fields[11]) + int(fields[12])) / TICK
            if task == str(pid):
                main += seconds
            else:
                other += seconds
        found[pid] = (main, other)
    return found


async def train(
    learners: list[Trainee], seconds: float, server: int | None = None, cpu: list | None = None
) -> list[float]:
    """Every learner presses `r`, trains `seconds`, presses `r`: their steps per second. With
    `server` (its pid), appends to `cpu` each app's (main, other threads) share of a core
    while all trained."""
    for learner in learners:
        learner.paused.clear()
    starts = []
    for learner in learners:
        await learner.press("r")
        starts.append(time.perf_counter())
    apps = children(server) if server is not None else []
    before, start = thread_cpu(apps), time.perf_counter()
    await asyncio.sleep(seconds)
    after, span = thread_cpu(apps), time.perf_counter() - start
    if cpu is not None:
        cpu.extend(
            ((after[p][0] - before[p][0]) / span, (after[p][1] - before[p][1]) / span)
            for p in before
            if p in after
        )
    stops = []
    for learner in learners:
        await learner.press("r")
        stops.append(time.perf_counter())
    await asyncio.wait_for(asyncio.gather(*(x.paused.wait() for x in learners)), 30)
    spans = zip(learners, starts, stops, strict=True)
    return [x.paused_at / (stop - start) for x, start, stop in spans]


async def fresh(url: str, count: int) -> list[Trainee]:
    """`count` new sessions, each drawn and settled."""
    learners = [Trainee(url) for _ in range(count)]
    await asyncio.gather(*(x.open() for x in learners))
    await asyncio.wait_for(asyncio.gather(*(x.drawn.wait() for x in learners)), 60)
    await asyncio.sleep(2)
    return learners


async def measure(args, url: str, server: int) -> list[tuple[float, list[float], list]]:
    rounds = []
    for _ in range(args.rounds):
        alone = await fresh(url, 1)
        try:
            lone = (await train(alone, args.seconds))[0]
        finally:
            await asyncio.gather(*(x.close() for x in alone))
        await asyncio.sleep(1)
        group = await fresh(url, args.trainers)
        try:
            cpu: list[tuple[float, float]] = []
            rates = await train(group, args.seconds, server, cpu)
        finally:
            await asyncio.gather(*(x.close() for x in group))
        await asyncio.sleep(1)
        lowest = min(rates) / lone
        print(
            f"lone {lone:,.0f} steps/s; {args.trainers} at once: "
            + ", ".join(f"{r:,.0f}" for r in rates)
            + f" steps/s; lowest share {100 * lowest:.0f} %; per app: screen "
            + f"{100 * statistics.mean(c[0] for c in cpu):.1f} %, training and input "
            + f"{100 * statistics.mean(c[1] for c in cpu):.1f} % of a core",
            flush=True,
        )
        rounds.append((lone, rates, cpu))
    return rounds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="xor")
    parser.add_argument("--trainers", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    store = tempfile.mkdtemp(prefix="bptui-class-")  # not the user's data folder
    load = os.getloadavg()[0]
    try:
        with web_server(args.preset, "--class-dir", store) as (server, url):
            rounds = asyncio.run(measure(args, url, server.pid))
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(store, ignore_errors=True)
    shares = [min(rates) / lone for lone, rates, _ in rounds]
    screens = [c[0] for *_, cpu in rounds for c in cpu]
    print(
        f"preset {args.preset}, {args.trainers} learners × {args.seconds:g} s, "
        f"{os.cpu_count()} cores, load {load:.2f} → {os.getloadavg()[0]:.2f}: lone "
        f"{statistics.median(lone for lone, *_ in rounds):,.0f} steps/s (median), lowest "
        f"share per round {', '.join(f'{100 * s:.0f} %' for s in shares)} (target >= 25 %); "
        f"an app's screen while {args.trainers} trained: {100 * statistics.median(screens):.1f} "
        "% of a core (median)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
