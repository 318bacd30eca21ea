"""Bad input of every kind: one line `bptui: error: FILE: KEY: ...` on stderr, exit code 2.

Most cases call `bptui.commands.cli.main` in-process (fast); a few run the real command in a
subprocess to prove the end-to-end behaviour (exit status 2, no traceback, nothing on stdout),
for both `bptui train PRESET` and the app entry `bptui PRESET`.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import traceback
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bptui.app
from bptui.commands.cli import main
from bptui.preset.tomlwrite import dumps
from tests.helpers import run_cli

XOR_DATA = "inputs = [[0, 0], [0, 1], [1, 0], [1, 1]]\ntargets = [[0], [1], [1], [0]]"
GOOD_CSV = "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"
WEIGHTS_221 = """
[[weights]]
W = [[0.1, 0.2], [0.3, 0.4]]
b = [0.0, 0.0]

[[weights]]
W = [[0.5, 0.6]]
b = [0.0]
"""


def preset(
    top: str = "",
    network: str | None = "layers = [2, 2, 1]",
    training: str = "",
    data: str | None = XOR_DATA,
    tail: str = "",
    title: str = 'title = "Bad"',
) -> str:
    """A preset's TOML text: a valid XOR preset unless a part is replaced."""
    parts = [title, top]
    if network is not None:
        parts += ["[network]", network]
    if training:
        parts += ["[training]", training]
    if data is not None:
        parts += ["[data]", data]
    parts.append(tail)
    return "\n".join(parts) + "\n"


def gen(body: str, network: str = "layers = [2, 4, 1]", **kw) -> str:
    """A preset whose data come from a generator."""
    return preset(network=network, data=body, **kw)


def run_main(argv: list[str]) -> int:
    """bptui.commands.cli.main, with argparse's SystemExit turned into its exit code.

    An exception escaping main would be a traceback for the user: fail with a short report of
    where it came from (rendering a RecursionError in full would take pytest seconds).
    """
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except Exception as exc:
        frames = [
            f
            for f in traceback.extract_tb(exc.__traceback__)
            if f"{os.sep}bptui{os.sep}" in f.filename
        ]
        where = (
            f" at {frames[-1].filename}:{frames[-1].lineno} in {frames[-1].name}" if frames else ""
        )
        message = str(exc)
        message = message if len(message) <= 200 else message[:200] + "..."
        pytest.fail(
            f"bad input escaped as a traceback: {type(exc).__name__}: {message}{where}",
            pytrace=False,
        )


def assert_one_error(
    rc, out: str, err: str, file: str | None = None, key: str | None = None, says: str = ""
) -> str:
    """The contract: exit 2, nothing on stdout, exactly one `bptui: error: ` line on stderr."""
    assert rc == 2, f"exit code {rc}, stderr: {err!r}"
    assert out == "", f"stdout should be empty, got {out!r}"
    assert "Traceback" not in err, err
    assert err.endswith("\n") and err.count("\n") == 1, f"expected exactly one line, got {err!r}"
    line = err[:-1]
    assert line.startswith("bptui: error: "), line
    if file is not None:
        assert f"bptui: error: {file}: " in line, f"file {file!r} not named first in {line!r}"
    if key is not None:
        assert f"{file}: {key}" in line, f"key {key!r} not named after the file in {line!r}"
    assert says.lower() in line.lower(), f"{says!r} not in {line!r}"
    return line


def train_bad(tmp_path: Path, capsys, text: str | bytes, name: str = "bad.toml") -> tuple:
    """Write a preset and run `bptui train PRESET --steps 1` in-process."""
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    rc = run_main(["train", str(path), "--steps", "1"])
    captured = capsys.readouterr()
    return str(path), rc, captured.out, captured.err


# --------------------------------------------------------------------------------------------
# Preset contents: (text, dotted key or None for a file-level problem, expected words)

UNKNOWN_KEYS = [
    pytest.param(preset(top='titel = "x"'), "titel", "did you mean title", id="top-typo-titel"),
    pytest.param(preset(top="sead = 1"), "sead", "unknown key", id="top-typo-seed"),
    pytest.param(preset(top="epochs = 10"), "epochs", "unknown key", id="top-unknown-epochs"),
    pytest.param(
        preset(network="layer = [2, 2, 1]"),
        "network.layer",
        "did you mean layers",
        id="network-typo-layer",
    ),
    pytest.param(
        preset(network="layers = [2, 2, 1]\nactivation = 'tanh'"),
        "network.activation",
        "unknown key",
        id="network-unknown-activation",
    ),
    pytest.param(
        preset(network="layers = [2, 2, 1]\n[network.extra]\nx = 1"),
        "network.extra",
        "unknown key",
        id="network-unknown-subtable",
    ),
    pytest.param(
        preset(training="learning_rat = 0.1"),
        "training.learning_rat",
        "did you mean learning_rate",
        id="training-typo-learning_rat",
    ),
    pytest.param(
        preset(training="lr = 0.1"), "training.lr", "unknown key", id="training-unknown-lr"
    ),
    pytest.param(
        preset(data=XOR_DATA + "\ntargetz = [[0]]"),
        "data.targetz",
        "unknown key",
        id="data-inline-typo",
    ),
    pytest.param(
        preset(data=XOR_DATA + "\ntest_fraction = 0.5"),
        "data.test_fraction",
        "unknown key",
        id="data-inline-test_fraction-not-allowed",
    ),
    pytest.param(
        gen('generator = "xor"\nsample = 100'),
        "data.sample",
        "did you mean samples",
        id="data-generator-typo-sample",
    ),
    pytest.param(
        preset(tail=WEIGHTS_221.replace("b = [0.0]", "b = [0.0]\nbias = 1")),
        "weights[1].bias",
        "unknown key",
        id="weights-unknown-bias",
    ),
    pytest.param(
        preset(tail=WEIGHTS_221.replace("W = [[0.1", "w = [[0.1")),
        "weights[0].w",
        "unknown key",
        id="weights-typo-lowercase-w",
    ),
    pytest.param(
        preset(tail="[goal]\nstep = 10"), "goal.step", "did you mean steps", id="goal-typo-step"
    ),
    pytest.param(
        preset(tail="[goal]\nsteps = 10\nacc = 0.9"),
        "goal.acc",
        "unknown key",
        id="goal-unknown-acc",
    ),
]

WRONG_TYPES = [
    pytest.param(preset(title="title = 5"), "title", "expected a string", id="title-int"),
    pytest.param(preset(title='title = ""'), "title", "empty", id="title-empty"),
    pytest.param(preset(title='title = "   "'), "title", "empty", id="title-blank"),
    pytest.param(preset(title=""), "title", "missing", id="title-missing"),
    pytest.param(
        preset(top="description = 3"), "description", "expected a string", id="description-int"
    ),
    pytest.param(preset(top='seed = "0"'), "seed", "expected an integer", id="seed-string"),
    pytest.param(preset(top="seed = 1.5"), "seed", "expected an integer", id="seed-float"),
    pytest.param(preset(top="seed = 0.0"), "seed", "expected an integer", id="seed-float-zero"),
    pytest.param(preset(top="seed = true"), "seed", "expected an integer", id="seed-bool"),
    pytest.param(preset(top="seed = 1979-05-27"), "seed", "expected an integer", id="seed-date"),
    pytest.param(
        preset(network=None, top="network = [2, 2, 1]"),
        "network",
        "expected a table",
        id="network-array-not-table",
    ),
    pytest.param(preset(network=None), "network", "missing", id="network-missing"),
    pytest.param(preset(data=None), "data", "missing", id="data-missing"),
    pytest.param(
        preset(data=None, top="data = [[0, 0]]"),
        "data",
        "expected a table",
        id="data-array-not-table",
    ),
    pytest.param(
        preset(tail="[[training]]\nlearning_rate = 0.1"),
        "training",
        "expected a table",
        id="training-array-of-tables",
    ),
    pytest.param(preset(top='goal = "soon"'), "goal", "expected a table", id="goal-string"),
    pytest.param(preset(network='layers = "2,2,1"'), "network.layers", "array", id="layers-string"),
    pytest.param(
        preset(network="layers = {input = 2, output = 1}"),
        "network.layers",
        "array",
        id="layers-table",
    ),
    pytest.param(
        preset(network="layers = [2.0, 2, 1]"), "network.layers", "integers", id="layers-float"
    ),
    pytest.param(
        preset(network="layers = [2, true, 1]"), "network.layers", "integers", id="layers-bool"
    ),
    pytest.param(
        preset(network="layers = [2, [2], 1]"), "network.layers", "integers", id="layers-nested"
    ),
    pytest.param(
        preset(network="layers = [2, 2, 1]\nhidden_activation = 1"),
        "network.hidden_activation",
        "expected a string",
        id="hidden-activation-int",
    ),
    pytest.param(
        preset(network="layers = [2, 2, 1]\ninit = 'uniform'\ninit_epsilon = 'small'"),
        "network.init_epsilon",
        "expected a number",
        id="init_epsilon-string",
    ),
    pytest.param(
        preset(training='learning_rate = "0.5"'),
        "training.learning_rate",
        "expected a number",
        id="learning_rate-string",
    ),
    pytest.param(
        preset(training="learning_rate = true"),
        "training.learning_rate",
        "expected a number",
        id="learning_rate-bool",
    ),
    pytest.param(
        preset(training="learning_rate = [0.5]"),
        "training.learning_rate",
        "expected a number",
        id="learning_rate-array",
    ),
    pytest.param(
        preset(training="learning_rate = {value = 0.5}"),
        "training.learning_rate",
        "expected a number",
        id="learning_rate-table",
    ),
    pytest.param(
        preset(training="learning_rate = 1979-05-27"),
        "training.learning_rate",
        "expected a number",
        id="learning_rate-date",
    ),
    pytest.param(
        preset(training="batch_size = 2.0"),
        "training.batch_size",
        "expected an integer",
        id="batch_size-float",
    ),
    pytest.param(
        preset(training='batch_size = "full"'),
        "training.batch_size",
        "expected an integer",
        id="batch_size-string",
    ),
    pytest.param(
        preset(training="batch_size = false"),
        "training.batch_size",
        "expected an integer",
        id="batch_size-bool",
    ),
    pytest.param(
        preset(training="momentum = false"),
        "training.momentum",
        "expected a number",
        id="momentum-bool",
    ),
    pytest.param(
        preset(training='shuffle = "yes"'), "training.shuffle", "true or false", id="shuffle-string"
    ),
    pytest.param(
        preset(training="shuffle = 1"), "training.shuffle", "true or false", id="shuffle-int"
    ),
    pytest.param(
        preset(tail="[goal]\nsteps = 100.0"),
        "goal.steps",
        "expected an integer",
        id="goal-steps-float",
    ),
    pytest.param(
        preset(tail='[goal]\nsteps = 10\naccuracy = "high"'),
        "goal.accuracy",
        "expected a number",
        id="goal-accuracy-string",
    ),
    pytest.param(
        preset(tail="[goal]\nloss = 0.1"), "goal.steps", "missing", id="goal-steps-missing"
    ),
]

OUT_OF_RANGE = [
    pytest.param(preset(top="seed = -1"), "seed", "out of range", id="seed-negative"),
    pytest.param(
        preset(top="seed = 9_223_372_036_854_775_808"), "seed", "out of range", id="seed-too-big"
    ),
    pytest.param(
        preset(training="learning_rate = nan"),
        "training.learning_rate",
        "finite",
        id="learning_rate-nan",
    ),
    pytest.param(
        preset(training="learning_rate = inf"),
        "training.learning_rate",
        "finite",
        id="learning_rate-inf",
    ),
    pytest.param(
        preset(training="learning_rate = -inf"),
        "training.learning_rate",
        "finite",
        id="learning_rate-minus-inf",
    ),
    pytest.param(
        preset(training="learning_rate = 1e400"),
        "training.learning_rate",
        "finite",
        id="learning_rate-1e400-overflows-to-inf",
    ),
    pytest.param(
        preset(training="learning_rate = -0.5"),
        "training.learning_rate",
        "out of range",
        id="learning_rate-negative",
    ),
    pytest.param(
        preset(training="learning_rate = 0"),
        "training.learning_rate",
        "out of range",
        id="learning_rate-zero",
    ),
    pytest.param(
        preset(training="learning_rate = -0.0"),
        "training.learning_rate",
        "out of range",
        id="learning_rate-minus-zero",
    ),
    pytest.param(
        preset(training="learning_rate = 1001"),
        "training.learning_rate",
        "out of range",
        id="learning_rate-too-big",
    ),
    pytest.param(
        preset(training="momentum = 1.0"), "training.momentum", "out of range", id="momentum-one"
    ),
    pytest.param(
        preset(training="momentum = 1"), "training.momentum", "out of range", id="momentum-int-one"
    ),
    pytest.param(
        preset(training="momentum = -0.1"),
        "training.momentum",
        "out of range",
        id="momentum-negative",
    ),
    pytest.param(
        preset(training="momentum = nan"), "training.momentum", "finite", id="momentum-nan"
    ),
    pytest.param(preset(training="l2 = -0.1"), "training.l2", "out of range", id="l2-negative"),
    pytest.param(preset(training="l2 = inf"), "training.l2", "finite", id="l2-inf"),
    pytest.param(
        preset(training="batch_size = -1"),
        "training.batch_size",
        "out of range",
        id="batch_size-negative",
    ),
    pytest.param(
        preset(training="batch_size = 5"),
        "training.batch_size",
        "4 training",
        id="batch_size-more-than-samples",
    ),
    pytest.param(
        gen('generator = "xor"\nsamples = 20\ntest_fraction = 0.5', training="batch_size = 15"),
        "training.batch_size",
        "10 training",
        id="batch_size-more-than-train-split",
    ),
    pytest.param(
        preset(network="layers = [2, 2, 1]\ninit = 'uniform'\ninit_epsilon = 0"),
        "network.init_epsilon",
        "out of range",
        id="init_epsilon-zero",
    ),
    pytest.param(
        preset(network="layers = [2, 2, 1]\ninit = 'uniform'\ninit_epsilon = -0.1"),
        "network.init_epsilon",
        "out of range",
        id="init_epsilon-negative",
    ),
    pytest.param(
        preset(network="layers = [2, 2, 1]\ninit = 'uniform'\ninit_epsilon = nan"),
        "network.init_epsilon",
        "finite",
        id="init_epsilon-nan",
    ),
    pytest.param(
        preset(tail="[goal]\nsteps = 0"), "goal.steps", "out of range", id="goal-steps-zero"
    ),
    pytest.param(
        preset(tail="[goal]\nsteps = 100_000_000"),
        "goal.steps",
        "out of range",
        id="goal-steps-too-many",
    ),
    pytest.param(
        preset(tail="[goal]\nsteps = 10\nloss = 0"),
        "goal.loss",
        "out of range",
        id="goal-loss-zero",
    ),
    pytest.param(
        preset(tail="[goal]\nsteps = 10\nloss = -1"),
        "goal.loss",
        "out of range",
        id="goal-loss-negative",
    ),
    pytest.param(
        preset(tail="[goal]\nsteps = 10\nloss = nan"), "goal.loss", "finite", id="goal-loss-nan"
    ),
    pytest.param(
        preset(tail="[goal]\nsteps = 10\naccuracy = 1.5"),
        "goal.accuracy",
        "out of range",
        id="goal-accuracy-above-1",
    ),
    pytest.param(
        preset(tail="[goal]\nsteps = 10\naccuracy = 0"),
        "goal.accuracy",
        "out of range",
        id="goal-accuracy-zero",
    ),
]

NETWORK = [
    pytest.param(
        preset(network="layers = [2]"), "network.layers", "at least 2", id="layers-one-layer-only"
    ),
    pytest.param(preset(network="layers = []"), "network.layers", "at least 2", id="layers-empty"),
    pytest.param(
        preset(network="layers = [2, 0, 1]"),
        "network.layers",
        "out of range",
        id="layers-zero-units",
    ),
    pytest.param(
        preset(network="layers = [0, 1]"), "network.layers", "out of range", id="layers-zero-inputs"
    ),
    pytest.param(
        preset(network="layers = [2, -3, 1]"),
        "network.layers",
        "out of range",
        id="layers-negative-units",
    ),
    pytest.param(
        preset(network="layers = [2, 5000, 1]"),
        "network.layers",
        "out of range",
        id="layers-too-wide",
    ),
    pytest.param(
        preset(network="layers = [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1]"),
        "network.layers",
        "too deep",
        id="layers-too-deep",
    ),
    pytest.param(
        preset(network="layers = [1000, 1000, 2]"),
        "network.layers",
        "too large",
        id="layers-over-a-million-weights",
    ),
    pytest.param(
        preset(network="layers = [2, 1000, 1000, 1]"),
        "network.layers",
        "too large",
        id="layers-over-a-million-weights-hidden",
    ),
    pytest.param(
        preset(network="layers = [2, 2, 1]\nhidden_activation = 'softmax'"),
        "network.hidden_activation",
        "not supported",
        id="hidden-softmax",
    ),
    pytest.param(
        preset(network="layers = [2, 2, 1]\nhidden_activation = 'sigmod'"),
        "network.hidden_activation",
        "did you mean 'sigmoid'",
        id="hidden-typo-sigmod",
    ),
    pytest.param(
        preset(network="layers = [2, 2, 1]\noutput_activation = 'relu6'"),
        "network.output_activation",
        "not supported",
        id="output-relu6",
    ),
    pytest.param(
        preset(network="layers = [2, 2, 1]\noutput_activation = 'Sigmoid'"),
        "network.output_activation",
        "not supported",
        id="output-capitalized",
    ),
    pytest.param(
        preset(network="layers = [2, 2, 1]\nloss = 'hinge'"),
        "network.loss",
        "not supported",
        id="loss-hinge",
    ),
    pytest.param(
        preset(network="layers = [2, 2, 1]\nloss = 'crossentropy'"),
        "network.loss",
        "did you mean 'cross_entropy'",
        id="loss-typo-crossentropy",
    ),
    pytest.param(
        preset(network="layers = [2, 2, 1]\ninit = 'glorot'"),
        "network.init",
        "not supported",
        id="init-glorot",
    ),
    pytest.param(
        preset(network="layers = [2, 2, 1]\noutput_activation = 'tanh'\nloss = 'cross_entropy'"),
        "network.loss",
        "cross_entropy",
        id="cross_entropy-with-tanh",
    ),
    pytest.param(
        preset(network="layers = [2, 2, 1]\noutput_activation = 'linear'\nloss = 'cross_entropy'"),
        "network.loss",
        "cross_entropy",
        id="cross_entropy-with-linear",
    ),
    pytest.param(
        preset(network="layers = [2, 2, 1]\noutput_activation = 'relu'\nloss = 'cross_entropy'"),
        "network.loss",
        "cross_entropy",
        id="cross_entropy-with-relu",
    ),
    pytest.param(
        preset(network="layers = [2, 2, 1]\noutput_activation = 'softmax'"),
        "network.output_activation",
        "at least 2",
        id="softmax-one-output",
    ),
    pytest.param(
        preset(network="layers = [2, 2, 1]\noutput_activation = 'softmax'\nloss = 'cross_entropy'"),
        "network.output_activation",
        "at least 2",
        id="softmax-ce-one-output",
    ),
]

SOFTMAX_CE = "layers = [2, 2, 2]\noutput_activation = 'softmax'\nloss = 'cross_entropy'"
SIGMOID_CE = "layers = [2, 2, 1]\nloss = 'cross_entropy'"

INLINE_DATA = [
    pytest.param(
        preset(data="inputs = []\ntargets = []"), "data.inputs", "non-empty", id="inputs-empty"
    ),
    pytest.param(
        preset(data="inputs = [[]]\ntargets = [[0]]"), "data.inputs", "row 0", id="inputs-empty-row"
    ),
    pytest.param(
        preset(data="inputs = [[0, 0], [0], [1, 0], [1, 1]]\ntargets = [[0], [1], [1], [0]]"),
        "data.inputs",
        "row 1",
        id="inputs-ragged",
    ),
    pytest.param(
        preset(data="inputs = [0, 1]\ntargets = [[0], [1]]"),
        "data.inputs",
        "array of rows",
        id="inputs-flat-not-rows",
    ),
    pytest.param(
        preset(data='inputs = "0,0;0,1"\ntargets = [[0], [1]]'),
        "data.inputs",
        "array of rows",
        id="inputs-string",
    ),
    pytest.param(
        preset(data="inputs = {a = [0, 0]}\ntargets = [[0]]"),
        "data.inputs",
        "array of rows",
        id="inputs-table",
    ),
    pytest.param(
        preset(data="[[data.inputs]]\nx = 1"),
        "data.inputs",
        "array of rows",
        id="inputs-array-of-tables-without-targets",
    ),
    pytest.param(
        preset(data="inputs = [[0, 'a'], [0, 1], [1, 0], [1, 1]]\ntargets = [[0], [1], [1], [0]]"),
        "data.inputs[0][1]",
        "expected a number",
        id="inputs-string-cell",
    ),
    pytest.param(
        preset(data="inputs = [[0, nan], [0, 1], [1, 0], [1, 1]]\ntargets = [[0], [1], [1], [0]]"),
        "data.inputs[0][1]",
        "finite",
        id="inputs-nan-cell",
    ),
    pytest.param(
        preset(data="inputs = [[0, 0], [0, 1], [1, 0], [1, -inf]]\ntargets = [[0], [1], [1], [0]]"),
        "data.inputs[3][1]",
        "finite",
        id="inputs-inf-cell",
    ),
    pytest.param(
        preset(data="inputs = [[0, 0], [0, true], [1, 0], [1, 1]]\ntargets = [[0], [1], [1], [0]]"),
        "data.inputs[1][1]",
        "expected a number",
        id="inputs-bool-cell",
    ),
    pytest.param(
        preset(data="inputs = [[0, 0], [0, [1]], [1, 0], [1, 1]]\ntargets = [[0], [1], [1], [0]]"),
        "data.inputs[1][1]",
        "expected a number",
        id="inputs-nested-cell",
    ),
    pytest.param(
        preset(
            data="inputs = [[0, 0, 0], [0, 1, 0], [1, 0, 0], [1, 1, 0]]\n"
            "targets = [[0], [1], [1], [0]]"
        ),
        "data.inputs",
        "must match",
        id="inputs-wider-than-layers",
    ),
    pytest.param(
        preset(data="inputs = [[0], [1]]\ntargets = [[0], [1]]"),
        "data.inputs",
        "must match",
        id="inputs-narrower-than-layers",
    ),
    pytest.param(
        preset(data="inputs = [[0, 0], [0, 1], [1, 0], [1, 1]]"),
        "data.targets",
        "missing",
        id="targets-missing",
    ),
    pytest.param(
        preset(data="inputs = [[0, 0], [0, 1], [1, 0], [1, 1]]\ntargets = [[0], [1], [1]]"),
        "data.targets",
        "3 rows for 4",
        id="targets-row-count-mismatch",
    ),
    pytest.param(
        preset(
            data="inputs = [[0, 0], [0, 1], [1, 0], [1, 1]]\n"
            "targets = [[0, 1], [1, 0], [1, 0], [0, 1]]"
        ),
        "data.targets",
        "must match",
        id="targets-wider-than-output",
    ),
    pytest.param(
        preset(data="inputs = [[0, 0], [0, 1], [1, 0], [1, 1]]\ntargets = [[0], [1, 0], [1], [0]]"),
        "data.targets",
        "row 1",
        id="targets-ragged",
    ),
    pytest.param(
        preset(data="inputs = [[0, 0], [0, 1], [1, 0], [1, 1]]\ntargets = [[0], [1], [inf], [0]]"),
        "data.targets[2][0]",
        "finite",
        id="targets-inf",
    ),
    pytest.param(
        preset(data="inputs = [[0, 0], [0, 1], [1, 0], [1, 1]]\ntargets = [0, 1, 1, 0]"),
        "data.targets",
        "array of rows",
        id="targets-flat",
    ),
    pytest.param(
        preset(
            network=SIGMOID_CE,
            data="inputs = [[0, 0], [0, 1], [1, 0], [1, 1]]\ntargets = [[0], [2], [1], [0]]",
        ),
        "data.targets",
        "between 0 and 1",
        id="sigmoid-ce-target-above-1",
    ),
    pytest.param(
        preset(
            network=SOFTMAX_CE,
            data="inputs = [[0, 0], [0, 1], [1, 0], [1, 1]]\n"
            "targets = [[1, 0], [0.5, 0.4], [0, 1], [1, 0]]",
        ),
        "data.targets",
        "sum to 1",
        id="softmax-ce-targets-sum-below-1",
    ),
    pytest.param(
        preset(
            network=SOFTMAX_CE,
            data="inputs = [[0, 0], [0, 1], [1, 0], [1, 1]]\n"
            "targets = [[1, 0], [1, 1], [0, 1], [1, 0]]",
        ),
        "data.targets",
        "sum to 1",
        id="softmax-ce-targets-sum-above-1",
    ),
    pytest.param(preset(data=""), "data", "exactly one data source", id="no-data-source"),
    pytest.param(
        preset(data="targets = [[0], [1]]"), "data", "found none", id="targets-without-inputs"
    ),
    pytest.param(
        preset(data=XOR_DATA + '\ngenerator = "xor"'),
        "data",
        "inputs, generator",
        id="two-sources-inputs-generator",
    ),
    pytest.param(
        preset(data='generator = "xor"\ncsv = "d.csv"\ntarget = "y"'),
        "data",
        "generator, csv",
        id="two-sources-generator-csv",
    ),
    pytest.param(
        preset(data=XOR_DATA + '\ngenerator = "xor"\ncsv = "d.csv"'),
        "data",
        "exactly one",
        id="three-sources",
    ),
]

GENERATOR = [
    pytest.param(gen('generator = "swirl"'), "data.generator", "spiral", id="generator-unknown"),
    pytest.param(
        gen('generator = "Spiral"'),
        "data.generator",
        "did you mean 'spiral'",
        id="generator-capitalized",
    ),
    pytest.param(gen("generator = 3"), "data.generator", "expected a string", id="generator-int"),
    pytest.param(
        gen('generator = "circle"\nclasses = 3'),
        "data.classes",
        "only gaussian, spiral take classes",
        id="classes-on-circle",
    ),
    pytest.param(
        gen('generator = "xor"\nclasses = 2'),
        "data.classes",
        "only gaussian, spiral take classes",
        id="classes-on-xor",
    ),
    pytest.param(
        gen('generator = "moons"\nclasses = 2'),
        "data.classes",
        "only gaussian, spiral take classes",
        id="classes-on-moons",
    ),
    pytest.param(
        gen('generator = "sine"\nclasses = 2', network="layers = [1, 4, 1]"),
        "data.classes",
        "only gaussian, spiral take classes",
        id="classes-on-sine",
    ),
    pytest.param(
        gen('generator = "spiral"\nclasses = 1', network="layers = [2, 4, 1]"),
        "data.classes",
        "out of range",
        id="classes-one",
    ),
    pytest.param(
        gen('generator = "spiral"\nclasses = 11', network="layers = [2, 4, 11]"),
        "data.classes",
        "out of range",
        id="classes-eleven",
    ),
    pytest.param(
        gen('generator = "spiral"\nclasses = 3.0', network="layers = [2, 4, 3]"),
        "data.classes",
        "expected an integer",
        id="classes-float",
    ),
    pytest.param(
        gen('generator = "xor"\nsamples = 3'), "data.samples", "out of range", id="samples-too-few"
    ),
    pytest.param(
        gen('generator = "xor"\nsamples = 100_001'),
        "data.samples",
        "out of range",
        id="samples-too-many",
    ),
    pytest.param(
        gen('generator = "xor"\nsamples = 100.0'),
        "data.samples",
        "expected an integer",
        id="samples-float",
    ),
    pytest.param(
        gen('generator = "xor"\nnoise = -0.1'), "data.noise", "out of range", id="noise-negative"
    ),
    pytest.param(gen('generator = "xor"\nnoise = nan'), "data.noise", "finite", id="noise-nan"),
    pytest.param(
        gen('generator = "xor"\ntest_fraction = 0.95'),
        "data.test_fraction",
        "out of range",
        id="test_fraction-above-0.9",
    ),
    pytest.param(
        gen('generator = "xor"\ntest_fraction = 1.0'),
        "data.test_fraction",
        "out of range",
        id="test_fraction-one",
    ),
    pytest.param(
        gen('generator = "xor"\ntest_fraction = -0.1'),
        "data.test_fraction",
        "out of range",
        id="test_fraction-negative",
    ),
    pytest.param(
        gen('generator = "xor"\ntest_fraction = inf'),
        "data.test_fraction",
        "finite",
        id="test_fraction-inf",
    ),
    pytest.param(
        gen('generator = "xor"\nsamples = 4\ntest_fraction = 0.9'),
        "data.test_fraction",
        "no training samples",
        id="test_fraction-leaves-no-training-samples",
    ),
    pytest.param(
        gen('generator = "xor"', network="layers = [3, 4, 1]"),
        "network.layers",
        "2 input",
        id="generator-input-width-mismatch",
    ),
    pytest.param(
        gen('generator = "sine"', network="layers = [2, 4, 1]"),
        "network.layers",
        "1 input",
        id="sine-input-width-mismatch",
    ),
    pytest.param(
        gen('generator = "sine"', network="layers = [1, 4, 2]"),
        "network.layers",
        "must be 1",
        id="sine-output-width-mismatch",
    ),
    pytest.param(
        gen('generator = "xor"', network="layers = [2, 4, 3]"),
        "network.layers",
        "2 classes",
        id="xor-three-outputs",
    ),
    pytest.param(
        gen('generator = "spiral"', network="layers = [2, 4, 2]"),
        "network.layers",
        "3 classes",
        id="spiral-two-outputs",
    ),
    pytest.param(
        gen('generator = "gaussian"\nclasses = 4', network="layers = [2, 4, 1]"),
        "network.layers",
        "4 classes",
        id="gaussian-four-classes-one-output",
    ),
]

WEIGHTS = [
    pytest.param(
        preset(tail=WEIGHTS_221.split("[[weights]]\nW = [[0.5")[0]),
        "weights",
        "1 [[weights]] tables for 2",
        id="weights-too-few-tables",
    ),
    pytest.param(
        preset(tail=WEIGHTS_221 + "\n[[weights]]\nW = [[1.0]]\n"),
        "weights",
        "3 [[weights]] tables for 2",
        id="weights-too-many-tables",
    ),
    pytest.param(
        preset(tail="[weights]\nW = [[0.1, 0.2], [0.3, 0.4]]"),
        "weights",
        "[[weights]]",
        id="weights-single-table-not-array",
    ),
    pytest.param(
        preset(top="weights = [1, 2]"), "weights", "[[weights]]", id="weights-array-of-numbers"
    ),
    pytest.param(
        preset(
            network="layers = [2, 3, 1]",
            tail="""
[[weights]]
W = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]
[[weights]]
W = [[0.1, 0.2, 0.3]]
""",
        ),
        "weights[0].W",
        "expected (3, 2)",
        id="weights-W-transposed",
    ),
    pytest.param(
        preset(tail=WEIGHTS_221.replace("W = [[0.5, 0.6]]", "W = [[0.5, 0.6, 0.7]]")),
        "weights[1].W",
        "expected (1, 2)",
        id="weights-W-too-wide",
    ),
    pytest.param(
        preset(tail=WEIGHTS_221.replace("W = [[0.5, 0.6]]", "W = [[0.5], [0.6]]")),
        "weights[1].W",
        "expected (1, 2)",
        id="weights-W-wrong-shape",
    ),
    pytest.param(
        preset(tail=WEIGHTS_221.replace("W = [[0.5, 0.6]]\n", "")),
        "weights[1].W",
        "missing",
        id="weights-W-missing",
    ),
    pytest.param(
        preset(tail=WEIGHTS_221.replace("[[0.1, 0.2], [0.3, 0.4]]", "[[0.1, 0.2], [0.3]]")),
        "weights[0].W",
        "row 1",
        id="weights-W-ragged",
    ),
    pytest.param(
        preset(tail=WEIGHTS_221.replace("[[0.1, 0.2], [0.3, 0.4]]", "[[0.1, nan], [0.3, 0.4]]")),
        "weights[0].W[0][1]",
        "finite",
        id="weights-W-nan",
    ),
    pytest.param(
        preset(tail=WEIGHTS_221.replace("[[0.1, 0.2], [0.3, 0.4]]", "[[0.1, 0.2], ['x', 0.4]]")),
        "weights[0].W[1][0]",
        "expected a number",
        id="weights-W-string-cell",
    ),
    pytest.param(
        preset(tail=WEIGHTS_221.replace("[[0.5, 0.6]]", "[0.5, 0.6]")),
        "weights[1].W",
        "array of rows",
        id="weights-W-flat",
    ),
    pytest.param(
        preset(tail=WEIGHTS_221.replace("b = [0.0]", "b = [0.0, 0.0]")),
        "weights[1].b",
        "expected 1",
        id="weights-b-too-long",
    ),
    pytest.param(
        preset(tail=WEIGHTS_221.replace("b = [0.0, 0.0]", "b = [0.0]")),
        "weights[0].b",
        "expected 2",
        id="weights-b-too-short",
    ),
    pytest.param(
        preset(tail=WEIGHTS_221.replace("b = [0.0]", "b = 0.0")),
        "weights[1].b",
        "array of numbers",
        id="weights-b-scalar",
    ),
    pytest.param(
        preset(tail=WEIGHTS_221.replace("b = [0.0]", "b = [[0.0]]")),
        "weights[1].b",
        "array of numbers",
        id="weights-b-nested",
    ),
    pytest.param(
        preset(tail=WEIGHTS_221.replace("b = [0.0]", "b = ['0']")),
        "weights[1].b",
        "expected a number",
        id="weights-b-string-entry",
    ),
    pytest.param(
        preset(tail=WEIGHTS_221.replace("b = [0.0]", "b = [inf]")),
        "weights[1].b",
        "finite",
        id="weights-b-inf",
    ),
]

FILE_LEVEL = [
    pytest.param("this is not toml\n", None, "not valid TOML", id="not-toml-prose"),
    pytest.param('title = "A"\ntitle = "B"\n', None, "not valid TOML", id="toml-duplicate-key"),
    pytest.param('title = "unterminated\n', None, "not valid TOML", id="toml-unterminated"),
    pytest.param('{"title": "json"}\n', None, "not valid TOML", id="json-not-toml"),
    pytest.param(b"\xff\xfetitle = 1\n", None, "not UTF-8", id="not-utf8-bytes"),
    pytest.param('title = "Bad"\n'.encode("utf-16"), None, "not UTF-8", id="utf16-file"),
    pytest.param(b'title = "caf\xe9"\n', None, "not UTF-8", id="latin1-file"),
    pytest.param("", "title", "missing", id="empty-file"),
]

# Inputs that currently escape as a traceback or print two lines: the contract still holds.
CONTRACT_GAPS = [
    pytest.param(
        preset(tail="[goal]\nsteps = 10\nloss = 1" + "0" * 400),
        "goal.loss",
        "",
        id="huge-integer-goal-loss",
    ),
    pytest.param(
        preset(
            data="inputs = [[0, 0], [0, 1], [1, 0], [1, 1" + "0" * 400 + "]]\n"
            "targets = [[0], [1], [1], [0]]"
        ),
        "data.inputs",
        "",
        id="huge-integer-in-inputs",
    ),
    pytest.param(
        preset(tail=WEIGHTS_221.replace("b = [0.0]", "b = [1" + "0" * 400 + "]")),
        "weights[1].b",
        "",
        id="huge-integer-in-weights-b",
    ),
    pytest.param(preset(top='"lay\\ners" = 1'), None, "unknown key", id="newline-in-unknown-key"),
    pytest.param(preset(top="x = " + "[" * 1000 + "]" * 1000), None, "", id="deeply-nested-array"),
]


def registry_cases() -> list:
    """For every optimizer, schedule and initializer setting in the registries: a wrong type,
    a value outside its range, and the key given to an owner that does not take it."""
    from bptui.engine import initializers, optimizers, schedules

    cases = [
        pytest.param(
            preset(data=XOR_DATA + "\nimage = [1, 3]"),
            "data.image",
            "must match",
            id="image-pixels-mismatch",
        ),
        pytest.param(
            preset(data=XOR_DATA + "\nimage = 4"),
            "data.image",
            "expected [rows, cols]",
            id="image-not-a-pair",
        ),
        pytest.param(
            preset(data=XOR_DATA + "\nimage = [0, 2]"),
            "data.image",
            "out of range",
            id="image-zero-rows",
        ),
        pytest.param(
            preset(data=XOR_DATA + "\nimage = [1.0, 2]"),
            "data.image",
            "expected [rows, cols]",
            id="image-float",
        ),
        pytest.param(
            preset(training='optimizer = "adma"'),
            "training.optimizer",
            "did you mean 'adam'",
            id="optimizer-typo",
        ),
        pytest.param(
            preset(training="optimizer = 1"),
            "training.optimizer",
            "expected a string",
            id="optimizer-int",
        ),
        pytest.param(
            preset(training='schedule = "cosin"'),
            "training.schedule",
            "did you mean 'cosine'",
            id="schedule-typo",
        ),
        pytest.param(
            preset(network="layers = [2, 2, 1]\ninit = 'zero'"),
            "network.init",
            "did you mean 'zeros'",
            id="init-typo",
        ),
        pytest.param(
            preset(training="eval_every = -1"),
            "training.eval_every",
            "out of range",
            id="eval_every-negative",
        ),
        pytest.param(
            preset(training="speed = 5"),
            "training.speed",
            "5 is not a training speed (did you mean 10? allowed: 1, 10, 100 or 1000 "
            '(steps/s) or "max")',
            id="speed-between-paces",
        ),
        pytest.param(
            preset(training='speed = "fastest"'),
            "training.speed",
            "'fastest' is not a training speed (allowed",
            id="speed-word",
        ),
        pytest.param(
            preset(training='speed = "10"'),
            "training.speed",
            "did you mean 10 (a number, without quotes)?",
            id="speed-quoted-number",
        ),
        pytest.param(
            preset(training='speed = "mx"'),
            "training.speed",
            'did you mean "max"?',
            id="speed-max-typo",
        ),
        pytest.param(
            preset(training="speed = 5000"),
            "training.speed",
            'did you mean 1000 or "max"?',
            id="speed-above-1000",
        ),
        pytest.param(
            preset(training="speed = true"),
            "training.speed",
            "true is not a training speed",
            id="speed-boolean",
        ),
        pytest.param(
            preset(training="sped = 10"),
            "training.sped",
            "did you mean speed?",
            id="speed-key-typo",
        ),
        pytest.param(
            preset(training="eval_every = 1.5"),
            "training.eval_every",
            "expected an integer",
            id="eval_every-float",
        ),
        pytest.param(
            preset(training='optimizer = "sgd"\nmomentum = 0.9'),
            "training.momentum",
            "not a setting of optimizer 'sgd'",
            id="sgd-takes-no-momentum",
        ),
        pytest.param(
            preset(training="beta1 = 0.9"),
            "training.beta1",
            "not a setting of optimizer 'sgd'",
            id="beta1-without-optimizer",
        ),
    ]
    families = [
        ("training", "optimizer", {n: c.hypers for n, c in optimizers.OPTIMIZERS.items()}),
        ("training", "schedule", {n: c.hypers for n, c in schedules.SCHEDULES.items()}),
        ("network", "init", {n: i.hypers for n, i in initializers.INITIALIZERS.items()}),
    ]
    for table, family, owners in families:
        plain = next(name for name, hypers in owners.items() if not hypers)
        for owner, hypers in owners.items():
            for h in hypers:

                def text(value, owner=owner, key=h.key, family=family, table=table):
                    body = f'{family} = "{owner}"\n{key} = {value}'
                    return (
                        preset(network="layers = [2, 2, 1]\n" + body)
                        if table == "network"
                        else preset(training=body)
                    )

                where = f"{table}.{h.key}"
                outside = (h.high + 1) if h.high is not None else -1
                cases += [
                    pytest.param(text('"big"'), where, "expected a", id=f"{owner}-{h.key}-string"),
                    pytest.param(text(outside), where, "out of range", id=f"{owner}-{h.key}-range"),
                    pytest.param(
                        text(h.default).replace(f'"{owner}"', f'"{plain}"'),
                        where,
                        f"not a setting of {family} '{plain}'",
                        id=f"{plain}-takes-no-{h.key}-of-{owner}",
                    ),
                ]
    return cases


ALL_PRESET_CASES = (
    UNKNOWN_KEYS
    + WRONG_TYPES
    + OUT_OF_RANGE
    + NETWORK
    + INLINE_DATA
    + GENERATOR
    + WEIGHTS
    + FILE_LEVEL
    + CONTRACT_GAPS
    + registry_cases()
)


@pytest.mark.parametrize(("text", "key", "says"), ALL_PRESET_CASES)
def test_bad_preset_is_one_line_exit_2(tmp_path, capsys, text, key, says):
    path, rc, out, err = train_bad(tmp_path, capsys, text)
    assert_one_error(rc, out, err, file=path, key=key, says=says)


@pytest.mark.parametrize(
    ("text", "key", "says"),
    [
        pytest.param(
            preset(training="learning_rate = nan"),
            "training.learning_rate",
            "finite",
            id="nan-learning-rate",
        ),
        pytest.param(
            preset(network="layers = [2, 2, 1]\noutput_activation = 'softmax'"),
            "network.output_activation",
            "at least 2",
            id="softmax-one-output",
        ),
        pytest.param(
            preset(tail=WEIGHTS_221.replace("b = [0.0]", "b = [0.0, 0.0]")),
            "weights[1].b",
            "expected 1",
            id="weights-b-length",
        ),
        pytest.param(preset(data=""), "data", "exactly one", id="no-data-source"),
        pytest.param("not toml at all\n", None, "not valid TOML", id="not-toml"),
        pytest.param(b"\xff\xfe\x00\x01", None, "not UTF-8", id="not-utf8"),
    ],
)
def test_app_entry_rejects_bad_preset_before_any_ui(tmp_path, capsys, monkeypatch, text, key, says):
    """`bptui PRESET` validates the preset before it opens the explorer."""

    def no_ui(preset):
        raise AssertionError("the UI was opened for a bad preset")

    monkeypatch.setattr(bptui.app, "run_app", no_ui)
    path = tmp_path / "bad.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    rc = run_main([str(path)])
    captured = capsys.readouterr()
    assert_one_error(rc, captured.out, captured.err, file=str(path), key=key, says=says)


# --------------------------------------------------------------------------------------------
# CSV data: (csv content (None: no file, "DIR": a directory), [data] extra lines, network,
#            which file the error names ("csv" or "preset"), key, expected words)

CSV_CASES = [
    pytest.param(
        None, "", "layers = [2, 2, 1]", "csv", None, "no such file", id="csv-missing-file"
    ),
    pytest.param(
        "DIR", "", "layers = [2, 2, 1]", "csv", None, "directory", id="csv-is-a-directory"
    ),
    pytest.param(
        "a,b,c\n0,0,0\n1,1,1\n",
        "",
        "layers = [2, 2, 1]",
        "csv",
        "column 'y'",
        "not found",
        id="csv-missing-target-column",
    ),
    pytest.param(
        "a,b,y\n0,0,0\n0,1\n1,0,1\n",
        "",
        "layers = [2, 2, 1]",
        "csv",
        "row 3",
        "fields",
        id="csv-ragged-short-row",
    ),
    pytest.param(
        "a,b,y\n0,0,0\n0,1,1,1\n",
        "",
        "layers = [2, 2, 1]",
        "csv",
        "row 3",
        "fields",
        id="csv-ragged-long-row",
    ),
    pytest.param(
        "a,b,y\n0,zero,0\n0,1,1\n",
        "",
        "layers = [2, 2, 1]",
        "csv",
        "row 2, column 'b'",
        "not a finite number",
        id="csv-non-numeric-feature",
    ),
    pytest.param(
        "a,b,y\n0,0,0\nnan,1,1\n",
        "",
        "layers = [2, 2, 1]",
        "csv",
        "row 3, column 'a'",
        "1 missing value",
        id="csv-nan-feature",
    ),
    pytest.param(
        "a,b,y\n0,0,0\n1,-inf,1\n",
        "",
        "layers = [2, 2, 1]",
        "csv",
        "row 3, column 'b'",
        "not a finite number",
        id="csv-inf-feature",
    ),
    pytest.param(
        "a,b,y\n0,,0\n1,1,1\n",
        "",
        "layers = [2, 2, 1]",
        "csv",
        "row 2, column 'b'",
        "1 missing value",
        id="csv-empty-feature",
    ),
    pytest.param(
        "a,b,y\n0,0,\n1,1,1\n",
        "",
        "layers = [2, 2, 1]",
        "csv",
        "row 2, column 'y'",
        "missing target",
        id="csv-empty-target-value",
    ),
    pytest.param("", "", "layers = [2, 2, 1]", "csv", None, "empty", id="csv-empty-file"),
    pytest.param(
        "\n \n\n", "", "layers = [2, 2, 1]", "csv", None, "empty", id="csv-blank-lines-only"
    ),
    pytest.param(
        "a,b,y\n", "", "layers = [2, 2, 1]", "csv", None, "no data rows", id="csv-header-only"
    ),
    pytest.param(
        "y\n0\n1\n",
        "",
        "layers = [2, 2, 1]",
        "csv",
        None,
        "feature column",
        id="csv-target-column-only",
    ),
    pytest.param(
        b"a,b,y\n0,0,0\n\xff\xfe,1,1\n",
        "",
        "layers = [2, 2, 1]",
        "csv",
        None,
        "not UTF-8",
        id="csv-not-utf8",
    ),
    pytest.param(
        GOOD_CSV.encode("utf-16"),
        "",
        "layers = [2, 2, 1]",
        "csv",
        None,
        "not UTF-8",
        id="csv-utf16",
    ),
    pytest.param(
        "a,b,c,y\n0,0,0,0\n1,1,1,1\n",
        "",
        "layers = [2, 2, 1]",
        "preset",
        "network.layers",
        "3 feature columns",
        id="csv-feature-count-mismatch",
    ),
    pytest.param(
        "a,b,y\n0,0,x\n0,1,y\n1,0,z\n",
        "",
        "layers = [2, 2, 2]",
        "preset",
        "network.layers",
        "3 classes",
        id="csv-class-count-mismatch",
    ),
    pytest.param(
        "a,b,y\n0,0,0.5\n0,1,2\n1,0,3\n",
        "",
        "layers = [2, 2, 1]\nloss = 'cross_entropy'",
        "preset",
        "data.target",
        "between 0 and 1",
        id="csv-regression-targets-with-cross_entropy",
    ),
    pytest.param(
        GOOD_CSV,
        "test_fraction = 1.0",
        "layers = [2, 2, 1]",
        "preset",
        "data.test_fraction",
        "out of range",
        id="csv-test_fraction-one",
    ),
    pytest.param(
        "a,b,y\n0,0,0\n1,1,1\n",
        "test_fraction = 0.9",
        "layers = [2, 2, 1]",
        "preset",
        "data.test_fraction",
        "no training samples",
        id="csv-test_fraction-leaves-nothing",
    ),
    pytest.param(
        GOOD_CSV,
        'normalize = "yes"',
        "layers = [2, 2, 1]",
        "preset",
        "data.normalize",
        "true or false",
        id="csv-normalize-string",
    ),
    pytest.param(
        GOOD_CSV,
        "normalise = true",
        "layers = [2, 2, 1]",
        "preset",
        "data.normalise",
        "did you mean normalize",
        id="csv-typo-normalise",
    ),
    pytest.param(
        GOOD_CSV,
        "samples = 10",
        "layers = [2, 2, 1]",
        "preset",
        "data.samples",
        "unknown key",
        id="csv-generator-key",
    ),
    # Contract gaps: these currently end in a traceback.
    pytest.param(
        "y,a,y\n0,1,2\n1,2,3\n",
        "",
        "layers = [1, 2, 1]",
        "csv",
        None,
        "",
        id="csv-duplicate-target-column",
    ),
    pytest.param(
        "a,b,y\n" + "1" * 200_000 + ",0,0\n1,1,1\n",
        "",
        "layers = [2, 2, 1]",
        "csv",
        None,
        "",
        id="csv-field-larger-than-csv-module-limit",
    ),
]


@pytest.mark.parametrize(("content", "extra", "network", "names", "key", "says"), CSV_CASES)
def test_bad_csv_is_one_line_exit_2(tmp_path, capsys, content, extra, network, names, key, says):
    csv_path = tmp_path / "d.csv"
    if content == "DIR":
        csv_path.mkdir()
    elif isinstance(content, bytes):
        csv_path.write_bytes(content)
    elif content is not None:
        csv_path.write_text(content, encoding="utf-8")
    data = 'csv = "d.csv"\ntarget = "y"\n' + extra
    path, rc, out, err = train_bad(tmp_path, capsys, preset(network=network, data=data))
    source = str(csv_path) if names == "csv" else path
    assert_one_error(rc, out, err, file=source, key=key, says=says)


@pytest.mark.parametrize(
    ("data", "key", "says"),
    [
        pytest.param('csv = 5\ntarget = "y"', "data.csv", "expected a string", id="csv-int"),
        pytest.param('csv = "d.csv"', "data.target", "missing", id="csv-target-missing"),
        pytest.param(
            'csv = "d.csv"\ntarget = 1', "data.target", "expected a string", id="csv-target-int"
        ),
        pytest.param(
            'csv = ["d.csv"]\ntarget = "y"', "data.csv", "expected a string", id="csv-array"
        ),
    ],
)
def test_bad_csv_keys(tmp_path, capsys, data, key, says):
    (tmp_path / "d.csv").write_text(GOOD_CSV, encoding="utf-8")
    path, rc, out, err = train_bad(tmp_path, capsys, preset(data=data))
    assert_one_error(rc, out, err, file=path, key=key, says=says)


def test_csv_path_is_relative_to_the_preset_not_the_cwd(tmp_path, capsys, monkeypatch):
    """A CSV next to the cwd but not next to the preset is not found; the error names where
    it was looked for."""
    (tmp_path / "d.csv").write_text(GOOD_CSV, encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    monkeypatch.chdir(tmp_path)
    (sub / "p.toml").write_text(preset(data='csv = "d.csv"\ntarget = "y"'), encoding="utf-8")
    rc = run_main(["train", "sub/p.toml", "--steps", "1"])
    captured = capsys.readouterr()
    assert_one_error(
        rc, captured.out, captured.err, file=str(Path("sub") / "d.csv"), says="no such file"
    )


# --------------------------------------------------------------------------------------------
# The preset file itself


def test_missing_preset_file(tmp_path, capsys):
    path = tmp_path / "nope.toml"
    rc = run_main(["train", str(path), "--steps", "1"])
    captured = capsys.readouterr()
    assert_one_error(rc, captured.out, captured.err, file=str(path), says="no such file")


def test_missing_preset_path_without_toml_suffix(tmp_path, capsys):
    path = tmp_path / "nope"
    rc = run_main(["train", str(path), "--steps", "1"])
    captured = capsys.readouterr()
    assert_one_error(rc, captured.out, captured.err, file=str(path), says="no such file")


@pytest.mark.parametrize("name", ["presets", "presets.toml"], ids=["dir", "dir-named-toml"])
def test_preset_is_a_directory(tmp_path, capsys, name):
    path = tmp_path / name
    path.mkdir()
    rc = run_main(["train", str(path), "--steps", "1"])
    captured = capsys.readouterr()
    assert_one_error(rc, captured.out, captured.err, file=str(path), says="directory")


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_preset_is_a_symlink_loop(tmp_path, capsys):
    path = tmp_path / "loop.toml"
    path.symlink_to(path)
    rc = run_main(["train", str(path), "--steps", "1"])
    captured = capsys.readouterr()
    assert_one_error(rc, captured.out, captured.err, file=str(path))


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user for permissions"
)
def test_preset_permission_denied(tmp_path, capsys):
    path = tmp_path / "secret.toml"
    path.write_text(preset(), encoding="utf-8")
    path.chmod(0)
    try:
        rc = run_main(["train", str(path), "--steps", "1"])
    finally:
        path.chmod(0o644)
    captured = capsys.readouterr()
    assert_one_error(rc, captured.out, captured.err, file=str(path), says="permission")


@pytest.mark.parametrize("name", ["nosuch", "xorr", "XOR", "spiral.tom"])
def test_unknown_bundled_preset_lists_the_known_ones(capsys, tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    rc = run_main(["train", name, "--steps", "1"])
    captured = capsys.readouterr()
    line = assert_one_error(rc, captured.out, captured.err, file=name, says="unknown preset")
    for known in ("xor", "spiral", "iris", "sine", "mazur"):
        assert known in line


def test_unknown_bundled_preset_on_the_app_entry(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(
        bptui.app, "run_app", lambda preset: pytest.fail("the UI was opened for an unknown preset")
    )
    rc = run_main(["nosuch"])
    captured = capsys.readouterr()
    line = assert_one_error(rc, captured.out, captured.err, file="nosuch", says="unknown preset")
    assert "xor" in line and "spiral" in line


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("a" * 300, id="bare-name"),
        pytest.param("a" * 300 + ".toml", id="toml-name"),
    ],
)
def test_file_name_too_long(tmp_path, capsys, monkeypatch, name):
    """A name longer than the file system allows is bad input, not a crash."""
    monkeypatch.chdir(tmp_path)
    rc = run_main(["train", name, "--steps", "1"])
    captured = capsys.readouterr()
    assert_one_error(rc, captured.out, captured.err)


@pytest.mark.skipif(os.name != "posix", reason="newlines in file names")
def test_file_name_with_a_newline_is_still_one_line(tmp_path, capsys):
    """The file name is user input too: printed raw, it would split the error line."""
    path = tmp_path / "two\nlines.toml"
    path.write_text("not toml\n", encoding="utf-8")
    rc = run_main(["train", str(path), "--steps", "1"])
    captured = capsys.readouterr()
    assert_one_error(rc, captured.out, captured.err)


# --------------------------------------------------------------------------------------------
# Command-line usage


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["train", "xor", "--steps", "-1"], id="steps-negative"),
        pytest.param(["train", "xor", "--steps", "abc"], id="steps-not-a-number"),
        pytest.param(["train", "xor", "--steps", "1.5"], id="steps-float"),
        pytest.param(["train", "xor", "--steps", "1e3"], id="steps-exponent"),
        pytest.param(["train", "xor", "--steps", ""], id="steps-empty"),
        pytest.param(["train", "xor", "--steps", "100000001"], id="steps-too-many"),
        pytest.param(["train", "xor", "--steps"], id="steps-without-value"),
        pytest.param(["train", "xor", "--bogus"], id="train-unknown-option"),
        pytest.param(["train", "xor", "extra"], id="train-extra-argument"),
        pytest.param(["train"], id="train-without-preset"),
        pytest.param(["train", "--json"], id="train-json-without-preset"),
        pytest.param(["--bogus"], id="app-unknown-option"),
        pytest.param(["-x"], id="app-unknown-short-option"),
        pytest.param(["xor", "extra"], id="app-extra-argument"),
        pytest.param(["xor", "--steps", "5"], id="app-train-only-option"),
    ],
)
def test_usage_errors_are_one_line_exit_2(capsys, monkeypatch, argv):
    monkeypatch.setattr(
        bptui.app, "run_app", lambda preset: pytest.fail("the UI was opened on a usage error")
    )
    rc = run_main(argv)
    captured = capsys.readouterr()
    line = assert_one_error(rc, captured.out, captured.err)
    assert "usage:" not in line


# --------------------------------------------------------------------------------------------
# Fuzzing one value at a time

FUZZ_BASE = {
    "": {"title": "Fuzz", "seed": 0},
    "network": {
        "layers": [2, 2, 1],
        "hidden_activation": "sigmoid",
        "init": "uniform",
        "init_epsilon": 0.12,
    },
    "training": {
        "learning_rate": 0.5,
        "batch_size": 0,
        "l2": 0.0,
        "momentum": 0.0,
        "shuffle": False,
    },
    "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]},
    "goal": {"steps": 10, "loss": 0.1, "accuracy": 1.0},
}
FUZZ_KEYS = [(section, key) for section, table in FUZZ_BASE.items() for key in table]


def toml_document(doc: dict) -> str:
    """The fuzz document ('' holds the top-level keys) as TOML, with the product's writer."""
    return dumps({**doc[""], **{section: table for section, table in doc.items() if section}})


SCALARS = st.one_of(
    st.booleans(),
    st.integers(min_value=-5, max_value=6),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6),
    st.sampled_from(
        [
            0,
            1,
            -1,
            0.0,
            -0.0,
            1e-300,
            1e308,
            2**63 - 1,
            2**63,
            10**309,
            -(10**309),
            "sigmoid",
            "softmax",
        ]
    ),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4), max_leaves=12)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(where=st.sampled_from(FUZZ_KEYS), value=VALUES)
def test_fuzzed_value_is_accepted_or_one_line(tmp_path_factory, where, value):
    """Replacing any one value by anything: either it trains, or one error line and exit 2."""
    section, key = where
    doc = {name: dict(table) for name, table in FUZZ_BASE.items()}
    doc[section][key] = value
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.toml"
    path.write_text(toml_document(doc), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = run_main(["train", str(path), "--steps", "1", "--json"])
    if rc == 0:
        assert err.getvalue() == ""
        json.loads(out.getvalue(), parse_constant=lambda token: pytest.fail(token))
    else:
        assert_one_error(rc, out.getvalue(), err.getvalue(), file=str(path))


# --------------------------------------------------------------------------------------------
# End to end, in real processes: exit status 2, one line, no traceback, nothing on stdout


@pytest.mark.parametrize(
    ("args", "text", "key", "says", "entry"),
    [
        pytest.param(
            ["train", "{path}", "--steps", "1"],
            preset(training="learning_rate = nan"),
            "training.learning_rate",
            "finite",
            "module",
            id="train-nan-learning-rate",
        ),
        pytest.param(
            ["train", "{path}", "--steps", "1"],
            b"\xff\xfe\x00garbage",
            None,
            "UTF-8",
            "module",
            id="train-not-utf8",
        ),
        pytest.param(
            ["train", "{path}", "--steps", "1"],
            preset(tail=WEIGHTS_221.replace("b = [0.0]", "b = [0.0, 0.0]")),
            "weights[1].b",
            "expected 1",
            "script",
            id="script-train-weights-b-length",
        ),
        pytest.param(
            ["{path}"],
            preset(network="layers = [2, 2, 1]\nloss = 'hinge'"),
            "network.loss",
            "not supported",
            "module",
            id="app-unsupported-loss",
        ),
        pytest.param(
            ["{path}"],
            "not = toml = at all\n",
            None,
            "not valid TOML",
            "script",
            id="script-app-not-toml",
        ),
        pytest.param(
            ["train", "{path}", "--steps", "1"],
            preset(tail="[goal]\nsteps = 10\nloss = 1" + "0" * 400),
            "goal.loss",
            "",
            "module",
            id="train-huge-integer-goal-loss",
        ),
    ],
)
def test_subprocess_bad_preset(tmp_path, args, text, key, says, entry):
    path = tmp_path / "bad.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    proc = run_cli([a.replace("{path}", str(path)) for a in args], cwd=tmp_path, entry=entry)
    assert_one_error(proc.returncode, proc.stdout, proc.stderr, file=str(path), key=key, says=says)


def test_subprocess_bad_csv(tmp_path):
    (tmp_path / "d.csv").write_text("a,b,c\n0,0,0\n1,1,1\n", encoding="utf-8")
    (tmp_path / "bad.toml").write_text(preset(data='csv = "d.csv"\ntarget = "y"'), encoding="utf-8")
    proc = run_cli(["train", "bad.toml", "--steps", "1"], cwd=tmp_path)
    assert_one_error(
        proc.returncode, proc.stdout, proc.stderr, file="d.csv", key="column 'y'", says="not found"
    )


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["nosuch"], id="app-unknown-bundled"),
        pytest.param(["missing.toml"], id="app-missing-file"),
        pytest.param(["train", "nosuch", "--steps", "1"], id="train-unknown-bundled"),
        pytest.param(["train", "xor", "--steps", "abc"], id="train-steps-abc"),
        pytest.param(["train", "xor", "--frobnicate"], id="train-unknown-option"),
    ],
)
def test_subprocess_usage_and_missing(tmp_path, args):
    proc = run_cli(args, cwd=tmp_path)
    assert_one_error(proc.returncode, proc.stdout, proc.stderr)
