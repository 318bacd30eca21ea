"""The command line: `bptui [PRESET]`, `bptui --list`, `bptui train PRESET --steps N [--json]`.

Bad input of any kind ends with one line on stderr, `bptui: error: ...`, and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
import textwrap

from bptui import __version__
from bptui.preset import PresetError, bundled_names, load_preset
from bptui.text import printable

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr and exit code 2."""

    def error(self, message: str):  # noqa: D102 - argparse hook
        self.exit(EXIT_BAD_INPUT, f"bptui: error: {printable(message)} (see bptui --help)\n")


def positive_int(text: str) -> int:
    """An integer ≥ 0 for --steps."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of steps, got {text!r}") from None
    if not 0 <= value <= 100_000_000:
        raise argparse.ArgumentTypeError(f"{value} is out of range (allowed: 0..100000000)")
    return value


def app_parser() -> argparse.ArgumentParser:
    """The parser of `bptui [PRESET]`."""
    parser = OneLineParser(
        prog="bptui",
        description="Explore backpropagation one step at a time: forward, error, backward, update.",
        epilog="Headless training: bptui train PRESET [--steps N] [--json]. "
               "Presets: bptui --list.")
    parser.add_argument("preset", nargs="?", default="xor",
                        help="a bundled preset name (see --list) or a path to a .toml file "
                             "(default: xor)")
    parser.add_argument("--list", action="store_true", help="list the bundled presets and exit")
    parser.add_argument("--session", metavar="FILE", help="resume a session saved with ctrl+s")
    parser.add_argument("--csv", metavar="FILE", help="build a preset from your own CSV file")
    parser.add_argument("--target", metavar="COLUMN", help="the CSV column to predict (with --csv)")
    parser.add_argument("--layers", metavar="N,N,...",
                        help="units per layer for --csv, input first (default: features,2×features,outputs)")
    parser.add_argument("--web", action="store_true",
                        help="serve the app in a web browser on localhost (needs textual-serve)")
    parser.add_argument("--port", type=int, default=8000, help="port for --web (default 8000)")
    parser.add_argument("--version", action="version", version=f"bptui {__version__}")
    return parser


def train_parser() -> argparse.ArgumentParser:
    """The parser of `bptui train`."""
    parser = OneLineParser(prog="bptui train",
                           description="Train a preset headless and report the loss.")
    parser.add_argument("preset", help="a bundled preset name or a path to a .toml file")
    parser.add_argument("--steps", type=positive_int, default=None,
                        help="training steps (default: the preset's goal, else 1000)")
    parser.add_argument("--json", action="store_true",
                        help="print exactly one JSON object on stdout")
    parser.add_argument("--save-weights", metavar="FILE",
                        help="write the final weights: .json, .npz, or .toml (a preset with them pinned)")
    return parser


def fail(message: str) -> int:
    """Print one error line and return the bad-input exit code."""
    print(f"bptui: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def list_presets() -> int:
    """Print the bundled presets with their descriptions."""
    for name in bundled_names():
        try:
            preset = load_preset(name)
        except PresetError as exc:  # a broken bundled file should not hide the others
            print(f"{printable(name):10s} (cannot load: {exc})")
            continue
        print(f"{preset.name:10s} {preset.title}")
        body = preset.description
        if preset.goal:
            body += f" Goal: {preset.goal.describe()}."
        print(textwrap.fill(body, width=78, initial_indent=" " * 11, subsequent_indent=" " * 11))
    return 0


def load_target(parser: argparse.ArgumentParser, args):
    """(preset, stepper or None) of what the arguments name: a session, a CSV file or a preset."""
    if args.session:
        from bptui.session import load_session

        return load_session(args.session)
    if args.layers is not None and not args.layers.strip():
        raise PresetError("--layers", None, "is empty (allowed: units per layer, input first, "
                                            "e.g. 4,8,3)")
    if args.csv:
        if not args.target:
            parser.error("--csv needs --target COLUMN")
        from bptui.preset.fromcsv import preset_from_csv

        return preset_from_csv(args.csv, args.target, args.layers), None
    if args.target or args.layers:
        parser.error("--target and --layers go with --csv FILE")
    return load_preset(args.preset), None


def open_app(parser: argparse.ArgumentParser, args) -> int:
    """Load what the arguments name and open the explorer."""
    preset, stepper = load_target(parser, args)
    from bptui.app import run_app

    return run_app(preset, stepper)  # non-zero when the app failed


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `bptui` console script; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv and argv[0] == "train":
            from bptui.train import train_command

            return train_command(train_parser().parse_args(argv[1:]))
        parser = app_parser()
        args = parser.parse_args(argv)
        if args.list:
            return list_presets()
        if args.web:
            from bptui.web import serve

            return serve([a for a in argv if a != "--web"], args.port)
        return open_app(parser, args)
    except PresetError as exc:
        return fail(str(exc))
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `bptui --list | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
