"""`--set KEY=VALUE` on `bptui train` and the explorer, `--vary` of `bptui compare`, and the
goal vocabulary: each override is validated like the file, bad input is one line and exit 2."""

from __future__ import annotations

import json

import pytest

from bptui.commands.cli import app_parser, load_target
from bptui.commands.compare import parse_vary, split_top_level
from bptui.commands.web import app_argv
from bptui.preset import PresetError, load_preset
from bptui.preset.loader import with_overrides, with_sets
from bptui.preset.overrides import Override, apply, from_table, parse_set
from tests.helpers import run_cli
from tests.test_bad_input import assert_one_error, preset, run_main, train_bad


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    """bptui in-process: (exit code, stdout, stderr)."""
    rc = run_main(argv)
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def train_json(capsys, *argv: str) -> dict:
    rc, out, err = run(["train", *argv, "--json"], capsys)
    assert rc == 0, err
    return json.loads(out)


# ----- --set --------------------------------------------------------------------------------------


def test_set_overrides_keys_for_one_run(capsys, tmp_path):
    by_set = train_json(
        capsys,
        "xor",
        "--steps",
        "20",
        "--set",
        "training.learning_rate=0.5",
        "--set",
        "network.hidden_activation=tanh",
    )
    text = (load_preset("xor").doc["title"],)
    path = tmp_path / "same.toml"
    path.write_text(
        preset(
            title=f'title = "{text[0]}"',
            network="layers = [2, 2, 1]\nhidden_activation = 'tanh'",
            training="learning_rate = 0.5",
            data="inputs = [[0, 0], [0, 1], [1, 0], [1, 1]]\ntargets = [[0], [1], [1], [0]]",
        ),
        encoding="utf-8",
    )
    by_file = train_json(capsys, str(path), "--steps", "20")
    assert by_set["loss"] == by_file["loss"] and by_set["layers"] == by_file["layers"]
    assert by_set["loss"] != train_json(capsys, "xor", "--steps", "20")["loss"]


def test_set_parses_toml_values_and_bare_words():
    preset_ = with_sets(
        load_preset("xor"),
        [
            "network.layers=[2,8,1]",
            "training.optimizer=adam",
            "training.shuffle=true",
            "seed=3",
            'title="My run"',
            "network.init=he",
        ],
    )
    assert preset_.network.layers == (2, 8, 1) and preset_.training.optimizer == "adam"
    assert preset_.training.shuffle and preset_.seed == 3 and preset_.title == "My run"
    assert preset_.doc["network"]["init"] == "he"
    assert load_preset("xor").network.layers == (2, 2, 1), "the loaded preset is not changed"


def test_set_a_table_value_sets_its_keys():
    preset_ = with_sets(load_preset("xor"), ["network={hidden_activation='tanh', layers=[2,3,1]}"])
    assert preset_.network.layers == (2, 3, 1) and preset_.network.hidden_activation == "tanh"
    assert preset_.network.loss == "quadratic", "keys not named are kept"


def test_another_optimizer_drops_the_old_ones_settings():
    spiral = load_preset("spiral")
    assert spiral.training.optimizer == "momentum"
    adam = with_sets(spiral, ["training.optimizer=adam"])
    assert adam.training.optimizer == "adam" and "momentum" not in adam.doc["training"]
    assert with_sets(spiral, ["training.optimizer=nesterov"]).training.momentum == 0.9
    with pytest.raises(PresetError, match="not a setting of optimizer 'adam'"):
        with_sets(spiral, ["training.optimizer=adam", "training.momentum=0.5"])


def test_new_layer_sizes_of_pinned_weights_are_refused_not_dropped():
    mazur = load_preset("mazur")
    with pytest.raises(PresetError, match=r"pins \[\[weights\]\] for layers = \[2, 2, 2\]") as exc:
        with_sets(mazur, ["network.layers=[2,3,2]"])
    assert str(exc.value).startswith("--set network.layers: ")
    assert with_sets(mazur, ["network.layers=[2,2,2]"]).weights is not None  # the same sizes
    assert with_sets(mazur, ["training.learning_rate=0.1"]).weights is not None
    assert with_sets(mazur, ["network.init=he"]).weights is None  # weights for its own shapes
    assert with_sets(load_preset("xor"), ["network.layers=[2,3,1]"]).network.layers == (2, 3, 1)


def test_explorer_takes_set(monkeypatch):
    parser = app_parser()
    args = parser.parse_args(["xor", "--set", "training.learning_rate=0.25"])
    preset_, stepper = load_target(parser, args)
    assert preset_.training.learning_rate == 0.25 and stepper is None
    assert preset_.doc["training"]["learning_rate"] == 0.25, "sessions save the overridden doc"


def test_web_children_get_set():
    argv = ["spiral", "--web", "--port", "8001", "--set", "training.l2=0.1", "--set=seed=2"]
    assert app_argv(argv) == ["spiral", "--set", "training.l2=0.1", "--set=seed=2"]


SET_ERRORS = [
    pytest.param(
        "training.learnig_rate=0.1",
        "--set training.learnig_rate: ",
        "did you mean learning_rate",
        id="unknown-key-did-you-mean",
    ),
    pytest.param(
        "trainig.learning_rate=0.1",
        "--set trainig.learning_rate: ",
        "did you mean training",
        id="unknown-table",
    ),
    pytest.param(
        "training.learning_rate=-1",
        "--set training.learning_rate: ",
        "out of range",
        id="out-of-range",
    ),
    pytest.param(
        "training.learning_rate=fast",
        "--set training.learning_rate: ",
        "expected a number",
        id="word-for-number",
    ),
    pytest.param(
        "training.learning_rate=nan",
        "--set training.learning_rate: ",
        "not a finite number",
        id="nan",
    ),
    pytest.param(
        "training.learning_rate=[0.1",
        "--set training.learning_rate: ",
        "not a TOML value",
        id="bad-toml",
    ),
    pytest.param(
        "training.learning_rate=1\ny = 2",
        "--set training.learning_rate: ",
        "more than one",
        id="two-values",
    ),
    pytest.param(
        "training.learning_rate=",
        "--set training.learning_rate: ",
        "missing value",
        id="empty-value",
    ),
    pytest.param("training.learning_rate", "--set: ", "not KEY=VALUE", id="no-equals"),
    pytest.param("", "--set: ", "not KEY=VALUE", id="empty"),
    pytest.param("=0.1", "--set: ", "missing KEY", id="empty-key"),
    pytest.param("training..l2=0.1", "--set: ", "not a dotted key", id="bad-key"),
    pytest.param(
        "network.hidden_activation=rellu",
        "--set network.hidden_activation: ",
        "did you mean 'relu'",
        id="bad-choice",
    ),
    pytest.param(
        "weights.W=[[1]]", "--set weights.W: ", "expected [[weights]]", id="weights-not-pinned"
    ),
    pytest.param("network=3", "--set network: ", "is a table", id="table-to-scalar"),
    pytest.param("title.x=3", "--set title.x: ", "not a table", id="inside-a-string"),
    pytest.param(
        "data.generator=moons",
        "--set data.generator: ",
        "exactly one data source",
        id="two-data-sources",
    ),
    pytest.param(
        "network.layers=[3,4,1]",
        "xor.toml: data.inputs: ",
        "with --set network.layers",
        id="consequence-names-the-override",
    ),
]


@pytest.mark.parametrize("text, starts, says", SET_ERRORS)
@pytest.mark.parametrize("command", ["train", "app"])
def test_bad_set_is_one_line_exit_2(capsys, monkeypatch, command, text, starts, says):
    import bptui.app

    monkeypatch.setattr(bptui.app, "run_app", lambda *a: pytest.fail("the app must not start"))
    argv = (["train", "xor", "--steps", "1"] if command == "train" else ["xor"]) + ["--set", text]
    line = assert_one_error(*run(argv, capsys), says=says)
    assert line.startswith(f"bptui: error: {starts}"), line


def test_set_cannot_reach_into_an_array_of_tables(capsys):
    line = assert_one_error(
        *run(["train", "mazur", "--set", "weights.0.W=[[1, 2]]"], capsys), says="array of tables"
    )
    assert line.startswith("bptui: error: --set weights.0.W: weights is an array of tables")


def test_set_with_session_is_refused(capsys, tmp_path):
    assert_one_error(
        *run(["--session", str(tmp_path / "s.toml"), "--set", "seed=1"], capsys),
        says="--set goes with a preset",
    )


def test_subprocess_bad_set(tmp_path):
    done = run_cli(["train", "xor", "--set", "training.learnig_rate=0.1"], tmp_path)
    assert_one_error(done.returncode, done.stdout, done.stderr, says="did you mean learning_rate")


# ----- the override function itself ------------------------------------------------------------


def test_overrides_from_a_table_name_their_file_and_key():
    overrides = from_table({"training": {"l3": 0.5}}, "lesson.toml", "set")
    assert overrides == [Override("training.l3", 0.5, "lesson.toml", "set.training.l3")]
    with pytest.raises(PresetError) as caught:
        with_overrides(load_preset("xor"), overrides)
    assert str(caught.value).startswith("lesson.toml: set.training.l3: unknown key")
    quoted = from_table({"training.l2": 0.5}, "lesson.toml", "set")
    assert with_overrides(load_preset("xor"), quoted).training.l2 == 0.5


def test_apply_copies_and_creates_tables():
    doc = {"title": "t", "network": {"layers": [2, 1]}}
    out = apply(doc, [parse_set("training.l2=0.1"), parse_set("network.layers=[2,3,1]")])
    assert out == {"title": "t", "network": {"layers": [2, 3, 1]}, "training": {"l2": 0.1}}
    assert doc == {"title": "t", "network": {"layers": [2, 1]}}


# ----- --vary -------------------------------------------------------------------------------------


def test_vary_values_split_at_the_top_level_only():
    assert split_top_level("sgd,momentum,adam") == ["sgd", "momentum", "adam"]
    assert split_top_level("[2,4,1], [2,8,1]") == ["[2,4,1]", "[2,8,1]"]
    assert split_top_level("'a,b',\"c,d\",{x=1,y=2}") == ["'a,b'", '"c,d"', "{x=1,y=2}"]
    assert parse_vary("network.layers=[2,4,1],[2,8,1]") == (
        "network.layers",
        [[2, 4, 1], [2, 8, 1]],
    )
    assert parse_vary("training.l2=0,0.1") == ("training.l2", [0, 0.1])


VARY_ERRORS = [
    pytest.param(
        ["--vary", "training.optimizer=sgd,adamm"],
        "--vary training.optimizer: ",
        "did you mean 'adam'",
        id="bad-value",
    ),
    pytest.param(
        ["--vary", "training.optimiser=sgd,adam"],
        "--vary training.optimiser: ",
        "did you mean optimizer",
        id="unknown-key",
    ),
    pytest.param(
        ["--vary", "training.optimizer=sgd,,adam"],
        "--vary training.optimizer: ",
        "empty value",
        id="empty-item",
    ),
    pytest.param(
        ["--vary", "training.optimizer="],
        "--vary training.optimizer: ",
        "empty value",
        id="no-values",
    ),
    pytest.param(["--vary", "training.optimizer"], "--vary: ", "not KEY=VALUE", id="no-equals"),
    pytest.param(["--vary", "=sgd"], "--vary: ", "missing KEY", id="no-key"),
    pytest.param(
        ["--vary", "weights.0.W=[[1,2]]"],
        "--vary weights.0.W: ",
        "array of tables",
        id="array-of-tables",
    ),
    pytest.param(
        ["--vary", "training.l2=0,0.1", "--vary", "training.l2=1"],
        "--vary training.l2: ",
        "varied twice",
        id="twice",
    ),
    pytest.param(
        ["--vary", "training.l2=0,0.1", "--set", "training.l2=1"],
        "--vary training.l2: ",
        "also given with --set",
        id="also-set",
    ),
    pytest.param(
        [
            "--vary",
            "seed=" + ",".join(map(str, range(9))),
            "--vary",
            "training.l2=" + ",".join(map(str, range(9))),
        ],
        "--vary: ",
        "too many runs",
        id="too-many",
    ),
    pytest.param(
        ["--vary", "training.learning_rate=0.1,[0.2"],
        "--vary training.learning_rate: ",
        "not a TOML value",
        id="bad-toml",
    ),
]


@pytest.mark.parametrize("extra, starts, says", VARY_ERRORS)
def test_bad_vary_is_one_line_exit_2(capsys, extra, starts, says):
    line = assert_one_error(*run(["compare", "mazur", "--steps", "1", *extra], capsys), says=says)
    assert line.startswith(f"bptui: error: {starts}"), line


def test_compare_needs_vary(capsys):
    assert_one_error(*run(["compare", "xor"], capsys), says="--vary")


def test_subprocess_bad_vary(tmp_path):
    done = run_cli(["compare", "xor", "--vary", "training.optimizer=sgd,adamm"], tmp_path)
    assert_one_error(done.returncode, done.stdout, done.stderr, says="did you mean 'adam'")


# ----- the goal vocabulary ------------------------------------------------------------------------

GOAL_ERRORS = [
    pytest.param(
        "steps = 10\ndead_at_lest = 0.3",
        "goal.dead_at_lest",
        "did you mean dead_at_least",
        id="typo",
    ),
    pytest.param(
        "steps = 10\ngrad_ratio_below = 0", "goal.grad_ratio_below", "out of range", id="ratio-zero"
    ),
    pytest.param(
        "steps = 10\ndead_at_least = 1.5", "goal.dead_at_least", "out of range", id="share-over-one"
    ),
    pytest.param(
        "steps = 10\ntest_loss_rise = 0.5",
        "goal.test_loss_rise",
        "out of range",
        id="rise-below-one",
    ),
    pytest.param(
        "steps = 10\nloss_above = -1", "goal.loss_above", "out of range", id="loss-above-negative"
    ),
    pytest.param(
        "steps = 10\nidentical_units = 1",
        "goal.identical_units",
        "true or false",
        id="identical-not-bool",
    ),
    pytest.param(
        "steps = 10\nloss_above = 0.1\nfix = 3",
        "goal.fix",
        "table of overrides",
        id="fix-not-table",
    ),
    pytest.param(
        "steps = 10\nloss_above = 0.1\nfix = []", "goal.fix", "table of overrides", id="fix-empty"
    ),
    pytest.param(
        "steps = 10\nloss = 0.1\nfix = { training.l2 = 0.1 }",
        "goal.fix",
        "needs a phenomenon",
        id="fix-without-phenomenon",
    ),
    pytest.param(
        "steps = 10\nloss_above = 0.1\nfix = { training.learnig_rate = 0.1 }",
        "goal.fix.training.learnig_rate",
        "did you mean learning_rate",
        id="fix-unknown-key",
    ),
    pytest.param(
        "steps = 10\nloss_above = 0.1\nfix = [{ training.l2 = -1 }]",
        "goal.fix[0].training.l2",
        "out of range",
        id="fix-bad-value",
    ),
]


@pytest.mark.parametrize("goal, key, says", GOAL_ERRORS)
def test_bad_goal_is_one_line_exit_2(tmp_path, capsys, goal, key, says):
    path, rc, out, err = train_bad(tmp_path, capsys, preset(tail=f"[goal]\n{goal}"))
    assert_one_error(rc, out, err, path, key, says)


def test_a_goal_that_no_longer_applies_is_not_an_error(capsys):
    """Switching dead-relu to leaky ReLU (no unit can die) is allowed: the fact fails."""
    rc, out, err = run(
        [
            "train",
            "dead-relu",
            "--set",
            "network.hidden_activation=leaky_relu",
            "--set",
            "training.learning_rate=0.5",
        ],
        capsys,
    )
    assert rc == 0 and "not shown" in out and "no ReLU units" in out, out + err


def test_goal_vocabulary_is_documented():
    from pathlib import Path

    from bptui.preset.goal import GOAL_KEYS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for key in GOAL_KEYS:
        assert f"`{key}" in readme, key


def test_parse_set_names_its_source():
    assert parse_set("seed=1", "lesson.toml") == Override("seed", 1, "lesson.toml")
    with pytest.raises(PresetError, match="not KEY=VALUE"):
        parse_set("seed", "lesson.toml")


def test_no_overrides_is_the_preset_itself():
    xor = load_preset("xor")
    assert with_sets(xor, None) is xor and with_sets(xor, []) is xor
