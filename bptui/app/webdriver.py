"""Textual's web driver, but SIGTERM ends the app at once, however busy it is, and the app's
memory is capped.

`bptui --web` runs each browser session's app with this driver (textual-serve picks the driver
with TEXTUAL_DRIVER; bptui.commands.web_server sets it). Textual's own answers SIGTERM through
the event loop (`loop.add_signal_handler`) by posting ExitApp to the app's message queue. An app
flooded with input never gets there: its message pump takes queued key events without yielding
to the loop (`asyncio.Queue.get` returns at once while the queue holds items), and its main
thread may sit blocked writing its screen to a server that is not reading, where a Python-level
handler does not run either when the signal lands on another thread. Measured: 5 to 10 s and
more, so the server had to SIGKILL.

Served to a browser the app keeps nothing that quitting would save (no session or lesson
progress is written in web mode), and the server asks it to quit first and only sends SIGTERM
to an app that did not: so SIGTERM gets its default action back, and the kernel ends the process.

Memory: a preset is refused at load when its arrays would need more than MEMORY_BUDGET (1 GiB,
bptui.preset.loader); a browser's app also gets an address-space limit (RLIMIT_AS) of that
budget plus `OVERHEAD` for Python, NumPy and Textual (an idle explorer maps about 0.2 GB, one
training xor 0.32 GB), so whatever else grows (Textual's own input handling under a flood of
keys does) ends in a MemoryError in that one app, never in a machine out of memory.
"""

from __future__ import annotations

import asyncio
import signal

try:
    import resource
except ImportError:  # not a Unix
    resource = None

from textual.drivers.web_driver import WebDriver as TextualWebDriver

from bptui.preset.loader import MEMORY_BUDGET

OVERHEAD = 1 << 30  # bytes of address space beyond the arrays' budget
MEMORY_LIMIT = MEMORY_BUDGET + OVERHEAD


def limit_memory(limit: int = MEMORY_LIMIT) -> None:
    """Cap this process's address space at `limit` bytes (lower only: never raise a limit)."""
    if resource is None:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    capped = [min(limit, x) if x != resource.RLIM_INFINITY else limit for x in (soft, hard)]
    try:
        resource.setrlimit(resource.RLIMIT_AS, tuple(capped))
    except (ValueError, OSError):  # a platform that does not enforce it
        pass


class WebDriver(TextualWebDriver):
    """textual.drivers.web_driver.WebDriver with SIGTERM's default action and capped memory."""

    def __init__(self, *args, **kwargs):
        limit_memory()
        super().__init__(*args, **kwargs)

    def start_application_mode(self) -> None:
        """Textual's, except that its SIGTERM handler is never added to the loop.

        Removing the handler afterwards left a window: the first screen is already flushed to
        the server when Textual's method returns, and a SIGTERM landing before the removal
        (the server killed at once, its parent-death signal) went to Textual's handler, whose
        ExitApp never finished with nobody reading the app's output: an orphan for good.
        """
        loop = asyncio.get_running_loop()
        add_signal_handler = loop.add_signal_handler

        def all_but_sigterm(signum, callback, *args):
            if signum != signal.SIGTERM:
                add_signal_handler(signum, callback, *args)

        loop.add_signal_handler = all_but_sigterm
        try:
            super().start_application_mode()  # adds its SIGINT (and SIGTERM) handlers
        finally:
            del loop.add_signal_handler
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
