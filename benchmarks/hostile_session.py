"""How fast and how small the refusal of hostile session files is.

    python benchmarks/hostile_session.py            # builds the files in a temporary folder

Each case runs `bptui --session FILE` in a fresh subprocess and reports its exit code, wall
time (including Python's start-up and imports) and peak memory (VmHWM of the child), next to a
genuine session loaded the
same way (with the explorer replaced by a no-op, so only the loading is measured). Cases: an
extra 4 GiB all-zero member (deflated to about 4 MB), a `params` header claiming 10¹² floats,
a `loss_history` shorter than `step`, step = 10³⁰, η = −5, a .npy renamed .npz, an empty file,
and 300,000 empty members. Building the 4 GiB member takes about 10 s.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

RUN = """
import sys, bptui.app
bptui.app.run_app = lambda *a: 0
from bptui.commands.cli import main
try:
    code = main(["--session", sys.argv[1]])
finally:  # the peak resident memory of this process image (VmHWM), in kB
    peak = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
    open(sys.argv[2], "w").write(peak)
sys.exit(code)
"""


def genuine(folder: Path) -> Path:
    from bptui.preset import load_preset
    from bptui.session import save_session

    preset = load_preset("spiral")
    stepper = preset.stepper()
    stepper.run(200)
    return save_session(folder / "genuine.npz", preset, stepper)


def rewritten(source: Path, out: Path, **meta_changes) -> Path:
    with np.load(source) as archive:
        arrays = {key: archive[key] for key in archive.files}
    meta = json.loads(str(arrays["meta"]))
    meta.update(meta_changes)
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(out, **arrays)
    return out


def copy_with(
    source: Path, out: Path, name: str, member: bytes | None = None, zero_bytes: int = 0
) -> Path:
    with (
        zipfile.ZipFile(source) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
    ):
        for info in src.infolist():
            if info.filename != name:
                dst.writestr(info, src.read(info))
        if member is not None:
            dst.writestr(zipfile.ZipInfo(name), member)
        else:
            with dst.open(name, "w", force_zip64=True) as handle:
                block = bytes(1 << 24)
                for _ in range(zero_bytes // len(block)):
                    handle.write(block)
    return out


def huge_header() -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
    )
    return buffer.getvalue() + bytes(64)


def measure(path: Path) -> tuple[int, float, float, str]:
    """(exit code, seconds, peak MB of the child, first line of stderr)."""
    report = path.with_suffix(".peak")
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", RUN, str(path), str(report)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    seconds = time.perf_counter() - start
    return result.returncode, seconds, int(report.read_text()) / 1024, result.stderr.strip()[:90]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        good = genuine(folder)
        with np.load(good) as archive:
            history = archive["loss_history"]
        empty = folder / "empty.npz"
        empty.touch()
        npy = folder / "array.npz"
        np.save(folder / "array.npy", np.zeros(10))
        os.rename(folder / "array.npy", npy)
        many = folder / "many.npz"
        with zipfile.ZipFile(many, "w") as archive:
            for i in range(300_000):
                archive.writestr(f"m{i}.npy", b"")
        short = rewritten(good, folder / "short.npz", step=len(history) + 50)
        cases = [
            ("genuine spiral session (200 steps)", good),
            ("baseline: start Python, import bptui.commands.cli and bptui.session", None),
            (
                "extra 4 GiB all-zero member",
                copy_with(good, folder / "bomb.npz", "extra.npy", zero_bytes=4 << 30),
            ),
            (
                "params header: shape (10**12,)",
                copy_with(good, folder / "huge.npz", "params.npy", huge_header()),
            ),
            ("loss_history shorter than step", short),
            ("step = 10**30", rewritten(good, folder / "step.npz", step=10**30)),
            ("learning rate -5", rewritten(good, folder / "lr.npz", learning_rate=-5)),
            (".npy renamed .npz", npy),
            ("empty file", empty),
            ("300,000 empty members", many),
        ]
        print("| case | file size | exit | seconds | peak MB | message |")
        print("| --- | --- | --- | --- | --- | --- |")
        for label, path in cases:
            if path is None:
                start = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-c", "import bptui.commands.cli, bptui.session"], check=True
                )
                print(f"| {label} | | 0 | {time.perf_counter() - start:.2f} | | |")
                continue
            code, seconds, peak, message = measure(path)
            size = path.stat().st_size / 1e6
            print(
                f"| {label} | {size:.1f} MB | {code} | {seconds:.2f} | {peak:.0f} | "
                f"{message.replace('|', '/')} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
