"""Sessions continue bit for bit; exported weights round-trip, also as a preset."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bptui.commands.cli import main
from bptui.export import save_weights
from bptui.preset import PresetError, load_preset
from bptui.session import load_session, save_session
from tests.helpers import fingerprint


@pytest.mark.parametrize("name", ["xor", "moons", "iris"])
def test_a_saved_session_continues_bit_for_bit(tmp_path, name):
    preset = load_preset(name)
    uninterrupted = preset.stepper()
    uninterrupted.run(7)
    for _ in range(3):
        uninterrupted.micro_step()
    interrupted = preset.stepper()
    interrupted.run(7)
    for _ in range(3):
        interrupted.micro_step()
    save_session(tmp_path / "s.npz", preset, interrupted)
    _, resumed = load_session(tmp_path / "s.npz")
    assert resumed.position == uninterrupted.position
    uninterrupted.run(20)
    resumed.run(20)
    assert fingerprint(resumed) == fingerprint(uninterrupted)


def test_saving_over_an_existing_session_is_atomic(tmp_path, monkeypatch):
    preset = load_preset("xor")
    stepper = preset.stepper()
    target = tmp_path / "s.npz"
    save_session(target, preset, stepper)
    before = target.read_bytes()

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.replace", broken)
    stepper.run(5)
    with pytest.raises(PresetError):
        save_session(target, preset, stepper)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.npz"]


def test_bad_session_files(tmp_path, capsys):
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    for path in (tmp_path / "junk.npz", tmp_path / "missing.npz"):
        assert main(["--session", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("bptui: error: ") and path.name in err


@pytest.mark.parametrize("suffix", [".json", ".npz", ".toml"])
def test_weights_export_round_trip(tmp_path, suffix):
    preset = load_preset("spiral")
    stepper = preset.stepper()
    stepper.run(10)
    [path] = save_weights(tmp_path / f"w{suffix}", preset, stepper)
    if suffix == ".json":
        layers = json.loads(path.read_text())["layers"]
        loaded = [(np.array(l["W"]), np.array(l["b"])) for l in layers]
    elif suffix == ".npz":
        with np.load(path) as archive:
            loaded = [(archive[f"W{l}"], archive[f"b{l}"]) for l in range(stepper.depth)]
    else:
        shared = load_preset(str(path))
        loaded = shared.weights
        assert shared.stepper().params.flat.tobytes() == stepper.params.flat.tobytes()
    for (w, b), w0, b0 in zip(loaded, stepper.weights, stepper.biases):
        assert w.tobytes() == w0.tobytes() and b.tobytes() == b0.tobytes()


def test_train_save_weights(tmp_path, capsys):
    target = tmp_path / "xor-trained.toml"
    assert main(["train", "xor", "--steps", "100", "--save-weights", str(target)]) == 0
    capsys.readouterr()
    assert main(["train", str(target), "--steps", "0", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert main(["train", "xor", "--steps", "100", "--json"]) == 0
    reference = json.loads(capsys.readouterr().out)
    assert result["loss"][0] == reference["loss"][-1]


def test_save_weights_bad_format(tmp_path, capsys):
    assert main(["train", "xor", "--steps", "1", "--save-weights", str(tmp_path / "w.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "w.txt" in err and ".npz" in err


async def test_ctrl_s_and_ctrl_e_in_the_app(tmp_path, monkeypatch):
    from bptui.app.main import BptuiApp

    monkeypatch.chdir(tmp_path)
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s", "s", "f", "ctrl+s", "ctrl+e")
        expected = fingerprint(app.main_screen.stepper)
    _, resumed = load_session(tmp_path / "bptui-session-xor.npz")
    assert fingerprint(resumed) == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bptui-session-xor.npz",
        "xor-step2-weights.json",
        "xor-step2-weights.npz",
        "xor-step2-weights.toml",
    ]


def test_csv_builds_a_preset(tmp_path, capsys):
    from bptui.preset.fromcsv import preset_from_csv

    data = tmp_path / "flowers.csv"
    rows = ["a,b,kind"] + [f"{i % 7},{(i * 3) % 5},{'xy'[i % 2]}" for i in range(30)]
    data.write_text("\n".join(rows) + "\n")
    preset = preset_from_csv(str(data), "kind")
    assert preset.data.task == "classification" and preset.network.layers[-1] == 1
    numeric = tmp_path / "numbers.csv"
    numeric.write_text("x,y\n" + "".join(f"{i / 2},{i * 0.37}\n" for i in range(20)))
    regression = preset_from_csv(str(numeric), "y", "1,5,1")
    assert regression.data.task == "regression" and regression.network.layers == (1, 5, 1)


@pytest.mark.parametrize(
    "content, args, key",
    [
        ("a,b\n1,2\n", ["--target", "c"], "column 'c'"),
        ("a,b\n1,2\n3\n", ["--target", "b"], "row 3"),
        ("a,b\nx,2\n", ["--target", "b"], "row 2, column 'a'"),
        ("", ["--target", "b"], "empty"),
        ("a,b\n1,2\n2,3\n", ["--target", "b", "--layers", "1,4,3"], "--layers"),
        ("a,b\n1,2\n2,3\n", ["--target", "b", "--layers", "1,x"], "--layers"),
        ("a,b\n1,2\n2,3\n", [], "--target"),
    ],
)
def test_bad_csv_gets_one_line(tmp_path, capsys, content, args, key):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    code = main(["--csv", str(path), *args])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("bptui: error: ")
    assert key in err


def test_a_csv_preset_exports_with_its_data(tmp_path, capsys):
    """A preset may only name data in its own folder: the exported preset brings a copy."""
    target = tmp_path / "out" / "iris-trained.toml"
    target.parent.mkdir()
    assert main(["train", "iris", "--steps", "20", "--json", "--save-weights", str(target)]) == 0
    trained = json.loads(capsys.readouterr().out)
    assert sorted(p.name for p in target.parent.iterdir()) == [
        "iris-trained.csv",
        "iris-trained.toml",
    ]
    assert main(["train", str(target), "--steps", "0", "--json"]) == 0
    reloaded = json.loads(capsys.readouterr().out)
    assert reloaded["loss"][0] == trained["loss"][-1]
    assert reloaded["accuracy"] == trained["accuracy"]


def test_a_zip_of_files_is_the_same_for_the_same_files_and_holds_them_all():
    import io
    import zipfile

    from bptui.export import zip_bytes

    files = {"a.json": b"{}", "dir/b.npz": b"\x00" * 1000, "c.toml": "é = 1\n".encode()}
    archive = zip_bytes(files)
    assert zip_bytes(dict(files)) == archive  # no time stamp of its own: reproducible
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.namelist() == ["a.json", "b.npz", "c.toml"]  # names only, no folders
        assert [opened.read(name) for name in opened.namelist()] == list(files.values())
        assert {info.external_attr >> 16 & 0o777 for info in opened.infolist()} == {0o600}
