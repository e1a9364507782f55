"""Can Qt's platform plugin load on this Linux machine, and if not, which packages are missing?

On a bare Linux (a minimal Debian with X11, a container) the window fails with "Could not load the
Qt platform plugin 'xcb'" because system libraries the plugin links to are absent (libxcb-icccm4,
libxcb-keysyms1, libxcb-cursor0, …). ``ldd`` on the plugin names them; they are mapped to the
packages of the distribution's package manager (apt, dnf, pacman: /etc/os-release ID and ID_LIKE)
and to one install command.

Standard library only, and no Qt import: packaging/install.py loads this file by its path before
Hearth is installed, and ``hearth doctor`` imports it (core/ never imports Qt).
"""

from __future__ import annotations

import importlib.util
import os
import platform as _platform
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from collections.abc import Mapping

# soname -> (Debian/Ubuntu, Fedora/RHEL, Arch) package. Sonames not listed here are mapped by
# Debian's naming rule (apt), by RPM's soname provides (dnf), or left to ``pacman -F`` (pacman).
PACKAGES: dict[str, tuple[str, str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util", "xcb-util"),
    "libxcb.so.1": ("libxcb1", "libxcb", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb", "libxcb"),
    "libxcb-xinput.so.0": ("libxcb-xinput0", "libxcb", "libxcb"),
    "libxcb-glx.so.0": ("libxcb-glx0", "libxcb", "libxcb"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11", "libxkbcommon-x11"),
    "libX11.so.6": ("libx11-6", "libX11", "libx11"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb", "libx11"),
    "libICE.so.6": ("libice6", "libICE", "libice"),
    "libSM.so.6": ("libsm6", "libSM", "libsm"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype", "freetype2"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2", "glib2"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs", "dbus"),
    "libGL.so.1": ("libgl1", "libglvnd-glx", "libglvnd"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx", "libglvnd"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl", "libglvnd"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl", "libglvnd"),
    "libwayland-client.so.0": ("libwayland-client0", "libwayland-client", "wayland"),
    "libwayland-cursor.so.0": ("libwayland-cursor0", "libwayland-cursor", "wayland"),
    "libwayland-egl.so.1": ("libwayland-egl1", "libwayland-egl", "wayland"),
}
MANAGERS = ("apt", "dnf", "pacman")
# os-release ID / ID_LIKE words -> package manager
FAMILIES = {"debian": "apt", "ubuntu": "apt", "fedora": "dnf", "rhel": "dnf", "centos": "dnf", "rocky": "dnf",
            "almalinux": "dnf", "arch": "pacman", "manjaro": "pacman", "endeavouros": "pacman"}
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$")


def platform_to_use(environ: Mapping[str, str] | None = None, system: str | None = None) -> str | None:
    """The Qt platform plugin the window will load (None off Linux, where there is nothing to check)."""
    environ = os.environ if environ is None else environ
    if not (system or sys.platform).startswith("linux"):
        return None
    chosen = (environ.get("QT_QPA_PLATFORM") or "").strip()
    if chosen:  # "wayland;xcb" is a list to try in order; "xcb:option=…" carries options
        return chosen.split(";")[0].split(":")[0]
    if environ.get("XDG_SESSION_TYPE") == "wayland" and environ.get("WAYLAND_DISPLAY"):
        return "wayland"
    return "xcb"


def plugin_path(pyside6_dir: Path, platform: str) -> Path:
    return pyside6_dir / "Qt" / "plugins" / "platforms" / f"libq{platform}.so"


def pyside6_dir() -> Path | None:
    """Where PySide6 is installed for this Python, found without importing it."""
    spec = importlib.util.find_spec("PySide6")
    return Path(spec.origin).parent if spec is not None and spec.origin else None


def parse_ldd(text: str) -> list[str]:
    """The libraries ``ldd`` could not find, in order, each once."""
    missing: list[str] = []
    for line in text.splitlines():
        m = _NOT_FOUND.match(line)
        if m and m.group(1) not in missing:
            missing.append(m.group(1))
    return missing


def parse_os_release(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            values[key] = value.strip().strip("\"'")
    return values


def read_os_release() -> str:
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        try:
            return Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
    return ""


def package_manager(os_release: Mapping[str, str]) -> str | None:
    """apt, dnf or pacman from ID, then ID_LIKE (e.g. Linux Mint: ID=linuxmint, ID_LIKE="ubuntu debian")."""
    for word in [os_release.get("ID", ""), *os_release.get("ID_LIKE", "").split()]:
        if word.lower() in FAMILIES:
            return FAMILIES[word.lower()]
    return None


def _debian_name(soname: str) -> str:
    """Debian's library package naming: libfoo.so.1 -> libfoo1, libfoo2.so.0 -> libfoo2-0."""
    stem, _, version = soname.partition(".so.")
    stem = stem.lower()
    return f"{stem}-{version}" if stem[-1:].isdigit() else f"{stem}{version}"


def packages_for(missing: list[str], manager: str | None, bits64: bool = True) -> tuple[list[str], list[str]]:
    """(packages to install, libraries no package could be named for) on this package manager."""
    packages: list[str] = []
    unmapped: list[str] = []
    for soname in missing:
        known = PACKAGES.get(soname)
        if manager in MANAGERS and known:
            name = known[MANAGERS.index(manager)]
        elif manager == "apt" and ".so." in soname:
            name = _debian_name(soname)
        elif manager == "dnf" and ".so." in soname:
            name = f"{soname}()(64bit)" if bits64 else soname  # RPM's automatic soname provides
        else:
            unmapped.append(soname)
            continue
        if name not in packages:
            packages.append(name)
    return packages, unmapped


def install_command(manager: str | None, packages: list[str], root: bool = False) -> str | None:
    if not packages or manager not in MANAGERS:
        return None
    sudo = "" if root else "sudo "
    quoted = " ".join(f"'{p}'" if "(" in p else p for p in packages)
    return {"apt": f"{sudo}apt-get install -y {quoted}",
            "dnf": f"{sudo}dnf install -y {quoted}",
            "pacman": f"{sudo}pacman -S --needed {quoted}"}[manager]


def run_ldd(path: Path) -> tuple[str | None, str | None]:
    """(ldd's output, None) or (None, why it could not run)."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return None, "ldd is not available on this machine"
    try:
        out = subprocess.run([ldd, str(path)], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"ldd failed: {exc}"
    return out.stdout + out.stderr, None


def check(pyside6: Path | None = None, platform: str | None = None, *, ldd_output: str | None = None,
          os_release: str | None = None, root: bool | None = None) -> dict[str, Any]:
    """What the platform plugin needs and lacks here; the JSON of ``hearth doctor``'s qt_platform.

    ``ldd_output`` and ``os_release`` replace the machine's own (tests feed recorded ones)."""
    platform = platform or platform_to_use()
    release = parse_os_release(read_os_release() if os_release is None else os_release)
    manager = package_manager(release)
    report: dict[str, Any] = {"platform": platform, "plugin": None, "checked": False, "ok": None,
                              "missing_libraries": [], "packages": [], "unmapped": [],
                              "distribution": release.get("ID") or None, "package_manager": manager,
                              "install_command": None, "error": None}
    if platform is None:
        report["error"] = "not Linux: Qt brings its own platform plugin"
        return report
    if ldd_output is None:
        base = pyside6 or pyside6_dir()
        if base is None:
            report["error"] = "PySide6 is not installed"
            return report
        plugin = plugin_path(base, platform)
        report["plugin"] = str(plugin)
        if not plugin.exists():
            report["error"] = f"PySide6 has no '{platform}' platform plugin ({plugin})"
            report["ok"] = False
            return report
        ldd_output, error = run_ldd(plugin)
        if ldd_output is None:
            report["error"] = error
            return report
    missing = parse_ldd(ldd_output)
    packages, unmapped = packages_for(missing, manager, bits64=_platform.architecture()[0] == "64bit")
    is_root = (os.geteuid() == 0 if hasattr(os, "geteuid") else False) if root is None else root
    report.update(checked=True, ok=not missing, missing_libraries=missing, packages=packages, unmapped=unmapped,
                  install_command=install_command(manager, packages, is_root))
    return report


def sentence(report: Mapping[str, Any]) -> str:
    """One line for people: what is missing and the command that installs it."""
    platform = report.get("platform")
    if report.get("ok"):
        return f"the '{platform}' platform plugin has every library it needs"
    if report.get("ok") is None:
        return f"not checked: {report.get('error')}"
    if not report.get("checked"):
        return str(report.get("error"))  # e.g. no such plugin in PySide6
    missing = ", ".join(report["missing_libraries"])
    text = f"the '{platform}' platform plugin cannot load: missing {missing}"
    if report.get("install_command"):
        text += f"; install them with: {report['install_command']}"
    if report.get("unmapped"):
        hint = "pacman -F" if report.get("package_manager") == "pacman" else "your package manager"
        text += f"; find the package of {', '.join(report['unmapped'])} with {hint}"
    return text


def cannot_open(environ: Mapping[str, str] | None = None, remember: Path | None = None) -> str | None:
    """Why the window cannot open here, in words for "the window cannot open: …", or None. On
    Linux: no display to open it on, or libraries its platform plugin lacks (Qt would abort with
    "could not load the Qt platform plugin"). The plugin's check (ldd, ~20 ms) is skipped while
    ``remember`` (a small file) says this very plugin file passed it before."""
    environ = os.environ if environ is None else environ
    platform = platform_to_use(environ)
    if platform == "xcb" and not environ.get("DISPLAY"):
        return ("there is no display to open it on (DISPLAY is not set): run hearth in a desktop session, "
                "or over SSH with ssh -X")
    if platform == "wayland" and not environ.get("WAYLAND_DISPLAY"):
        return "there is no Wayland display to open it on (WAYLAND_DISPLAY is not set)"
    if platform not in ("xcb", "wayland"):
        return None  # not Linux, or offscreen, vnc…: nothing known to check
    base = pyside6_dir()
    plugin = plugin_path(base, platform) if base is not None else None
    try:
        stamp = f"{plugin}:{plugin.stat().st_mtime_ns}" if plugin is not None else None
    except OSError:
        stamp = None
    if stamp is not None and remember is not None:
        try:
            if remember.read_text(encoding="utf-8") == stamp:
                return None
        except OSError:
            pass
    report = check(platform=platform)
    if report.get("checked") and not report.get("ok"):
        return sentence(report)
    if report.get("ok") and stamp is not None and remember is not None:
        try:
            remember.parent.mkdir(parents=True, exist_ok=True)
            remember.write_text(stamp, encoding="utf-8")
        except OSError:
            pass
    return None


LOAD_CHECK = ("import sys\nfrom PySide6.QtGui import QGuiApplication\n"
              "app = QGuiApplication([sys.argv[0]])\nprint(app.platformName())\n")


def load_check(python: str | os.PathLike[str], platform: str, timeout: float = 60) -> tuple[bool, str]:
    """Start Qt with ``platform`` in a child Python (a failed plugin aborts the process): (ok, Qt's last words)."""
    env = dict(os.environ, QT_QPA_PLATFORM=platform)
    try:
        out = subprocess.run([str(python), "-c", LOAD_CHECK], capture_output=True, text=True, timeout=timeout,
                             env=env, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    lines = [line for line in (out.stderr + out.stdout).splitlines() if line.strip()]
    if out.returncode == 0:
        return True, out.stdout.strip()
    return False, " ".join(lines[-3:]) or f"exit status {out.returncode}"
