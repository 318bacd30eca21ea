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
- an app that does not quit within `QUIT_GRACE` seconds of its browser leaving is terminated,
  then killed; SIGTERM or SIGINT ends every app the same way, then the server;
- the page's own URLs come from the (checked) `Host` it was asked for, so `--host 0.0.0.0` works
  from other machines;
- it listens on sockets bound by the caller (bptui.commands.web.bind), so a taken port is an error before
  anything is printed, and it prints no banner of its own.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web
from aiohttp.web_runner import GracefulExit
from textual_serve.app_service import AppService
from textual_serve.server import Server

from bptui.commands.web import LOOPBACK_NAMES, canonical_host, is_loopback
from bptui.text import to_int

log = logging.getLogger("textual-serve")

MAX_WIDTH, MAX_HEIGHT = 500, 200  # terminal cells a browser may ask for (≈ 100k cells)
FONT_SIZES = (6, 64)  # the page's ?fontsize= (pixels)
QUIT_GRACE = 2.0  # seconds an app gets to quit, then again after SIGTERM, before SIGKILL
SHUTDOWN_TIMEOUT = 2.0  # seconds aiohttp waits for open requests once every app has ended


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


def origin_authority(origin: str) -> tuple[str, int] | None:
    """(host, port) of an `Origin` header value such as `http://localhost:8000`; None if it is
    not an http origin (`null`, https, a path)."""
    scheme, _, authority = origin.partition("://")
    return split_authority(authority) if scheme == "http" else None


class Origins:
    """Which `Host` and `Origin` values a server on (host, port) answers to."""

    def __init__(self, host: str, port: int):
        self.host, self.port = canonical_host(host), port
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

    def allows(self, authority: tuple[str, int] | None, local_address: str | None) -> bool:
        """Whether (host, port) is this server, for a request arriving on `local_address`."""
        return (authority is not None and authority[1] == self.port
                and authority[0] in self.names(local_address))

    def refusal(self, request: web.Request) -> str | None:
        """Why `request` is refused (its Host or Origin is not this server), or None."""
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        local_address = sockname[0] if isinstance(sockname, tuple) else None
        if not self.allows(split_authority(request.headers.get("Host", "")), local_address):
            return "the Host header does not name this server"
        origin = request.headers.get("Origin")
        if origin is not None and not self.allows(origin_authority(origin), local_address):
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

    async def start(self, width: int, height: int) -> None:
        await super().start(*clamp_size(width, height))

    async def set_terminal_size(self, width: int, height: int) -> None:
        await super().set_terminal_size(*clamp_size(width, height))

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

    def __init__(self, command: str, sockets: list[socket.socket], host: str, port: int,
                 title: str, classroom=None):
        self.classroom = classroom  # bptui.commands.web_class: students, shared URLs, fonts
        super().__init__(command, host=host, port=port, title=title)
        self.sockets = sockets
        self.origins = Origins(host, port)
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
        web.run_app(self._make_app(), sock=self.sockets, handle_signals=False, loop=loop,
                    shutdown_timeout=SHUTDOWN_TIMEOUT, print=None)

    async def handle_index(self, request: web.Request) -> web.Response:
        """The page, its URLs on the host the browser asked for (checked by the middleware)."""
        base = f"http://{request.host}"
        router = request.app.router
        context = {
            "font_size": bounded_int(request.query.get("fontsize"), 16, *FONT_SIZES),
            "app_websocket_url": f"ws://{request.host}{router['websocket'].url_for()}",
            "config": {"static": {"url": f"{base}{router['static'].url_for(filename='/')}"
                                  .rstrip("/") + "/"}},
            "application": {"name": self.title},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One browser session: its own app process, ended when the browser leaves."""
        websocket = web.WebSocketResponse(heartbeat=15)
        app_service: BoundedAppService | None = None
        try:
            await websocket.prepare(request)
            app_service = BoundedAppService(
                self.command, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                close=websocket.close, download_manager=self.download_manager, debug=self.debug)
            self.sessions.add(app_service)
            await app_service.start(request.query.get("width"), request.query.get("height"))
            await self._process_messages(websocket, app_service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # a malformed message from the browser ends its session
            log.error("a browser session ended: %s: %r", type(error).__name__, error)
        finally:
            if app_service is not None:
                await app_service.stop()
                self.sessions.discard(app_service)
        return websocket
