"""`bptui --web [PRESET] [--port N] [--host H] [--max-sessions N] [--allow-host NAME[:PORT]]`:
serve the explorer to web browsers.

Each browser session runs its own `python -m bptui [PRESET ...]` process, driven through
textual-serve (an optional dependency: `pip install 'bptui[web]'`) behind the guards of
bptui.commands.web_server. What the command line would load is loaded here first, and the port
is bound before anything is printed, so a bad preset or a taken port is the usual one-line error.

The default host is 127.0.0.1: only this machine. `--host 0.0.0.0` (or this machine's address)
serves a class; then anyone who can reach host:port can drive the app, and the command says so.
At most `--max-sessions` browser tabs are served at once (each is an app process). Behind an SSH
tunnel, Docker's `-p` or a reverse proxy the browser names another host or port: `--allow-host`
adds it to what the Host and Origin checks accept.
"""

from __future__ import annotations

import errno
import functools
import shlex
import shutil
import socket
import subprocess
import sys

from bptui.commands.hosts import (  # noqa: F401 - the web command's names, also from here
    DEFAULT_HOST,
    DEFAULT_MAX_SESSIONS,
    DEFAULT_PORT,
    LOOPBACK_NAMES,
    MAX_SESSIONS,
    allowed_host,
    canonical_host,
    ip_of,
    is_loopback,
    is_wildcard,
    url_host,
)
from bptui.text import printable

EXIT_BAD_INPUT = 2
MISSING = "bptui: error: --web needs textual-serve (pip install 'bptui[web]')"
WEB_OPTIONS = {
    "--web": 0,
    "--port": 1,
    "--host": 1,  # option → how many values follow it
    "--max-sessions": 1,
    "--allow-host": 1,
    "--class-dir": 1,
    "--font-size": 1,
}  # (the last two: bptui.commands.web_class)


def app_argv(argv: list[str]) -> list[str]:
    """The command line without the web server's own options (--web, --port N, --host H).

    `argv` is one argparse accepted (no abbreviations: allow_abbrev=False), so an option's value
    never starts with `--`, and everything after `--` is positional and kept as is.
    """
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            out.extend(argv[i:])
            break
        name, has_value, _ = arg.partition("=")
        if name in WEB_OPTIONS:
            i += 1 + (0 if has_value else WEB_OPTIONS[name])
            continue
        out.append(arg)
        i += 1
    return out


def app_command(argv: list[str]) -> str:
    """The shell command textual-serve runs for each browser session.

    `sys.executable -m bptui` rather than `bptui`: it works from a venv whose scripts are not on
    PATH, and it runs the same interpreter (and so the same installed bptui) as this process.
    `exec`: the shell becomes the app, so the process the server ends is the app itself. Where
    util-linux's setpriv can, the app also gets SIGTERM when the server dies without ending it
    (SIGKILL, a crash): else it would live on, unreachable (Textual ignores the end of its input).
    """
    return "exec " + shlex.join([*parent_death_signal(), sys.executable, "-m", "bptui", *argv])


@functools.cache
def parent_death_signal() -> tuple[str, ...]:
    """`setpriv --pdeathsig TERM --` if this machine's setpriv has that option (Linux), else ()."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return ()
    command = (setpriv, "--pdeathsig", "TERM", "--")
    try:
        works = subprocess.run([*command, "true"], capture_output=True, timeout=5).returncode == 0
    except (OSError, subprocess.SubprocessError):
        works = False
    return command if works else ()


def bind(host: str, port: int) -> list[socket.socket]:
    """Listening sockets on every address `host` resolves to; OSError if one cannot be bound.

    As asyncio's create_server does: SO_REUSEADDR, IPv6 sockets IPv6-only, and an address family
    the machine lacks (EADDRNOTAVAIL) skipped while another address binds.
    """
    infos = list(
        dict.fromkeys(
            socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        )
    )
    sockets: list[socket.socket] = []
    unavailable: OSError | None = None
    try:
        for family, kind, proto, _, address in infos:
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                if exc.errno != errno.EADDRNOTAVAIL or len(infos) == 1:
                    raise
                unavailable = exc
                sockets.pop().close()
                continue
            sock.listen(128)
            sock.setblocking(False)
        if not sockets:
            raise unavailable or OSError(errno.EADDRNOTAVAIL, "no address to listen on")
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def check_loadable(argv: list[str]) -> None:
    """Load what the app would load (preset, session or CSV); raises PresetError if it cannot."""
    from bptui.commands.options import app_parser, learn_parser, load_lesson_target, load_target

    learning = bool(argv) and argv[0] == "learn"
    parser = learn_parser() if learning else app_parser()
    args = parser.parse_args(argv[1:] if learning else argv)
    if args.web:  # app_argv dropped every --web: the app never starts servers of its own
        raise AssertionError("the app's command line holds --web")
    if learning:
        load_lesson_target(args)
    else:
        load_target(parser, args)


def error(message: str) -> int:
    """One line on stderr; the bad-input exit code."""
    print(f"bptui: error: {printable(message)}", file=sys.stderr)
    return EXIT_BAD_INPUT


def serve(
    argv: list[str],
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    max_sessions: int = DEFAULT_MAX_SESSIONS,
    allow_hosts: tuple[tuple[str, int | None], ...] = (),
) -> int:
    """Serve the app on http://HOST:PORT until Ctrl+C or SIGTERM; returns the exit code.

    `argv` is the whole command line (holding --web, maybe --port, --host, --max-sessions and
    --allow-host; the other arguments are their checked values). Raises
    bptui.preset.PresetError for a preset, session or CSV file that cannot be loaded.
    """
    whole, argv = argv, app_argv(argv)
    try:
        from bptui.commands.web_class import classroom_for, print_urls
        from bptui.commands.web_server import GuardedServer
    except ImportError:
        print(MISSING, file=sys.stderr)
        return EXIT_BAD_INPUT
    check_loadable(argv)
    classroom = classroom_for(whole, port)  # what URLs open, where progress is kept
    try:
        sockets = bind(host, port)
    except socket.gaierror as exc:
        return error(f"--host {host}: cannot resolve it ({exc.strerror})")
    except OSError as exc:  # the port is taken, not ours to bind, or the address not ours
        return error(f"cannot serve on {url_host(host)}:{port} ({exc.strerror or exc})")
    if is_wildcard(host):
        url = f"http://{socket.gethostname()}:{port} on every interface"
    else:
        url = f"http://{url_host(host)}:{port}"
    if not is_loopback(host):
        print(
            f"bptui: warning: serving beyond this machine: anyone who can reach "
            f"{url_host(host)}:{port} can drive the app",
            file=sys.stderr,
        )
    print(f"bptui: serving at {url} (open it in a web browser; Ctrl+C stops)", flush=True)
    print_urls(classroom, url.split(" ")[0])
    server = GuardedServer(
        app_command(argv),
        sockets,
        host=host,
        port=port,
        title=shlex.join(["bptui", *argv]),
        max_sessions=max_sessions,
        allow_hosts=allow_hosts,
        classroom=classroom,
    )
    server.serve()
    return 0
