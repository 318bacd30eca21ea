"""How long Textual's Markdown widget takes to draw a lesson step's text, and what the caps of
`bptui.lesson.markdown` refuse.

    python benchmarks/lesson_markdown.py            # each text in its own process, median of 3
    python benchmarks/lesson_markdown.py --refused  # also the texts the caps refuse (minutes)

Each text is mounted in a 60×40 app (a lesson pane's width) and timed until the app is idle, in
a fresh process; the bare app's time is subtracted. Prints a markdown table with each text's
verdict (the loader's) and its time, also as a multiple of the empty app's start (a
measure that carries over between machines better than seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def table(columns: int, rows: int) -> str:
    row = "|" + "|".join("a" * columns) + "|\n"
    return row + "|" + "|".join("-" * columns) + "|\n" + row * rows


def longest_bundled_step() -> str:
    texts = [
        step["text"]
        for path in sorted((ROOT / "presets" / "lessons").glob("*.toml"))
        for step in tomllib.loads(path.read_text(encoding="utf-8"))["step"]
    ]
    return max(texts, key=len)


def texts(refused: bool) -> dict[str, str]:
    from bptui.lesson import markdown

    blocks, columns = markdown.MAX_BLOCKS, markdown.MAX_COLUMNS
    rows = (blocks - 4 - columns) // (columns + 1)  # table, head, body, head row: 4 blocks
    items = (blocks - 1) // markdown.LIST_ITEM  # the list, then its items
    out = {
        "empty app": "",
        "longest bundled step": longest_bundled_step(),
        f"list of {items} items (at the block cap)": "- a\n" * items,
        f"{blocks} paragraphs (at the block cap)": "a\n\n" * blocks,
        f"table {columns}×{rows} (at the column cap)": table(columns, rows),
        "20,000 characters in one line": "word " * 4000,
    }
    if refused:
        out.update(
            {
                "list of 200 items": "- a\n" * 200,
                "table 4×100": table(4, 100),
                "table of 3,000 columns": table(3000, 1),
            }
        )
    return out


def time_one(text: str) -> float:
    """Seconds from creating the app to idle with `text` mounted (in this process)."""
    from textual.app import App
    from textual.containers import VerticalScroll
    from textual.widgets import Markdown

    class Pane(App):
        def compose(self):
            yield VerticalScroll(Markdown(text, open_links=False))

    async def run() -> float:
        start = time.perf_counter()
        app = Pane()
        async with app.run_test(size=(60, 40)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
        return time.perf_counter() - start

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refused", action="store_true", help="time the refused texts too")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    cases = texts(True)
    if args.one is not None:
        print(time_one(cases[args.one]))
        return
    from bptui.lesson import markdown

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    seconds = {}
    for name in texts(args.refused):
        runs = [
            float(
                subprocess.run(
                    [sys.executable, __file__, "--one", name],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            for _ in range(1 if "3,000" in name else args.repeats)
        ]
        seconds[name] = statistics.median(runs)
        print(f"{name}: {seconds[name]:.2f} s", file=sys.stderr)
    bare = seconds.pop("empty app")
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; the empty app's "
        f"{bare:.2f} s subtracted\n"
    )
    print("| text | loader | s | × the empty app |\n|---|---|---|---|")
    for name, value in seconds.items():
        verdict = "refused" if markdown.problem(cases[name]) else "accepted"
        print(f"| {name} | {verdict} | {value - bare:.2f} | {(value - bare) / bare:.1f} |")


if __name__ == "__main__":
    main()
