"""The Textual explorer."""


def run_app(preset, stepper=None) -> int:
    """Open the explorer on a preset (and a resumed stepper, if any); returns the exit code."""
    from bptui.app.main import BptuiApp

    BptuiApp(preset=preset, stepper=stepper).run()
    return 0
