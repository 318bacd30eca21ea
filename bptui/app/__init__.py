"""The Textual explorer."""


def run_app(preset) -> int:
    """Open the explorer on a preset; returns the exit code."""
    from bptui.app.main import BptuiApp

    BptuiApp(preset=preset).run()
    return 0
