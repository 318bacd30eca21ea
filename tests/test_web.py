"""`bptui --web`: the command it serves, its errors, and the app driven end to end in a browser.

The end-to-end test starts the real `python -m bptui --web xor --port N` server, opens the page
in Debian's headless Chromium through Playwright (the system browser: `executable_path`, never
`playwright install`), waits for the app to draw, presses `f` and checks the screen changed.

The page draws the terminal with xterm.js on a canvas, so there is no text in the DOM. To read
the screen as text, a script added before the page's own catches xterm.js's `Terminal` object
when textual-serve's client stores it (`this.terminal = new Terminal(...)`) and the test reads
rows with xterm.js's public buffer API. Screenshots before and after the key are compared too.

Chromium missing: the browser test is skipped (CI installs it in .ci/run, and there, with
CI set, a missing browser is a failure instead).
"""

from __future__ import annotations

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

from bptui.cli import main
from bptui.web import app_command, strip_port

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


# --- the command and its errors (no browser, no server) -------------------------------------


class FakeServer:
    """Stands in for textual_serve.server.Server: records what it was given, serves nothing."""

    made: list[FakeServer] = []

    def __init__(self, command: str, host: str = "localhost", port: int = 8000, **kwargs):
        self.command, self.host, self.port, self.kwargs = command, host, port, kwargs
        self.served = False
        FakeServer.made.append(self)

    def serve(self, debug: bool = False) -> None:
        self.served = True


@pytest.fixture
def fake_server(monkeypatch):
    server_module = pytest.importorskip("textual_serve.server")
    FakeServer.made = []
    monkeypatch.setattr(server_module, "Server", FakeServer)
    return FakeServer.made


@pytest.mark.parametrize("argv, expected", [
    (["spiral", "--port", "8123"], ["spiral"]),
    (["--port", "8123", "spiral"], ["spiral"]),
    (["--port=8123", "spiral"], ["spiral"]),
    (["--port", "8123"], []),
    ([], []),
    (["--session", "s.json", "--port", "1"], ["--session", "s.json"]),
])
def test_strip_port(argv, expected):
    assert strip_port(argv) == expected


def test_app_command_runs_this_interpreter_and_quotes():
    command = app_command(["my presets/it's.toml"])
    assert shlex.split(command) == [sys.executable, "-m", "bptui", "my presets/it's.toml"]


def test_serve_builds_the_command_and_prints_the_url(fake_server, capsys):
    assert main(["--web", "spiral", "--port", "8123"]) == 0
    [server] = fake_server
    assert server.served
    assert shlex.split(server.command) == [sys.executable, "-m", "bptui", "spiral"]
    assert (server.host, server.port) == ("localhost", 8123)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and "http://localhost:8123" in out[0]


def test_serve_default_preset_and_port(fake_server, capsys):
    assert main(["--web"]) == 0
    [server] = fake_server
    assert shlex.split(server.command) == [sys.executable, "-m", "bptui"]
    assert server.port == 8000
    assert "http://localhost:8000" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["--web", "no-such-preset", "--port", "8123"], "no-such-preset"),
    (["--web", "missing/file.toml"], "missing/file.toml"),
    (["--web", "--port", "0"], "--port 0 is out of range"),
    (["--web", "--port", "70000"], "out of range"),
    (["--web", "--csv", "data.csv"], "--csv needs --target"),
])
def test_bad_input_is_one_line_and_exit_2_before_serving(fake_server, capsys, argv, message):
    assert main(argv) == 2
    assert fake_server == []  # nothing was served
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("bptui: error: ") and message in err[0]
    assert captured.out == ""


def test_without_textual_serve(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "textual_serve", None)  # import fails
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    assert main(["--web", "xor"]) == 2
    captured = capsys.readouterr()
    assert captured.err == "bptui: error: --web needs textual-serve (pip install 'bptui[web]')\n"
    assert captured.out == ""


# --- end to end: the real server, headless Chromium -----------------------------------------


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@pytest.fixture
def web_server(tmp_path):
    """`python -m bptui --web xor --port N` in its own process group; yields (url, log path)."""
    pytest.importorskip("textual_serve", reason="textual-serve is not installed (pip install -e '.[test]')")
    port = free_port()
    log_path = tmp_path / "server.log"
    log = log_path.open("w")
    env = dict(os.environ, TEXTUAL_ANIMATIONS="none")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bptui", "--web", "xor", "--port", str(port)],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
        start_new_session=True)  # the server and the app processes it starts share a group
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the server exited with {proc.returncode}:\n{tail(log_path)}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"the server did not listen on {port} in 20 s:\n{tail(log_path)}")
                time.sleep(0.05)
        yield f"http://localhost:{port}", log_path
    finally:
        for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)  # the group: the server and every app it started
            except ProcessLookupError:
                break
            try:
                proc.wait(wait)
            except subprocess.TimeoutExpired:
                continue
            if sig == signal.SIGTERM:  # leader gone; make sure no app child outlives it
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            break
        log.close()


@pytest.fixture
def browser():
    """Debian's Chromium, headless, driven by Playwright; closed at teardown."""
    chromium = find_chromium()
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed, but CI must run the browser test "
                        "(.ci/run installs Debian's chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    with sync_api.sync_playwright() as playwright:
        # Playwright gives each launch a new, empty profile (user data dir) and --no-sandbox.
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_FLAGS, timeout=30_000)
        try:
            yield browser
        finally:
            browser.close()


def test_web_app_in_headless_chromium(browser, web_server, tmp_path):
    url, log_path = web_server
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_default_timeout(15_000)
    # Only our server: the page also asks for a web font, which this offline machine cannot reach.
    page.route("**/*", lambda route: route.continue_()
               if route.request.url.startswith(url + "/") else route.abort())
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
        pytest.fail(f"timed out after {timeout} s waiting for {what}; the screen:\n{text}\n"
                    f"server log:\n{tail(log_path)}")

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
