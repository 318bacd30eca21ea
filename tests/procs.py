"""Processes and ports, read from /proc (Linux): shared by the web tests and the web benchmarks
(benchmarks/class_of_30.py, web_pause.py, class_training.py put this folder on their path)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state first), or None if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def alive(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie."""
    fields = stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def children(pid: int) -> list[int]:
    """Live processes whose parent is `pid` (a server's app processes)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = stat_fields(int(entry.name))
            if fields is not None and int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of `pid` (0 if it has gone)."""
    fields = stat_fields(pid)
    return 0.0 if fields is None else (int(fields[11]) + int(fields[12])) / TICK


def wait_listening(port: int, proc: subprocess.Popen, timeout: float) -> bool:
    """Poll until something listens on 127.0.0.1:`port` (True), or `proc` has exited or
    `timeout` seconds have passed (False)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.05)


@contextlib.contextmanager
def web_server(preset: str, *options: str, timeout: float = 30):
    """`python -m bptui --web PRESET --port N OPTIONS`, its output discarded, in its own process
    group, listening: yields (the process, its URL). On leaving, SIGTERM to the group (the
    server and its apps), SIGKILL if it has not ended within 20 s. RuntimeError if the server
    exits or does not listen within `timeout` seconds."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bptui", "--web", preset, "--port", str(port), *options],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        if not wait_listening(port, server, timeout):
            raise RuntimeError("the server did not start")
        yield server, f"http://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
