"""`bptui compare`: every combination from the same initial weights, a table or one JSON array,
and the same numbers from the process pool as from one process."""

from __future__ import annotations

import json

import pytest

from bptui.commands.compare import Job, chart, labels, plan_runs, run_all, table
from bptui.commands.train import result
from bptui.preset import load_preset
from bptui.preset.overrides import parse_set
from tests.test_overrides import run


def compare_json(capsys, *argv: str) -> list[dict]:
    rc, out, err = run(["compare", *argv, "--json"], capsys)
    assert rc == 0, err
    assert out.count("\n") == 1
    return json.loads(out)


def without_time(runs: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in runs]


def test_json_is_one_train_object_per_run_with_its_values(capsys):
    runs = compare_json(
        capsys,
        "xor",
        "--vary",
        "training.optimizer=sgd,momentum",
        "--vary",
        "network.layers=[2,2,1],[2,4,1]",
        "--steps",
        "30",
    )
    assert [r["vary"] for r in runs] == [
        {"training.optimizer": "sgd", "network.layers": [2, 2, 1]},
        {"training.optimizer": "sgd", "network.layers": [2, 4, 1]},
        {"training.optimizer": "momentum", "network.layers": [2, 2, 1]},
        {"training.optimizer": "momentum", "network.layers": [2, 4, 1]},
    ]
    rc, out, _ = run(["train", "xor", "--steps", "30", "--json"], capsys)
    train = json.loads(out)
    for r in runs:
        assert set(r) == set(train) | {"vary", "seconds", "steps_to_goal"}
        assert r["steps"] == 30 and len(r["batch_loss"]) == 30
    assert without_time(runs)[0] == {
        **train,
        "vary": runs[0]["vary"],
        "steps_to_goal": runs[0]["steps_to_goal"],
    }
    assert len(runs[1]["layers"][0]["W"]) == 4


def test_runs_start_from_the_same_weights(capsys):
    runs = compare_json(
        capsys, "spiral", "--vary", "training.optimizer=sgd,momentum,adam", "--steps", "3"
    )
    assert len({r["loss"][0] for r in runs}) == 1
    assert len({r["loss"][-1] for r in runs}) == 3


def test_set_applies_to_every_run(capsys):
    runs = compare_json(
        capsys,
        "xor",
        "--vary",
        "training.optimizer=sgd,adam",
        "--set",
        "training.learning_rate=0.05",
        "--steps",
        "5",
    )
    direct = load_preset("xor")
    for r in runs:
        opt = r["vary"]["training.optimizer"]
        from bptui.preset.loader import with_sets

        preset = with_sets(direct, ["training.learning_rate=0.05", f"training.optimizer={opt}"])
        stepper = preset.stepper()
        stepper.run(5)
        assert r["loss"] == result(preset, stepper, 5)["loss"]


def jobs(name: str, vary: str, steps: int) -> list[Job]:
    key, _, values = vary.partition("=")
    from bptui.commands.compare import parse_vary

    runs = plan_runs(load_preset(name), [], [parse_vary(vary)])
    return [Job(i, v, p, steps) for i, (v, p) in enumerate(runs)]


@pytest.mark.parametrize(
    "name, vary, steps",
    [
        ("optimizers", "training.optimizer=sgd,momentum,adam", 60),
        ("moons", "training.learning_rate=0.1,0.3", 40),  # mini-batches, shuffled
    ],
)
def test_the_pool_gives_the_numbers_of_one_process(name, vary, steps):
    sequential = run_all(jobs(name, vary, steps), workers=1, show_progress=False)
    parallel = run_all(jobs(name, vary, steps), workers=2, show_progress=False)
    assert without_time(parallel) == without_time(sequential)


def test_a_pool_only_for_work_that_pays_for_it(monkeypatch):
    import bptui.commands.compare as compare

    two = jobs("xor", "training.optimizer=sgd,adam", 50)
    assert compare.workers_for(two) == 1, "a fraction of a second: no processes to start"
    assert compare.workers_for(two[:1]) == 1
    monkeypatch.setattr(compare, "POOL_FROM", 0.0)
    assert compare.workers_for(two) == min(2, __import__("os").cpu_count() or 1)


def test_steps_to_goal():
    runs = run_all(jobs("optimizers", "training.optimizer=sgd,adam", 200), 1, False)
    assert runs[0]["steps_to_goal"] is None and 0 < runs[1]["steps_to_goal"] < 200


def test_table_and_chart(capsys):
    rc, out, err = run(["compare", "optimizers", "--vary", "training.optimizer=sgd,adam"], capsys)
    assert rc == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Optimizers on a narrow valley (optimizers.toml): 2 runs of 200")
    assert lines[1].split() == [
        "run",
        "loss",
        "test",
        "loss",
        "accuracy",
        "to",
        "goal",
        "diverged",
        "time",
    ]
    assert lines[3].startswith("optimizer=sgd") and "not reached" in lines[3]
    assert lines[4].startswith("optimizer=adam")
    assert "to goal: first step with loss < 0.1" in out
    assert "step" in out and "┌" not in out, "no chart when stdout is not a terminal"
    runs = run_all(jobs("optimizers", "training.optimizer=sgd,adam", 200), 1, False)
    drawn = chart(runs, "Optimizers")
    assert "optimizer=adam" in drawn and "log10(loss)" in drawn, "log scale over 2 decades"
    assert labels(runs) == ["optimizer=sgd", "optimizer=adam"]
    assert "optimizer=sgd" in table(runs, load_preset("optimizers").goal)


def test_diverged_runs_are_reported(capsys):
    runs = compare_json(
        capsys, "optimizers", "--vary", "training.learning_rate=0.1,0.5", "--steps", "200"
    )
    assert [r["diverged"] for r in runs] == [False, True]
    assert runs[1]["steps"] < 200
    rc, out, _ = run(["compare", "optimizers", "--vary", "training.learning_rate=0.1,0.5"], capsys)
    assert rc == 0 and out.splitlines()[4].split()[-3] == "yes"


def test_set_parse_is_shared():
    assert parse_set("training.l2=0.1").value == 0.1


def test_compare_table_snapshot(capsys, snapshot):
    """What `bptui compare` prints off a terminal (the time column blanked: it varies)."""
    import re

    from bptui.commands.cli import main

    assert (
        main(
            [
                "compare",
                "optimizers",
                "--vary",
                "training.optimizer=sgd,momentum,adam",
                "--steps",
                "100",
            ]
        )
        == 0
    )
    out = re.sub(r"\d+\.\d\d s", "#.## s", capsys.readouterr().out)
    assert out == snapshot


def test_the_chart_shows_the_test_loss_when_the_preset_holds_out_a_test_set():
    from bptui.commands.compare import curves_of

    held_out = run_all(jobs("overfit", "training.l2=0,0.1", 60), 1, False)
    assert curves_of(held_out, None) == ("train", "test")
    assert curves_of(held_out, "test") == ("test",)
    assert curves_of(held_out, "train") == ("train",)
    both = chart(held_out, "Overfitting")
    for label in ("l2=0 train", "l2=0 test", "l2=0.1 train", "l2=0.1 test"):
        assert label in both
    assert "train, test in dots" in both
    test_only = chart(held_out, "Overfitting", "test")
    assert "l2=0 test" in test_only and "train" not in test_only and "test loss" in test_only
    plain = run_all(jobs("optimizers", "training.optimizer=sgd,adam", 30), 1, False)
    assert curves_of(plain, None) == ("train",)
    assert "test" not in chart(plain, "Optimizers")


def test_the_table_shows_the_final_test_loss_and_test_accuracy():
    runs = run_all(jobs("iris", "training.learning_rate=0.1,0.3", 40), 1, False)
    lines = table(runs, None).splitlines()
    assert lines[0].split()[:6] == ["run", "loss", "test", "loss", "test", "accuracy"]
    for line, one in zip(lines[2:], runs):
        cells = line.split()
        assert cells[2] == format(one["test_loss"][-1], ".4g")
        assert cells[3] == format(one["accuracy"], ".1%")


def test_curve_is_checked(capsys):
    rc, out, err = run(
        [
            "compare",
            "optimizers",
            "--vary",
            "training.optimizer=sgd,adam",
            "--curve",
            "test",
            "--steps",
            "5",
        ],
        capsys,
    )
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and "--curve test" in err and "no test set" in err
    rc, _, err = run(
        [
            "compare",
            "overfit",
            "--vary",
            "training.l2=0,0.1",
            "--curve",
            "sideways",
            "--steps",
            "5",
        ],
        capsys,
    )
    assert rc == 2 and "sideways" in err and err.count("\n") == 1
    rc, out, err = run(
        ["compare", "overfit", "--vary", "training.l2=0,0.1", "--curve", "both", "--steps", "5"],
        capsys,
    )
    assert rc == 0 and "test loss" in out
