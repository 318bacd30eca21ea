"""CSV files as users have them, and files that are not CSV at all.

Safety: only regular files within the size and row limits are read, a preset's `csv` stays in
the preset's folder, and validation refuses networks whose buffers would not fit the memory
budget. Users' files: delimiters, decimal commas, missing values, ID and row-number columns,
`ignore`, quoted newlines, `bptui train --csv`. Every refusal is one line, exit code 2.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from bptui.engine.kernels import Parameters
from bptui.preset import csvdata, csvfile, load_preset
from bptui.preset.csvdata import CsvOptions, read_csv
from bptui.preset.fromcsv import preset_from_csv
from bptui.preset.loader import MEMORY_BUDGET, memory_estimate
from tests.helpers import run_cli
from tests.test_bad_input import assert_one_error, preset, run_main

posix_only = pytest.mark.skipif(os.name != "posix", reason="devices, FIFOs and symlinks")


def csv_preset(
    tmp_path: Path,
    content: str | None,
    data: str = "",
    network: str = "layers = [2, 2, 1]",
    name: str = "d.csv",
    csv_line: str | None = None,
) -> Path:
    """A preset p.toml whose [data] reads `name` (written with `content` unless None)."""
    if content is not None:
        (tmp_path / name).write_text(content, encoding="utf-8")
    lines = csv_line if csv_line is not None else f'csv = "{name}"'
    path = tmp_path / "p.toml"
    path.write_text(
        preset(network=network, data=f'{lines}\ntarget = "y"\n{data}'), encoding="utf-8"
    )
    return path


def train(argv: list[str], capsys) -> tuple[int, str, str]:
    rc = run_main(["train", *argv])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def points(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two features and a 0/1 label that depends on them, (n, 2) and (n,)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    return x, (x[:, 0] + x[:, 1] > 0).astype(int)


def table_text(header: list[str], rows: list[list], delimiter: str = ",") -> str:
    return "\n".join(delimiter.join(str(c) for c in row) for row in [header, *rows]) + "\n"


# ----- which files are read ---------------------------------------------------------------------


@posix_only
def test_csv_option_refuses_dev_zero(capsys):
    rc, out, err = train(["--csv", "/dev/zero", "--target", "y"], capsys)
    assert_one_error(rc, out, err, file="/dev/zero", says="not a regular file")


@posix_only
def test_preset_csv_absolute_path_is_refused_before_opening(tmp_path, capsys):
    path = csv_preset(tmp_path, None, csv_line='csv = "/dev/zero"')
    rc, out, err = train([str(path), "--steps", "1"], capsys)
    assert_one_error(rc, out, err, file=str(path), key="data.csv", says="absolute path")


@posix_only
def test_fifo_is_refused_without_hanging(tmp_path):
    os.mkfifo(tmp_path / "d.csv")
    csv_preset(tmp_path, None)
    for args in (["train", "p.toml", "--steps", "1"], ["train", "--csv", "d.csv", "--target", "y"]):
        result = run_cli(args, tmp_path)  # a hang would hit the helper's timeout
        assert_one_error(result.returncode, result.stdout, result.stderr, says="not a regular file")


def test_preset_csv_leading_out_of_its_folder_is_refused_and_not_quoted(tmp_path, capsys):
    secret = tmp_path / "secret.csv"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    folder = tmp_path / "lesson"
    folder.mkdir()
    path = csv_preset(folder, None, csv_line='csv = "../secret.csv"')
    rc, out, err = train([str(path), "--steps", "1"], capsys)
    assert_one_error(
        rc, out, err, file=str(path), key="data.csv", says="outside the preset's folder"
    )
    assert "/bin/bash" not in err


@posix_only
def test_symlink_out_of_the_preset_folder_is_refused_but_one_inside_is_fine(tmp_path, capsys):
    outside = tmp_path / "outside.csv"
    outside.write_text("a,b,y\n0,0,0\n0,1,1\n1,0,1\n", encoding="utf-8")
    folder = tmp_path / "lesson"
    folder.mkdir()
    (folder / "d.csv").symlink_to(outside)
    path = csv_preset(folder, None)
    rc, out, err = train([str(path), "--steps", "1"], capsys)
    assert_one_error(rc, out, err, file=str(path), key="data.csv", says="outside")
    (folder / "real.csv").write_text(outside.read_text(), encoding="utf-8")
    (folder / "d.csv").unlink()
    (folder / "d.csv").symlink_to(folder / "real.csv")
    assert load_preset(str(path)).data.x_train.shape == (3, 2)


def test_csv_option_reads_files_anywhere_and_the_preset_keeps_them_beside_it(tmp_path):
    data = tmp_path / "elsewhere" / "points.csv"
    data.parent.mkdir()
    x, y = points()
    data.write_text(table_text(["a", "b", "y"], [[*r, c] for r, c in zip(x, y)]))
    built = preset_from_csv(str(data), "y")
    assert built.doc["data"]["csv"] == "points.csv" and built.base == data.parent.resolve()


def test_file_over_the_size_limit(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(csvfile, "MAX_BYTES", 100)
    path = csv_preset(tmp_path, "a,b,y\n" + "1,2,1\n" * 50)
    rc, out, err = train([str(path), "--steps", "1"], capsys)
    assert_one_error(rc, out, err, file=str(tmp_path / "d.csv"), says="too large")


@pytest.mark.parametrize("first", ["1", "NA"], ids=["fast-reader", "general-reader"])
def test_row_limit_stops_reading_before_the_end(tmp_path, capsys, monkeypatch, first):
    """The rows after the limit are never parsed: the broken last row would be reported."""
    monkeypatch.setattr(csvfile, "MAX_ROWS", 10)
    text = f"a,b,y\n{first},1,x1\n" + "".join(f"{i % 3},{i % 5},x{i % 2}\n" for i in range(5000))
    path = csv_preset(tmp_path, text + "1,2,3,4,5\n")
    rc, out, err = train([str(path), "--steps", "1"], capsys)
    assert_one_error(rc, out, err, file=str(tmp_path / "d.csv"), says="more than 10 data rows")


def test_cell_limit_lowers_the_row_limit(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(csvfile, "MAX_CELLS", 30)
    path = csv_preset(tmp_path, "a,b,y\n" + "1,2,1\n0,3,0\n" * 10)
    rc, out, err = train([str(path), "--steps", "1"], capsys)
    assert_one_error(rc, out, err, file=str(tmp_path / "d.csv"), says="more than 10 data rows")


# ----- memory -----------------------------------------------------------------------------------


def test_wide_network_on_many_samples_is_refused_at_load(tmp_path, capsys):
    text = preset(
        network='layers = [2, 4096, 200, 3]\noutput_activation = "softmax"\nloss = "cross_entropy"',
        data='generator = "spiral"\nsamples = 100000',
    )
    path = tmp_path / "big.toml"
    path.write_text(text, encoding="utf-8")
    rc, out, err = train([str(path), "--steps", "1"], capsys)
    line = assert_one_error(rc, out, err, file=str(path), key="network.layers", says="GB")
    assert "100,000" in line and "4,299 units" in line and "1 GB" in line


def test_memory_estimate_covers_what_the_engine_allocates():
    """For a mid-sized preset the estimate is at least the bytes of the arrays the stepper holds
    after a step, a loss evaluation of both sets and a full state (without the decision map)."""
    text = preset(
        network="layers = [3, 40, 30, 2]",
        training='batch_size = 16\noptimizer = "adam"',
        data="inputs = "
        + str(np.random.default_rng(0).normal(size=(60, 3)).tolist())
        + "\ntargets = "
        + str(np.eye(2)[np.arange(60) % 2].tolist()),
    )
    from bptui.preset import preset_from_text

    loaded = preset_from_text(text, "m.toml", "m", Path("."))
    stepper = loaded.stepper()
    stepper.run(3)
    stepper.record_loss()
    state = stepper.state()
    arrays = [loaded.data.x_train, loaded.data.y_train, loaded.data.x_test, loaded.data.y_test]
    for ws in [*stepper._workspaces.values(), *stepper._eval_workspaces.values()]:
        arrays += [ws.x, ws.y, ws.ones, ws.lse, *ws.z, *ws.a, *ws.delta, *ws.scratch]
    arrays += [*state.z, *state.a, *state.delta]
    for value in vars(stepper).values():  # parameter vectors and optimizer state
        arrays += [value.flat] if isinstance(value, Parameters) else []
        arrays += [value] if isinstance(value, np.ndarray) and value.size > 60 else []
    held = sum(a.nbytes for a in arrays)
    estimate = memory_estimate((3, 40, 30, 2), 60, 0, 16)
    assert held <= estimate <= 1.5 * held


def test_memory_budget_admits_the_bundled_presets():
    for name in ("digits", "spiral", "iris"):
        data = load_preset(name).data
        assert (
            memory_estimate(
                load_preset(name).network.layers,
                data.x_train.shape[0],
                data.x_test.shape[0],
                data.x_train.shape[0],
            )
            < MEMORY_BUDGET
        )


# ----- delimiters, decimals, quoting ------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_delimiter_is_detected(tmp_path, delimiter):
    x, y = points()
    (tmp_path / "d.csv").write_text(
        table_text(["a", "b", "y"], [[*r, c] for r, c in zip(x, y)], delimiter)
    )
    table = read_csv(tmp_path / "d.csv", CsvOptions("y"))
    assert table.features == ("a", "b")
    np.testing.assert_array_equal(table.x, np.array([[float(str(v)) for v in r] for r in x]))


def test_delimiter_given_in_the_preset(tmp_path):
    path = csv_preset(
        tmp_path, "a|b;c;y\n1;2;0\n3;4;1\n5;6;1\n", 'delimiter = ";"', network="layers = [2, 2, 1]"
    )
    assert load_preset(str(path)).data.feature_names == ("a|b", "c")


def test_decimal_commas_detected_and_given(tmp_path):
    text = "a;b;y\n1,5;2;0,25\n-3,25;4;1,5\n5;6,125;2,75\n7;1;3\n"
    table = read_csv(_write(tmp_path, text), CsvOptions("y"))
    np.testing.assert_array_equal(table.x, [[1.5, 2], [-3.25, 4], [5, 6.125], [7, 1]])
    assert table.labels == ["0.25", "1.5", "2.75", "3"]
    path = csv_preset(
        tmp_path,
        text,
        'decimal = ","',
        network='layers = [2, 2, 1]\noutput_activation = "linear"\nloss = "mse"',
    )
    assert load_preset(str(path)).data.task == "regression"


def _write(tmp_path: Path, text: str, name: str = "d.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_quoted_newlines_and_delimiters_survive(tmp_path):
    text = 'a,b,y\n1,2,"two\nlines"\n3,4,"one, two"\n5,6,"two\nlines"\n7,8,"one, two"\n'
    loaded = load_preset(str(csv_preset(tmp_path, text, network="layers = [2, 2, 1]")))
    # one class per quoted label, newline and all; shown with the newline made visible
    assert loaded.data.class_names == ("one, two", "two\\nlines")
    header = '"a\nfirst",b,y\n1,2,0\n3,4,1\n5,6,0\n'
    assert read_csv(_write(tmp_path, header), CsvOptions("y")).features == ("a\nfirst", "b")


def test_byte_order_mark_is_skipped(tmp_path):
    (tmp_path / "d.csv").write_bytes("\ufeffa,b,y\n1,2,0\n3,4,1\n".encode("utf-8"))
    assert read_csv(tmp_path / "d.csv", CsvOptions("y")).features == ("a", "b")


def test_fast_and_general_readers_agree(tmp_path, monkeypatch):
    rng = np.random.default_rng(3)
    rows = [
        [f"{v:.17g}" for v in rng.normal(size=4) * 10.0 ** rng.integers(-5, 5, 4)]
        + [" 1e3", '"2.5"', "-0", str(rng.integers(0, 3))]
        for _ in range(300)
    ]
    path = _write(tmp_path, table_text(["a", "b", "c", "d", "e", "f", "g", "y"], rows))
    real, used = csvfile.read_fast, []
    monkeypatch.setattr(csvfile, "read_fast", lambda *args: used.append(real(*args)) or used[-1])
    fast = read_csv(path, CsvOptions("y", ignore=("c",)))
    assert used[0] is not None
    monkeypatch.setattr(csvfile, "read_fast", lambda *args: None)
    general = read_csv(path, CsvOptions("y", ignore=("c",)))
    assert fast.x.tobytes() == general.x.tobytes() and fast.labels == general.labels
    assert fast.features == general.features == ("a", "b", "d", "e", "f", "g")


# ----- missing values ---------------------------------------------------------------------------


def holey_file(tmp_path: Path, target_cell: str = "1") -> Path:
    """20 rows; missing feature cells in rows 3, 5, 7 (lines), one target cell as given in row 9."""
    rows = []
    for i in range(20):
        a, b = str(i % 7 * 0.5), str(i % 3)
        if i in (1, 3):
            a = ["", "NA"][i == 3]
        if i == 5:
            b = "null"
        rows.append([a, b, target_cell if i == 7 else str(i % 2)])
    return _write(tmp_path, table_text(["a", "b", "y"], rows))


def test_missing_values_reported_with_count_and_first_rows(tmp_path, capsys):
    holey_file(tmp_path)
    path = csv_preset(tmp_path, None)
    rc, out, err = train([str(path), "--steps", "1"], capsys)
    line = assert_one_error(
        rc, out, err, file=str(tmp_path / "d.csv"), key="row 3, column 'a'", says="3 missing values"
    )
    assert "3 rows (rows 3, 5, 7; columns 'a', 'b')" in line and "drop_rows" in line


@pytest.mark.parametrize("cell", ["NA", "nan", "NULL", ""])
def test_missing_numeric_target_is_never_a_class(tmp_path, capsys, cell):
    rows = [[i % 5, i % 3, f"{i * 0.37:.2f}"] for i in range(215)]
    rows[40][2] = cell
    _write(tmp_path, table_text(["a", "b", "y"], rows))
    path = csv_preset(
        tmp_path, None, network='layers = [2, 4, 1]\noutput_activation = "linear"\nloss = "mse"'
    )
    rc, out, err = train([str(path), "--steps", "1"], capsys)
    assert_one_error(
        rc, out, err, file=str(tmp_path / "d.csv"), key="row 42, column 'y'", says="missing target"
    )
    rc, out, err = train(
        ["--csv", str(tmp_path / "d.csv"), "--target", "y", "--steps", "1"], capsys
    )
    assert_one_error(rc, out, err, says="1 missing value")
    path = csv_preset(
        tmp_path,
        None,
        'missing = "drop_rows"',
        network='layers = [2, 4, 1]\noutput_activation = "linear"\nloss = "mse"',
    )
    data = load_preset(str(path)).data
    assert data.task == "regression" and data.x_train.shape == (214, 2)


def test_missing_class_target_is_not_a_class(tmp_path, capsys):
    rows = [[i % 5, i % 3, ["setosa", "versicolor", "virginica"][i % 3]] for i in range(30)]
    rows[4][2] = "NA"
    _write(tmp_path, table_text(["a", "b", "y"], rows))
    path = csv_preset(tmp_path, None, network="layers = [2, 4, 3]")
    rc, out, err = train([str(path), "--steps", "1"], capsys)
    assert_one_error(
        rc, out, err, key="row 6, column 'y'", file=str(tmp_path / "d.csv"), says="missing target"
    )
    path = csv_preset(
        tmp_path,
        None,
        'missing = "drop_rows"\nnormalize = false',
        network='layers = [2, 4, 3]\noutput_activation = "softmax"\nloss = "cross_entropy"',
    )
    assert load_preset(str(path)).data.class_names == ("setosa", "versicolor", "virginica")


def test_missing_drop_rows_and_mean(tmp_path, capsys):
    holey_file(tmp_path)
    dropped = load_preset(str(csv_preset(tmp_path, None, 'missing = "drop_rows"'))).data
    assert dropped.x_train.shape == (17, 2)
    assert "3 rows (rows 3, 5, 7" in dropped.notes["notices"][0]
    filled = load_preset(
        str(csv_preset(tmp_path, None, 'missing = "mean"\nnormalize = false\ntest_fraction = 0.25'))
    ).data
    assert np.isfinite(filled.x_train).all() and np.isfinite(filled.x_test).all()
    assert filled.x_train.shape[0] + filled.x_test.shape[0] == 20
    assert "filled with the mean" in filled.notes["notices"][0]
    holey_file(tmp_path, target_cell="NA")
    rc, out, err = train(
        [str(csv_preset(tmp_path, None, 'missing = "mean"')), "--steps", "1"], capsys
    )
    assert_one_error(rc, out, err, file=str(tmp_path / "d.csv"), says="missing target")


def test_mean_uses_the_training_rows_only(tmp_path):
    x = np.arange(1, 41, dtype=float).reshape(20, 2)
    rows = [[f"{a:g}", f"{b:g}", i % 2] for i, (a, b) in enumerate(x)]
    rows[0][0] = "NA"
    _write(tmp_path, table_text(["a", "b", "y"], rows))
    data = load_preset(
        str(csv_preset(tmp_path, None, 'missing = "mean"\nnormalize = false\ntest_fraction = 0.5'))
    ).data
    known = set(x[1:, 0])
    train_a = [v for v in data.x_train[:, 0] if v in known]
    filled = [v for v in np.concatenate([data.x_train[:, 0], data.x_test[:, 0]]) if v not in known]
    assert filled == [pytest.approx(np.mean(train_a))]


# ----- columns left out -------------------------------------------------------------------------


@pytest.mark.parametrize("first", [0, 1])
def test_row_number_column_is_left_out_with_a_notice(tmp_path, capsys, first):
    x, y = points()
    rows = [[i + first, *r, c] for i, (r, c) in enumerate(zip(x, y))]
    _write(tmp_path, table_text(["", "a", "b", "y"], rows))
    data = load_preset(str(csv_preset(tmp_path, None))).data
    assert data.feature_names == ("a", "b")
    assert f"counts the rows ({first}..{39 + first})" in data.notes["notices"][0]
    rc, out, err = train(
        ["--csv", str(tmp_path / "d.csv"), "--target", "y", "--steps", "1"], capsys
    )
    assert rc == 0 and err.count("\n") == 1 and "column '' counts the rows" in err


def test_unique_text_id_is_left_out_and_other_text_is_an_error(tmp_path, capsys):
    x, y = points()
    _write(
        tmp_path,
        table_text(
            ["id", "a", "b", "y"], [[f"s{i:03d}", *r, c] for i, (r, c) in enumerate(zip(x, y))]
        ),
    )
    data = load_preset(str(csv_preset(tmp_path, None))).data
    assert data.feature_names == ("a", "b") and "(an ID)" in data.notes["notices"][0]
    _write(
        tmp_path,
        table_text(
            ["sex", "a", "b", "y"], [["MF"[i % 2], *r, c] for i, (r, c) in enumerate(zip(x, y))]
        ),
    )
    path = csv_preset(tmp_path, None)
    rc, out, err = train([str(path), "--steps", "1"], capsys)
    assert_one_error(
        rc,
        out,
        err,
        file=str(tmp_path / "d.csv"),
        key="row 2, column 'sex'",
        says="ignore = ['sex']",
    )
    assert (
        load_preset(str(csv_preset(tmp_path, None, 'ignore = ["sex"]'))).data.notes["notices"] == ()
    )
    rc, out, err = train(
        [
            "--csv",
            str(tmp_path / "d.csv"),
            "--target",
            "y",
            "--ignore",
            "sex",
            "--steps",
            "1",
            "--json",
        ],
        capsys,
    )
    assert rc == 0 and err == "" and json.loads(out)["steps"] == 1


# ----- bptui train --csv ------------------------------------------------------------------------


def test_train_csv_works_like_the_explorer(tmp_path, capsys):
    x, y = points(60)
    _write(
        tmp_path,
        table_text(
            ["a", "b", "noise", "y"], [[*r, i % 7, c] for i, (r, c) in enumerate(zip(x, y))]
        ),
    )
    rc, out, err = train(
        [
            "--csv",
            str(tmp_path / "d.csv"),
            "--target",
            "y",
            "--layers",
            "2,4,1",
            "--ignore",
            "noise",
            "--steps",
            "200",
            "--json",
        ],
        capsys,
    )
    result = json.loads(out)
    assert rc == 0 and result["accuracy"] > 0.8 and len(result["layers"][0]["W"]) == 4


@pytest.mark.parametrize(
    "args, says",
    [
        (["--csv", "d.csv"], "--csv needs --target"),
        (["xor", "--csv", "d.csv", "--target", "y"], "not both"),
        (["--target", "y"], "--target goes with --csv"),
        (["xor", "--ignore", "a"], "--ignore goes with --csv"),
        ([], "needs a PRESET or --csv"),
        (["--csv", "", "--target", "y"], "--csv"),
        (["--csv", "d.csv", "--target", "y", "--ignore", ""], "--ignore"),
        (["--csv", "d.csv", "--target", "y", "--ignore", "a,,b"], "empty item"),
        (["--csv", "d.csv", "--target", "y", "--layers", ""], "--layers"),
        (["--csv", "d.csv", "--target", "y", "--ignore", "zz"], "column 'zz'"),
        (["--csv", "d.csv", "--target", "y", "--ignore", "y"], "cannot be ignored"),
        (["--csv", "d.csv", "--target", "y", "--missing", "drop"], "invalid choice"),
    ],
)
def test_train_csv_bad_arguments(tmp_path, capsys, monkeypatch, args, says):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    rc, out, err = train(args, capsys)
    assert_one_error(rc, out, err, says=says)


# ----- the new preset keys ----------------------------------------------------------------------

GOOD = "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"


@pytest.mark.parametrize(
    "data, key, says",
    [
        ('delimeter = ";"', "data.delimeter", "did you mean delimiter"),
        ('delimiter = "|"', "data.delimiter", "not supported"),
        ('delimiter = "tab"', "data.delimiter", 'did you mean "\\t"'),
        ("delimiter = 1", "data.delimiter", "expected a string"),
        ('decimal = ";"', "data.decimal", "not supported"),
        ('decimal = ","\ndelimiter = ","', "data.decimal", "cannot be both"),
        ('missing = "drop"', "data.missing", "did you mean 'drop_rows'"),
        ("missing = true", "data.missing", "expected a string"),
        ('ignore = "a"', "data.ignore", "array of column names"),
        ("ignore = [1]", "data.ignore", "array of column names"),
        ('ignore = [""]', "data.ignore", "array of column names"),
        ('normalize = "no"', "data.normalize", "true or false"),
        ('csv = ""', "data.csv", "must not be empty"),
    ],
)
def test_bad_csv_keys(tmp_path, capsys, data, key, says):
    text = data if data.startswith("csv") else f'csv = "d.csv"\n{data}'
    path = csv_preset(tmp_path, GOOD, csv_line=text)
    rc, out, err = train([str(path), "--steps", "1"], capsys)
    assert_one_error(rc, out, err, file=str(path), key=key, says=says)


def test_ignore_names_a_missing_column(tmp_path, capsys):
    path = csv_preset(tmp_path, GOOD, 'ignore = ["zz"]')
    rc, out, err = train([str(path), "--steps", "1"], capsys)
    assert_one_error(
        rc, out, err, file=str(tmp_path / "d.csv"), key="column 'zz'", says="column not found"
    )


def test_csv_inputs_are_normalized_unless_normalize_false(tmp_path):
    x, y = points(50)
    _write(tmp_path, table_text(["a", "b", "y"], [[*(r * 100 + 7), c] for r, c in zip(x, y)]))
    normalized = load_preset(str(csv_preset(tmp_path, None))).data.x_train
    np.testing.assert_allclose(normalized.mean(axis=0), 0, atol=1e-12)
    raw = load_preset(str(csv_preset(tmp_path, None, "normalize = false"))).data.x_train
    assert abs(raw.mean()) > 1


def test_a_table_kept_for_the_preset_is_read_once(tmp_path, monkeypatch):
    x, y = points()
    path = _write(tmp_path, table_text(["a", "b", "y"], [[*r, c] for r, c in zip(x, y)]))
    calls = []
    real = csvfile.read_cells
    monkeypatch.setattr(csvfile, "read_cells", lambda *a: calls.append(1) or real(*a))
    preset_from_csv(str(path), "y")
    assert calls == [1] and csvdata._cache == {}


def test_text_after_the_first_chunk_is_an_error_at_its_row(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(csvfile, "CHUNK_ROWS", 8)
    rows = [[i % 3, i % 4, i % 2] for i in range(30)]
    rows[20][1] = "oops"
    _write(tmp_path, table_text(["a", "b", "y"], rows))
    rc, out, err = train([str(csv_preset(tmp_path, None)), "--steps", "1"], capsys)
    assert_one_error(
        rc, out, err, file=str(tmp_path / "d.csv"), key="row 22, column 'b'", says="ignore = ['b']"
    )


def test_a_header_longer_than_the_sniffed_head(tmp_path):
    names = [f"feature_number_{j:05d}" for j in range(2000)] + ["y"]
    rows = [[*np.random.default_rng(i).normal(size=2000).round(3), i % 2] for i in range(5)]
    table = read_csv(_write(tmp_path, table_text(names, rows)), CsvOptions("y"))
    assert table.x.shape == (5, 2000) and table.features[-1] == "feature_number_01999"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_line_endings(tmp_path, newline):
    (tmp_path / "d.csv").write_bytes(newline.join(["a,b,y", "1,2,0", "3,4,1", ""]).encode())
    table = read_csv(tmp_path / "d.csv", CsvOptions("y"))
    assert table.x.tolist() == [[1, 2], [3, 4]] and table.labels == ["0", "1"]
