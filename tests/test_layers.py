"""The code's own rules, checked by the tools that state them: the import layers and cycles
(import-linter, contracts in pyproject.toml) and the lint rules (ruff, its config there too)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return found


def test_imports_keep_their_layers_and_have_no_cycles():
    done = subprocess.run(
        [tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


@pytest.mark.parametrize(
    "command",
    [["check", "."], ["format", "--check", "."]],
    ids=["lint", "format"],
)
def test_the_code_passes_ruff(command):
    """`ruff check .` and `ruff format --check .` (ruff pinned in the test extra: its releases
    change what they report)."""
    done = subprocess.run(
        [tool("ruff"), *command, "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
