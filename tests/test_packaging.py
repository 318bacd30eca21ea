"""What `pip install .` (not editable) ships: every package, the presets and the stylesheet."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "bptui").rglob("__init__.py")
    }
    assert found <= listed, f"missing from [tool.setuptools] packages: {sorted(found - listed)}"
    assert config["package-dir"]["bptui.presets"] == "presets"
    assert "*.toml" in config["package-data"]["bptui.presets"]
    assert "*.csv" in config["package-data"]["bptui.presets"]
    assert "*.tcss" in config["package-data"]["bptui.app"]
