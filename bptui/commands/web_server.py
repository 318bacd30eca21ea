"""The textual-serve server behind `bptui --web`, guarded for a browser that may be hostile.

textual-serve 1.1.3 as it comes accepts a WebSocket from any web page (it checks neither
`Origin` nor `Host`, so a page the user visits can drive the app: cross-site WebSocket
hijacking, or DNS rebinding with the attacker's name resolving to 127.0.0.1), takes any terminal
size the page asks for (20000×20000 grew an app to 5.6 GB), and on SIGTERM waits for every
browser to leave while its app processes live on. `GuardedServer` mends that:

- a middleware refuses (403) every request whose `Host`, or `Origin` when present, is not this
  server: its host and port, the address the connection came in on, the loopback names when the
  connection is local, and this machine's names when it serves beyond loopback;
- sizes are clamped to `MAX_WIDTH` × `MAX_HEIGHT` at the start and on every resize;
- what a browser may send is capped: one WebSocket message at most `MAX_MESSAGE_BYTES` (a larger
  one closes the session, code 1009), and a session at most `INPUT_RATE` bytes a second over time
  (a bucket of `INPUT_BURST`; beyond it the session is closed, code 1008). Textual's web driver
  turns every byte of input into a key event, so 3 messages of 3.9 MB kept an app at 98% CPU
  and growing 12 MB/s;
- input reaches the app without the server waiting for the app to read it (a busy app cannot
  hold up the session's loop, which would then miss its browser leaving); an app more than
  `MAX_PENDING_INPUT` bytes behind ends the session;
- an app that does not quit within `QUIT_GRACE` seconds of its browser leaving is terminated,
  then killed (at most 2 × QUIT_GRACE after the socket closed, however busy the app is); the
  apps run with bptui.app.webdriver, where SIGTERM ends them at once and memory is capped;
  SIGTERM or SIGINT to the server ends every app the same way, then the server;
- at most `max_sessions` apps run at once: beyond it the page and the WebSocket answer 503
  ("the class is full");
- the page's URLs are relative to where it was loaded, and it connects with wss:// when loaded
  over https (behind a proxy), so `--host 0.0.0.0`, tunnels and proxies work;
- it listens on sockets bound by the caller (bptui.commands.web.bind), so a taken port is an
  error before anything is printed, and it prints no banner of its own.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import signal
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import WSCloseCode, WSMsgType, web
from aiohttp.web_runner import GracefulExit
from textual_serve.app_service import AppService
from textual_serve.server import Server

from bptui.commands.hosts import DEFAULT_MAX_SESSIONS, LOOPBACK_NAMES, canonical_host, is_loopback
from bptui.text import to_int

log = logging.getLogger("textual-serve")

MAX_WIDTH, MAX_HEIGHT = 500, 200  # terminal cells a browser may ask for (≈ 100k cells)
FONT_SIZES = (6, 64)  # the page's ?fontsize= (pixels)
QUIT_GRACE = 2.0  # seconds an app gets to quit, then again after SIGTERM, before SIGKILL
SHUTDOWN_TIMEOUT = 2.0  # seconds aiohttp waits for open requests once every app has ended
MAX_MESSAGE_BYTES = 64 * 1024  # one WebSocket message from a browser (a key is ~20 bytes)
INPUT_RATE = 16 * 1024  # bytes a second a session may send over time (mouse moves: ~2 KB/s)
INPUT_BURST = 128 * 1024  # ... and at once
MAX_PENDING_INPUT = 1024 * 1024  # bytes written to an app's input that it has not read yet
WEB_DRIVER = "bptui.app.webdriver:WebDriver"  # Textual's, with SIGTERM's default action
# Runs before textual.js builds its client (on load): the WebSocket URL from the page's own
# address, wss:// when the page came over https.
WEBSOCKET_URL_SCRIPT = """<script>
function bptuiWebSocketUrl(page) {
  const url = new URL("ws", page);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.search = "";
  return url.href;
}
document.getElementById("terminal").dataset.sessionWebsocketUrl =
  bptuiWebSocketUrl(window.location.href);
</script>
"""
RETRY_AFTER = 30  # seconds a browser is told to wait when the class is full


class SessionLimit(Exception):
    """A browser session went past one of the limits above; the message says which."""

    def __init__(self, reason: str, code: int = WSCloseCode.POLICY_VIOLATION):
        super().__init__(reason)
        self.code = code


class InputBudget:
    """A token bucket: `rate` bytes a second, at most `burst` at once."""

    def __init__(self, rate: float = INPUT_RATE, burst: float = INPUT_BURST, clock=time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.last = float(burst), clock()

    def take(self, size: int) -> bool:
        """Spend `size` bytes if the bucket holds them; False (nothing spent) if not."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if size > self.tokens:
            return False
        self.tokens -= size
        return True


def bounded_int(value: Any, default: int, low: int, high: int) -> int:
    """`value` as a whole number within [low, high]; `default` if it is not a number."""
    try:
        number = to_int(value) if isinstance(value, str) else int(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return min(max(number, low), high)


def clamp_size(width: Any, height: Any) -> tuple[int, int]:
    """A terminal size a browser asked for, as sane whole numbers (80×24 if not numbers)."""
    return bounded_int(width, 80, 1, MAX_WIDTH), bounded_int(height, 24, 1, MAX_HEIGHT)


def split_authority(text: str, default_port: int = 80) -> tuple[str, int] | None:
    """(host, port) of a `Host` header value such as `localhost:8000` or `[::1]:8000`;
    None if it is not one."""
    if not text or any(c in text for c in "/?#@\\ ") or not text.isascii():
        return None
    try:
        parts = urlsplit("//" + text)
        port = parts.port
    except ValueError:  # an unbalanced [ ], a port that is not a number or out of range
        return None
    if not parts.hostname:
        return None
    return canonical_host(parts.hostname), default_port if port is None else port


def origin_authority(origin: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an `Origin` header value such as `http://localhost:8000`; None if
    it is not an http or https origin (`null`, a path)."""
    scheme, _, authority = origin.partition("://")
    if scheme not in ("http", "https"):
        return None
    parsed = split_authority(authority, 443 if scheme == "https" else 80)
    return None if parsed is None else (scheme, *parsed)


class Origins:
    """Which `Host` and `Origin` values a server on (host, port) answers to.

    `allowed` holds the names (and ports, None for any) given with --allow-host: a browser
    reaching the server through an SSH tunnel, Docker's port mapping or a reverse proxy names
    that host, and a proxy that speaks https to the browser makes its Origin https.
    """

    def __init__(self, host: str, port: int, allowed: tuple[tuple[str, int | None], ...] = ()):
        self.host, self.port = canonical_host(host), port
        self.allowed = tuple((canonical_host(name), p) for name, p in allowed)
        self.machine_names: frozenset[str] = frozenset()
        if not is_loopback(host):  # serving a class: students may use the machine's name
            names = {canonical_host(name) for name in (socket.gethostname(), socket.getfqdn())}
            self.machine_names = frozenset(n for n in names if n and not is_loopback(n))

    def names(self, local_address: str | None) -> set[str]:
        """Host names a request arriving on `local_address` (this end's IP) may use."""
        names = {self.host} | self.machine_names
        if local_address:
            names.add(canonical_host(local_address))
            if is_loopback(local_address):
                names |= LOOPBACK_NAMES
        return names

    def allowed_by_option(self, authority: tuple[str, int]) -> bool:
        """Whether (host, port) was named with --allow-host."""
        return any(
            authority[0] == name and port in (None, authority[1]) for name, port in self.allowed
        )

    def allows(self, authority: tuple[str, int] | None, local_address: str | None) -> bool:
        """Whether (host, port) is this server, for a request arriving on `local_address`."""
        if authority is None:
            return False
        if self.allowed_by_option(authority):
            return True
        return authority[1] == self.port and authority[0] in self.names(local_address)

    def allows_origin(self, origin: str, local_address: str | None) -> bool:
        """Whether a page from `origin` may use this server: an http origin that is this server,
        or an origin (http or https) whose host --allow-host named."""
        parsed = origin_authority(origin)
        if parsed is None:
            return False
        scheme, *authority = parsed
        if scheme == "https":  # this server speaks http: https comes through a named proxy
            return self.allowed_by_option(tuple(authority))
        return self.allows(tuple(authority), local_address)

    def refusal(self, request: web.Request) -> str | None:
        """Why `request` is refused (its Host or Origin is not this server), or None."""
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        local_address = sockname[0] if isinstance(sockname, tuple) else None
        if not self.allows(split_authority(request.headers.get("Host", "")), local_address):
            return "the Host header does not name this server (see --allow-host)"
        origin = request.headers.get("Origin")
        if origin is not None and not self.allows_origin(origin, local_address):
            return "requests from other web sites are refused"
        return None

    def middleware(self):
        """An aiohttp middleware answering 403 to requests that are not for this server."""

        @web.middleware
        async def same_origin_only(request: web.Request, handler):
            reason = self.refusal(request)
            if reason is not None:
                log.warning("refused %s %r: %s", request.method, request.path, reason)
                raise web.HTTPForbidden(text=f"bptui: forbidden: {reason}\n")
            return await handler(request)

        return same_origin_only


class BoundedAppService(AppService):
    """One browser's app process: clamped sizes, and an end even if the app will not quit."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._stopping: asyncio.Future | None = None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width, height)
        environment["TEXTUAL_DRIVER"] = WEB_DRIVER
        return environment

    async def start(self, width: int, height: int) -> None:
        await super().start(*clamp_size(width, height))

    async def set_terminal_size(self, width: int, height: int) -> None:
        await super().set_terminal_size(*clamp_size(width, height))

    async def send_bytes(self, data: bytes) -> bool:
        """Input for the app, written without waiting for the app to read it."""
        return self._write(self.encode_packet(b"D", data))

    async def send_meta(self, data: dict[str, str | None | int | bool]) -> bool:
        """A meta packet (resize, focus, quit ...), written without waiting for the app; `quit`
        is written whatever the backlog (stop() must not fail: the watchdog ends the app)."""
        packet = self.encode_packet(b"M", json.dumps(data).encode("utf-8"))
        return self._write(packet, bounded=data.get("type") != "quit")

    def _write(self, packet: bytes, bounded: bool = True) -> bool:
        """Queue `packet` on the app's stdin; False if the app has gone. Raises SessionLimit
        when the app is more than MAX_PENDING_INPUT bytes behind.

        textual-serve awaits `drain()` after each write: while an app is busy (parsing a flood
        of input) that blocks the session's message loop, so the browser leaving went unseen
        and the app ran on. Here the loop never waits on the app; the backlog is bounded
        instead (the rate limit keeps it far below the bound unless the app stops reading).
        """
        stdin = self._stdin
        if stdin is None or stdin.transport.is_closing():
            return False
        pending = stdin.transport.get_write_buffer_size()
        if bounded and pending + len(packet) > MAX_PENDING_INPUT:
            raise SessionLimit("the app is not reading its input")
        stdin.write(packet)
        return True

    @property
    def running(self) -> bool:
        """Whether the app process has started and not yet ended."""
        return self._process is not None and self._process.returncode is None

    async def stop(self) -> None:
        """Ask the app to quit; terminate, then kill it if it does not. Safe to call twice."""
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop_within_grace())
        await asyncio.shield(self._stopping)

    async def _stop_within_grace(self) -> None:
        watchdog = asyncio.create_task(self._end_process())
        try:
            await super().stop()  # sends "quit", waits for the app's output to end
            if self._process is not None:
                await self._process.wait()  # and for the process itself
        finally:
            watchdog.cancel()

    async def _end_process(self) -> None:
        """SIGTERM after QUIT_GRACE seconds, SIGKILL after as many more."""
        for end in ("terminate", "kill"):
            await asyncio.sleep(QUIT_GRACE)
            if self.running:
                log.warning("app process %d did not quit: %s", self._process.pid, end)
                try:
                    getattr(self._process, end)()
                except ProcessLookupError:
                    return


class GuardedServer(Server):
    """textual-serve's Server with the guards above, serving on already bound sockets."""

    def __init__(
        self,
        command: str,
        sockets: list[socket.socket],
        host: str,
        port: int,
        title: str,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
        allow_hosts: tuple[tuple[str, int | None], ...] = (),
        classroom=None,
    ):
        self.classroom = classroom  # bptui.commands.web_class: students, shared URLs, fonts
        super().__init__(command, host=host, port=port, title=title)
        self.sockets = sockets
        self.origins = Origins(host, port, allow_hosts)
        self.max_sessions = max_sessions
        self.sessions: set[BoundedAppService] = set()
        self.exiting = False

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self.origins.middleware())
        if self.classroom is not None:
            self.classroom.add_to(app, self.handle_websocket)
        return app

    @property
    def command(self) -> str:
        """The app's shell command for the session being opened (with its student's id and
        what its URL opens, when serving a class)."""
        if self.classroom is None:
            return self._command
        return self.classroom.command(self._command)

    @command.setter
    def command(self, value: str) -> None:
        self._command = value

    async def on_startup(self, app: web.Application) -> None:
        """No banner: the command line printed its one line."""

    async def on_shutdown(self, app: web.Application) -> None:
        """End every app process (asked to quit, then terminated, then killed)."""
        await asyncio.gather(*(session.stop() for session in list(self.sessions)))

    def request_exit(self) -> None:
        """SIGTERM or SIGINT: shut down once (a second signal does not cut the clean-up short)."""
        if not self.exiting:
            self.exiting = True
            raise GracefulExit()

    def serve(self, debug: bool = False) -> None:
        """Serve until SIGTERM or SIGINT; every app process has ended when this returns."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.request_exit)
        web.run_app(
            self._make_app(),
            sock=self.sockets,
            handle_signals=False,
            loop=loop,
            shutdown_timeout=SHUTDOWN_TIMEOUT,
            print=None,
        )

    @property
    def full(self) -> bool:
        """Whether max_sessions apps run (or are still ending): no room for another."""
        return len(self.sessions) >= self.max_sessions

    def class_full(self) -> web.Response:
        """503 with a page that says so (and when to try again)."""
        text = (
            f"The class is full: {self.max_sessions} sessions are open on this server. "
            f"Try again when someone leaves."
        )
        page = (
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Class full"
            f"</title></head><body><h1>The class is full</h1><p>{html.escape(text)}</p>"
            f"</body></html>"
        )
        return web.Response(
            status=503,
            text=page,
            content_type="text/html",
            headers={"Retry-After": str(RETRY_AFTER)},
        )

    async def handle_index(self, request: web.Request) -> web.Response:
        """The page (the middleware checked the Host it was asked for). Its URLs are relative
        to where the browser loaded it, and its script connects with wss:// when the page came
        over https (a proxy in front): textual-serve's page hard-codes ws://host/ws."""
        if self.full:
            return self.class_full()
        router = request.app.router
        context = {
            "font_size": bounded_int(request.query.get("fontsize"), 16, *FONT_SIZES),
            "app_websocket_url": f"ws://{request.host}{router['websocket'].url_for()}",
            "config": {"static": {"url": "static/"}},
            "application": {"name": self.title},
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        response.text = response.text.replace("</body>", WEBSOCKET_URL_SCRIPT + "</body>", 1)
        return response

    async def _process_messages(
        self, websocket: web.WebSocketResponse, app_service: BoundedAppService
    ) -> None:
        """The browser's messages to its app until the browser leaves (textual-serve's loop,
        with the size and rate limits; raises SessionLimit past one)."""
        budget = InputBudget()
        async for message in websocket:
            if message.type == WSMsgType.ERROR:  # aiohttp closed it: too big, or a bad frame
                code = getattr(message.data, "code", None)  # aiohttp's WebSocketError
                if code == WSCloseCode.MESSAGE_TOO_BIG:
                    raise SessionLimit(f"a message over {MAX_MESSAGE_BYTES} bytes", code)
                raise SessionLimit(
                    f"a bad WebSocket frame ({message.data})", code or WSCloseCode.PROTOCOL_ERROR
                )
            if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                continue
            if not budget.take(len(message.data)):  # binary messages count too
                raise SessionLimit(
                    f"more than {INPUT_RATE} bytes a second (bursts of {INPUT_BURST})"
                )
            if message.type != WSMsgType.TEXT:
                continue
            envelope = message.json()
            if not isinstance(envelope, list) or not envelope:
                raise ValueError("a message that is not a non-empty list")
            kind = envelope[0]
            if kind == "stdin":
                if not isinstance(envelope[1], str):
                    raise ValueError("stdin that is not text")
                await app_service.send_bytes(envelope[1].encode("utf-8"))
            elif kind == "resize":
                size = envelope[1]
                await app_service.set_terminal_size(size["width"], size["height"])
            elif kind == "ping":
                await websocket.send_json(["pong", envelope[1]])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        """One browser session: its own app process, ended when the browser leaves."""
        if self.full:
            log.warning("refused a session: the class is full (%d)", self.max_sessions)
            return self.class_full()
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE_BYTES)
        app_service = BoundedAppService(
            self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
            debug=self.debug,
        )
        self.sessions.add(app_service)  # before any await: the count is never overrun
        try:
            await websocket.prepare(request)
            await app_service.start(request.query.get("width"), request.query.get("height"))
            await self._process_messages(websocket, app_service)
        except asyncio.CancelledError:
            await websocket.close()
        except SessionLimit as limit:
            log.warning("a browser session ended: %s", limit)
            await websocket.close(code=limit.code, message=str(limit).encode()[:120])
        except Exception as error:  # a malformed message from the browser ends its session
            log.error("a browser session ended: %s: %r", type(error).__name__, error)
        finally:
            try:
                await app_service.stop()
            finally:
                self.sessions.discard(app_service)
        return websocket
