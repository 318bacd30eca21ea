"""Hostile input on the command line (issue 14): what reaches the terminal, what becomes a number,
how `bptui compare` ends, and how much `bptui train --json` holds.

1. every text that reaches the terminal from an input passes `bptui.text.printable`: escape
   codes (ESC, BEL, CSI, OSC, C1 controls, bidi overrides) in titles, run labels, file names,
   CSV headers and values are shown, never acted on, by every command;
2. text becomes a number only when written in ASCII digits (`bptui.text.to_int`/`to_float`);
3. every way `bptui compare` ends also ends its worker processes;
4. `bptui train --json` prints a bounded amount whatever `--steps` is.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import bptui.app
from bptui import text as texts
from bptui.commands import compare
from bptui.engine.history import Series
from bptui.preset import PresetError, load_preset
from bptui.preset.fromcsv import preset_from_csv
from tests.test_bad_input import assert_one_error, run_main

# ESC ] (OSC: window title) ... BEL, ESC [ (CSI: clear screen), C1 CSI, C1 NEL, bidi override
EVIL = "T\x1b]0;PWN\x07\x1b[2J\x9b2J\x85\u202eR"
# The same characters as TOML escapes, for values given on the command line
EVIL_TOML = json.dumps(EVIL)
SGR = re.compile(r"\x1b\[[0-9;]*m")  # plotext's own colours in a chart


def clean(output: str) -> bool:
    """Nothing but printable characters and line breaks."""
    return all(ch.isprintable() or ch == "\n" for ch in output)


def shown_harmlessly(output: str) -> bool:
    """Clean, and the escape codes are there as visible text."""
    return clean(output) and "\\x1b]0;PWN\\x07\\x1b[2J\\x9b2J\\x85\\u202eR" in output


def evil_preset(folder: Path, name: str = "evil.toml") -> Path:
    """A valid XOR preset titled EVIL."""
    path = folder / name
    path.write_text(
        f"title = {EVIL_TOML}\ndescription = {EVIL_TOML}\n[network]\n"
        "layers = [2, 2, 1]\n[data]\ninputs = [[0, 0], [0, 1], [1, 0], [1, 1]]\n"
        "targets = [[0], [1], [1], [0]]\n[goal]\nsteps = 5\nloss = 0.01\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def no_ui(monkeypatch):
    monkeypatch.setattr(bptui.app, "run_app", lambda *a, **k: pytest.fail("the UI was opened"))


# --------------------------------------------------------------------------------------------
# 1. Terminal injection


def test_printable_escapes_every_kind_of_control_character():
    shown = texts.printable(EVIL)
    assert shown == "T\\x1b]0;PWN\\x07\\x1b[2J\\x9b2J\\x85\\u202eR"
    assert clean(shown) and texts.printable(shown) == shown


@pytest.mark.parametrize(
    "argv_of",
    [
        pytest.param(lambda d: ["train", str(d / "evil.toml"), "--steps", "3"], id="train-file"),
        pytest.param(
            lambda d: ["train", "xor", "--steps", "3", "--set", f"title={EVIL_TOML}"],
            id="train-set-title",
        ),
        pytest.param(
            lambda d: ["train", str(d / "evil.toml"), "--steps", "3", "--trace"], id="train-trace"
        ),
        pytest.param(
            lambda d: ["compare", "xor", "--steps", "2", "--vary", f"title={EVIL_TOML},b"],
            id="compare-vary-title",
        ),
        pytest.param(
            lambda d: ["compare", str(d / "evil.toml"), "--steps", "2", "--vary", "seed=1,2"],
            id="compare-file",
        ),
    ],
)
def test_command_output_shows_escape_codes_harmlessly(tmp_path, capsys, no_ui, argv_of):
    evil_preset(tmp_path)
    assert run_main(argv_of(tmp_path)) == 0
    captured = capsys.readouterr()
    assert shown_harmlessly(captured.out) and clean(captured.err)


@pytest.mark.parametrize(
    "argv_of",
    [
        pytest.param(
            lambda d: ["train", str(d / "evil.toml"), "--steps", "3", "--json"], id="train"
        ),
        pytest.param(
            lambda d: ["train", str(d / "evil.toml"), "--steps", "3", "--json", "--trace"],
            id="train-trace",
        ),
        pytest.param(
            lambda d: [
                "compare",
                "xor",
                "--steps",
                "2",
                "--json",
                "--vary",
                f"title={EVIL_TOML},b",
            ],
            id="compare",
        ),
    ],
)
def test_json_output_escapes_control_characters(tmp_path, capsys, no_ui, argv_of):
    evil_preset(tmp_path)
    assert run_main(argv_of(tmp_path)) == 0
    captured = capsys.readouterr()
    assert captured.out.isascii() and clean(captured.out) and clean(captured.err)
    json.loads(captured.out)


def test_compare_chart_legend_and_title_show_escape_codes_harmlessly(
    tmp_path, capsys, no_ui, monkeypatch
):
    evil_preset(tmp_path)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)  # the chart is drawn on terminals
    assert (
        run_main(
            [
                "compare",
                str(tmp_path / "evil.toml"),
                "--steps",
                "3",
                "--vary",
                f"title={EVIL_TOML},b",
            ]
        )
        == 0
    )
    out = SGR.sub("", capsys.readouterr().out)
    assert out.count("title=T\\x1b]0;PWN") == 2  # the table and the chart's legend
    assert shown_harmlessly(out)


def test_list_shows_escape_codes_harmlessly(tmp_path, capsys, monkeypatch):
    evil_preset(tmp_path, f"evil{EVIL}.toml")
    (tmp_path / f"broken{EVIL}.toml").write_text(f"title = {EVIL_TOML}\n[nope]\n")
    monkeypatch.setattr("bptui.preset.loader.presets_dir", lambda: tmp_path)
    assert run_main(["--list"]) == 0
    captured = capsys.readouterr()
    assert shown_harmlessly(captured.out) and clean(captured.err)
    assert "broken" in captured.out and "cannot load" in captured.out


def test_learn_list_shows_escape_codes_harmlessly(tmp_path, capsys, monkeypatch):
    (tmp_path / f"evil{EVIL}.toml").write_text(
        f'title = {EVIL_TOML}\ndescription = {EVIL_TOML}\npreset = "xor"\n'
        '[[step]]\ntext = "Read this."\n',
        encoding="utf-8",
    )
    (tmp_path / f"broken{EVIL}.toml").write_text(f"title = {EVIL_TOML}\n", encoding="utf-8")
    monkeypatch.setattr("bptui.lesson.loader.lessons_dir", lambda: tmp_path)
    assert run_main(["learn", "--list"]) == 0
    captured = capsys.readouterr()
    assert shown_harmlessly(captured.out) and clean(captured.err)
    assert "broken" in captured.out and "cannot load" in captured.out


@pytest.mark.parametrize(
    "argv_of",
    [
        pytest.param(lambda d: ["train", str(d / f"no{EVIL}.toml")], id="file-name"),
        pytest.param(
            lambda d: ["train", "xor", "--set", f"training.optimizer={EVIL_TOML}"], id="set-value"
        ),
        pytest.param(lambda d: ["train", "xor", "--set", f"{EVIL}=1"], id="set-key"),
        pytest.param(lambda d: ["train", "xor", "--set", f"training.l2={EVIL}"], id="set-raw"),
        pytest.param(
            lambda d: ["compare", "xor", "--vary", f"network.init={EVIL_TOML},b"], id="vary-value"
        ),
        pytest.param(lambda d: ["compare", "xor", "--vary", f"seed={EVIL}"], id="vary-raw"),
        pytest.param(lambda d: ["train", "xor", "--steps", EVIL], id="steps"),
        pytest.param(lambda d: [f"--bogus{EVIL}"], id="usage"),
        pytest.param(lambda d: ["learn", str(d / f"no{EVIL}.toml")], id="lesson-file-name"),
        pytest.param(lambda d: ["--csv", str(d / "h.csv"), "--target", EVIL], id="csv-target"),
        pytest.param(
            lambda d: ["train", "--csv", str(d / "h.csv"), "--target", "y", "--ignore", EVIL],
            id="csv-ignore",
        ),
    ],
)
def test_errors_show_escape_codes_harmlessly(tmp_path, capsys, no_ui, argv_of):
    (tmp_path / "h.csv").write_text(f"x{EVIL},y\n1,2\n3,4\n", encoding="utf-8")
    rc = run_main(argv_of(tmp_path))
    captured = capsys.readouterr()
    line = assert_one_error(rc, captured.out, captured.err)
    assert clean(line) and "\\x1b" in line


def test_notices_show_escape_codes_harmlessly(tmp_path, capsys, no_ui):
    rows = [f"id{EVIL},a,y"] + [f"r{i}{EVIL},{i % 3},{i % 2}" for i in range(20)]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert (
        run_main(["train", "--csv", str(tmp_path / "d.csv"), "--target", "y", "--steps", "2"]) == 0
    )
    captured = capsys.readouterr()
    assert clean(captured.out) and clean(captured.err) and "idT\\x1b]0;PWN" in captured.err


# --------------------------------------------------------------------------------------------
# 2. Numbers in ASCII digits only

NOT_ASCII_NUMBERS = ["1_000", "١٢", "۱۲", "１２", "²", "1\u00b2", "12\u0660", "ⅻ"]


@pytest.mark.parametrize("text", NOT_ASCII_NUMBERS + ["0x10", "1,5", "", " ", "1e", "--1"])
def test_to_int_and_to_float_refuse_what_is_not_ascii_digits(text):
    with pytest.raises(ValueError):
        texts.to_int(text)
    with pytest.raises(ValueError):
        texts.to_float(text)


@pytest.mark.parametrize(
    "text, number",
    [
        ("12", 12),
        (" +7 ", 7),
        ("-3", -3),
        ("007", 7),
        ("1.5", 1.5),
        ("-.5", -0.5),
        ("5.", 5.0),
        ("3e-4", 3e-4),
        ("1E3", 1000.0),
        ("inf", float("inf")),
        ("-Infinity", float("-inf")),
    ],
)
def test_to_float_reads_ascii_numbers(text, number):
    assert texts.to_float(text) == number
    if isinstance(number, int):
        assert texts.to_int(text) == number


def test_to_float_reads_nan():
    assert texts.to_float(" nan ") != texts.to_float("NaN")  # both NaN


@pytest.mark.parametrize("option", ["--steps", "--eval-every"])
@pytest.mark.parametrize("text", NOT_ASCII_NUMBERS)
def test_step_counts_are_ascii_digits(capsys, option, text):
    rc = run_main(["train", "xor", option, text])
    captured = capsys.readouterr()
    assert "expected a whole number" in assert_one_error(rc, captured.out, captured.err)


@pytest.mark.parametrize("text", ["2,1_0,2", "2,١٠,2", "2,１０,2"])
def test_csv_layers_are_ascii_digits(tmp_path, capsys, text):
    (tmp_path / "d.csv").write_text(
        "a,b,y\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(10))
    )
    rc = run_main(["train", "--csv", str(tmp_path / "d.csv"), "--target", "y", "--layers", text])
    captured = capsys.readouterr()
    assert "unit counts" in assert_one_error(rc, captured.out, captured.err, says="--layers")


ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    "cell_of",
    [
        pytest.param(lambda i: str(100 + i).translate(ARABIC), id="arabic-indic"),
        pytest.param(lambda i: f"{i}_000", id="underscore"),
        pytest.param(lambda i: str(100 + i).translate(FULL_WIDTH), id="full-width"),
    ],
)
def test_csv_cells_in_other_digits_are_not_numbers(tmp_path, cell_of):
    rows = ["a,b,y"] + [f"{i % 3},{cell_of(i)},{i % 2}" for i in range(30)]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    try:
        preset = preset_from_csv(str(tmp_path / "d.csv"), "y")
    except PresetError as exc:  # a column of text that is not an ID may be an error
        assert "'b'" in str(exc)
    else:
        assert preset.data.feature_names == ("a",)


def test_one_csv_cell_in_other_digits_is_not_a_number(tmp_path):
    rows = ["a,b,y"] + [f"{i % 3},{'1_000' if i == 25 else i % 4},{i % 2}" for i in range(30)]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    try:
        preset = preset_from_csv(str(tmp_path / "d.csv"), "y")
    except PresetError as exc:
        assert "1_000" in str(exc)
    else:
        assert "b" not in preset.data.feature_names


def test_csv_targets_in_other_digits_are_class_names(tmp_path):
    rows = ["a,b,y"] + [f"{i % 3},{i % 4},{['١.٥', '٢.٥'][i % 2]}" for i in range(20)]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    preset = preset_from_csv(str(tmp_path / "d.csv"), "y")  # not a regression on 1.5 and 2.5
    assert preset.doc["network"]["loss"] == "cross_entropy"
    assert preset.data.class_names == ("١.٥", "٢.٥")


@pytest.mark.parametrize("at", ["forward ²", "forward ١", "backward １", "forward 0_1"])
def test_lesson_check_layers_are_ascii_digits(tmp_path, capsys, no_ui, at):
    path = tmp_path / "lesson.toml"
    path.write_text(
        f'title = "T"\npreset = "mazur"\n[[step]]\ntext = "Read this."\n'
        f'[step.check]\nat = "{at}"\n',
        encoding="utf-8",
    )
    rc = run_main(["learn", str(path)])
    captured = capsys.readouterr()
    assert_one_error(rc, captured.out, captured.err, file=str(path), key="step[1].check.at")


# --------------------------------------------------------------------------------------------
# 3. However `bptui compare` ends, its workers end

LONG_RUNS = [
    "compare",
    "xor",
    "--steps",
    "100000000",
    "--vary",
    "training.optimizer=sgd,adam",
    "--json",
]
needs_two_workers = pytest.mark.skipif(
    (os.cpu_count() or 1) < 2 or not Path("/proc/self/stat").exists(),
    reason="compare uses worker processes on 2+ cores; their pids are read from /proc",
)


def process_table() -> dict[int, tuple[int, str]]:
    """pid → (parent pid, state) of every process, from /proc."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            state, ppid = stat.rsplit(")", 1)[1].split()[:2]
            table[int(entry)] = (int(ppid), state)
    return table


def descendants(pid: int) -> dict[int, int]:
    """Every living process below `pid` → its depth (1: a child, 2: a grandchild, ...)."""
    table = process_table()
    found, frontier, depth = {}, {pid}, 0
    while frontier:
        depth += 1
        frontier = {
            p
            for p, (ppid, state) in table.items()
            if ppid in frontier and state != "Z" and p not in found
        }
        found.update(dict.fromkeys(frontier, depth))
    return found


def alive(pids) -> set[int]:
    """Those of `pids` that still run (not gone, not zombies)."""
    table = process_table()
    return {p for p in pids if p in table and table[p][1] != "Z"}


def wait_for(condition, timeout: float = 60.0) -> bool:
    """Poll until `condition()` holds (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@needs_two_workers
@pytest.mark.parametrize(
    "signum, to_group, code",
    [
        pytest.param(signal.SIGTERM, False, 128 + signal.SIGTERM, id="sigterm"),
        pytest.param(signal.SIGHUP, True, 128 + signal.SIGHUP, id="sighup-terminal-closed"),
        pytest.param(signal.SIGINT, True, 130, id="ctrl-c"),
        pytest.param(signal.SIGKILL, False, -signal.SIGKILL, id="sigkill"),
    ],
)
def test_compare_workers_end_with_the_command(tmp_path, signum, to_group, code):
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    # the command runs as from a terminal: a suite started in the background or under nohup
    # ignores SIGINT and SIGHUP, and a child inherits that (the command keeps an ignored
    # signal ignored, as nohup asks)
    ignored = [s for s in (signal.SIGINT, signal.SIGHUP) if signal.getsignal(s) is signal.SIG_IGN]
    for ignored_signal in ignored:
        signal.signal(ignored_signal, signal.SIG_DFL)
    try:
        command = subprocess.Popen(
            [sys.executable, "-m", "bptui", *LONG_RUNS],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    finally:
        for ignored_signal in ignored:
            signal.signal(ignored_signal, signal.SIG_IGN)
    spawned: set[int] = set()
    try:
        # the workers are the forkserver's children: grandchildren of the command
        assert wait_for(lambda: sum(d == 2 for d in descendants(command.pid).values()) >= 2), (
            "the workers never started"
        )
        spawned.update(descendants(command.pid))
        if to_group:
            os.killpg(command.pid, signum)
        else:
            os.kill(command.pid, signum)
        assert command.wait(60) == code
        assert wait_for(lambda: not alive(spawned)), f"still running: {alive(spawned)}"
        if signum != signal.SIGKILL:
            assert command.stdout.read() == b""
            assert command.stderr.read().decode().count("\n") == 1
    finally:  # nothing left behind, whatever failed
        for pid in alive(spawned | set(descendants(command.pid))):
            os.kill(pid, signal.SIGKILL)
        if command.poll() is None:
            command.kill()
        command.wait(10)


@needs_two_workers
def test_compare_workers_end_when_the_command_fails(tmp_path):
    before = set(descendants(os.getpid()))
    seen: set[int] = set()

    def report(index, steps, loss):
        seen.update(
            p for p, depth in descendants(os.getpid()).items() if depth >= 2 and p not in before
        )
        raise RuntimeError("a failure while the runs train")

    preset = load_preset("xor")
    jobs = [compare.Job(i, {}, preset, 2_000_000) for i in range(2)]
    try:
        with pytest.raises(RuntimeError, match="while the runs train"):
            compare.run_in_pool(jobs, 2, report)
        assert len(seen) >= 2
        assert wait_for(lambda: not alive(seen)), f"still running: {alive(seen)}"
    finally:  # nothing left behind, whatever failed
        for pid in alive(seen):
            os.kill(pid, signal.SIGKILL)


# --------------------------------------------------------------------------------------------
# 4. What `bptui train --json` holds and prints is bounded whatever --steps is


@pytest.mark.parametrize("points", [2, 4, 16])
def test_a_bounded_series_keeps_every_kth_value_and_the_latest(points):
    series = Series(np.float64, max_points=points)
    for n in range(1, 300):
        series.append(n - 1)
        kept, every = series.values, series.stride
        assert len(series) == n and kept[-1] == n - 1 and len(kept) <= points + 1
        samples = kept if (n - 1) % every == 0 else kept[:-1]
        assert samples.tolist() == list(range(0, n, every))
        assert every == 1 or len(samples) > points // 2  # thinned only as far as needed


def test_a_bounded_series_copies_and_truncates_like_the_values_it_kept():
    series = Series(np.float64, max_points=4)
    for value in range(50):
        series.append(value)
    twin = series.copy()
    twin.append(50)
    assert series.values.tolist() == [0, 16, 32, 48, 49] and len(series) == 50
    assert twin.values.tolist() == [0, 16, 32, 48, 50] and len(twin) == 51
    series.truncate(33)
    assert series.values.tolist() == [0, 16, 32] and len(series) == 33
    series.append(33)
    assert series.values.tolist() == [0, 16, 32, 33] and len(series) == 34


def test_a_bounded_history_keeps_the_same_numbers_as_a_whole_one():
    preset = load_preset("spiral")
    whole, bounded = preset.stepper(trace=True), preset.stepper(trace=True)
    bounded.bound_history(8)
    whole.run(300)
    bounded.run(300)
    full, thin = whole.history, bounded.history
    every = thin.batch_loss.stride
    assert every > 1 and len(thin.batch_loss) == 300
    assert thin.batch_loss.values[:-1].tolist() == full.batch_loss.values[::every].tolist()
    assert thin.batch_loss.values[-1] == full.batch_loss.values[-1]
    steps = thin.eval_steps.values
    assert steps[0] == 0 and steps[-1] == full.eval_steps.values[-1] and len(steps) <= 9
    index = np.searchsorted(full.eval_steps.values, steps)
    assert thin.loss.values.tolist() == full.loss.values[index].tolist()
    assert thin.test_loss.values.tolist() == full.test_loss.values[index].tolist()
    rows = np.r_[np.arange(0, 300, every), 299]
    for name in ("grad_norm", "update_ratio", "saturated", "dead"):
        np.testing.assert_array_equal(
            getattr(bounded.trace, name), getattr(whole.trace, name)[rows]
        )
    with pytest.raises(ValueError, match="before the first step"):
        bounded.bound_history(8)


def train_json(capsys, *argv: str) -> dict:
    assert run_main(["train", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_train_json_is_whole_below_the_history_limit(capsys):
    doc = train_json(capsys, "xor", "--steps", "50", "--trace")
    assert doc["batch_loss_every"] == 1 and len(doc["batch_loss"]) == 50
    assert doc["eval_steps"] == list(range(51)) and len(doc["trace"]["grad_norm"]) == 50


def test_train_json_is_thinned_beyond_the_history_limit(capsys, monkeypatch):
    whole = train_json(capsys, "xor", "--steps", "1000", "--trace")
    monkeypatch.setattr("bptui.commands.train.HISTORY_POINTS", 64)
    thin = train_json(capsys, "xor", "--steps", "1000", "--trace")
    every = thin["batch_loss_every"]
    assert every == 16  # 1000 steps in at most 64 points
    assert thin["batch_loss"] == whole["batch_loss"][::every]
    for name, rows in thin["trace"].items():
        assert rows == whole["trace"][name][::every]
    assert thin["eval_steps"][0] == 0 and thin["eval_steps"][-1] == 1000
    assert thin["loss"] == [whole["loss"][whole["eval_steps"].index(s)] for s in thin["eval_steps"]]
    assert thin["layers"] == whole["layers"] and thin["accuracy"] == whole["accuracy"]


def test_train_json_stops_growing_with_steps(capsys, monkeypatch):
    monkeypatch.setattr("bptui.commands.train.HISTORY_POINTS", 32)
    sizes = []
    for steps in ("500", "2000", "8000"):
        assert run_main(["train", "xor", "--steps", steps, "--json", "--trace"]) == 0
        sizes.append(len(capsys.readouterr().out))
    assert max(sizes) < 1.2 * min(sizes)


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["nudge", "xor", "--weight", "١:1:1"], id="nudge-weight-address"),
        pytest.param(["nudge", "xor", "--weight", "1:1:1", "--eps", "1_0"], id="nudge-eps"),
        pytest.param(["slice", "xor", "--weight", "1:1:1", "--span", "١"], id="slice-span"),
    ],
)
def test_probe_numbers_are_ascii_digits(capsys, argv):
    rc = run_main(argv)
    captured = capsys.readouterr()
    assert_one_error(rc, captured.out, captured.err)


def test_compare_json_is_thinned_per_run(capsys, monkeypatch):
    argv = ["compare", "xor", "--steps", "200", "--json", "--vary", "training.optimizer=sgd,adam"]
    assert run_main(argv) == 0
    whole = json.loads(capsys.readouterr().out)
    monkeypatch.setattr(compare, "RUN_POINTS", 8)
    assert run_main(argv) == 0
    thin = json.loads(capsys.readouterr().out)
    for a, b in zip(whole, thin, strict=True):
        assert a["batch_loss_every"] == 1 and b["batch_loss_every"] == 32
        assert b["batch_loss"] == a["batch_loss"][::32] and b["loss"][-1] == a["loss"][-1]
        assert b["eval_steps"][-1] == 200 and len(b["eval_steps"]) <= 9
        assert b["layers"] == a["layers"] and b["steps_to_goal"] == a["steps_to_goal"]
