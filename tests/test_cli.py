"""The command line's good paths: --version, --help, --list and `bptui train` (text and JSON)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import bptui
from bptui.commands.cli import main
from bptui.preset import bundled_names, load_preset
from tests.helpers import DIVERGING, run_cli

BUNDLED = ["xor", "mazur", "circle", "gaussian", "moons", "spiral", "sine", "iris", "digits"]

SMALL = """title = "Small"
[network]
layers = [2, 2, 1]
[training]
learning_rate = 1.0
[data]
inputs = [[0, 0], [0, 1], [1, 0], [1, 1]]
targets = [[0], [1], [1], [1]]
"""


def run_main(argv: list[str]) -> int:
    """bptui.commands.cli.main, with argparse's SystemExit turned into its exit code."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1


def reject_constant(token: str):
    raise AssertionError(f"JSON must not contain {token}")


def train_json(capsys, *args: str) -> dict:
    """Run `bptui train ... --json` in-process: exit 0, nothing on stderr, one JSON line."""
    rc = run_main(["train", *args, "--json"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert captured.err == ""
    assert captured.out.endswith("\n") and captured.out.count("\n") == 1, captured.out[:200]
    doc = json.loads(captured.out, parse_constant=reject_constant)
    assert isinstance(doc, dict)
    return doc


def shape(value) -> tuple[int, ...]:
    """Shape of nested lists."""
    if isinstance(value, list):
        inner = {shape(v) for v in value}
        assert len(inner) <= 1, "ragged"
        return (len(value), *(inner.pop() if inner else ()))
    return ()


# --------------------------------------------------------------------------------------------
# --version, --help, --list


def test_version(capsys):
    assert run_main(["--version"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == f"bptui {bptui.__version__}"
    assert captured.err == ""


@pytest.mark.parametrize(
    "argv", [["--help"], ["-h"], ["train", "--help"]], ids=["help", "h", "train-help"]
)
def test_help(capsys, argv):
    assert run_main(argv) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("usage:")
    assert captured.err == ""


def test_help_mentions_train_and_list(capsys):
    run_main(["--help"])
    out = capsys.readouterr().out
    assert "--list" in out and "train" in out


def test_train_help_mentions_options(capsys):
    run_main(["train", "--help"])
    out = capsys.readouterr().out
    assert "--steps" in out and "--json" in out


def test_list_names_every_bundled_preset_with_its_title(capsys):
    assert run_main(["--list"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = captured.out.splitlines()
    names = bundled_names()
    assert set(BUNDLED) <= set(names)
    heads = [line for line in lines if line and not line.startswith(" ")]
    assert [line.split()[0] for line in heads] == names
    for name, line in zip(names, heads):
        assert "cannot load" not in line
        assert line.split(None, 1)[1].strip() == load_preset(name).title


def test_learn_list_fits_a_24_row_terminal_one_line_per_lesson(capsys):
    """`bptui learn --list`: name, steps and title, one line each (the first lessons used to
    scroll off a 24-row terminal); `--long` adds the descriptions."""
    from bptui.lesson import bundled_lessons, load_lesson

    assert run_main(["learn", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = bundled_lessons()
    assert len(lines) == len(names) + 1 <= 23 and all(len(line) <= 79 for line in lines)
    for name, line in zip(names, lines, strict=False):
        lesson = load_lesson(name)
        assert line.split()[:3] == [name, str(len(lesson.steps)), "steps"]
        assert line.endswith(lesson.title)
    assert "--long" in lines[-1]
    assert run_main(["learn", "--list", "--long"]) == 0
    long = capsys.readouterr().out.splitlines()
    assert len(long) > 2 * len(names) and long[0].startswith(names[0])
    assert run_main(["learn", "--long"]) == 2
    assert "--long goes with --list" in capsys.readouterr().err


def test_list_ignores_cwd(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_main(["--list"]) == 0
    out = capsys.readouterr().out
    for name in BUNDLED:
        assert f"\n{name} " in "\n" + out


# --------------------------------------------------------------------------------------------
# bptui train --json


def test_train_xor_json(capsys):
    doc = train_json(capsys, "xor", "--steps", "5")
    assert doc["preset"] == "xor"
    assert doc["steps"] == 5
    assert len(doc["loss"]) == 6
    assert all(isinstance(v, float) for v in doc["loss"])
    assert doc["loss"][-1] < doc["loss"][0]
    assert doc["diverged"] is False
    assert "test_loss" not in doc
    assert 0.0 <= doc["accuracy"] <= 1.0
    layers = doc["layers"]
    assert len(layers) == 2
    expected = [
        {"W": (2, 2), "b": (2,), "dW": (2, 2), "db": (2,)},
        {"W": (1, 2), "b": (1,), "dW": (1, 2), "db": (1,)},
    ]
    for layer, want in zip(layers, expected):
        assert set(want) <= set(layer)
        for key, dims in want.items():
            assert shape(layer[key]) == dims, key
            flat = layer[key] if len(dims) == 1 else [v for row in layer[key] for v in row]
            assert all(isinstance(v, float) for v in flat)


def test_train_zero_steps(capsys):
    doc = train_json(capsys, "xor", "--steps", "0")
    assert doc["steps"] == 0
    assert len(doc["loss"]) == 1


def test_train_default_steps_is_the_goal(capsys):
    doc = train_json(capsys, "xor")
    assert doc["steps"] == load_preset("xor").goal.steps == 3000
    assert len(doc["loss"]) == 3001
    assert doc["loss"][-1] < 0.01
    assert doc["accuracy"] == 1.0


def test_train_mazur_reproduces_the_worked_example(capsys):
    doc = train_json(capsys, "mazur", "--steps", "1")
    assert doc["loss"][0] == pytest.approx(0.298371109, abs=1e-9)
    assert doc["layers"][1]["W"][0][0] == pytest.approx(0.35891648, abs=1e-8)
    assert doc["layers"][0]["W"][0][0] == pytest.approx(0.149780716, abs=1e-9)


def test_train_with_test_split_reports_test_loss_and_accuracy(capsys):
    doc = train_json(capsys, "iris", "--steps", "7")
    assert doc["preset"] == "iris"
    assert len(doc["loss"]) == 8 and len(doc["test_loss"]) == 8
    assert all(isinstance(v, float) for v in doc["loss"] + doc["test_loss"])
    assert isinstance(doc["accuracy"], float) and 0.0 <= doc["accuracy"] <= 1.0
    assert [shape(layer["W"]) for layer in doc["layers"]] == [(8, 4), (3, 8)]


def test_train_regression_has_no_accuracy(capsys):
    doc = train_json(capsys, "sine", "--steps", "3")
    assert "accuracy" not in doc
    assert len(doc["loss"]) == 4 and len(doc["test_loss"]) == 4
    assert doc["diverged"] is False


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_preset_trains(capsys, name):
    doc = train_json(capsys, name, "--steps", "2")
    assert doc["preset"] == name
    assert doc["diverged"] is False
    full_batch = load_preset(name).training.batch_size == 0
    assert doc["eval_steps"] == ([0, 1, 2] if full_batch else [0, 2])
    assert len(doc["loss"]) == len(doc["eval_steps"]) and len(doc["batch_loss"]) == 2
    if full_batch:  # the batch is the training set: the same numbers, from the same pass
        assert doc["batch_loss"] == doc["loss"][:2]
    every = train_json(capsys, name, "--steps", "2", "--eval-every", "1")
    assert every["eval_steps"] == [0, 1, 2] and len(every["loss"]) == 3
    assert every["loss"][0] == doc["loss"][0] and every["loss"][2] == doc["loss"][-1]


def test_diverging_preset_gives_nulls_not_nan(capsys, tmp_path):
    path = tmp_path / "diverge.toml"
    path.write_text(DIVERGING, encoding="utf-8")
    rc = run_main(["train", str(path), "--steps", "50", "--json"])
    captured = capsys.readouterr()
    assert rc == 0
    assert captured.err == "", "no warnings on stderr"
    for token in ("NaN", "Infinity"):
        assert token not in captured.out
    doc = json.loads(captured.out, parse_constant=reject_constant)
    assert doc["diverged"] is True
    assert doc["preset"] == "diverge"
    assert None in doc["loss"]
    assert doc["loss"][0] is not None
    assert doc["steps"] <= 50
    assert len(doc["loss"]) == doc["steps"] + 1


def test_diverging_preset_summary(capsys, tmp_path):
    path = tmp_path / "diverge.toml"
    path.write_text(DIVERGING, encoding="utf-8")
    assert run_main(["train", str(path), "--steps", "50"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "diverged" in captured.out


@pytest.mark.parametrize(
    "args",
    [["xor", "--steps", "50"], ["moons", "--steps", "30"], ["digits", "--steps", "3"]],
    ids=["xor", "moons-shuffled-minibatches", "digits"],
)
def test_same_preset_twice_gives_identical_json(capsys, args):
    first = run_main(["train", *args, "--json"])
    out1 = capsys.readouterr().out
    second = run_main(["train", *args, "--json"])
    out2 = capsys.readouterr().out
    assert first == second == 0
    assert out1 == out2


def test_same_tmp_preset_twice_gives_identical_json(capsys, tmp_path):
    path = tmp_path / "gen.toml"
    path.write_text(
        SMALL.replace(
            "[data]\ninputs = [[0, 0], [0, 1], [1, 0], [1, 1]]\ntargets = [[0], [1], [1], [1]]",
            '[data]\ngenerator = "circle"\nsamples = 40\ntest_fraction = 0.25',
        ).replace("learning_rate = 1.0", "learning_rate = 1.0\nbatch_size = 5\nshuffle = true"),
        encoding="utf-8",
    )
    docs = [train_json(capsys, str(path), "--steps", "20") for _ in range(2)]
    assert docs[0] == docs[1]
    assert docs[0]["eval_steps"] == [0, 6, 12, 18, 20]  # once per epoch of 6 batches, and the end
    assert len(docs[0]["test_loss"]) == 5 and len(docs[0]["batch_loss"]) == 20


# --------------------------------------------------------------------------------------------
# bptui train (text summary)


def test_train_summary(capsys):
    assert run_main(["train", "xor", "--steps", "10"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = captured.out.splitlines()
    assert 1 <= len(lines) <= 5
    assert "XOR" in lines[0] and "10 steps" in lines[0]
    assert "loss" in captured.out
    assert "goal" in captured.out
    assert not captured.out.lstrip().startswith("{")


def test_train_summary_with_test_split(capsys):
    assert run_main(["train", "iris", "--steps", "5"]) == 0
    out = capsys.readouterr().out
    assert "test loss" in out and "accuracy" in out


# --------------------------------------------------------------------------------------------
# Paths and working directories


@pytest.mark.parametrize("given", ["mine.toml", "./mine.toml", "sub/../mine.toml"])
def test_preset_path_relative_to_cwd(capsys, tmp_path, monkeypatch, given):
    (tmp_path / "sub").mkdir()
    (tmp_path / "mine.toml").write_text(SMALL, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    doc = train_json(capsys, given, "--steps", "2")
    assert doc["preset"] == "mine"
    assert len(doc["loss"]) == 3


def test_preset_without_toml_suffix_in_cwd(capsys, tmp_path, monkeypatch):
    (tmp_path / "mine").write_text(SMALL, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    doc = train_json(capsys, "mine", "--steps", "1")
    assert doc["preset"] == "mine"


def test_csv_is_found_next_to_the_preset_from_another_cwd(capsys, tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    (data / "points.csv").write_text(
        "a,b,label\n0,0,no\n0,1,yes\n1,0,yes\n1,1,no\n", encoding="utf-8"
    )
    (data / "p.toml").write_text(
        'title = "CSV"\n[network]\nlayers = [2, 3, 1]\n'
        '[data]\ncsv = "points.csv"\ntarget = "label"\nnormalize = true\n',
        encoding="utf-8",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    doc = train_json(capsys, "../data/p.toml", "--steps", "2")
    assert doc["preset"] == "p"
    assert "accuracy" in doc


@pytest.mark.parametrize("name", ["xor", "iris"])
def test_bundled_preset_from_any_cwd(capsys, tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    doc = train_json(capsys, name, "--steps", "2")
    assert doc["preset"] == name


# --------------------------------------------------------------------------------------------
# Real processes


@pytest.mark.parametrize("entry", ["module", "script"])
def test_subprocess_train_json(tmp_path, entry):
    proc = run_cli(["train", "xor", "--steps", "5", "--json"], cwd=tmp_path, entry=entry)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    doc = json.loads(proc.stdout, parse_constant=reject_constant)
    assert doc["preset"] == "xor" and doc["steps"] == 5 and len(doc["loss"]) == 6


def test_subprocess_version(tmp_path):
    proc = run_cli(["--version"], cwd=tmp_path, entry="script")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"bptui {bptui.__version__}"


def test_subprocess_list_piped_to_a_closed_pipe(tmp_path):
    """`bptui --list | head -1`: a closed pipe is not an error."""
    proc = subprocess.run(
        f'"{sys.executable}" -m bptui --list | head -1',
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout.startswith("xor")
    assert "Traceback" not in proc.stderr
