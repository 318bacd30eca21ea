"""The class side of `bptui --web` / `bptui learn --web`: students, shared URLs, the page's fonts.

Hooked into bptui.commands.web_server.GuardedServer as one aiohttp middleware, one route and the
app's command (`Classroom`):

- the page (`GET /`): its query (`?lesson=`, `?preset=`, `?set=`) is checked against what the
  server serves; a bad one is a one-line error page (400). A browser without a valid student
  cookie gets one (a random id, `COOKIE`; no accounts). The page connects to `/ws/TOKEN`, TOKEN
  carrying what the URL asked to open (bptui.commands.opening);
- the page loads no web font from the internet: the Roboto Mono that textual-serve ships in its
  static folder is declared with @font-face and loaded before the terminal measures its cells
  (offline, the system's monospace font is used); `--font-size` is the page's default `?fontsize`;
- each session's app process gets the student's id, the class folder and the token in its
  environment (`command`), through a context variable the middleware sets for the WebSocket's
  request: nothing from the browser reaches the shell but checked ids and base64url.
"""

from __future__ import annotations

import contextvars
import html
import re
import secrets
import shlex
import sys
from pathlib import Path

from aiohttp import web

from bptui.commands.opening import (
    ENV_CLASS_DIR,
    ENV_OPEN,
    ENV_STUDENT,
    TOKEN,
    BadOpening,
    check,
    from_query,
    token,
)
from bptui.lesson.classroom import valid_id
from bptui.preset.errors import PresetError
from bptui.text import printable

COOKIE = "bptui_student"
COOKIE_SECONDS = 180 * 86400
SESSION: contextvars.ContextVar[tuple[str | None, str]] = contextvars.ContextVar(
    "bptui_session", default=(None, "")
)
"""(student id or None, opening token) of the WebSocket request being handled."""
WEB_FONT_LINK = re.compile(r"<link[^>]*https?://fonts\.(googleapis|gstatic)\.com[^>]*>\s*")
"""textual-serve's page asks Google for Roboto Mono: a request to the internet, failing offline."""
# Runs before textual.js builds its client (window.onload): the WebSocket URL from the page's own
# address (wss:// over https) with what to open, and the font loaded before xterm.js measures it.
PAGE_SCRIPT = """<style>
@font-face { font-family: "Roboto Mono"; font-display: block;
  src: url("static/fonts/RobotoMono-VariableFont_wght.ttf") format("truetype"); }
@font-face { font-family: "Roboto Mono"; font-style: italic; font-display: block;
  src: url("static/fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype"); }
</style>
<script>
(function () {
  const opening = "OPENING_TOKEN";
  const url = new URL("ws" + (opening ? "/" + opening : ""), window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.search = "";
  document.getElementById("terminal").dataset.sessionWebsocketUrl = url.href;
  const start = window.onload;
  window.onload = function (event) {
    const fonts = document.fonts ? Promise.race([
      document.fonts.load('16px "Roboto Mono"'),
      new Promise(function (done) { setTimeout(done, 2000); }),
    ]).catch(function () {}) : Promise.resolve();
    fonts.then(function () { if (start) start(event); });
  };
})();
</script>
"""


def error_page(message: str, status: int = 400) -> web.Response:
    """A page of one line: what is wrong with the URL."""
    line = html.escape(printable(message))
    page = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>bptui: cannot open"
        f"</title></head><body><p>bptui: error: {line}</p></body></html>"
    )
    return web.Response(status=status, text=page, content_type="text/html")


class Classroom:
    """Students, shared URLs and fonts for a GuardedServer (see the module's docstring)."""

    def __init__(self, class_dir: Path, catalog, default_preset=None, font_size: int | None = None):
        self.class_dir = Path(class_dir)
        self.catalog = catalog
        self.default_preset = default_preset
        self.font_size = font_size

    def student(self, request: web.Request) -> str | None:
        """The request's student id (its cookie), if it is a valid one."""
        value = request.cookies.get(COOKIE)
        return value if valid_id(value) else None

    def opening_problem(self, request: web.Request) -> str | None:
        """Why the page's URL cannot be opened (one line), or None."""
        try:
            opening = from_query(list(request.query.items()))
            check(opening, self.catalog, self.default_preset)
        except (BadOpening, PresetError) as exc:
            return str(exc)
        return None

    async def page(self, request: web.Request, handler) -> web.StreamResponse:
        """The page, for a URL that can be opened: with the student's cookie, the WebSocket URL
        carrying what to open, the local font and the default font size."""
        problem = self.opening_problem(request)
        if problem is not None:
            return error_page(problem)
        if self.font_size and "fontsize" not in request.query:
            request = request.clone(rel_url=request.rel_url.update_query(fontsize=self.font_size))
        response = await handler(request)
        if (
            response.status != 200
            or not isinstance(response, web.Response)
            or response.text is None
        ):
            return response
        opening = token(from_query(list(request.query.items())))  # base64url: safe in a string
        script = PAGE_SCRIPT.replace("OPENING_TOKEN", opening)
        response.text = WEB_FONT_LINK.sub("", response.text).replace(
            "</body>", script + "</body>", 1
        )
        if self.student(request) is None:
            response.set_cookie(
                COOKIE,
                secrets.token_urlsafe(18),
                max_age=COOKIE_SECONDS,
                path="/",
                httponly=True,
                samesite="Strict",
            )
        return response

    def middleware(self):
        """The page's checks and additions; the WebSocket request's student and opening."""

        @web.middleware
        async def classroom(request: web.Request, handler):
            if request.method == "GET" and request.path == "/":
                return await self.page(request, handler)
            if request.path == "/ws" or request.path.startswith("/ws/"):
                opening = request.match_info.get("opening", "")
                SESSION.set((self.student(request), opening if TOKEN.fullmatch(opening) else ""))
            return await handler(request)

        return classroom

    def add_to(self, app: web.Application, websocket_handler) -> None:
        """The middleware, and the WebSocket route that carries an opening."""
        app.middlewares.append(self.middleware())
        app.router.add_get("/ws/{opening}", websocket_handler)

    def command(self, command: str) -> str:
        """The app's shell command for the session being opened: `command` with the student's id,
        the class folder and the opening in its environment."""
        student, opening = SESSION.get()
        env = {ENV_CLASS_DIR: str(self.class_dir)}
        if student:
            env[ENV_STUDENT] = student
        if opening:
            env[ENV_OPEN] = opening
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        return f"export {exports}; {command}"

    def urls(self, base: str) -> list[str]:
        """Lines saying what URLs open (printed at start)."""
        lines = []
        if self.catalog.folder is not None:
            for name in self.catalog.lesson_names():
                lines.append(f"lesson {name}: {base}/?lesson={name}")
        served = list(self.catalog.presets)
        if served:
            lines.append("presets: " + ", ".join(f"{base}/?preset={n}" for n in served))
        lines.append(
            f"any bundled lesson or preset: {base}/?lesson=NAME, {base}/?preset=NAME; "
            f"settings: {base}/?preset=xor&set=training.learning_rate=0.1; bigger text: "
            f"{base}/?fontsize=24"
        )
        lines.append(f"progress of the class: bptui class {shlex.quote(str(self.class_dir))}")
        return lines


def print_urls(classroom: Classroom, base: str) -> None:
    """Once the port is bound: make the class folder (PresetError if it cannot be made) and
    print what URLs open."""
    import os

    try:
        os.makedirs(classroom.class_dir, mode=0o700, exist_ok=True)
    except OSError as exc:
        raise PresetError(
            str(classroom.class_dir), None, f"cannot make the class folder ({exc.strerror or exc})"
        ) from None
    for line in classroom.urls(base):
        print(f"bptui: {line}", file=sys.stdout)


def classroom_for(argv: list[str], port: int) -> Classroom:
    """The Classroom of a `bptui [learn] ... --web` command line (`argv` whole): what it serves
    (a folder of lessons, a preset file, the bundled ones), its class folder and font size.
    Raises PresetError for what cannot be loaded."""
    import os

    from bptui.commands.classroom import default_class_dir
    from bptui.commands.options import app_parser, learn_catalog, learn_parser, preset_of
    from bptui.lesson.catalog import Catalog

    learning = bool(argv) and argv[0] == "learn"
    args = (learn_parser() if learning else app_parser()).parse_args(argv[1:] if learning else argv)
    default_preset = None
    if learning:
        catalog = learn_catalog(args)
    else:
        served = (
            args.preset
            if (
                args.csv is None
                and args.session is None
                and args.preset
                and (
                    args.preset.endswith(".toml")
                    or os.sep in args.preset
                    or os.path.exists(args.preset)
                )
            )
            else None
        )
        catalog = Catalog.bundled(served)
        if args.session is None:
            default_preset = preset_of(args, default="xor")
    class_dir = Path(args.class_dir) if args.class_dir else default_class_dir(port)
    return Classroom(class_dir.resolve(), catalog, default_preset, args.font_size)
