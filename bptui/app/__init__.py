"""The Textual explorer."""


def run_app(preset, stepper=None, lesson=None, progress=None, **options) -> int:
    """Open the explorer on a preset (and a resumed stepper, or a lesson, if any); returns the
    exit code: 0, or Textual's return code (1 after an unhandled error, which Textual has
    printed). `options`: BptuiApp's catalog, theme, opening and seat."""
    from bptui.app.main import BptuiApp

    app = BptuiApp(preset=preset, stepper=stepper, lesson=lesson, progress=progress, **options)
    app.run()
    return app.return_code or 0
