"""Hostile files, values and keys: what a user's file or fingers can do must end in
one error line and exit code 2, or be shown harmlessly; never a traceback, a crash, a hang,
a huge allocation, a file written outside the current folder or an escape sequence on the
user's terminal.

1. control characters from files are made visible everywhere they are shown;
2. session files are checked (structure, headers, values) before anything large is read;
3. η stays in 0 < η ≤ 1000 from every path;
4. output destinations are checked before the work; exports are all or nothing; on the web
   files go to the browser;
5. no key sequence crashes the explorer, and a crash exits non-zero.
"""

from __future__ import annotations

import io
import json
import os
import random
import zipfile
from pathlib import Path

import numpy as np
import pytest
from textual import events
from textual.widgets import Input, OptionList, Static

import bptui.app
from bptui import text as texts
from bptui.commands.cli import main
from bptui.engine.timeline import Timeline
from bptui.preset import load_preset
from bptui.preset.loader import MAX_LEARNING_RATE, scaled_learning_rate
from bptui.session import load_session, save_session
from tests.helpers import run_cli
from tests.test_bad_input import XOR_DATA, assert_one_error, run_main

HOSTILE = "T\u001b]0;PWNED\u0007\u001b[2J"
CONTROL = ("\x1b", "\x07", "\x9b")  # ESC, BEL, CSI


def clean(output: str) -> bool:
    """No character that could act on a terminal."""
    return not any(c in output for c in CONTROL)


def write_preset(
    folder: Path,
    title: str = HOSTILE,
    name: str = "evil.toml",
    description: str = "line one\n\u001b[31mred\u001b[0m\tand\rmore",
    data: str = XOR_DATA,
    layers: str = "[2, 2, 1]",
) -> Path:
    """A valid XOR-like preset whose texts carry escape sequences."""
    path = folder / name
    path.write_text(
        f"title = {json.dumps(title)}\ndescription = {json.dumps(description)}\n"
        f"[network]\nlayers = {layers}\n[data]\n{data}\n[goal]\nsteps = 5\n",
        encoding="utf-8",
    )
    return path


# --------------------------------------------------------------------------------------------
# 1. Control characters


def test_printable_paragraph_and_safe_stem():
    assert texts.printable(HOSTILE) == "T\\x1b]0;PWNED\\x07\\x1b[2J"
    assert texts.printable(texts.printable(HOSTILE)) == texts.printable(HOSTILE)
    assert texts.printable("naïve → ok") == "naïve → ok"
    assert texts.printable("a\u202eb\u200bc") == "a\\u202eb\\u200bc"
    assert texts.paragraph(" two\n lines\t\x1b ") == "two lines \\x1b"
    for name, stem in [
        ("xor", "xor"),
        ("../x/evil", "x_evil"),
        ("..", "preset"),
        ("", "preset"),
        ("a..b", "a.b"),
        (".hidden", "hidden"),
        ("/etc/passwd", "etc_passwd"),
        ("C:\\win", "C_win"),
        (HOSTILE, "T_0_PWNED_2J"),
        ("x" * 300, "x" * 64),
    ]:
        assert texts.safe_stem(name) == stem, name


def test_preset_texts_are_printable_once_loaded(tmp_path):
    preset = load_preset(str(write_preset(tmp_path)))
    for value in (preset.title, preset.description, preset.name, preset.source):
        assert clean(value) and "\n" not in value and "\t" not in value
    assert preset.title == texts.printable(HOSTILE)
    assert preset.description.startswith("line one \\x1b[31mred")


def test_csv_headers_and_class_labels_are_printable(tmp_path):
    (tmp_path / "d.csv").write_text(
        "a\x1b[2J,b,kind\n"
        + "".join(f"{i % 3},{i % 5},{'x' if i % 2 else 'y'}\x07\n" for i in range(20)),
        encoding="utf-8",
    )
    preset = load_preset(str(write_preset(tmp_path, data='csv = "d.csv"\ntarget = "kind"')))
    assert preset.data.feature_names[0] == "a\\x1b[2J"
    assert all(clean(name) for name in preset.data.class_names + preset.data.feature_names)


def test_train_summary_has_no_control_characters(tmp_path, capsys):
    path = write_preset(tmp_path, name="evil\x1b[2J.toml")
    assert run_main(["train", str(path), "--steps", "3"]) == 0
    out = capsys.readouterr().out
    assert clean(out) and "T\\x1b]0;PWNED\\x07" in out and "evil\\x1b[2J.toml" in out


def test_list_has_no_control_characters(tmp_path, capsys, monkeypatch):
    write_preset(tmp_path, name="evil\x1b]0;x\x07.toml")
    (tmp_path / "broken\x1b[2J.toml").write_text(f"title = {json.dumps(HOSTILE)}\n[nope]\n")
    monkeypatch.setattr("bptui.preset.loader.presets_dir", lambda: tmp_path)
    assert run_main(["--list"]) == 0
    out = capsys.readouterr().out
    assert clean(out) and "PWNED" in out and "broken\\x1b[2J" in out and "evil\\x1b]0;x" in out


@pytest.mark.parametrize(
    "argv_of",
    [
        pytest.param(lambda d: ["--csv", str(d / "h.csv"), "--target", "missing"], id="csv-header"),
        pytest.param(lambda d: ["--bogus\x1b]0;x\x07"], id="usage-error"),
        pytest.param(lambda d: ["train", str(d / "no\x1b[2J.toml")], id="file-name"),
        pytest.param(
            lambda d: ["train", "xor", "--save-weights", str(d / "w\x1b[2J.txt")],
            id="save-weights-name",
        ),
    ],
)
def test_errors_have_no_control_characters(tmp_path, capsys, monkeypatch, argv_of):
    monkeypatch.setattr(bptui.app, "run_app", lambda *a: pytest.fail("the UI was opened"))
    (tmp_path / "h.csv").write_text("x\x1b]0;PWNED\x07,y\n1,2\n3,4\n", encoding="utf-8")
    rc = run_main(argv_of(tmp_path))
    captured = capsys.readouterr()
    line = assert_one_error(rc, captured.out, captured.err)
    assert clean(line)


async def test_explorer_shows_no_control_characters(tmp_path):
    from bptui.app.main import BptuiApp
    from bptui.app.widgets.statusline import TITLE_WIDTH

    long_title = HOSTILE + " and a very long title" * 20
    preset = load_preset(str(write_preset(tmp_path, title=long_title)))
    app = BptuiApp(preset=preset)
    async with app.run_test(size=(120, 40)) as pilot:
        status = app.query_one("#status", Static)
        hint = app.query_one("#hint", Static)
        for widget in (status, hint):
            assert clean(str(widget.render()))
        shown = str(status.render())
        assert "T\\x1b]0;PWNED" in shown and "very long title and a" not in shown
        assert len(shown.split("  step")[0].strip()) <= TITLE_WIDTH
        assert clean(app.export_screenshot())
        await pilot.press("question_mark")
        assert clean(app.export_screenshot())
        await pilot.press("escape", "o")
        assert clean(app.export_screenshot())


async def test_explorer_shows_csv_names_harmlessly(tmp_path):
    """Feature names and class labels from a CSV: in the readout and the decision boundary."""
    from bptui.app.main import BptuiApp

    (tmp_path / "d.csv").write_text(
        "a\x1b[2J,b\x07,kind\n"
        + "".join(f"{i % 3},{i % 5},{'x' if i % 2 else 'y'}\x1b[31m\n" for i in range(20)),
        encoding="utf-8",
    )
    preset = load_preset(str(write_preset(tmp_path, data='csv = "d.csv"\ntarget = "kind"')))
    app = BptuiApp(preset=preset)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s", "d")
        assert app.query_one("#diagram-pane").border_title.startswith("Decision boundary")
        assert clean(app.export_screenshot())
        assert app.main_screen.stepper.data.class_names == ("x\\x1b[31m", "y\\x1b[31m")


async def test_picker_shows_no_control_characters(tmp_path, monkeypatch):
    from bptui.app.main import BptuiApp

    app = BptuiApp(preset="xor")
    write_preset(tmp_path, name="evil.toml")
    (tmp_path / "broken\x1b[2J.toml").write_text("title = 1\n")
    monkeypatch.setattr("bptui.preset.loader.presets_dir", lambda: tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        options = app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert len(prompts) == 2 and all(clean(p) for p in prompts)
        assert any("PWNED" in p for p in prompts)
        assert clean(app.export_screenshot())


# --------------------------------------------------------------------------------------------
# 2. Session files


def saved(tmp_path: Path, name: str = "xor", steps: int = 3, micro: int = 2) -> Path:
    """A genuine session: `steps` steps, then `micro` micro-steps."""
    preset = load_preset(name)
    stepper = preset.stepper()
    stepper.run(steps)
    for _ in range(micro):
        stepper.micro_step()
    return save_session(tmp_path / f"{name}.npz", preset, stepper)


def contents(path: Path) -> tuple[dict, dict]:
    """(arrays, meta) of a genuine session."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    return arrays, json.loads(str(arrays.pop("meta")))


def rewrite(path: Path, out: Path, meta_text: str | None = None, drop=(), **changes) -> Path:
    """A session with members or meta keys (`meta_KEY=`) changed, added or dropped."""
    arrays, meta = contents(path)
    for key, value in changes.items():
        if key.startswith("meta_"):
            meta[key[5:]] = value
        else:
            arrays[key] = value
    for key in drop:
        if key.startswith("meta_"):
            del meta[key[5:]]
        else:
            del arrays[key]
    arrays["meta"] = np.array(meta_text if meta_text is not None else json.dumps(meta))
    np.savez(out, **arrays)
    return out


def npy_bytes(header: dict, payload: bytes = b"") -> bytes:
    """A .npy member with any header (which np.save would never write)."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue() + payload


def add_member(
    path: Path, out: Path, name: str, data: bytes, deflate: bool = False, replace: bool = False
) -> Path:
    """Copy a session, adding (or replacing) the raw ZIP member `name`."""
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if not (replace and info.filename == name):
                target.writestr(info, source.read(info))
        target.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return out


def session_error(capsys, path: Path, key: str | None, says: str, file: str | None = None) -> str:
    """`bptui --session PATH` gives the one-line error and exit 2, before any UI."""
    rc = run_main(["--session", str(path)])
    captured = capsys.readouterr()
    return assert_one_error(
        rc, captured.out, captured.err, file=file or str(path), key=key, says=says
    )


@pytest.fixture(autouse=True)
def no_ui(monkeypatch):
    """A bad session must be refused before the explorer starts."""
    monkeypatch.setattr(bptui.app, "run_app", lambda *a: pytest.fail("the UI was opened"))


BAD_META = [  # (meta changes, key, words)
    ({"meta_learning_rate": -5}, "meta.learning_rate", "out of range"),
    ({"meta_learning_rate": 0}, "meta.learning_rate", "out of range"),
    ({"meta_learning_rate": MAX_LEARNING_RATE * 1.001}, "meta.learning_rate", "out of range"),
    ({"meta_learning_rate": float("nan")}, "meta.learning_rate", "finite"),
    ({"meta_learning_rate": float("inf")}, "meta.learning_rate", "finite"),
    ({"meta_learning_rate": "0.5"}, "meta.learning_rate", "expected a number"),
    ({"meta_learning_rate": True}, "meta.learning_rate", "expected a number"),
    ({"meta_step": 10**30}, "meta.step", "out of range"),
    ({"meta_step": -1}, "meta.step", "out of range"),
    ({"meta_step": 2.0}, "meta.step", "expected an integer"),
    ({"meta_step": 5}, "batch_loss_history", "shape (3,), expected (5,)"),
    ({"meta_opt_t": 9}, "meta.opt_t", "out of range"),
    ({"meta_position": 99}, "meta.position", "out of range"),
    ({"meta_position": -1}, "meta.position", "out of range"),
    ({"meta_position": True}, "meta.position", "expected an integer"),
    ({"meta_depth": 5}, "meta.depth", "does not match"),
    ({"meta_batch_start": 7}, "meta.batch_start", "out of range"),
    ({"meta_batch_start": 3}, "meta.batch_start", "not where step 3's batch starts"),
    ({"meta_diverged": "no"}, "meta.diverged", "true or false"),
    ({"meta_last_cost": float("inf")}, "meta.last_cost", "finite"),
    ({"meta_last_cost": [1]}, "meta.last_cost", "expected a number"),
    ({"meta_name": ["x"]}, "meta.name", "expected a string"),
    ({"meta_base": None}, "meta.base", "expected a string"),
    ({"meta_format": "other"}, "meta.format", "expected"),
    ({"meta_version": 99}, "meta.version", "not supported"),
    ({"meta_extra": 1}, "meta.extra", "unknown key"),
    ({"meta_preset": "not = [toml"}, None, "not valid TOML"),
    ({"meta_preset": 'title = "x"'}, "network", "missing"),
    (
        {"meta_preset": "title = 'x'\n[network]\nlayers = [2, 3, 1]\n[data]\n" + XOR_DATA},
        "params",
        "shape",
    ),
]


@pytest.mark.parametrize(
    "changes, key, says",
    [pytest.param(*case, id=f"{next(iter(case[0]))}-{i}") for i, case in enumerate(BAD_META)],
)
def test_bad_session_scalars(tmp_path, capsys, changes, key, says):
    path = rewrite(saved(tmp_path), tmp_path / "bad.npz", **changes)
    in_preset = "meta_preset" in changes and key != "params"
    session_error(capsys, path, key, says, file=f"{path} (preset)" if in_preset else None)


@pytest.mark.parametrize(
    "drop",
    [
        "meta_step",
        "meta_learning_rate",
        "meta_preset",
        "params",
        "loss_history",
        "z1",
        "test_loss_history",
        "opt_state",
        "eval_steps",
        "batch_loss_history",
        "meta_opt_t",
    ],
)
def test_missing_session_parts(tmp_path, capsys, drop):
    path = rewrite(saved(tmp_path), tmp_path / "bad.npz", drop=[drop])
    key = drop.replace("meta_", "meta.")
    session_error(capsys, path, key, "missing")


def nan_params(arrays):
    params = arrays["params"].copy()
    params[1] = np.nan
    return params


@pytest.mark.parametrize(
    "member, value_of, says",
    [
        ("params", nan_params, "entry 1 is nan"),
        ("applied", lambda a: np.full_like(a["applied"], np.inf), "finite"),
        ("opt_state", lambda a: np.zeros((2, a["params"].size)), "shape"),
        ("eval_steps", lambda a: a["eval_steps"][::-1].copy(), "increasing"),
        ("batch_loss_history", lambda a: np.zeros(10**5), "shape"),
        ("loss_history", lambda a: np.append(a["loss_history"][:-1], np.nan), "finite"),
        ("loss_history", lambda a: a["loss_history"][:1], "shape"),
        ("loss_history", lambda a: np.zeros(10**5), "shape"),
        ("params", lambda a: a["params"][:-1], "shape"),
        ("params", lambda a: a["params"].astype(np.float32), "dtype"),
        ("params", lambda a: a["params"].astype(np.int64), "dtype"),
        ("params", lambda a: a["params"].reshape(1, -1), "shape"),
        ("z0", lambda a: np.zeros((3, 2)), "shape"),
        ("a1", lambda a: np.zeros((4, 7)), "shape"),
        ("grads", lambda a: np.array("text"), "dtype"),
        ("delta0", lambda a: np.array([[1, 2]], dtype=np.complex128), "dtype"),
    ],
)
def test_bad_session_arrays(tmp_path, capsys, member, value_of, says):
    path = saved(tmp_path)
    arrays, _ = contents(path)
    session_error(
        capsys, rewrite(path, tmp_path / "bad.npz", **{member: value_of(arrays)}), member, says
    )


def test_batch_buffers_are_checked_where_the_step_computed_them(tmp_path, capsys):
    """Forward done, backward not: z and a must be finite, δ may hold anything (stale values,
    even NaN from fresh memory), as the stepper recomputes it before use."""
    path = saved(tmp_path, "xor", steps=3, micro=2)  # forward layers 1 and 2 of step 4
    arrays, _ = contents(path)
    nan = {key: np.full_like(arrays[key], np.nan) for key in ("z1", "a0", "delta0", "delta1")}
    _, stepper = load_session(
        rewrite(path, tmp_path / "ok.npz", delta0=nan["delta0"], delta1=nan["delta1"])
    )
    assert np.isnan(stepper.ws.delta[0]).all() and stepper.finish_step()
    assert np.isfinite(stepper.params.flat).all()
    session_error(capsys, rewrite(path, tmp_path / "bad.npz", z1=nan["z1"]), "z1", "nan")
    session_error(capsys, rewrite(path, tmp_path / "bad.npz", a0=nan["a0"]), "a0", "nan")


def test_shuffled_batch_rows_are_checked(tmp_path, capsys):
    path = saved(tmp_path, "moons", steps=2, micro=3)
    arrays, _ = contents(path)
    assert "batch_rows" in arrays
    rows = arrays["batch_rows"]
    for bad, says in [
        (rows + 10**6, "row"),
        (-rows - 1, "row"),
        (rows[:-1], "shape"),
        (rows.astype(np.float64), "dtype"),
    ]:
        session_error(
            capsys, rewrite(path, tmp_path / "bad.npz", batch_rows=bad), "batch_rows", says
        )
    session_error(
        capsys, rewrite(path, tmp_path / "bad.npz", drop=["batch_rows"]), "batch_rows", "missing"
    )
    session_error(
        capsys,
        rewrite(saved(tmp_path), tmp_path / "bad.npz", batch_rows=rows[:4]),
        "member 'batch_rows'",
        "not part of",
    )


def test_held_out_history_has_the_training_history_length(tmp_path, capsys):
    path = saved(tmp_path, "iris")
    arrays, _ = contents(path)
    session_error(
        capsys,
        rewrite(path, tmp_path / "bad.npz", test_loss_history=arrays["test_loss_history"][:-1]),
        "test_loss_history",
        "shape",
    )


@pytest.mark.parametrize(
    "make, says",
    [
        pytest.param(lambda p: p.write_bytes(b""), "empty", id="empty"),
        pytest.param(lambda p: p.write_bytes(b"not a zip"), "not a .npz", id="junk"),
        pytest.param(
            lambda p: p.write_bytes(
                npy_bytes({"descr": "<f8", "fortran_order": False, "shape": (3,)}, bytes(24))
            ),
            "single .npy",
            id="npy-renamed",
        ),
        pytest.param(lambda p: p.mkdir(), "directory", id="directory"),
        pytest.param(lambda p: None, "no such file", id="missing"),
        pytest.param(lambda p: np.savez(p, meta=np.array("[1, 2]")), "JSON object", id="meta-list"),
        pytest.param(lambda p: np.savez(p, meta=np.array("{")), "not valid JSON", id="meta-json"),
        pytest.param(
            lambda p: np.savez(p, meta=np.array("[" * 100_000)),
            "not valid JSON",
            id="meta-nested-deep",
        ),
        pytest.param(
            lambda p: np.savez(p, meta=np.array("1" * 5000)),
            "not valid JSON",
            id="meta-huge-integer",
        ),
        pytest.param(
            lambda p: np.savez(p, meta=np.array({"a": 1}, dtype=object)), "dtype", id="meta-pickled"
        ),
        pytest.param(lambda p: np.savez(p, meta=np.zeros(3)), "dtype", id="meta-numbers"),
        pytest.param(lambda p: np.savez(p, params=np.zeros(3)), "missing", id="meta-missing"),
    ],
)
def test_files_that_are_not_sessions(tmp_path, capsys, make, says):
    path = tmp_path / "s.npz"
    make(path)
    session_error(capsys, path, None, says)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_a_fifo_is_refused_without_waiting(tmp_path, capsys):
    path = tmp_path / "s.npz"
    os.mkfifo(path)
    session_error(capsys, path, None, "not a regular file")


def test_header_claiming_a_huge_shape(tmp_path, capsys):
    member = npy_bytes({"descr": "<f8", "fortran_order": False, "shape": (10**12,)}, bytes(64))
    path = add_member(saved(tmp_path), tmp_path / "bad.npz", "params.npy", member, replace=True)
    session_error(capsys, path, "params", "shape (1000000000000,)")


@pytest.mark.parametrize(
    "header, says",
    [
        ({"descr": "|O", "fortran_order": False, "shape": (17,)}, "dtype object"),
        ({"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6, 10**6)}, "shape"),
        ({"descr": [("a", "<f8")], "fortran_order": False, "shape": (17,)}, "dtype"),
    ],
)
def test_headers_that_lie(tmp_path, capsys, header, says):
    path = add_member(
        saved(tmp_path), tmp_path / "bad.npz", "params.npy", npy_bytes(header), replace=True
    )
    session_error(capsys, path, "params", says)


def test_header_and_member_size_disagree(tmp_path, capsys):
    path = saved(tmp_path)
    size = contents(path)[0]["params"].size
    member = npy_bytes({"descr": "<f8", "fortran_order": False, "shape": (size,)}, bytes(8))
    session_error(
        capsys,
        add_member(path, tmp_path / "bad.npz", "params.npy", member, replace=True),
        "params",
        "its header says",
    )


def test_a_member_that_is_not_a_numpy_array(tmp_path, capsys):
    path = add_member(
        saved(tmp_path), tmp_path / "bad.npz", "params.npy", b"garbage" * 20, replace=True
    )
    session_error(capsys, path, "params", "not a readable .npy")


@pytest.mark.parametrize(
    "name, says",
    [("evil.npy", "not part of"), ("notes.txt", "not a .npy"), ("../../evil.npy", "not part of")],
)
def test_unknown_members(tmp_path, capsys, name, says):
    path = add_member(
        saved(tmp_path),
        tmp_path / "bad.npz",
        name,
        npy_bytes({"descr": "<f8", "fortran_order": False, "shape": (1,)}, bytes(8)),
    )
    session_error(capsys, path, None, says)


def test_a_huge_all_zero_member_is_refused_unread(tmp_path, capsys):
    """An extra member of 256 MB of zeros (deflated to 250 kB): refused from the ZIP directory,
    never decompressed (benchmarks/hostile_session.py measures the 4 GB case)."""
    path = tmp_path / "bomb.npz"
    with (
        zipfile.ZipFile(saved(tmp_path)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            target.writestr(info, source.read(info))
        with target.open("extra.npy", "w", force_zip64=True) as member:
            block = bytes(1 << 20)
            for _ in range(256):
                member.write(block)
    session_error(capsys, path, None, "unpack")


def test_too_many_members(tmp_path, capsys):
    path = tmp_path / "many.npz"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(200):
            archive.writestr(f"m{i}.npy", b"")
    session_error(capsys, path, None, "200 members")


def test_a_damaged_member_is_refused(tmp_path, capsys):
    """A flipped bit in an array's data: the CRC says so."""
    path = saved(tmp_path, "spiral")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("params.npy")
    local = info.header_offset
    name_length, extra_length = np.frombuffer(bytes(data[local + 26 : local + 30]), "<u2")
    data[local + 30 + int(name_length) + int(extra_length) + 128 + 40] ^= 0x01
    path.write_bytes(bytes(data))
    session_error(capsys, path, "params", "damaged")


def test_a_truncated_session_is_refused(tmp_path, capsys):
    path = saved(tmp_path)
    path.write_bytes(path.read_bytes()[:-100])
    session_error(capsys, path, None, "")


def test_subprocess_bad_session_never_starts_the_explorer(tmp_path):
    path = rewrite(saved(tmp_path), tmp_path / "bad.npz", loss_history=np.zeros(1))
    result = run_cli(["--session", str(path)], tmp_path)
    assert_one_error(
        result.returncode,
        result.stdout,
        result.stderr,
        file=str(path),
        key="loss_history",
        says="shape",
    )


def random_session(rng: random.Random, name: str):
    """A stepper driven by a random mix of what the explorer can do to it."""
    preset = load_preset(name)
    stepper = preset.stepper()
    timeline = Timeline(stepper)
    for _ in range(rng.randint(0, 40)):
        action = rng.choice(
            [
                "micro",
                "micro",
                "micro",
                "phase",
                "step",
                "run",
                "restart",
                "reset",
                "loss",
                "undo",
                "redo",
                "lr",
            ]
        )
        if action == "micro":
            stepper.micro_step()
        elif action == "phase":
            stepper.finish_phase()
        elif action == "step":
            stepper.finish_step()
        elif action == "run":
            stepper.run(rng.randint(1, 12))
        elif action == "restart":
            stepper.restart_step()
            timeline.pin()
        elif action == "reset":
            stepper.reset()
            timeline.clear()
        elif action == "loss":
            stepper.record_loss()
        elif action == "undo":
            timeline.undo()
        elif action == "redo":
            timeline.redo()
        else:
            stepper.learning_rate, _ = scaled_learning_rate(
                stepper.learning_rate, rng.choice([0.5, 2.0])
            )
            timeline.pin()
        if action not in ("undo", "redo"):
            timeline.record()
    return preset, stepper


@pytest.mark.parametrize("name", ["xor", "moons", "iris", "spiral", "sine"])
def test_every_genuine_session_passes_the_checks(tmp_path, name):
    """The checks are exact, not merely strict: sessions of random explorer histories load."""
    rng = random.Random(name)
    for trial in range(12):
        preset, stepper = random_session(rng, name)
        path = save_session(tmp_path / f"{trial}.npz", preset, stepper)
        _, resumed = load_session(path)
        assert resumed.step == stepper.step and resumed.position == stepper.position
        assert resumed.params.flat.tobytes() == stepper.params.flat.tobytes()
        assert resumed.history.lengths() == stepper.history.lengths()
        assert resumed.loss_history.tobytes() == stepper.loss_history.tobytes()
        assert resumed.opt_state.tobytes() == stepper.opt_state.tobytes()


async def test_a_session_saved_after_an_edit_mid_epoch_opens(tmp_path, monkeypatch):
    """Shuffled batches, a step restarted by an edit (position 0 with the batch's rows kept):
    the resumed explorer draws and steps without crashing."""
    from bptui.app.main import BptuiApp

    preset = load_preset("moons")
    stepper = preset.stepper()
    stepper.run(2)
    stepper.micro_step()
    stepper.restart_step()
    _, resumed = load_session(save_session(tmp_path / "s.npz", preset, stepper))
    app = BptuiApp(preset=preset, stepper=resumed)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("g", "s", "g")
        assert app.main_screen.stepper.step == 3


async def test_a_session_name_never_becomes_a_path(tmp_path, monkeypatch):
    """meta.name = '../x/evil': ctrl+s and ctrl+e write plain names in the current folder."""
    from bptui.app.main import BptuiApp

    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "x").mkdir()
    path = rewrite(saved(tmp_path), tmp_path / "evil.npz", meta_name="../x/evil")
    preset, stepper = load_session(path)
    monkeypatch.chdir(work)
    app = BptuiApp(preset=preset, stepper=stepper)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s", "ctrl+e")
    assert sorted(p.name for p in work.iterdir()) == [
        "bptui-session-x_evil.npz",
        "x_evil-step3-weights.json",
        "x_evil-step3-weights.npz",
        "x_evil-step3-weights.toml",
    ]
    assert list((tmp_path / "x").iterdir()) == []


# --------------------------------------------------------------------------------------------
# 3. The learning rate's range


def test_scaled_learning_rate_saturates():
    assert scaled_learning_rate(0.5, 2.0) == (1.0, "learning rate η = 1")
    assert scaled_learning_rate(600.0, 2.0) == (1000.0, "η is at its maximum 1000")
    assert scaled_learning_rate(1000.0, 2.0) == (1000.0, "η is at its maximum 1000")
    assert scaled_learning_rate(1000.0, 0.5) == (500.0, "learning rate η = 500")
    tiny = 2.5e-308
    assert scaled_learning_rate(tiny, 0.5) == (tiny, f"η is at its minimum {tiny:g}")


async def test_plus_and_minus_keep_eta_in_range(tmp_path, monkeypatch):
    from bptui.app.main import BptuiApp

    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        app.main_screen.stepper.learning_rate = 300.0
        await pilot.press("plus", "plus", "plus")
        assert app.main_screen.stepper.learning_rate == MAX_LEARNING_RATE
        assert "η is at its maximum 1000" in str(app.query_one("#hint", Static).render())
        app.main_screen.stepper.learning_rate = 1e-307
        await pilot.press("minus", "minus", "minus", "minus")
        assert app.main_screen.stepper.learning_rate == 2.5e-308
        assert "η is at its minimum 2.5e-308" in str(app.query_one("#hint", Static).render())
        monkeypatch.chdir(tmp_path)
        app.main_screen.stepper.learning_rate = 1000.0
        await pilot.press("ctrl+s")
    _, resumed = load_session(tmp_path / "bptui-session-xor.npz")
    assert resumed.learning_rate == MAX_LEARNING_RATE


async def test_settings_refuse_eta_out_of_range():
    from bptui.app.main import BptuiApp

    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        before = app.main_screen.stepper.learning_rate
        await pilot.press("o")
        for value in ["0", "-5", "1000.5", "nan", "inf", "1e309"]:
            field = app.screen.query_one("#learning_rate", Input)
            field.value = value
            field.focus()
            await pilot.press("enter")
            error = str(app.screen.query_one("#settings-error", Static).render())
            assert "learning_rate" in error
            assert app.main_screen.stepper.learning_rate == before, value


# --------------------------------------------------------------------------------------------
# 4. Output destinations


@pytest.fixture
def no_training(monkeypatch):
    """Training must not start when the destination is bad."""
    monkeypatch.setattr(
        "bptui.commands.train.run_with_progress",
        lambda *a, **k: pytest.fail("trained before checking the destination"),
    )


@pytest.mark.parametrize(
    "dest_of, file_of, says",
    [
        (lambda d: "/nonexistent/w.json", lambda d: "/nonexistent/w.json", "does not exist"),
        (lambda d: str(d / "w.txt"), lambda d: str(d / "w.txt"), "unknown weights format"),
        (lambda d: str(d / "w"), lambda d: str(d / "w"), "unknown weights format"),
        (lambda d: "", lambda d: "--save-weights", "is empty"),
        (lambda d: "  ", lambda d: "--save-weights", "is empty"),
        (lambda d: str(d / "dir.json"), lambda d: str(d / "dir.json"), "is a directory"),
        (
            lambda d: str(d / "file.json" / "w.json"),
            lambda d: str(d / "file.json" / "w.json"),
            "is not a folder",
        ),
    ],
)
def test_save_weights_is_checked_before_training(
    tmp_path, capsys, no_training, dest_of, file_of, says
):
    (tmp_path / "dir.json").mkdir()
    (tmp_path / "file.json").write_text("{}")
    rc = run_main(["train", "spiral", "--steps", "20000", "--save-weights", dest_of(tmp_path)])
    captured = capsys.readouterr()
    assert_one_error(rc, captured.out, captured.err, file=file_of(tmp_path), says=says)


def test_save_weights_into_a_read_only_folder(tmp_path, capsys, no_training, monkeypatch):
    monkeypatch.setattr("os.access", lambda path, mode: False)  # as a non-root user would see it
    rc = run_main(["train", "xor", "--save-weights", str(tmp_path / "w.json")])
    captured = capsys.readouterr()
    assert_one_error(
        rc, captured.out, captured.err, file=str(tmp_path / "w.json"), says="not writable"
    )


def test_empty_layers_is_an_error(tmp_path, capsys):
    (tmp_path / "d.csv").write_text("a,b\n1,2\n3,4\n")
    for argv, says in (
        (
            ["--csv", str(tmp_path / "d.csv"), "--target", "b", "--layers", ""],
            "--layers: '' has an empty item",
        ),
        (["--layers", " "], "--layers goes with --csv"),
    ):
        rc = run_main(argv)
        captured = capsys.readouterr()
        assert_one_error(rc, captured.out, captured.err, says=says)


def disk_full_at(call: int):
    """An os.fsync that finds the disk full at its `call`-th call."""
    real_fsync, calls = os.fsync, []

    def full_disk(fd):
        calls.append(fd)
        if len(calls) == call:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    return full_disk


def test_export_is_all_or_nothing(tmp_path, monkeypatch):
    """No room for the third file: none of the three is left behind, nor any temporary."""
    from bptui.export import export_files, write_files
    from bptui.preset import PresetError

    preset = load_preset("xor")
    files = {
        str(tmp_path / name): data for name, data in export_files(preset, preset.stepper()).items()
    }
    monkeypatch.setattr("os.fsync", disk_full_at(3))
    with pytest.raises(PresetError, match="No space left"):
        write_files(files)
    assert list(tmp_path.iterdir()) == []
    real_replace = os.replace
    monkeypatch.undo()
    renames = []

    def failing_replace(src, dst):
        renames.append(dst)
        if len(renames) == 2:
            raise OSError(5, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr("os.replace", failing_replace)
    with pytest.raises(PresetError, match="weights.npz: cannot write"):
        write_files(files)
    assert list(tmp_path.iterdir()) == []


async def test_export_failure_in_the_app_leaves_nothing(tmp_path, monkeypatch):
    from bptui.app.main import BptuiApp

    monkeypatch.chdir(tmp_path)
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        monkeypatch.setattr("os.fsync", disk_full_at(2))
        await pilot.press("ctrl+e")
        assert "could not export" in str(app.query_one("#hint", Static).render())
    assert list(tmp_path.iterdir()) == []


async def test_web_mode_delivers_files_to_the_browser(tmp_path, monkeypatch):
    """Served by textual-serve, ctrl+s and ctrl+e write nothing on the server."""
    from bptui.app.main import BptuiApp

    monkeypatch.chdir(tmp_path)
    delivered = []

    def deliver_binary(self, path_or_file, *, save_filename=None, **kwargs):
        delivered.append((save_filename, path_or_file.read()))
        return "key"

    monkeypatch.setattr(BptuiApp, "is_web", property(lambda self: True))
    monkeypatch.setattr(BptuiApp, "deliver_binary", deliver_binary)
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s", "ctrl+s")
        assert "sent to your browser" in str(app.query_one("#hint", Static).render())
        await pilot.press("ctrl+e")  # three files: one download, a .zip (popup blockers)
        hint = str(app.query_one("#hint", Static).render())
        assert "sent to your browser in xor-step1-weights.zip: xor-step1-weights.json" in hint
    assert list(tmp_path.iterdir()) == []
    assert [name for name, _ in delivered] == ["bptui-session-xor.npz", "xor-step1-weights.zip"]
    (tmp_path / "s.npz").write_bytes(delivered[0][1])
    assert load_session(tmp_path / "s.npz")[1].step == 1
    with zipfile.ZipFile(io.BytesIO(delivered[1][1])) as archive:
        assert archive.namelist() == [
            "xor-step1-weights.json",
            "xor-step1-weights.npz",
            "xor-step1-weights.toml",
        ]
        archive.extractall(tmp_path / "unzipped")
    assert load_preset(str(tmp_path / "unzipped" / "xor-step1-weights.toml")).name


# --------------------------------------------------------------------------------------------
# 5. Keys that crash, and exit codes

CHARACTERS = {
    "space": " ",
    "enter": "\r",
    "escape": "\x1b",
    "tab": "\t",
    "comma": ",",
    "full_stop": ".",
    "plus": "+",
    "minus": "-",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "question_mark": "?",
}


def key_event(key: str) -> events.Key:
    """The event a terminal would send for `key`."""
    return events.Key(key, CHARACTERS.get(key, key if len(key) == 1 else None))


async def type_fast(app, pilot, keys, wait: float = 0.2) -> None:
    """Queue the keys all at once, as a fast typist or a paste would, then let them land."""
    for key in keys:
        app.post_message(key_event(key))
    await pilot.pause(wait)


@pytest.mark.parametrize(
    "keys",
    [
        ["ctrl+p", "enter", "ctrl+p", "enter"],
        ["ctrl+p", "enter", "enter", "enter", "ctrl+p", "escape", "escape", "ctrl+p"],
        ["ctrl+p", "down", "down", "enter", "ctrl+p", "enter", "escape", "enter"],
        ["p", "enter", "enter", "p", "escape", "escape", "enter"],
        ["question_mark", "escape", "question_mark", "question_mark", "escape"],
        ["o", "enter", "enter", "escape", "escape"],
        ["right", "w", "escape", "escape", "w", "enter", "enter"],
        ["ctrl+p", "pageup", "pagedown", "escape"],  # paging a list not yet laid out
        ["P", "0", "full_stop", "5", "enter", "escape", "N", "5", "enter"],
    ],
)
async def test_keys_typed_faster_than_screens_close(tmp_path, monkeypatch, keys):
    from bptui.app.main import BptuiApp

    monkeypatch.chdir(tmp_path)
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(2):
            await type_fast(app, pilot, keys)
        assert app.is_running and len(app.screen_stack) >= 1
    assert app.return_code in (None, 0)


async def test_a_seeded_key_storm_does_not_crash_the_explorer(tmp_path, monkeypatch):
    """A few hundred keys from the app's bindings plus the palette's, in random bursts."""
    from bptui.app.bindings import BINDINGS
    from bptui.app.main import BptuiApp

    monkeypatch.chdir(tmp_path)
    bound = sorted({k for b in BINDINGS for k in b.key.split(",")} - {"q", "r"})
    keys = bound + ["ctrl+p", "enter", "escape"] * 6 + ["tab", "down", "up", "a", "1", "backspace"]
    rng = random.Random(11)
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(50):
            await type_fast(
                app,
                pilot,
                [rng.choice(keys) for _ in range(rng.randint(1, 10))],
                wait=rng.choice([0, 0.01, 0.05]),
            )
        await pilot.pause(0.5)
        assert app.is_running
    assert app.return_code in (None, 0)


def test_a_crashing_explorer_exits_non_zero(monkeypatch, capsys):
    """Textual sets return_code 1 after an unhandled error; `bptui` returns it."""
    from textual.app import App

    from bptui.app.main import BptuiApp

    monkeypatch.undo()  # the real run_app, not the no_ui fixture's

    def boom(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(BptuiApp, "on_mount", boom)
    monkeypatch.setattr(BptuiApp, "run", lambda self: App.run(self, headless=True))
    assert main(["xor"]) == 1
