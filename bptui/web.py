"""`bptui --web [PRESET] [--port N]`: serve the explorer to a web browser on localhost.

Each browser session runs its own `python -m bptui [PRESET ...]` process, driven through
textual-serve (an optional dependency: `pip install 'bptui[web]'`). What the command line
would load is loaded here first, so a bad preset is the usual one-line error before any
server starts.
"""

from __future__ import annotations

import errno
import shlex
import sys

HOST = "localhost"
EXIT_BAD_INPUT = 2
MISSING = "bptui: error: --web needs textual-serve (pip install 'bptui[web]')"


def strip_port(argv: list[str]) -> list[str]:
    """The arguments without `--port N` / `--port=N` (the app in the browser has no use for them)."""
    out: list[str] = []
    skip = False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg == "--":  # everything after it is positional: keep as is
            out.extend(argv[i:])
            break
        if arg == "--port":
            skip = True
            continue
        if arg.startswith("--port="):
            continue
        out.append(arg)
    return out


def app_command(argv: list[str]) -> str:
    """The shell command textual-serve runs for each browser session.

    `sys.executable -m bptui` rather than `bptui`: it works from a venv whose scripts are not on
    PATH, and it runs the same interpreter (and so the same installed bptui) as this process.
    """
    return shlex.join([sys.executable, "-m", "bptui", *argv])


def check_loadable(argv: list[str]) -> None:
    """Load what the app would load (preset, session or CSV); raises PresetError if it cannot."""
    from bptui.cli import app_parser, load_target

    parser = app_parser()
    load_target(parser, parser.parse_args(argv))


def serve(argv: list[str], port: int) -> int:
    """Serve the app on http://localhost:PORT until Ctrl+C; returns the exit code.

    `argv` is the command line without `--web` (it may still hold `--port N`). Raises
    bptui.preset.PresetError for a preset, session or CSV file that cannot be loaded.
    """
    argv = strip_port(argv)
    if not 1 <= port <= 65535:
        print(f"bptui: error: --port {port} is out of range (allowed: 1..65535)", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        from textual_serve.server import Server
    except ImportError:
        print(MISSING, file=sys.stderr)
        return EXIT_BAD_INPUT
    check_loadable(argv)
    command = app_command(argv)
    url = f"http://{HOST}:{port}"
    print(f"bptui: serving at {url} (open it in a web browser; Ctrl+C stops)", flush=True)
    server = Server(command, host=HOST, port=port, title=shlex.join(["bptui", *argv]))
    try:
        server.serve()
    except OSError as exc:  # the port is taken, or not ours to bind
        if exc.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            reason = exc.strerror or str(exc)
            print(f"bptui: error: cannot serve on port {port} ({reason})", file=sys.stderr)
            return EXIT_BAD_INPUT
        raise
    return 0
