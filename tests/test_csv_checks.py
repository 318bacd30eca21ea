"""CSV data that used to be taken silently and wrongly.

A numeric column with one bad cell is an error naming the cell (or, with `missing`, a missing
value), never an ID left out; a feature that happens to count the rows is kept unless its name
says it is an index; a quote never closed is refused; values near the float64 limit are
normalized without overflow; a target with more classes than a layer may have units says so;
notices about the data reach the explorer, not only stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import warnings

import numpy as np
import pytest

from bptui.preset import csvdata, csvfile, load_preset
from bptui.preset.csvdata import CsvOptions, read_csv
from bptui.preset.errors import PresetError
from tests.test_bad_input import assert_one_error
from tests.test_csv import _write, csv_preset, points, table_text, train


def feature_file(tmp_path, cells: dict[int, str] | None = None, n: int = 60, name: str = "a"):
    """Columns `name`, b, y (y depends on the first column); cells: row index → first cell."""
    x, y = points(n)
    rows = [[f"{a:.9f}", f"{b:.9f}", c] for (a, b), c in zip(x, y)]
    for i, cell in (cells or {}).items():
        rows[i][0] = cell
    return _write(tmp_path, table_text([name, "b", "y"], rows))


# ----- one bad cell -----------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["n/a", "?", "1.2.3", "0.5x", "\x1b[2J"])
def test_one_bad_cell_in_a_numeric_column_is_an_error_naming_it(tmp_path, capsys, cell):
    path = feature_file(tmp_path, {10: cell})
    rc, out, err = train(["--csv", str(path), "--target", "y", "--steps", "1"], capsys)
    line = assert_one_error(
        rc,
        out,
        err,
        file=str(path),
        key="row 12, column 'a'",
        says=f"{cell!r} is not a finite number",
    )
    assert "\x1b" not in err and 'missing = "drop_rows" or "mean"' in line
    rc, out, err = train([str(csv_preset(tmp_path, None, name=path.name)), "--steps", "1"], capsys)
    assert_one_error(rc, out, err, file=str(path), key="row 12, column 'a'", says="ignore = ['a']")


def test_bad_cells_in_later_rows_are_counted_in_the_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(csvfile, "CHUNK_ROWS", 8)
    path = feature_file(tmp_path, {3: "oops", 30: "-", 50: "n.a."})
    rc, out, err = train(["--csv", str(path), "--target", "y", "--steps", "1"], capsys)
    assert_one_error(
        rc,
        out,
        err,
        file=str(path),
        key="row 5, column 'a'",
        says="'oops' is not a finite number (3 such cells in the column",
    )


def test_a_number_with_thousands_separators_is_an_error_with_a_hint(tmp_path, capsys):
    x, y = points(30)
    rows = [[f'"{int(a * 1e6) + 5_000_000:,}"', f"{b:.6f}", c] for (a, b), c in zip(x, y)]
    path = _write(tmp_path, table_text(["income", "b", "y"], rows))
    rc, out, err = train(["--csv", str(path), "--target", "y", "--steps", "1"], capsys)
    cell = rows[0][0].strip('"')
    assert_one_error(
        rc,
        out,
        err,
        file=str(path),
        key="row 2, column 'income'",
        says=f"a thousands separator? write {cell.replace(',', '')!r}",
    )
    one = feature_file(tmp_path, {7: '"5,185"'})
    rc, out, err = train(["--csv", str(one), "--target", "y", "--steps", "1"], capsys)
    assert_one_error(rc, out, err, file=str(one), key="row 9, column 'a'", says="'5185'")


@pytest.mark.parametrize("missing", ["drop_rows", "mean"])
def test_bad_cells_are_missing_values_when_missing_says_so(tmp_path, capsys, missing):
    path = feature_file(tmp_path, {10: "n/a", 20: '"5,185"'})
    table = read_csv(path, CsvOptions("y", missing=missing))
    assert table.features == ("a", "b")
    assert table.notices[0].startswith(
        f"{path}: 2 cells that are not a number (the first: row "
        f"12, column 'a', 'n/a') taken as missing"
    )
    assert table.x.shape == ((58, 2) if missing == "drop_rows" else (60, 2))
    rc, _, err = train(
        ["--csv", str(path), "--target", "y", "--missing", missing, "--steps", "1"], capsys
    )
    assert rc == 0 and "2 cells that are not a number" in err


def test_a_mostly_text_column_stays_an_error_whatever_missing_says(tmp_path, capsys):
    x, y = points(30)
    rows = [["MF"[i % 2] if i % 5 else str(i), *r, c] for i, (r, c) in enumerate(zip(x, y))]
    path = _write(tmp_path, table_text(["sex", "a", "b", "y"], rows))
    rc, out, err = train(
        ["--csv", str(path), "--target", "y", "--missing", "drop_rows", "--steps", "1"], capsys
    )
    line = assert_one_error(
        rc, out, err, file=str(path), key="row 3, column 'sex'", says="ignore = ['sex']"
    )
    assert "drop_rows" not in line


def test_only_a_different_text_in_every_row_and_no_number_is_an_id(tmp_path):
    x, y = points(30)
    ids = [f"s{i:03d}" for i in range(30)]
    _write(tmp_path, table_text(["name", "a", "y"], [[k, r[0], c] for k, r, c in zip(ids, x, y)]))
    table = read_csv(tmp_path / "d.csv", CsvOptions("y"))
    assert table.features == ("a",) and "(an ID): left out" in table.notices[0]
    ids[4] = "17"
    _write(tmp_path, table_text(["name", "a", "y"], [[k, r[0], c] for k, r, c in zip(ids, x, y)]))
    with pytest.raises(Exception, match="row 2, column 'name': 's000' is not a finite number"):
        read_csv(tmp_path / "d.csv", CsvOptions("y"))


# ----- row numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, left_out",
    [
        ("x", False),
        ("day", False),
        ("", True),
        ("id", True),
        (" Index ", True),
        ("Unnamed: 0", True),
        ("ROW", True),
        ("idx", True),
    ],
)
def test_a_column_counting_the_rows_is_left_out_only_under_an_index_name(tmp_path, name, left_out):
    x, y = points(40)
    rows = [[i, r[1], int(i >= 20)] for i, (r, c) in enumerate(zip(x, y))]
    _write(tmp_path, table_text([name, "b", "y"], rows))
    table = read_csv(tmp_path / "d.csv", CsvOptions("y"))
    assert table.features == (("b",) if left_out else (name.strip(), "b"))
    assert any("counts the rows" in n for n in table.notices) == left_out


# ----- quotes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tail, row",
    [
        ('5,6,"1\n', 4),
        ('5,6,"1', 4),
        ('5,"6\n', 4),
        ('5,6,"1\n7,8,0\n', 4),
        ('"5,6,1\n7,8,0\n', 4),
        ('5,6,"one\ntwo\n', 4),
    ],
)
@pytest.mark.parametrize("reader", ["fast", "general"])
def test_a_quote_never_closed_is_refused_naming_its_row(
    tmp_path, capsys, monkeypatch, tail, row, reader
):
    if reader == "general":
        monkeypatch.setattr(csvfile, "read_fast", lambda *args: None)
    path = _write(tmp_path, "a,b,y\n1,2,0\n3,4,1\n" + tail)
    rc, out, err = train(["--csv", str(path), "--target", "y", "--steps", "1"], capsys)
    assert_one_error(rc, out, err, file=str(path), key=f"row {row}", says="never closed")


@pytest.mark.parametrize("reader", ["fast", "general"])
def test_quotes_closed_on_the_last_row_are_fine(tmp_path, monkeypatch, reader):
    if reader == "general":
        monkeypatch.setattr(csvfile, "read_fast", lambda *args: None)
    for tail, label in (('5,6,"1"', "1"), ('5,"6",1\n', "1"), ('5,6,"x\ny"\n', "x\ny")):
        path = _write(tmp_path, "a,b,y\n1,2,0\n3,4,1\n" + tail)
        table = read_csv(path, CsvOptions("y"))
        assert table.x.tolist() == [[1, 2], [3, 4], [5, 6]] and table.labels[-1] == label


# ----- values near the float64 limit ------------------------------------------------------------


def huge_file(tmp_path, hole: bool = False):
    """a: values up to ±1.7e308 that decide y; b: ordinary; one missing `a` cell if `hole`."""
    x, y = points(80, seed=5)
    a = np.clip(x[:, 0], -1.7, 1.7) * 1e308
    rows = [[f"{v:.17g}", f"{b:.6f}", c] for v, b, c in zip(a, x[:, 1], y)]
    if hole:
        rows[3][0] = "NA"
    return _write(tmp_path, table_text(["a", "b", "y"], rows))


@pytest.mark.parametrize("hole", [False, True], ids=["full", "mean-filled"])
def test_values_near_the_float64_limit_are_normalized_without_overflow(tmp_path, capsys, hole):
    huge_file(tmp_path, hole)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = load_preset(
            str(
                csv_preset(
                    tmp_path,
                    None,
                    'missing = "mean"\ntest_fraction = 0.25',
                    network="layers = [2, 4, 1]",
                )
            )
        ).data
    assert np.isfinite(data.x_train).all() and np.isfinite(data.x_test).all()
    np.testing.assert_allclose(data.x_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(data.x_train.std(axis=0), 1, rtol=1e-12)
    assert np.isfinite(data.notes["mean"]).all() and np.isfinite(data.notes["std"]).all()
    rc, out, err = train(
        ["--csv", str(tmp_path / "d.csv"), "--target", "y", "--missing", "mean", "--steps", "300"],
        capsys,
    )
    assert rc == 0 and "Warning" not in err and "accuracy 100.0%" in out


def test_normalizing_ordinary_data_is_bit_for_bit_the_plain_formula():
    rng = np.random.default_rng(7)
    for _ in range(50):
        x = rng.normal(size=(40, 3)) * 10.0 ** rng.integers(-30, 30, 3) + rng.integers(-2, 3, 3)
        held = rng.normal(size=(9, 3)) * 10.0 ** rng.integers(-30, 30, 3)
        mean, std = x.mean(axis=0), x.std(axis=0)
        std[std == 0] = 1.0
        x_train, x_test, m, s = csvdata.standardize(x, held, ("a", "b", "c"), "d.csv")
        assert (x_train == (x - mean) / std).all() and (x_test == (held - mean) / std).all()
        assert (m == mean).all() and (s == std).all()


def test_a_held_out_value_too_far_to_normalize_is_refused():
    with pytest.raises(
        PresetError,
        match="d.csv: column 'b': a held-out value \\(1e\\+308\\) is "
        "too far outside the training values",
    ):
        csvdata.standardize(
            np.array([[1.0, 1e-300], [2.0, 3e-300]]), np.array([[1.5, 1e308]]), ("a", "b"), "d.csv"
        )


# ----- classes ----------------------------------------------------------------------------------


def test_a_target_with_too_many_classes_says_so(tmp_path, capsys):
    path = _write(tmp_path, table_text(["a", "y"], [[i % 7, f"L{i}"] for i in range(4100)]))
    rc, out, err = train(["--csv", str(path), "--target", "y", "--steps", "1"], capsys)
    line = assert_one_error(
        rc,
        out,
        err,
        file=str(path),
        key="column 'y'",
        says="has 4,100 different values: too many classes",
    )
    assert "allowed: up to 4,096" in line and "network.layers" not in line
    preset_path = csv_preset(
        tmp_path,
        None,
        network='layers = [1, 4, 3]\noutput_activation = "softmax"\nloss = "cross_entropy"',
    )
    rc, out, err = train([str(preset_path), "--steps", "1"], capsys)
    assert_one_error(rc, out, err, file=str(path), key="column 'y'", says="too many classes")


# ----- notices reach the explorer ---------------------------------------------------------------


def row_number_file(tmp_path):
    """A row-number column `idx` (left out with a notice), a, b, y."""
    x, y = points(40)
    return _write(
        tmp_path,
        table_text(["idx", "a", "b", "y"], [[i, *r, c] for i, (r, c) in enumerate(zip(x, y))]),
    )


async def test_the_explorer_shows_the_notices_about_its_data(tmp_path):
    from bptui.app.main import BptuiApp
    from bptui.preset.fromcsv import preset_from_csv

    preset = preset_from_csv(str(row_number_file(tmp_path)), "y")
    shown = []
    app = BptuiApp(preset=preset)
    app.notify = lambda message, **options: shown.append((message, options))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert [message for message, _ in shown] == list(preset.data.notes["notices"])
        assert "column 'idx' counts the rows (0..39)" in shown[0][0]
        assert shown[0][1]["markup"] is False and shown[0][1]["severity"] == "warning"
        shown.clear()
        app.main_screen.start_session(load_preset("xor"), load_preset("xor").stepper())
        assert shown == []


@contextlib.contextmanager
def web_server(folder, *argv: str):
    """(process, port, log) of `bptui --web ARGV --port N` run in `folder`, ended afterwards with
    every app process it started (they share its process group)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = folder / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "bptui", "--web", *argv, "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=folder,
            env=dict(os.environ, TEXTUAL_ANIMATIONS="none"),
            start_new_session=True,
        )
    try:
        yield server, port, log
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(5)


async def test_a_browser_session_shows_the_notices_about_its_data(tmp_path):
    """Under --web the app's stderr goes to the server's log: the notice must be on the page
    (the app sends the page its screen; the toast's first line holds the words looked for,
    "d.csv: column 'idx' counts the rows", when the file is named relative to the folder)."""
    aiohttp = pytest.importorskip("aiohttp")
    pytest.importorskip("textual_serve")
    path = row_number_file(tmp_path)
    with web_server(tmp_path, "--csv", path.name, "--target", "y") as (server, port, log):
        async with asyncio.timeout(60), aiohttp.ClientSession() as session:
            while True:
                try:
                    websocket = await session.ws_connect(
                        f"http://127.0.0.1:{port}/ws?width=120&height=40"
                    )
                    break
                except aiohttp.ClientConnectionError:
                    assert server.poll() is None, log.read_text()
                    await asyncio.sleep(0.1)
            page = b""
            while "column 'idx' counts the rows" not in re.sub(
                r"\x1b\[[0-9;?]*[A-Za-z]", "", page.decode(errors="replace")
            ):  # no styles
                message = await websocket.receive()
                assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
                if message.type == aiohttp.WSMsgType.BINARY:
                    page += message.data
            await websocket.close()
