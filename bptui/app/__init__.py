"""The Textual explorer."""


def run_app(preset, stepper=None, lesson=None, progress=None) -> int:
    """Open the explorer on a preset (and a resumed stepper, or a lesson, if any); returns the
    exit code."""
    from bptui.app.main import BptuiApp

    BptuiApp(preset=preset, stepper=stepper, lesson=lesson, progress=progress).run()
    return 0
