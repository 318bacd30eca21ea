"""`bptui --web`: its command line, its guards against a hostile browser, and the app end to end.

- The command line, without a server: the app's command, one-line errors before anything is
  printed (a taken port too), no abbreviated options, the warning for a non-local --host.
- The guards (bptui.commands.web_server) as functions: which Host and Origin values are this server,
  terminal sizes clamped, an app that will not quit is terminated, then killed.
- The real server (`python -m bptui --web xor --port N`, a free port chosen here) with a raw
  aiohttp client: foreign Origin or Host refused with 403 before any app starts, a page of this
  server accepted, the size capped, the app ending when its client leaves, on a malformed
  message, and with the server on SIGTERM (and, where setpriv can, when the server is killed).
- The preset picker in a browser offers bundled presets only.
- The app driven in Debian's headless Chromium through Playwright (the system browser:
  `executable_path`, never `playwright install`): wait for the app to draw, press `f`, check the
  screen changed.

The page draws the terminal with xterm.js on a canvas, so there is no text in the DOM. To read
the screen as text, a script added before the page's own catches xterm.js's `Terminal` object
when textual-serve's client stores it (`this.terminal = new Terminal(...)`) and the test reads
rows with xterm.js's public buffer API. Screenshots before and after the key are compared too.

Chromium missing: the browser test is skipped (CI installs it in .ci/run, and there, with
CI set, a missing browser is a failure instead). Waits below have deadlines only so that a bug
fails instead of hanging; nothing asserts on how long anything took.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bptui.commands.cli import main
from bptui.commands.web import app_argv, app_command, is_loopback, parent_death_signal
from tests.procs import alive, children, free_port, wait_listening

CHROMIUM_FLAGS = [  # as this machine's notes prescribe for a root, offline, headless Chromium
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Runs before the page's scripts: the first object that gets a `terminal` property assigned is
# textual-serve's client, and the value is xterm.js's Terminal. Keep it, then get out of the way.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    delete Object.prototype.terminal;
    Object.defineProperty(this, "terminal",
      {value, writable: true, configurable: true, enumerable: true});
    window.__bptuiTerminal = value;
  },
});
"""

# The visible rows of the terminal as text ("" until the terminal exists).
READ_SCREEN = """() => {
  const term = window.__bptuiTerminal;
  if (!term || !term.buffer) return "";
  const buffer = term.buffer.active, rows = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
}"""

HAS_PROC = Path("/proc/self/stat").exists()


# --- the command line (no server) -----------------------------------------------------------


class FakeServer:
    """Stands in for bptui.commands.web_server.GuardedServer: records what it was given, serves
    nothing."""

    made: list[FakeServer] = []

    def __init__(
        self,
        command: str,
        sockets: list,
        host: str,
        port: int,
        title: str,
        max_sessions: int = 32,
        allow_hosts: tuple = (),
        **options,
    ):
        self.command, self.sockets, self.host, self.port = command, sockets, host, port
        self.max_sessions, self.allow_hosts = max_sessions, allow_hosts
        self.options = options
        self.served = False
        FakeServer.made.append(self)

    def serve(self, debug: bool = False) -> None:
        self.served = True


@pytest.fixture
def fake_server(monkeypatch, tmp_path):
    """No socket is bound and nothing is served (the class folder is made in a temporary data
    directory); yields the FakeServers made."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    server_module = pytest.importorskip("bptui.commands.web_server")
    FakeServer.made = []
    monkeypatch.setattr(server_module, "GuardedServer", FakeServer)
    monkeypatch.setattr("bptui.commands.web.bind", lambda host, port: [])
    return FakeServer.made


def one_error_line(captured, *fragments: str) -> str:
    """The single stderr line of a bad-input exit (nothing on stdout), checked for fragments."""
    err = captured.err.splitlines()
    assert len(err) == 1, captured.err
    assert err[0].startswith("bptui: error: ") and "Traceback" not in captured.err
    assert "\x1b" not in captured.err
    for fragment in fragments:
        assert fragment in err[0]
    assert captured.out == ""
    return err[0]


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["--web", "spiral", "--port", "8123"], ["spiral"]),
        (["--port", "8123", "--web", "spiral"], ["spiral"]),
        (["--port=8123", "--host=0.0.0.0", "spiral", "--web"], ["spiral"]),
        (["--web", "--host", "::1", "--port", "8123"], []),
        (["--web", "--web", "xor", "--web"], ["xor"]),
        (["--session", "s.npz", "--port", "1", "--web"], ["--session", "s.npz"]),
        (["--session=--web", "--web"], ["--session=--web"]),
        (["--web", "--", "--port"], ["--", "--port"]),
    ],
)
def test_the_app_command_line_drops_the_servers_options(argv, expected):
    assert app_argv(argv) == expected


def test_app_command_runs_this_interpreter_as_the_shell_itself_and_quotes():
    words = shlex.split(app_command(["my presets/it's.toml"]))
    assert words == [
        "exec",
        *parent_death_signal(),
        sys.executable,
        "-m",
        "bptui",
        "my presets/it's.toml",
    ]


def test_serve_builds_the_command_and_prints_the_url(fake_server, capsys):
    assert main(["--web", "spiral", "--port", "8123", "--web"]) == 0
    [server] = fake_server
    assert server.served
    assert shlex.split(server.command)[-3:] == ["-m", "bptui", "spiral"]  # no --web, no --port
    assert (server.host, server.port) == ("127.0.0.1", 8123)
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert "http://127.0.0.1:8123" in out[0] and "serving at" in out[0]
    assert all(line.startswith("bptui: ") for line in out)  # then what URLs open
    assert "http://127.0.0.1:8123/?preset=NAME" in captured.out
    assert captured.err == ""  # 127.0.0.1: no warning


def test_serve_default_preset_host_and_port(fake_server, capsys):
    assert main(["--web"]) == 0
    [server] = fake_server
    assert shlex.split(server.command)[-2:] == ["-m", "bptui"]
    assert (server.host, server.port) == ("127.0.0.1", 8000)
    assert "http://127.0.0.1:8000" in capsys.readouterr().out


@pytest.mark.parametrize(
    "host, shown",
    [("0.0.0.0", "0.0.0.0:8123"), ("::", "[::]:8123"), ("192.0.2.7", "192.0.2.7:8123")],
)
def test_a_host_beyond_this_machine_is_served_with_a_one_line_warning(
    fake_server, capsys, host, shown
):
    assert main(["--web", "--host", host, "--port", "8123"]) == 0
    [server] = fake_server
    assert server.host == host
    captured = capsys.readouterr()
    [warning] = captured.err.splitlines()
    assert warning.startswith("bptui: warning: ") and shown in warning
    assert "anyone" in warning
    assert "serving at" in captured.out.splitlines()[0]


@pytest.mark.parametrize(
    "host, local",
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("localhost", True),
        ("LOCALHOST.", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("teacher.example", False),
    ],
)
def test_which_hosts_are_this_machine_only(host, local):
    assert is_loopback(host) is local


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["--web", "no-such-preset", "--port", "8123"], ["no-such-preset"]),
        (["--web", "missing/file.toml"], ["missing/file.toml"]),
        (["--web", "--csv", "data.csv"], ["--csv needs --target"]),
        (["--web", "--port", "0"], ["--port", "0 is out of range (allowed: 1..65535)"]),
        (["--web", "--port", "70000"], ["--port", "out of range"]),
        (["--web", "--port", "80x"], ["--port", "expected a port number, got '80x'"]),
        (["--web", "--port", ""], ["--port", "expected a port number"]),
        (
            ["--web", "--host", "evil host"],
            ["--host", "'evil host' is not an IP address or host name"],
        ),
        (["--web", "--host", ""], ["--host", "is not an IP address or host name"]),
        (["--web", "--host", "a\x1b[2Jb"], ["--host", "is not an IP address"]),
        (["--web", "--host", "x" * 300], ["--host", "is not an IP address"]),
        (["--web", "--host", "http://localhost"], ["--host", "is not an IP address"]),
        (["--web", "--host"], ["--host", "expected one argument"]),
        (["--port", "9000"], ["go with --web (got --port without --web)"]),
        (["--host", "0.0.0.0", "xor"], ["go with --web (got --host without --web)"]),
        (["--max-sessions", "3"], ["go with --web (got --max-sessions without --web)"]),
        (["--allow-host", "x.example"], ["go with --web (got --allow-host without --web)"]),
        (["--web", "--max-sessions", "0"], ["--max-sessions", "0 is out of range"]),
        (["--web", "--max-sessions", "many"], ["--max-sessions", "expected a number of sessions"]),
        (["--web", "--allow-host", "evil host"], ["--allow-host", "'evil host' is not"]),
        (["--web", "--allow-host", "x.example:0"], ["--allow-host", "is not"]),
        (["--web", "--allow-host", "http://x.example"], ["--allow-host", "is not"]),
        (["--web", "--allow-host", "a\x1b[2J:80"], ["--allow-host", "is not"]),
        (["--we"], ["unrecognized arguments: --we"]),  # not an abbreviation of --web
        (["--web", "--por", "9000"], ["unrecognized arguments: --por"]),
        (["--web", "--ho=0.0.0.0"], ["unrecognized arguments: --ho=0.0.0.0"]),
        (["train", "xor", "--st", "5"], ["unrecognized arguments: --st"]),
    ],
)
def test_bad_input_is_one_line_and_exit_2_before_serving(fake_server, capsys, argv, fragments):
    assert main(argv) == 2
    assert fake_server == []  # nothing was served
    one_error_line(capsys.readouterr(), *fragments)


def test_a_taken_port_is_one_line_before_any_banner(capfd):
    pytest.importorskip("textual_serve")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--web", "xor", "--port", str(port)]) == 2
    one_error_line(capfd.readouterr(), f"cannot serve on 127.0.0.1:{port}", "in use")


def test_an_address_not_on_this_machine_is_one_line(capfd):
    pytest.importorskip("textual_serve")
    assert main(["--web", "--host", "192.0.2.1", "--port", str(free_port())]) == 2  # TEST-NET-1
    one_error_line(capfd.readouterr(), "cannot serve on 192.0.2.1:")


def test_without_textual_serve(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "textual_serve", None)  # import fails
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    monkeypatch.setitem(sys.modules, "bptui.commands.web_server", None)
    assert main(["--web", "xor"]) == 2
    captured = capsys.readouterr()
    assert captured.err == "bptui: error: --web needs textual-serve (pip install 'bptui[web]')\n"
    assert captured.out == ""


# --- the guards as functions ----------------------------------------------------------------


@pytest.fixture
def web_server_module():
    return pytest.importorskip("bptui.commands.web_server")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("localhost:8000", ("localhost", 8000)),
        ("LocalHost.:8000", ("localhost", 8000)),
        ("127.0.0.1:8000", ("127.0.0.1", 8000)),
        ("[::1]:8000", ("::1", 8000)),
        ("[::ffff:127.0.0.1]:8000", ("127.0.0.1", 8000)),
        ("example.org", ("example.org", 80)),
        ("", None),
        ("localhost:80000", None),
        ("localhost:x", None),
        ("user@localhost:8000", None),
        ("localhost:8000/x", None),
        ("[::1:8000", None),
        ("lócalhost:8000", None),
    ],
)
def test_host_header_values(web_server_module, text, expected):
    assert web_server_module.split_authority(text) == expected


@pytest.mark.parametrize(
    "served, authority, local_address, allowed",
    [
        # served on loopback: the loopback names, on the served port only
        ("127.0.0.1", ("127.0.0.1", 8000), "127.0.0.1", True),
        ("127.0.0.1", ("localhost", 8000), "127.0.0.1", True),
        ("127.0.0.1", ("::1", 8000), "127.0.0.1", True),
        ("127.0.0.1", ("127.0.0.1", 8001), "127.0.0.1", False),
        ("127.0.0.1", ("evil.example", 8000), "127.0.0.1", False),  # DNS rebinding
        ("127.0.0.1", ("10.0.0.5", 8000), "127.0.0.1", False),
        ("localhost", ("localhost", 8000), "::1", True),
        # served on every interface: the address the request came in on, or this machine's name
        ("0.0.0.0", ("192.168.1.10", 8000), "192.168.1.10", True),
        ("0.0.0.0", ("192.168.1.10", 8000), "::ffff:192.168.1.10", True),
        ("0.0.0.0", ("192.168.1.11", 8000), "192.168.1.10", False),
        ("0.0.0.0", ("localhost", 8000), "192.168.1.10", False),  # not a local connection
        ("0.0.0.0", ("localhost", 8000), "127.0.0.1", True),
        ("0.0.0.0", (socket.gethostname().lower(), 8000), "192.168.1.10", True),
        ("0.0.0.0", ("evil.example", 8000), "192.168.1.10", False),
        ("192.168.1.10", ("192.168.1.10", 8000), "192.168.1.10", True),
        ("teacher.example", ("teacher.example", 8000), "192.168.1.10", True),
        ("teacher.example", ("evil.example", 8000), "192.168.1.10", False),
        ("127.0.0.1", None, "127.0.0.1", False),
    ],
)
def test_which_hosts_are_this_server(web_server_module, served, authority, local_address, allowed):
    origins = web_server_module.Origins(served, 8000)
    assert origins.allows(authority, local_address) is allowed


@pytest.mark.parametrize(
    "width, height, expected",
    [
        (80, 24, (80, 24)),
        ("120", "40", (120, 40)),
        (20000, 20000, (500, 200)),
        (-5, 0, (1, 1)),
        ("x", None, (80, 24)),
        (1e300, float("inf"), (500, 24)),
        ("9" * 5000, "1e9", (80, 24)),
        (True, 3.7, (1, 3)),
    ],
)
def test_terminal_sizes_are_clamped(web_server_module, width, height, expected):
    assert web_server_module.clamp_size(width, height) == expected


async def noop(*args) -> None:
    """Stands in for the websocket's send and close."""


def app_service(web_server_module, command: str):
    from textual_serve.download_manager import DownloadManager

    return web_server_module.BoundedAppService(
        command, write_bytes=noop, write_str=noop, close=noop, download_manager=DownloadManager()
    )


async def test_resizes_are_clamped(web_server_module, monkeypatch):
    service = app_service(web_server_module, "true")
    sent = []

    async def record(meta) -> bool:
        sent.append(meta)
        return True

    monkeypatch.setattr(service, "send_meta", record)
    await service.set_terminal_size(20000, 20000)
    await service.set_terminal_size(-3, "abc")
    assert sent == [
        {"type": "resize", "width": 500, "height": 200},
        {"type": "resize", "width": 1, "height": 24},
    ]


@pytest.mark.parametrize(
    "command, ended_by",
    [
        ("echo > ready; exec sleep 30", signal.SIGTERM),  # does not read its input: terminated
        ("trap '' TERM; echo > ready; exec sleep 30", signal.SIGKILL),  # ignores SIGTERM: killed
    ],
)
async def test_an_app_that_will_not_quit_is_ended(
    web_server_module, monkeypatch, tmp_path, command, ended_by
):
    monkeypatch.setattr(web_server_module, "QUIT_GRACE", 0.05)
    monkeypatch.chdir(tmp_path)
    service = app_service(web_server_module, command)
    await service.start(80, 24)
    await asyncio.to_thread(wait_until, (tmp_path / "ready").exists, "the app to start")
    assert service.running
    await asyncio.gather(service.stop(), service.stop())  # twice at once, as on shutdown
    assert not service.running
    assert service._process.returncode == -ended_by


def test_the_input_budget_allows_its_rate_and_bursts_only(web_server_module):
    now = [0.0]
    budget = web_server_module.InputBudget(rate=100, burst=1000, clock=lambda: now[0])
    assert budget.take(1000)  # a full burst at once
    assert not budget.take(1)  # then nothing ...
    now[0] += 0.5
    assert budget.take(50) and not budget.take(1)  # ... but the rate
    now[0] += 1000
    assert not budget.take(1001)  # the bucket never holds more than a burst
    assert budget.take(1000)


def test_input_reaches_a_busy_app_without_waiting_and_the_backlog_is_capped(
    web_server_module, monkeypatch
):
    """An app that does not read: writes never wait on it, and past the cap the session ends
    (textual-serve's writes waited for the app, so the session missed its browser leaving)."""

    async def scenario():
        service = app_service(web_server_module, "exec sleep 30")  # never reads its input
        await service.start(80, 24)
        try:
            chunk = b"x" * 16384
            with pytest.raises(web_server_module.SessionLimit, match="not reading its input"):
                for _ in range(web_server_module.MAX_PENDING_INPUT // len(chunk) + 10):
                    assert await service.send_bytes(chunk)  # returns at once: the loop goes on
            assert await service.send_meta({"type": "quit"})  # quit is written whatever the cap
        finally:
            monkeypatch.setattr(web_server_module, "QUIT_GRACE", 0.05)
            await service.stop()
        assert not service.running

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "text, expected",
    [
        ("tunnel.example", ("tunnel.example", None)),
        ("Tunnel.Example.:9000", ("tunnel.example", 9000)),
        ("localhost:9000", ("localhost", 9000)),
        ("10.0.0.5", ("10.0.0.5", None)),
        ("[::1]:9000", ("::1", 9000)),
    ],
)
def test_allow_host_values(text, expected):
    from bptui.commands.web import allowed_host

    assert allowed_host(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "evil host",
        "x.example:0",
        "x.example:70000",
        "x:y",
        "http://x.example",
        "x.example/path",
        "user@x.example",
        "[::1:9000",
        "a\x1b[2J",
        "lócal",
    ],
)
def test_bad_allow_host_values_are_refused(text):
    import argparse

    from bptui.commands.web import allowed_host

    with pytest.raises(argparse.ArgumentTypeError, match="is not a host name"):
        allowed_host(text)


@pytest.mark.parametrize(
    "header, value, allowed",
    [
        ("Host", "tunnel.example:9000", True),
        ("Host", "tunnel.example:9001", False),  # a port was named: only that one
        ("Host", "proxy.example", True),  # no port named: any port
        ("Host", "proxy.example:8443", True),
        ("Host", "evil.example:9000", False),
        ("Origin", "http://tunnel.example:9000", True),
        ("Origin", "https://proxy.example", True),  # a proxy that speaks https to the browser
        ("Origin", "https://tunnel.example", False),  # https means port 443, not 9000
        ("Origin", "https://127.0.0.1:8000", False),  # this server speaks http only
        ("Origin", "http://evil.example", False),
        ("Origin", "null", False),
    ],
)
def test_allowed_hosts_pass_the_host_and_origin_checks(web_server_module, header, value, allowed):
    origins = web_server_module.Origins(
        "127.0.0.1", 8000, (("tunnel.example", 9000), ("proxy.example", None))
    )
    if header == "Host":
        result = origins.allows(web_server_module.split_authority(value), "127.0.0.1")
    else:
        result = origins.allows_origin(value, "127.0.0.1")
    assert result is allowed
    assert origins.allows(("127.0.0.1", 8000), "127.0.0.1")  # this server still is


def test_serve_passes_max_sessions_and_allowed_hosts(fake_server):
    assert (
        main(
            [
                "--web",
                "--max-sessions",
                "2",
                "--allow-host",
                "a.example:9000",
                "--allow-host",
                "b.example",
            ]
        )
        == 0
    )
    [server] = fake_server
    assert server.max_sessions == 2
    assert server.allow_hosts == (("a.example", 9000), ("b.example", None))
    assert shlex.split(server.command)[-2:] == ["-m", "bptui"]  # none of them reach the app
    assert main(["--web"]) == 0
    assert fake_server[1].max_sessions == 32 and fake_server[1].allow_hosts == ()


def test_a_web_app_caps_its_own_memory():
    """The browser's app process (its driver) limits its address space; checked in a child
    process so that the test run keeps its own limits."""
    code = (
        "import resource; from bptui.app.webdriver import MEMORY_LIMIT, limit_memory; "
        "limit_memory(); print(resource.getrlimit(resource.RLIMIT_AS) == "
        "(MEMORY_LIMIT, MEMORY_LIMIT), MEMORY_LIMIT)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
    )
    assert done.stdout.split() == ["True", str(2 << 30)], done.stderr


# --- the real server and a raw aiohttp client -----------------------------------------------


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_until(condition, what: str, timeout: float = 15) -> None:
    """Poll `condition` until true; fail (not hang) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


class RunningServer:
    """A `python -m bptui --web xor --port N` process in its own process group."""

    def __init__(self, tmp_path: Path, *options: str):
        pytest.importorskip(
            "textual_serve", reason="textual-serve is not installed (pip install -e '.[test]')"
        )
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / f"server-{self.port}.log"
        self.log = self.log_path.open("w")
        env = dict(
            os.environ, TEXTUAL_ANIMATIONS="none", XDG_DATA_HOME=str(tmp_path / "data")
        )  # the class folder: not the user's
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bptui", "--web", "xor", "--port", str(self.port), *options],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )  # the server and the app processes it starts share a group
        if not wait_listening(self.port, self.proc, 20):
            exited = self.proc.poll()
            self.close()
            why = (
                f"exited with {exited}" if exited is not None else f"did not listen on {self.port}"
            )
            pytest.fail(f"the server {why}:\n{tail(self.log_path)}")

    def apps(self) -> list[int]:
        """The app processes the server runs now."""
        return children(self.proc.pid)

    def close(self) -> None:
        """SIGTERM to the group, SIGKILL if that does not do; every app goes with the server."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                continue
            with contextlib.suppress(ProcessLookupError):  # no app child outlives the test
                os.killpg(self.proc.pid, signal.SIGKILL)
            break
        self.log.close()


@pytest.fixture
def web_server(tmp_path):
    server = RunningServer(tmp_path)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One server for the tests that only knock on its door."""
    server = RunningServer(tmp_path_factory.mktemp("web"))
    try:
        yield server
    finally:
        server.close()


async def open_session(server: RunningServer, query: str = "", **headers):
    """(client session, websocket) once the app has sent its first output."""
    import aiohttp

    session = aiohttp.ClientSession()
    try:
        websocket = await session.ws_connect(f"{server.url}/ws{query}", headers=headers)
        async with asyncio.timeout(20):
            while (message := await websocket.receive()).type != aiohttp.WSMsgType.BINARY:
                assert message.type == aiohttp.WSMsgType.TEXT, (message, tail(server.log_path))
    except BaseException:
        await session.close()
        raise
    return session, websocket


def foreign_requests(port: int) -> list[tuple[str, dict[str, str]]]:
    here = f"127.0.0.1:{port}"
    return [
        ("/ws", {"Origin": "http://evil.example"}),  # cross-site WebSocket hijacking
        ("/ws", {"Origin": f"http://evil.example:{port}"}),
        ("/ws", {"Origin": "null"}),
        ("/ws", {"Origin": f"https://{here}"}),
        ("/ws", {"Origin": f"http://127.0.0.1:{port + 1}"}),
        ("/ws", {"Host": f"evil.example:{port}"}),  # DNS rebinding: the attacker's name
        ("/ws", {"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"}),
        ("/ws", {"Host": "127.0.0.1"}),  # port 80
        ("/", {"Host": f"evil.example:{port}"}),
        ("/", {"Origin": "http://evil.example"}),
        ("/static/js/textual.js", {"Host": f"evil.example:{port}"}),
    ]


@pytest.mark.skipif(not HAS_PROC, reason="counts app processes in /proc")
async def test_requests_from_other_sites_or_hosts_are_refused(shared_server):
    import aiohttp

    async with aiohttp.ClientSession() as session:
        for path, headers in foreign_requests(shared_server.port):
            if path == "/ws":
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await session.ws_connect(shared_server.url + path, headers=headers)
                assert refused.value.status == 403, headers
            else:
                async with session.get(shared_server.url + path, headers=headers) as response:
                    assert response.status == 403, (path, headers)
                    assert "forbidden" in await response.text()
    assert shared_server.apps() == []  # no app was started for any of them


async def test_the_page_names_the_host_it_was_asked_for(shared_server):
    import aiohttp

    port = shared_server.port
    async with aiohttp.ClientSession() as session:
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
            async with session.get(
                f"{shared_server.url}/?fontsize=100000", headers={"Host": host}
            ) as response:
                assert response.status == 200
                page = await response.text()
            assert f'"ws://{host}/ws"' in page or f"ws://{host}/ws" in page
            assert 'href="static/css/xterm.css"' in page  # relative: http or https alike


@pytest.mark.skipif(not HAS_PROC, reason="reads the app's environment in /proc")
async def test_a_session_from_this_server_is_capped_and_ends_when_its_client_leaves(shared_server):
    port = shared_server.port
    session, websocket = await open_session(
        shared_server, "?width=20000&height=20000", Origin=f"http://localhost:{port}"
    )
    try:
        [app] = shared_server.apps()
        environment = Path(f"/proc/{app}/environ").read_bytes().split(b"\0")
        assert b"COLUMNS=500" in environment and b"ROWS=200" in environment
        await websocket.send_json(["resize", {"width": 30000, "height": 30000}])
        await websocket.send_json(["ping", "still there"])
        async with asyncio.timeout(10):
            while (message := await websocket.receive()).type.name == "BINARY":
                pass
        assert message.json() == ["pong", "still there"]
    finally:
        await websocket.close()
        await session.close()
    await asyncio.to_thread(wait_until, lambda: not alive(app), "the app to end")


@pytest.mark.skipif(not HAS_PROC, reason="looks for the app in /proc")
async def test_a_malformed_message_ends_its_session_in_one_log_line(shared_server):
    session, websocket = await open_session(shared_server)
    try:
        [app] = shared_server.apps()
        await websocket.send_str("not json")
        async with asyncio.timeout(10):
            while not websocket.closed:
                await websocket.receive()
    finally:
        await session.close()
    await asyncio.to_thread(wait_until, lambda: not alive(app), "the app to end")
    log = shared_server.log_path.read_text()
    assert "a browser session ended: JSONDecodeError" in log and "Traceback" not in log


@pytest.mark.skipif(not HAS_PROC, reason="looks for the apps in /proc")
async def test_sigterm_ends_the_server_and_its_apps(web_server):
    sessions = [await open_session(web_server) for _ in range(2)]
    try:
        apps = web_server.apps()
        assert len(apps) == 2
        web_server.proc.send_signal(signal.SIGTERM)  # the server only, not its group
        returncode = await asyncio.to_thread(web_server.proc.wait, 20)
    finally:
        for session, _ in sessions:
            await session.close()
    assert returncode == 0
    await asyncio.to_thread(wait_until, lambda: not any(map(alive, apps)), "the apps to end")


@pytest.mark.skipif(
    not HAS_PROC or not parent_death_signal(),
    reason="needs /proc and util-linux's setpriv --pdeathsig",
)
async def test_the_apps_end_when_the_server_is_killed(web_server):
    session, _ = await open_session(web_server)
    try:
        [app] = web_server.apps()
        web_server.proc.kill()  # no chance to end its apps itself
        await asyncio.to_thread(web_server.proc.wait, 20)
    finally:
        await session.close()
    await asyncio.to_thread(wait_until, lambda: not alive(app), "the orphaned app to end")


def sigterm_is_caught(pid: int) -> bool:
    """Whether process `pid` has a handler for SIGTERM (bit 15 of SigCgt in /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signal.SIGTERM - 1) & 1)
    raise AssertionError("no SigCgt line")


async def close_code_after(websocket) -> int:
    """The close code once the server has closed `websocket` (its other messages skipped)."""
    async with asyncio.timeout(20):
        while not websocket.closed:
            await websocket.receive()
    return websocket.close_code


@pytest.mark.skipif(not HAS_PROC, reason="looks for the app in /proc")
@pytest.mark.parametrize(
    "messages, codes, logged",
    [
        # 3.9 MB of keys kept an app at 98% CPU, growing, after its browser had left: 1009 (message
        # too big), or 1006 when the server closed while the client still sent
        (["a" * 3_900_000], (1009, 1006), "a message over 65536 bytes"),
        # 5 × 60 KB at once (64 KB of JSON each): more than a burst; 1008, policy violation
        (["\x1b[<35;1;1M" * 4000] * 5, (1008, 1006), "more than 16384 bytes a second"),
    ],
    ids=["oversized-message", "over-the-rate"],
)
async def test_a_session_over_its_input_limits_is_ended_with_its_app(
    shared_server, messages, codes, logged
):
    session, websocket = await open_session(shared_server)
    try:
        [app] = shared_server.apps()
        with contextlib.suppress(ConnectionError):
            for message in messages:
                await websocket.send_json(["stdin", message])
        assert await close_code_after(websocket) in codes
    finally:
        await session.close()
    await asyncio.to_thread(wait_until, lambda: not alive(app), "the app to end")
    assert f"a browser session ended: {logged}" in shared_server.log_path.read_text()


@pytest.mark.skipif(not HAS_PROC, reason="looks for the app in /proc")
async def test_an_app_busy_with_input_ends_when_its_browser_leaves(shared_server):
    session, websocket = await open_session(shared_server)
    try:
        [app] = shared_server.apps()
        for _ in range(2):  # within the limits, and seconds of work for the app
            await websocket.send_json(["stdin", "a" * 60_000])
        await websocket.close()
    finally:
        await session.close()
    await asyncio.to_thread(wait_until, lambda: not alive(app), "the busy app to end")


@pytest.mark.skipif(not HAS_PROC, reason="looks for the app in /proc")
async def test_sigterm_ends_a_web_app_however_busy(shared_server):
    """Textual's web driver handled SIGTERM in its event loop, behind every queued key."""
    session, websocket = await open_session(shared_server)
    try:
        [app] = shared_server.apps()
        # SIGTERM's default action (the kernel ends the app), once its driver has started
        await asyncio.to_thread(
            wait_until, lambda: not sigterm_is_caught(app), "SIGTERM's default action"
        )
        for _ in range(2):
            await websocket.send_json(["stdin", "a" * 60_000])
        os.kill(app, signal.SIGTERM)
        await asyncio.to_thread(wait_until, lambda: not alive(app), "the app to end")
    finally:
        await session.close()


@pytest.fixture(scope="module")
def small_class(tmp_path_factory):
    """A server for two browser sessions, also reachable as tunnel.example:9000."""
    server = RunningServer(
        tmp_path_factory.mktemp("class"),
        "--max-sessions",
        "2",
        "--allow-host",
        "tunnel.example:9000",
    )
    try:
        yield server
    finally:
        server.close()


@pytest.mark.skipif(not HAS_PROC, reason="counts app processes in /proc")
async def test_beyond_max_sessions_the_class_is_full_with_503(small_class):
    import aiohttp

    sessions = [await open_session(small_class) for _ in range(2)]
    try:
        assert len(small_class.apps()) == 2
        async with aiohttp.ClientSession() as client:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await client.ws_connect(small_class.url + "/ws")
            assert refused.value.status == 503
            async with client.get(small_class.url + "/") as response:
                assert response.status == 503
                assert "The class is full" in await response.text()
                assert response.headers["Retry-After"].isdigit()
        assert len(small_class.apps()) == 2  # no third app was started
    finally:
        for session, websocket in sessions[1:]:
            await websocket.close()
            await session.close()

    async def page_status() -> int:
        async with aiohttp.ClientSession() as client:
            async with client.get(small_class.url + "/") as response:
                return response.status

    deadline = time.monotonic() + 20  # a seat is free once the app has ended
    while await page_status() != 200:
        assert time.monotonic() < deadline, "the page still says the class is full"
        await asyncio.sleep(0.05)
    await sessions[0][0].close()


async def test_an_allowed_host_reaches_the_app_through_a_tunnel_or_proxy(small_class):
    import aiohttp

    async with aiohttp.ClientSession() as client:
        async with client.get(
            small_class.url + "/", headers={"Host": "tunnel.example:9000"}
        ) as response:
            assert response.status == 200
            page = await response.text()
        assert "bptuiWebSocketUrl(window.location.href)" in page  # ws:// or wss:// as loaded
        async with client.get(
            small_class.url + "/", headers={"Host": "tunnel.example:9001"}
        ) as response:
            assert response.status == 403
    session, websocket = await open_session(
        small_class, Host="tunnel.example:9000", Origin="http://tunnel.example:9000"
    )
    await websocket.close()
    await session.close()


# --- the preset picker in a browser ---------------------------------------------------------


async def test_the_picker_in_a_browser_offers_bundled_presets_only(monkeypatch):
    from textual.widgets import Input, OptionList

    from bptui.app.main import BptuiApp
    from bptui.preset import bundled_names

    monkeypatch.setattr(BptuiApp, "is_web", property(lambda self: True))
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await pilot.pause()
        assert not app.screen.query(Input)  # no path field: nothing on the server's disk
        options = app.screen.query_one(OptionList)
        assert [
            options.get_option_at_index(i).id for i in range(options.option_count)
        ] == bundled_names()
        options.focus()
        options.highlighted = bundled_names().index("iris")
        await pilot.press("enter")
        await pilot.pause()
        assert app.main_screen.preset.name == "iris"


# --- end to end: the real server, headless Chromium -----------------------------------------


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture
def browser():
    """Debian's Chromium, headless, driven by Playwright; closed at teardown."""
    chromium = find_chromium()
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail(
                "Chromium is not installed, but CI must run the browser test "
                "(.ci/run installs Debian's chromium)"
            )
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
    )
    with sync_api.sync_playwright() as playwright:
        # Playwright gives each launch a new, empty profile (user data dir) and --no-sandbox.
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_FLAGS, timeout=30_000
        )
        try:
            yield browser
        finally:
            browser.close()


def test_web_app_in_headless_chromium(browser, web_server, tmp_path):
    url, log_path = web_server.url, web_server.log_path
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_default_timeout(15_000)
    # Only our server: the page also asks for a web font, which this offline machine cannot reach.
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(url + "/") else route.abort()
        ),
    )
    page.add_init_script(CATCH_TERMINAL)
    page.goto(url + "/", wait_until="load")

    def screen() -> str:
        return page.evaluate(READ_SCREEN)

    def wait_for(condition, what: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = screen()
            if text and condition(text):
                return text
            time.sleep(0.05)
        page.screenshot(path=str(tmp_path / "timeout.png"))
        pytest.fail(
            f"timed out after {timeout} s waiting for {what}; the screen:\n{text}\n"
            f"server log:\n{tail(log_path)}"
        )

    def status(text: str) -> str:
        return text.splitlines()[0]

    # The app draws: its status line (first row) says the xor preset is ready.
    wait_for(lambda t: "XOR" in status(t) and "ready" in status(t), "the app to draw", 25)
    # Focus the terminal, as a click would. Textual starts a web session blurred and its footer
    # shows the keys once the app has focus.
    page.focus(".xterm-helper-textarea")
    before = wait_for(lambda t: "Forward" in t.splitlines()[-1], "the footer's keys", 10)
    shot_before = page.screenshot(path=str(tmp_path / "before.png"))

    page.keyboard.press("f")  # forward: compute layer 1
    after = wait_for(lambda t: "forward layer 1/2" in status(t), "the forward step", 10)
    assert after != before
    assert "ready" not in status(after)
    assert "z = a_in·Wᵀ + b" in after  # the matrix pane now shows layer 1's computation

    # What a person sees changed too: the canvas is redrawn on the next animation frame.
    deadline = time.monotonic() + 5
    while page.screenshot(path=str(tmp_path / "after.png")) == shot_before:
        assert time.monotonic() < deadline, "the screenshot did not change after the key"
        time.sleep(0.1)


@pytest.fixture
def strict_browser():
    """Chromium as a person's: with its popup blocker (Playwright turns it off by default)."""
    chromium = find_chromium()
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed, but CI must run the browser test")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_FLAGS,
            timeout=30_000,
            ignore_default_args=["--disable-popup-blocking"],
        )
        try:
            yield browser
        finally:
            browser.close()


def test_ctrl_e_in_a_browser_with_a_popup_blocker_delivers_every_file(
    strict_browser, web_server, tmp_path
):
    """textual-serve opens each download in a popup: of three, a blocker let one through."""
    import zipfile

    url = web_server.url
    context = strict_browser.new_context(
        accept_downloads=True, viewport={"width": 1280, "height": 800}
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(url + "/") else route.abort()
        ),
    )
    page.add_init_script(CATCH_TERMINAL)
    page.goto(url + "/", wait_until="load")
    # The page connects to ws:// here, and would to wss:// had it come over https.
    assert (
        page.evaluate("bptuiWebSocketUrl(window.location.href)") == f"ws://127.0.0.1:"
        f"{web_server.port}/ws"
    )
    assert (
        page.evaluate("bptuiWebSocketUrl('https://class.example/bptui/?fontsize=20')")
        == "wss://class.example/bptui/ws"
    )

    deadline = time.monotonic() + 30
    while "ready" not in page.evaluate(READ_SCREEN).split("\n")[0]:
        assert time.monotonic() < deadline, f"the app did not draw:\n{tail(web_server.log_path)}"
        time.sleep(0.05)
    page.focus(".xterm-helper-textarea")
    downloads = []

    def downloaded(download) -> None:
        downloads.append(download)

    context.on("page", lambda popup: popup.on("download", downloaded))
    page.on("download", downloaded)
    page.keyboard.press("Control+e")
    deadline = time.monotonic() + 30
    while not downloads:
        assert time.monotonic() < deadline, f"no download arrived:\n{tail(web_server.log_path)}"
        page.wait_for_timeout(50)
    [download] = downloads
    assert download.suggested_filename == "xor-step0-weights.zip"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == [
            "xor-step0-weights.json",
            "xor-step0-weights.npz",
            "xor-step0-weights.toml",
        ]
    deadline = time.monotonic() + 10
    while "sent to your browser in xor-step0-weights.zip" not in (
        screen := page.evaluate(READ_SCREEN)
    ):
        assert time.monotonic() < deadline, f"the hint does not name the .zip:\n{screen}"
        page.wait_for_timeout(50)


# --- a class: a served folder, shared URLs, progress kept per student -----------------------


LESSON = """title = "{title}"
preset = "xor"
[[step]]
text = "{title}: the first step. Press n."
[[step]]
text = "{title}: the second step."
"""


@pytest.fixture
def class_server(tmp_path):
    """`bptui learn FOLDER --web --class-dir DIR --font-size 20` on a free port: a folder of two
    lessons; yields (url, folder, class folder, log path)."""
    pytest.importorskip("textual_serve", reason="textual-serve is not installed")
    folder, store = tmp_path / "lessons", tmp_path / "class"
    folder.mkdir()
    (folder / "01-one.toml").write_text(LESSON.format(title="Lesson One"))
    (folder / "02-two.toml").write_text(LESSON.format(title="Lesson Two"))
    port = free_port()
    log_path = tmp_path / "class-server.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bptui",
                "learn",
                str(folder),
                "--web",
                "--port",
                str(port),
                "--class-dir",
                str(store),
                "--font-size",
                "20",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(os.environ, TEXTUAL_ANIMATIONS="none"),
            start_new_session=True,
        )
    try:
        wait_until(
            lambda: "progress of the class" in log_path.read_text() or proc.poll() is not None,
            "the server to print its URLs",
            30,
        )
        assert proc.poll() is None, tail(log_path)
        yield f"http://127.0.0.1:{port}", folder, store, log_path
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)
                break


def test_the_server_prints_the_urls_of_its_lessons(class_server):
    url, _, store, log_path = class_server
    printed = log_path.read_text()
    assert f"lesson 01-one: {url}/?lesson=01-one" in printed
    assert f"lesson 02-two: {url}/?lesson=02-two" in printed
    assert f"bptui class {store}" in printed


def test_a_bad_shared_url_is_a_one_line_page(class_server):
    import urllib.error
    import urllib.request

    url = class_server[0]
    for query, says in (
        ("?lesson=nosuch", "no lesson is served as"),
        ("?preset=..%2Fsecret", "is not a name"),
        ("?preset=xor&set=training.learning_rate%3Dabc", "expected a number"),
    ):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url + "/" + query, timeout=10)
        assert refused.value.code == 400
        page = refused.value.read().decode()
        assert "bptui: error: " in page and says in page.replace("&#x27;", "'")


def test_a_class_in_the_browser_keeps_each_students_progress(browser, class_server, tmp_path):
    """A student opens a shared lesson URL, goes on a step, reloads: the lesson continues at
    that step; `bptui class` lists them; q asks first. The page asks nothing of the internet
    (its font comes from this server) and keeps the popup blocker on."""
    url, _, store, log_path = class_server
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(url + "/") else route.abort()
        ),
    )
    page.add_init_script(CATCH_TERMINAL)

    def screen() -> str:
        return page.evaluate(READ_SCREEN)

    def wait_for(condition, what: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = screen()
            if text and condition(text):
                return text
            time.sleep(0.05)
        page.screenshot(path=str(tmp_path / "timeout.png"))
        pytest.fail(f"timed out waiting for {what}; the screen:\n{text}\n{tail(log_path)}")

    page.goto(url + "/?lesson=01-one", wait_until="load")
    wait_for(lambda t: "Lesson One: the first step" in t, "the shared lesson to open", 30)
    assert page.evaluate("document.fonts.check('20px \"Roboto Mono\"')")
    assert str(page.evaluate("window.__bptuiTerminal.options.fontSize")) == "20"
    page.focus(".xterm-helper-textarea")
    page.keyboard.press("n")
    wait_for(lambda t: "Lesson One: the second step" in t, "the second step")
    # The student's id is a cookie; the record says where they are.
    cookie = next(c for c in context.cookies() if c["name"] == "bptui_student")
    wait_until(lambda: (store / f"{cookie['value']}.json").exists(), "the progress record")
    page.reload(wait_until="load")  # a reload (the same URL): the lesson continues
    wait_for(
        lambda t: "Lesson One: the second step" in t and "step 2 of 2" in t,
        "the lesson to continue after a reload",
        30,
    )
    listing = subprocess.run(
        [sys.executable, "-m", "bptui", "class", str(store)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    row = next(line for line in listing.stdout.splitlines() if cookie["value"] in line)
    assert "Lesson One (01-one)" in row and " 2/2 " in row
    # q asks first; n stays.
    page.focus(".xterm-helper-textarea")
    page.keyboard.press("q")
    wait_for(lambda t: "Leave bptui?" in t, "the question before quitting")
    page.keyboard.press("n")
    wait_for(lambda t: "Leave bptui?" not in t, "the question to close")
    assert all(r.startswith(url + "/") for r in requests), requests
    assert any("/static/fonts/RobotoMono" in r for r in requests)
    context.close()
