"""Nothing lost, nothing read that was not asked for.

1. a set of files is written all or nothing: when one cannot be written, every target keeps
   its previous content and mode (and a new one is not left behind);
2. a file the user did not name (the data copy X.csv beside a weights preset X.toml) is never
   replaced; every file written is named;
3. written files get the user's umask, and a replaced file keeps its mode;
4. a session resolves its data from itself (a copy it carries), never from a folder it names,
   and stores no path of the machine that saved it; an error never prints a file's content;
5. a destination folder is checked up front: a real directory a file can be created in.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest
from textual.widgets import Static

from bptui.commands.cli import main
from bptui.export import check_destination, save_weights, write_files
from bptui.preset import PresetError, load_preset
from bptui.preset.loader import presets_dir
from bptui.session import load_session, save_session, session_bytes
from tests.test_bad_input import assert_one_error, run_main
from tests.test_hostile import contents, disk_full_at, rewrite

SECRET = "SECRET-LINE-do-not-print"


@pytest.fixture
def no_training(monkeypatch):
    """Training must not start when the destination is bad."""
    monkeypatch.setattr(
        "bptui.commands.train.run_with_progress",
        lambda *a, **k: pytest.fail("trained before checking the destination"),
    )


@pytest.fixture
def umask():
    """Set the process umask for one test (restored after it)."""
    saved = []

    def set_umask(mask: int) -> None:
        saved.append(os.umask(mask))

    yield set_umask
    if saved:
        os.umask(saved[0])


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def holds(data: bytes, text: str) -> bool:
    """Whether `data` holds `text` as UTF-8 or as the UTF-32 of a NumPy text member."""
    return text.encode() in data or text.encode("utf-32-le") in data


def leftovers(folder: Path) -> list[str]:
    """Temporary or backup files left in `folder`."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def csv_preset(folder: Path, name: str = "p") -> Path:
    """A small classification preset `name`.toml with its data in d.csv beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = "\n".join(f"{a},{b},{(a + b) % 2}" for a in range(4) for b in range(4))
    (folder / "d.csv").write_text(f"a,b,y\n{rows}\n")
    path = folder / f"{name}.toml"
    path.write_text(
        'title = "p"\n[network]\nlayers = [2, 3, 1]\n[data]\ncsv = "d.csv"\ntarget = "y"\n'
    )
    return path


# --------------------------------------------------------------------------------------------
# 1. All or nothing


def test_a_failed_save_weights_keeps_the_previous_file(tmp_path, capsys, monkeypatch):
    """A folder named like the data copy: the old out.toml stays (it was deleted before)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out.toml").write_text("PREVIOUS\n")
    (tmp_path / "out.csv").mkdir()
    rc = run_main(["train", "iris", "--steps", "5", "--save-weights", "out.toml"])
    captured = capsys.readouterr()
    assert_one_error(rc, captured.out, captured.err, file="out.csv")
    assert (tmp_path / "out.toml").read_text() == "PREVIOUS\n"
    assert leftovers(tmp_path) == []


def test_a_folder_in_the_way_replaces_nothing(tmp_path):
    (tmp_path / "a.toml").write_text("PREVIOUS")
    (tmp_path / "a.csv").mkdir()
    with pytest.raises(PresetError, match="a.csv: cannot write"):
        write_files({str(tmp_path / "a.toml"): b"new", str(tmp_path / "a.csv"): b"data"})
    assert (tmp_path / "a.toml").read_text() == "PREVIOUS"
    assert (tmp_path / "a.csv").is_dir() and leftovers(tmp_path) == []


def test_a_failed_rename_puts_back_the_files_already_replaced(tmp_path, monkeypatch):
    """The third rename fails: the first two targets get their old content and mode back, a
    target that did not exist is not created, and no temporary or backup file remains."""
    first, second, third = (tmp_path / n for n in ("w.json", "w.npz", "w.toml"))
    first.write_text("OLD JSON")
    first.chmod(0o640)
    second.write_text("OLD NPZ")
    second.chmod(0o604)
    real_replace, renames = os.replace, []

    def failing_replace(src, dst):
        renames.append(dst)
        if len(renames) == 3:
            raise OSError(5, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr("os.replace", failing_replace)
    with pytest.raises(PresetError, match="w.toml: cannot write"):
        write_files({str(first): b"new", str(second): b"new", str(third): b"new"})
    monkeypatch.undo()
    assert first.read_text() == "OLD JSON" and mode(first) == 0o640
    assert second.read_text() == "OLD NPZ" and mode(second) == 0o604
    assert not third.exists() and leftovers(tmp_path) == []


def test_a_full_disk_keeps_every_previous_file(tmp_path, monkeypatch):
    targets = [tmp_path / n for n in ("w.json", "w.npz", "w.toml")]
    for target in targets:
        target.write_text(f"OLD {target.suffix}")
    monkeypatch.setattr("os.fsync", disk_full_at(3))
    with pytest.raises(PresetError, match="No space left"):
        write_files({str(target): b"new" for target in targets})
    assert [t.read_text() for t in targets] == ["OLD .json", "OLD .npz", "OLD .toml"]
    assert leftovers(tmp_path) == []


async def test_ctrl_e_with_a_folder_in_the_way_keeps_the_older_export(tmp_path, monkeypatch):
    from bptui.app.main import BptuiApp

    monkeypatch.chdir(tmp_path)
    (tmp_path / "xor-step0-weights.json").write_text("OLD JSON")
    (tmp_path / "xor-step0-weights.npz").write_text("OLD NPZ")
    (tmp_path / "xor-step0-weights.toml").mkdir()
    app = BptuiApp(preset="xor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+e")
        assert "could not export" in str(app.query_one("#hint", Static).render())
    assert (tmp_path / "xor-step0-weights.json").read_text() == "OLD JSON"
    assert (tmp_path / "xor-step0-weights.npz").read_text() == "OLD NPZ"
    assert leftovers(tmp_path) == []


# --------------------------------------------------------------------------------------------
# 2. Files the user did not name


def test_save_weights_never_replaces_an_unrelated_data_file(
    tmp_path, capsys, no_training, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out.csv").write_text("my own data\n")
    rc = run_main(["train", "iris", "--steps", "5", "--save-weights", "out.toml"])
    captured = capsys.readouterr()
    assert_one_error(rc, captured.out, captured.err, file="out.csv", says="already exists")
    assert (tmp_path / "out.csv").read_text() == "my own data\n"
    assert not (tmp_path / "out.toml").exists()


def test_save_weights_names_every_file_and_may_repeat(tmp_path, capsys, monkeypatch):
    """The data copy is named on stderr; saving again over an identical copy is fine."""
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        assert main(["train", "iris", "--steps", "5", "--save-weights", "out.toml"]) == 0
        assert capsys.readouterr().err == "bptui: saved out.toml, out.csv\n"
    assert (tmp_path / "out.csv").read_bytes() == (presets_dir() / "iris.csv").read_bytes()
    assert main(["train", "xor", "--steps", "5", "--json", "--save-weights", "w.json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["steps"] == 5 and captured.err == "bptui: saved w.json\n"


async def test_ctrl_e_never_replaces_an_unrelated_data_file(tmp_path, monkeypatch):
    from bptui.app.main import BptuiApp

    monkeypatch.chdir(tmp_path)
    (tmp_path / "iris-step0-weights.csv").write_text("my own data\n")
    app = BptuiApp(preset="iris")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+e")
        hint = str(app.query_one("#hint", Static).render())
        assert "could not export" in hint and "already exists" in hint
    assert [p.name for p in tmp_path.iterdir()] == ["iris-step0-weights.csv"]
    assert (tmp_path / "iris-step0-weights.csv").read_text() == "my own data\n"


# --------------------------------------------------------------------------------------------
# 3. Modes


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_get_the_umask(tmp_path, umask, monkeypatch, mask, expected):
    from bptui.lesson import progress

    umask(mask)
    preset = load_preset("iris")
    stepper = preset.stepper()
    written = save_weights(tmp_path / "w.toml", preset, stepper)
    written += save_weights(tmp_path / "w.npz", preset, stepper)
    written.append(save_session(tmp_path / "s.npz", preset, stepper))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    progress.save("lesson", progress.Progress(1, 0, 0))
    written.append(progress.data_dir() / progress.FILE)
    assert written[-1].is_file()
    assert {p.name: mode(p) for p in written} == {p.name: expected for p in written}


def test_a_replaced_file_keeps_its_mode(tmp_path, umask, monkeypatch):
    from bptui.lesson import progress

    umask(0o022)
    preset = load_preset("xor")
    stepper = preset.stepper()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    progress.save("lesson", progress.Progress(1, 0, 0))
    lessons = progress.data_dir() / progress.FILE
    lessons.chmod(0o600)
    for name, kept in (("w.json", 0o600), ("s.npz", 0o640), ("w.toml", 0o664)):
        (tmp_path / name).write_text("OLD")
        (tmp_path / name).chmod(kept)
    save_weights(tmp_path / "w.json", preset, stepper)
    save_weights(tmp_path / "w.toml", preset, stepper)
    save_session(tmp_path / "s.npz", preset, stepper)
    progress.save("other", progress.Progress(2, 0, 0))
    assert {n: mode(tmp_path / n) for n in ("w.json", "s.npz", "w.toml")} == {
        "w.json": 0o600,
        "s.npz": 0o640,
        "w.toml": 0o664,
    }
    assert (tmp_path / "w.json").read_text() != "OLD"
    assert mode(lessons) == 0o600 and set(json.loads(lessons.read_text())) == {"lesson", "other"}


# --------------------------------------------------------------------------------------------
# 4. Sessions read only what they carry


def secret_beside(folder: Path) -> Path:
    """A loadable CSV with a secret header cell and row, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret.csv"
    path.write_text(
        f"sepal_length,sepal_width,petal_length,petal_width,species\n1,2,3,4,{SECRET}\n" * 3
    )
    return path


def forged(tmp_path: Path, csv: str, base: str, keep_data: bool = False) -> Path:
    """An iris session that names `csv` as its data and `base` as its folder (as a session of
    an earlier version would, which carried no data)."""
    sessions = tmp_path / "sessions"
    sessions.mkdir(exist_ok=True)
    preset = load_preset("iris")
    genuine = save_session(sessions / "genuine.npz", preset, preset.stepper())
    _, meta = contents(genuine)
    meta["preset"] = meta["preset"].replace('csv = "iris.csv"', f"csv = {json.dumps(csv)}")
    assert csv in meta["preset"]
    return rewrite(
        genuine,
        sessions / "forged.npz",
        meta_text=json.dumps({**meta, "base": base}),
        drop=() if keep_data else ["data"],
    )


@pytest.mark.parametrize(
    "csv, base, says",
    [
        ("secret.csv", "{outside}", "no such file"),
        ("../outside/secret.csv", "{sessions}", "outside the preset's folder"),
        ("{outside}/secret.csv", "/", "absolute path"),
        ("secret.csv", "/", "no such file"),
    ],
)
def test_a_forged_session_reads_no_file_it_names(tmp_path, capsys, monkeypatch, csv, base, says):
    monkeypatch.chdir(tmp_path)
    outside = tmp_path / "outside"
    secret_beside(outside)
    fill = {"outside": str(outside), "sessions": str(tmp_path / "sessions")}
    path = forged(tmp_path, csv.format(**fill), base.format(**fill))
    with pytest.raises(PresetError, match=says) as error:
        load_session(path)
    assert SECRET not in str(error.value)
    rc = run_main(["--session", str(path)])
    captured = capsys.readouterr()
    assert_one_error(rc, captured.out, captured.err, says=says)
    assert SECRET not in captured.err + captured.out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside", "sessions"]


def test_a_session_carrying_data_reads_only_that_data(tmp_path):
    """With the data inside, a csv key naming another file names the carried data: the file
    of that name beside the session is not read."""
    secret_beside(tmp_path / "sessions")
    path = forged(tmp_path, "secret.csv", str(tmp_path / "sessions"), keep_data=True)
    preset, _ = load_session(path)
    assert preset.data.class_names == ("setosa", "versicolor", "virginica")


def test_a_data_member_of_the_wrong_kind_is_refused(tmp_path):
    preset = load_preset("iris")
    genuine = save_session(tmp_path / "s.npz", preset, preset.stepper())
    bad = rewrite(genuine, tmp_path / "bad.npz", data=np.zeros(3))
    with pytest.raises(PresetError, match=r"bad.npz: data: has dtype float64"):
        load_session(bad)
    xor = save_session(tmp_path / "x.npz", load_preset("xor"), load_preset("xor").stepper())
    extra = rewrite(xor, tmp_path / "extra.npz", data=np.frombuffer(b"a,b\n1,2\n", np.uint8))
    with pytest.raises(PresetError, match="preset reads no CSV file"):
        load_session(extra)


def test_a_missing_column_error_prints_no_file_content(tmp_path, capsys):
    folder = tmp_path / "p"
    preset = csv_preset(folder)
    for header in (f"{SECRET}:x:0:0", f"{SECRET},a,b", "a,b,Y"):
        (folder / "d.csv").write_text(f"{header}\n1,2,3\n")
        rc = run_main(["train", str(preset), "--steps", "1"])
        captured = capsys.readouterr()
        assert_one_error(
            rc,
            captured.out,
            captured.err,
            file=str(folder / "d.csv"),
            key="column 'y'",
            says="not found",
        )
        assert SECRET not in captured.err
    assert "did you mean 'Y'?" in captured.err


def test_a_session_resumes_anywhere_and_exports_its_own_data(tmp_path, monkeypatch):
    """The preset's folder is gone; the session still loads, and ctrl+e's .toml brings the data
    the session carries."""
    from bptui.export import export_files

    preset = load_preset(str(csv_preset(tmp_path / "work")))
    stepper = preset.stepper()
    stepper.run(3)
    data = (tmp_path / "work" / "d.csv").read_bytes()
    (tmp_path / "elsewhere").mkdir()
    path = save_session(tmp_path / "elsewhere" / "s.npz", preset, stepper)
    for file in (tmp_path / "work").iterdir():
        file.unlink()
    (tmp_path / "work").rmdir()
    loaded, resumed = load_session(path)
    assert resumed.params.flat.tobytes() == stepper.params.flat.tobytes()
    files = export_files(loaded, resumed)
    assert files["p-step3-weights.csv"] == data


def test_old_sessions_find_their_data_beside_them_or_with_the_bundled_presets(tmp_path):
    """Sessions of earlier versions carry no data: a bundled preset's are found with the
    bundled presets, another's beside the session file, whatever `base` says."""
    iris = load_preset("iris")
    genuine = save_session(tmp_path / "iris.npz", iris, iris.stepper())
    old = rewrite(genuine, tmp_path / "old.npz", meta_base="/nowhere", drop=["data"])
    assert load_session(old)[0].data.x_train.shape[1] == 4
    preset = load_preset(str(csv_preset(tmp_path / "mine")))
    mine = save_session(tmp_path / "mine" / "s.npz", preset, preset.stepper())
    old = rewrite(mine, tmp_path / "mine" / "old.npz", meta_base="/nowhere", drop=["data"])
    assert load_session(old)[0].data.x_train.shape[1] == 2


def test_a_session_stores_no_path_of_the_machine_that_saved_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for preset in (load_preset("iris"), load_preset(str(csv_preset(tmp_path / "srv")))):
        data = session_bytes(preset, preset.stepper())
        for folder in (str(tmp_path), str(presets_dir()), os.getcwd()):
            assert not holds(data, folder)
        (tmp_path / "s.npz").write_bytes(data)
        _, meta = contents(tmp_path / "s.npz")
        assert meta["base"] == "" and "/" not in meta["source"]


async def test_a_web_download_reveals_no_server_folder(tmp_path, monkeypatch):
    from bptui.app.main import BptuiApp

    monkeypatch.chdir(tmp_path)
    delivered = []

    def deliver_binary(self, path_or_file, *, save_filename=None, **kwargs):
        delivered.append(path_or_file.read())
        return "key"

    monkeypatch.setattr(BptuiApp, "is_web", property(lambda self: True))
    monkeypatch.setattr(BptuiApp, "deliver_binary", deliver_binary)
    app = BptuiApp(preset="iris")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s", "ctrl+e")
    # ctrl+s sends the session, ctrl+e one zip of the export's files (a popup blocker lets one
    # download through): nothing in any of them names a folder of the server
    import io
    import zipfile

    assert len(delivered) == 2
    with zipfile.ZipFile(io.BytesIO(delivered[1])) as bundle:
        members = [bundle.read(name) for name in bundle.namelist()]
    assert len(members) == 4  # json, npz, toml and the data beside the toml
    for data in [delivered[0], *members]:
        assert not holds(data, str(presets_dir())) and not holds(data, str(tmp_path))
    (tmp_path / "s.npz").write_bytes(delivered[0])
    assert load_session(tmp_path / "s.npz")[0].data.x_train.shape[1] == 4


# --------------------------------------------------------------------------------------------
# 5. Destination folders


@pytest.mark.parametrize("folder", ["/proc", "/sys", "/proc/self"])
def test_save_weights_into_a_pseudo_file_system_fails_before_training(capsys, no_training, folder):
    if not Path(folder).is_dir():
        pytest.skip(f"no {folder} here")
    rc = run_main(["train", "xor", "--save-weights", f"{folder}/x.json"])
    captured = capsys.readouterr()
    assert_one_error(
        rc, captured.out, captured.err, file=f"{folder}/x.json", says="is not writable"
    )


@pytest.mark.parametrize(
    "make, says",
    [
        (os.mkfifo, "not a regular file is in the way"),
        (lambda path: path.symlink_to(path.parent / "elsewhere.json"), "a symbolic link"),
    ],
)
def test_a_destination_that_is_not_a_regular_file_is_refused(
    tmp_path, capsys, no_training, make, says
):
    make(tmp_path / "w.json")
    rc = run_main(["train", "xor", "--save-weights", str(tmp_path / "w.json")])
    captured = capsys.readouterr()
    assert_one_error(rc, captured.out, captured.err, file=str(tmp_path / "w.json"), says=says)


def test_a_folder_no_file_can_be_created_in_is_refused(tmp_path, monkeypatch):
    """What a read-only mount does (root passes os.access everywhere): the probe file fails."""
    real_open = os.open

    def read_only(path, flags, *args, **kwargs):
        if flags & os.O_CREAT:
            raise OSError(30, "Read-only file system")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr("os.open", read_only)
    with pytest.raises(PresetError, match="not writable .Read-only file system"):
        check_destination(tmp_path / "w.json")
    assert list(tmp_path.iterdir()) == []
