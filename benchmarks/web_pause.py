"""How quickly `r` pauses training in a browser, and how steadily the screen updates meanwhile.

Starts `python -m bptui --web PRESET` on a free port, opens it in headless Chromium (Debian's,
through Playwright), and repeats: `r` (train), a few seconds of training, `r` (pause). Inside the
page a sampler reads xterm.js's screen every 5 ms and timestamps every change of the status line
(the step counter) and the moment the hint line says "paused"; a key listener timestamps the key.
So the figures are what a student sees, measured in the browser, not in the app:

- pause: key `r` → "paused at step" on screen (ms), per repeat;
- steadiness: while training, the longest time the step counter stayed the same (ms), and the
  median time between its changes.

    python benchmarks/web_pause.py                 # xor, 5 repeats of 3 s
    python benchmarks/web_pause.py --preset digits --repeats 3 --seconds 5

Timings depend on the machine and its load: compare figures from one machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from procs import web_server

CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    delete Object.prototype.terminal;
    Object.defineProperty(this, "terminal",
      {value, writable: true, configurable: true, enumerable: true});
    window.__bptuiTerminal = value;
  },
});
window.__keys = [];
window.addEventListener("keydown", (e) => window.__keys.push([performance.now(), e.key]), true);
window.__samples = [];
window.bptuiRows = function () {
  const term = window.__bptuiTerminal;
  if (!term || !term.buffer) return null;
  const buffer = term.buffer.active, rows = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows;
}
setInterval(() => {
  const rows = bptuiRows();
  if (!rows) return;
  const status = rows[0], paused = rows.some((r) => r.includes("paused at step"));
  const last = window.__samples[window.__samples.length - 1];
  if (!last || last[1] !== status || last[2] !== paused)
    window.__samples.push([performance.now(), status, paused]);
}, 5);
"""


def step_of(status: str) -> int | None:
    import re

    match = re.search(r"step ([\d,]+)", status)
    return int(match.group(1).replace(",", "")) if match else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="xor")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    store = tempfile.mkdtemp(prefix="bptui-class-")  # not the user's data folder
    try:
        with (
            web_server(args.preset, "--class-dir", store) as (_, url),
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"),
                headless=True,
                args=["--disable-gpu", "--no-first-run"],
            )
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.add_init_script(CATCH_TERMINAL)
            page.goto(url + "/", wait_until="load")
            page.wait_for_function(
                "() => { const r = bptuiRows(); return r && r[0].includes('ready'); }",
                timeout=30_000,
            )
            page.focus(".xterm-helper-textarea")
            time.sleep(1)
            pauses, longest, gaps = [], [], []
            for _ in range(args.repeats):
                page.evaluate("() => { window.__samples = []; window.__keys = []; }")
                page.keyboard.press("r")
                time.sleep(args.seconds)
                page.keyboard.press("r")
                keys = [t for t, key in page.evaluate("window.__keys") if key == "r"]
                start, stop = keys[0], keys[-1]
                page.wait_for_function(
                    "(stop) => window.__samples.some((s) => s[2] && s[0] >= stop)",
                    arg=stop,
                    timeout=30_000,
                )
                samples = page.evaluate("window.__samples")
                shown = next((t for t, _, paused in samples if paused and t >= stop), None)
                if shown is None:
                    print("keys", page.evaluate("window.__keys"), file=sys.stderr)
                    print(
                        "samples",
                        [(round(t), st[:60], p) for t, st, p in samples[-8:]],
                        file=sys.stderr,
                    )
                    continue
                pauses.append(shown - stop)
                changes = [
                    t
                    for t, status, _ in samples
                    if start <= t <= stop and step_of(status) is not None
                ]
                if len(changes) > 2:
                    between = [b - a for a, b in zip(changes[1:], changes[2:])]
                    longest.append(max(between))
                    gaps.extend(between)
                time.sleep(0.5)
            browser.close()
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(store, ignore_errors=True)
    print(
        f"preset {args.preset}, {args.repeats} × {args.seconds:g} s of training, "
        f"Chromium headless, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}"
    )
    print(
        "pause (r → 'paused' on screen), ms: "
        + ", ".join(f"{p:.0f}" for p in pauses)
        + f"  (median {statistics.median(pauses):.0f}, max {max(pauses):.0f})"
    )
    if gaps:
        print(
            f"screen updates while training: median {statistics.median(gaps):.0f} ms apart, "
            f"longest freeze per run {', '.join(f'{g:.0f}' for g in longest)} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
