"""Shared builders for the tests, and waits for what the app does after a key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bptui.engine import Dataset, NetworkSpec, Stepper, TrainingSpec


def make_dataset(
    rng: np.random.Generator, m: int, n_in: int, k: int, output: str, loss: str, m_test: int = 0
) -> Dataset:
    """Random inputs and targets that suit the output activation and loss."""

    def targets(rows: int) -> np.ndarray:
        if output == "softmax":
            return np.eye(k)[rng.integers(0, k, rows)]
        if loss == "cross_entropy":
            return rng.uniform(0.0, 1.0, size=(rows, k))
        return rng.normal(0.0, 1.0, size=(rows, k))

    return Dataset(
        rng.normal(size=(m, n_in)),
        targets(m),
        rng.normal(size=(m_test, n_in)),
        targets(m_test),
        task="classification" if output == "softmax" else "regression",
    )


def make_stepper(
    layers,
    hidden="tanh",
    output="sigmoid",
    loss="quadratic",
    lr=0.1,
    batch=0,
    l2=0.0,
    momentum=0.0,
    shuffle=False,
    m=12,
    seed=0,
    m_test=0,
) -> Stepper:
    """A stepper on random data."""
    rng = np.random.default_rng(seed + 1000)
    spec = NetworkSpec(tuple(layers), hidden, output, loss)
    data = make_dataset(rng, m, layers[0], layers[-1], output, loss, m_test)
    return Stepper(spec, TrainingSpec(lr, batch, l2, momentum, shuffle), data, seed)


def run_cli(args: list[str], cwd: Path, entry: str = "module") -> subprocess.CompletedProcess:
    """The real command in a subprocess: `python -m bptui` or the installed console script."""
    if entry == "module":
        command = [sys.executable, "-m", "bptui", *args]
    else:
        script = Path(sys.executable).with_name("bptui")
        if not script.exists():
            pytest.skip("console script bptui is not installed next to the interpreter")
        command = [str(script), *args]
    env = dict(os.environ, PYTHONWARNINGS="default", TERM="dumb")
    return subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


def history_fingerprint(stepper) -> tuple:
    """The stepper's recorded loss history, series by series, as bytes (not the gradient-health
    trace: a session does not keep it)."""
    return tuple(series.values.tobytes() for series in stepper.history.series[:4])


def fingerprint(stepper) -> tuple:
    """Weights, gradients, the optimizer's state and the history after recording the loss:
    equal fingerprints mean two steppers will continue identically."""
    stepper.record_loss()
    return (
        stepper.params.flat.tobytes(),
        stepper.opt_state.tobytes(),
        stepper.opt_t,
        stepper.grads.flat.tobytes(),
        history_fingerprint(stepper),
        stepper.step,
    )


DIVERGING = """title = "Diverges"
description = "A learning rate far too large for a linear network: the loss overflows."
seed = 0

[network]
layers = [1, 8, 1]
hidden_activation = "linear"
output_activation = "linear"
loss = "mse"

[training]
learning_rate = 1000

[data]
generator = "sine"
samples = 50
"""
"""A preset whose loss overflows within a few steps (a learning rate far too large for a linear
network): for the commands' handling of a diverged run."""


async def settled(pilot, done, seconds: float = 5.0) -> None:
    """Pause until `done()` holds (or `seconds` have passed: the assertions then say why)."""
    for _ in range(int(seconds / 0.05)):
        if done():
            return
        await pilot.pause(0.05)


async def drawn(pilot, chart) -> list[str]:
    """A chart's plot as text, once it has been drawn (its plot loads after the first frame,
    and a replot follows the key's own frame)."""
    await settled(pilot, lambda: chart.plot is not None and chart.plot.version, 2.0)
    await pilot.pause()
    return chart.plot.render().plain.splitlines()
