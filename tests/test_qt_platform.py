"""Can Qt's platform plugin load on a bare Linux? core/qt_platform.py (used by install.py --launch
and ``hearth doctor``): recorded ``ldd`` output and os-release files of several distributions,
and one real check of this machine's libqxcb.so."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hearthlm.core import qt_platform as qt

REPO = Path(__file__).resolve().parent.parent

# `ldd .../PySide6/Qt/plugins/platforms/libqxcb.so` on a minimal Debian 12 with X11 (shortened):
# the plugin's own libraries resolve, three xcb utility libraries do not (each listed twice, once
# for the plugin and once for libQt6XcbQpa).
BARE_DEBIAN_LDD = """\
\tlinux-vdso.so.1 (0x00007ffd4b5f2000)
\tlibQt6XcbQpa.so.6 => /venv/lib/python3.11/site-packages/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x00007f0c1c000000)
\tlibQt6Gui.so.6 => /venv/lib/python3.11/site-packages/PySide6/Qt/plugins/platforms/../../lib/libQt6Gui.so.6 (0x00007f0c1b600000)
\tlibGL.so.1 => /lib/x86_64-linux-gnu/libGL.so.1 (0x00007f0c1c3e0000)
\tlibxkbcommon.so.0 => /lib/x86_64-linux-gnu/libxkbcommon.so.0 (0x00007f0c1c398000)
\tlibxkbcommon-x11.so.0 => /lib/x86_64-linux-gnu/libxkbcommon-x11.so.0 (0x00007f0c1c390000)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-util.so.1 => /lib/x86_64-linux-gnu/libxcb-util.so.1 (0x00007f0c1c388000)
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-randr.so.0 => /lib/x86_64-linux-gnu/libxcb-randr.so.0 (0x00007f0c1c376000)
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0c1b41f000)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007f0c1c43a000)
"""
RELEASES = {
    "debian": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
    "ubuntu": 'NAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n',
    "mint": 'NAME="Linux Mint"\nID=linuxmint\nID_LIKE="ubuntu debian"\n',
    "fedora": 'NAME="Fedora Linux"\nVERSION_ID=40\nID=fedora\n',
    "rocky": 'NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\n',
    "arch": 'NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\n',
    "alpine": 'NAME="Alpine Linux"\nID=alpine\n',
}
COMMANDS = {
    "debian": "sudo apt-get install -y libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1",
    "ubuntu": "sudo apt-get install -y libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1",
    "mint": "sudo apt-get install -y libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1",
    "fedora": "sudo dnf install -y xcb-util-cursor xcb-util-wm xcb-util-keysyms",
    "rocky": "sudo dnf install -y xcb-util-cursor xcb-util-wm xcb-util-keysyms",
    "arch": "sudo pacman -S --needed xcb-util-cursor xcb-util-wm xcb-util-keysyms",
}


def test_ldd_output_gives_each_missing_library_once():
    assert qt.parse_ldd(BARE_DEBIAN_LDD) == ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    assert qt.parse_ldd("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n") == []


@pytest.mark.parametrize("distro", sorted(COMMANDS))
def test_the_install_command_of_each_distribution(distro):
    report = qt.check(platform="xcb", ldd_output=BARE_DEBIAN_LDD, os_release=RELEASES[distro], root=False)
    assert report["ok"] is False and report["checked"]
    assert report["missing_libraries"] == ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    assert report["install_command"] == COMMANDS[distro] and report["unmapped"] == []
    line = qt.sentence(report)
    assert "libxcb-icccm.so.4" in line and line.endswith(COMMANDS[distro])


def test_root_needs_no_sudo():
    report = qt.check(platform="xcb", ldd_output=BARE_DEBIAN_LDD, os_release=RELEASES["debian"], root=True)
    assert report["install_command"] == "apt-get install -y libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1"


def test_an_unknown_distribution_names_the_libraries():
    report = qt.check(platform="xcb", ldd_output=BARE_DEBIAN_LDD, os_release=RELEASES["alpine"], root=False)
    assert report["package_manager"] is None and report["install_command"] is None
    assert report["unmapped"] == report["missing_libraries"]
    assert "libxcb-keysyms.so.1" in qt.sentence(report)


def test_libraries_outside_the_table_follow_each_distributions_rule():
    missing = ["libxcb-xinerama.so.0", "libfoo2.so.1"]
    assert qt.packages_for(missing, "apt") == (["libxcb-xinerama0", "libfoo2-1"], [])  # Debian's naming policy
    assert qt.packages_for(missing, "dnf") == (["libxcb-xinerama.so.0()(64bit)", "libfoo2.so.1()(64bit)"], [])
    assert qt.install_command("dnf", ["libfoo2.so.1()(64bit)"], root=True) == "dnf install -y 'libfoo2.so.1()(64bit)'"
    assert qt.packages_for(missing, "pacman") == ([], missing)  # pacman -F finds them
    # two libraries from one package: the package once
    assert qt.packages_for(["libxcb-randr.so.0", "libxcb-shape.so.0"], "pacman") == (["libxcb"], [])


def test_the_platform_that_will_be_used():
    assert qt.platform_to_use({}, "linux") == "xcb"
    assert qt.platform_to_use({"QT_QPA_PLATFORM": "wayland;xcb"}, "linux") == "wayland"
    assert qt.platform_to_use({"QT_QPA_PLATFORM": "xcb:nograb"}, "linux") == "xcb"
    assert qt.platform_to_use({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, "linux") == "wayland"
    assert qt.platform_to_use({}, "darwin") is None and qt.platform_to_use({}, "win32") is None


def _real_ldd_missing(plugin: Path) -> list[str]:
    out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=True).stdout
    seen: list[str] = []
    for line in out.splitlines():
        if "=> not found" in line and line.split()[0] not in seen:
            seen.append(line.split()[0])
    return seen


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldd and xcb are Linux's")
def test_this_machines_xcb_plugin():
    """The real libqxcb.so here: whatever ldd finds missing is reported and mapped to a package."""
    report = qt.check(platform="xcb")
    plugin = Path(report["plugin"])
    assert plugin.name == "libqxcb.so" and plugin.exists()
    missing = _real_ldd_missing(plugin)
    assert report["missing_libraries"] == missing and report["ok"] is (not missing)
    if report["package_manager"]:
        assert report["unmapped"] == [] and len(report["packages"]) >= (1 if missing else 0)
        for package in report["packages"]:
            assert package in (report["install_command"] or "")


def test_a_child_qt_starts_only_with_a_loadable_platform():
    ok, name = qt.load_check(sys.executable, "offscreen")
    assert ok and name == "offscreen"
    env_display = os.environ.get("DISPLAY")
    if qt.check(platform="xcb")["missing_libraries"] or not env_display:
        ok, detail = qt.load_check(sys.executable, "xcb")
        assert not ok and "xcb" in detail  # Qt's own words: "Could not load the Qt platform plugin "xcb"…"


@pytest.fixture
def install():
    spec = importlib.util.spec_from_file_location("hearth_install_qt", REPO / "packaging" / "install.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_install_launch_stops_with_the_command_on_a_bare_debian(install, monkeypatch, capsys):
    """install.py --launch checks before opening the window: fed the bare Debian's ldd output, it
    prints the apt command and does not launch."""
    real = install.qt_platform_module

    def bare_debian():
        module = real()
        monkeypatch.setattr(module, "run_ldd", lambda path: (BARE_DEBIAN_LDD, None))
        monkeypatch.setattr(module, "read_os_release", lambda: RELEASES["debian"])
        return module

    monkeypatch.setattr(install, "qt_platform_module", bare_debian)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert install.qt_platform_ready(Path(sys.executable)) is False
    out = capsys.readouterr().out
    sudo = "" if os.geteuid() == 0 else "sudo "
    assert f"{sudo}apt-get install -y libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in out
    assert "the window cannot open" in out


def test_install_launch_goes_on_where_the_platform_loads(install, monkeypatch, capsys):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert install.qt_platform_ready(Path(sys.executable)) is True


def test_doctor_reports_the_same(monkeypatch, capsys):
    from hearthlm.core.cli import main

    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    expected = qt.check(platform="xcb")
    main(["doctor", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["qt_platform"] == expected
    main(["doctor"])
    assert qt.sentence(expected) in capsys.readouterr().out


def test_hearth_says_why_the_window_cannot_open_instead_of_aborting(tmp_path, monkeypatch):
    """No display, or the plugin's libraries missing: one sentence (Qt aborted with rc 134 and a
    page of noise). The plugin check runs once per plugin file: a pass is remembered."""
    from hearthlm.core import qt_platform as qt

    linux = {"XDG_SESSION_TYPE": "x11"}
    monkeypatch.setattr(qt.sys, "platform", "linux")
    assert "DISPLAY is not set" in qt.cannot_open(linux)
    assert "WAYLAND_DISPLAY" in qt.cannot_open({"QT_QPA_PLATFORM": "wayland"})
    assert qt.cannot_open({"QT_QPA_PLATFORM": "offscreen"}) is None
    calls = []
    report = {"platform": "xcb", "checked": True, "ok": False, "missing_libraries": ["libxcb-icccm.so.4"],
              "install_command": "apt-get install -y libxcb-icccm4", "unmapped": []}
    monkeypatch.setattr(qt, "check", lambda platform=None, **_: calls.append(platform) or dict(report))
    remember = tmp_path / "checked"
    why = qt.cannot_open({"DISPLAY": ":0"}, remember=remember)
    assert why and "libxcb-icccm.so.4" in why and "apt-get install -y libxcb-icccm4" in why and not remember.exists()
    report["ok"], report["missing_libraries"] = True, []
    assert qt.cannot_open({"DISPLAY": ":0"}, remember=remember) is None and remember.exists()
    assert qt.cannot_open({"DISPLAY": ":0"}, remember=remember) is None
    assert calls == ["xcb", "xcb"]  # the third start did not run ldd again
