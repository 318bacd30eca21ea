"""Test set-up: deterministic Textual (no animations) before anything imports it."""

import os

os.environ["TEXTUAL_ANIMATIONS"] = "none"


def pytest_collection_modifyitems(items):
    """Every test that drives the app (an async Pilot test, a snapshot, a browser) is marked
    `ui`, so `pytest -m "not ui"` is the fast loop over the engine, the loaders and the commands."""
    import inspect

    import pytest

    for item in items:
        function = getattr(item, "function", None)
        if (
            inspect.iscoroutinefunction(function)
            or "snap_compare" in getattr(item, "fixturenames", ())
            or item.path.name == "test_web.py"
        ):
            item.add_marker(pytest.mark.ui)
