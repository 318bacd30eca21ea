"""The Textual explorer."""


def run_app(preset, stepper=None) -> int:
    """Open the explorer on a preset (and a resumed stepper, if any); returns the exit code:
    0, or Textual's return code (1 after an unhandled error, which Textual has printed)."""
    from bptui.app.main import BptuiApp

    app = BptuiApp(preset=preset, stepper=stepper)
    app.run()
    return app.return_code or 0
