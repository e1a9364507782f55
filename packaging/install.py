#!/usr/bin/env python3
"""Install Hearth with a llama.cpp build chosen for this machine, then launch it or test it.

    python3 packaging/install.py --launch     # install Hearth + the starter model, open the window
    python3 packaging/install.py --test       # install the test dependencies, run the whole suite
    python3 packaging/install.py --lint       # install the test dependencies, run packaging/lint.py

llama-cpp-python compiles llama.cpp when it is installed, and the right compile flags depend on
the machine. This script chooses them:

  cuda    a CUDA toolkit (nvcc) and an NVIDIA GPU are present
  metal   Apple silicon
  vulkan  the Vulkan SDK (glslc and headers) and a Vulkan device are present
  cpu     otherwise; on x86-64 an explicit instruction-set build from the CPU's own flags, with
          Intel AMX left out (a native build faults in AMX kernels on some virtual machines)
  safe    x86-64 baseline (AVX2/FMA/F16C only): for CPUs where the cpu build crashes

``--build NAME`` or ``HEARTH_LLAMA_BUILD=NAME`` overrides the choice. Each build is compiled once
into Hearth's own wheel cache, in a folder named by a hash of its flags: pip's cache ignores
CMAKE_ARGS, so it is never used here (``--no-cache-dir``), and a build with other flags is never
reused by mistake. The chosen build is recorded in ``<venv>/hearth-llama-build.json``, which
``hearth doctor`` reports.

Without an active virtual environment, Hearth is installed into ``.venv`` beside this repository.
Only the standard library is used here: this runs before anything is installed. With --launch it
first checks that Qt's platform plugin can load (core/qt_platform.py, loaded by path) and, where
system libraries are missing, prints the command that installs them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

LLAMA_CPP_PYTHON = "llama-cpp-python==0.3.36"
REPO = Path(__file__).resolve().parent.parent
STAMP_NAME = "hearth-llama-build.json"
BUILD_ENV = "HEARTH_LLAMA_BUILD"
BUILDS = ("auto", "cpu", "safe", "cuda", "metal", "vulkan")
AMX_OFF = ["-DGGML_AMX_TILE=OFF", "-DGGML_AMX_INT8=OFF", "-DGGML_AMX_BF16=OFF"]

# /proc/cpuinfo flags needed -> the ggml CMake option they enable (x86-64)
X86_FLAG_OPTIONS = [
    (("avx",), "GGML_AVX"),
    (("avx2",), "GGML_AVX2"),
    (("bmi2",), "GGML_BMI2"),
    (("fma",), "GGML_FMA"),
    (("f16c",), "GGML_F16C"),
    (("avx_vnni",), "GGML_AVX_VNNI"),
    (("avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"), "GGML_AVX512"),
    (("avx512f", "avx512vbmi"), "GGML_AVX512_VBMI"),
    (("avx512f", "avx512_vnni"), "GGML_AVX512_VNNI"),
    (("avx512f", "avx512_bf16"), "GGML_AVX512_BF16"),
]
SAFE_X86_OPTIONS = ["GGML_AVX", "GGML_AVX2", "GGML_FMA", "GGML_F16C"]


def say(message: str) -> None:
    print(f"[hearth install] {message}", flush=True)


# -- what this machine has ----------------------------------------------------------------

def is_x86_64() -> bool:
    return platform.machine().lower() in ("x86_64", "amd64")


def cpu_flags() -> set[str]:
    """The CPU's instruction-set flags, in /proc/cpuinfo's spelling."""
    if sys.platform.startswith("linux"):
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
        except OSError:
            return set()
    if sys.platform == "darwin":
        try:
            out = subprocess.run(["sysctl", "-n", "machdep.cpu.features", "machdep.cpu.leaf7_features"],
                                 capture_output=True, text=True, check=False).stdout
        except OSError:
            return set()
        names = {w.lower().replace(".", "_") for w in out.split()}
        aliases = {"avx1_0": "avx", "avx512vnni": "avx512_vnni", "avx512bf16": "avx512_bf16"}
        return {aliases.get(n, n) for n in names}
    return set()


def x86_cpu_args(flags: set[str]) -> list[str]:
    args = ["-DGGML_NATIVE=OFF", *AMX_OFF]
    for needed, option in X86_FLAG_OPTIONS:
        args.append(f"-D{option}={'ON' if flags.issuperset(needed) else 'OFF'}")
    return args


def cuda_toolkit() -> str | None:
    for candidate in (shutil.which("nvcc"),
                      *(str(Path(os.environ[v]) / "bin" / "nvcc") for v in ("CUDA_HOME", "CUDA_PATH") if v in os.environ),
                      "/usr/local/cuda/bin/nvcc"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def nvidia_compute_capability() -> str | None:
    """'90' for an H100/H200, or None when no NVIDIA GPU answers."""
    smi = shutil.which("nvidia-smi")
    if not smi:
        return None
    try:
        out = subprocess.run([smi, "--query-gpu=compute_cap", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    caps = [line.strip().replace(".", "") for line in out.stdout.splitlines() if line.strip()]
    return caps[0] if out.returncode == 0 and caps else None


def vulkan_sdk() -> bool:
    has_headers = bool(os.environ.get("VULKAN_SDK")) or Path("/usr/include/vulkan/vulkan.h").exists()
    return bool(shutil.which("glslc")) and has_headers


def vulkan_device() -> bool:
    tool = shutil.which("vulkaninfo")
    if not tool:
        return False
    try:
        out = subprocess.run([tool, "--summary"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and "deviceType" in out.stdout and "PHYSICAL_DEVICE_TYPE_CPU" not in out.stdout


def choose_build(requested: str) -> tuple[str, list[str], str]:
    """(build name, CMake arguments, why) for this machine."""
    if requested not in BUILDS:
        raise SystemExit(f"Unknown build {requested!r}: choose one of {', '.join(BUILDS)}.")
    apple_silicon = sys.platform == "darwin" and platform.machine() == "arm64"
    if requested == "auto":
        cap = nvidia_compute_capability()
        if cuda_toolkit() and cap:
            requested, why = "cuda", f"CUDA toolkit and an NVIDIA GPU (compute capability {cap}) found"
        elif apple_silicon:
            requested, why = "metal", "Apple silicon"
        elif vulkan_sdk() and vulkan_device():
            requested, why = "vulkan", "Vulkan SDK and a Vulkan GPU found"
        else:
            requested = "cpu"
            why = "no GPU toolkit with a matching GPU found"
            if cuda_toolkit() and not cap:
                why = "a CUDA toolkit is installed but no NVIDIA GPU answers (nvidia-smi)"
    else:
        why = f"requested ({BUILD_ENV} or --build)"

    if requested == "cuda":
        cap = nvidia_compute_capability()
        args = ["-DGGML_CUDA=on"]
        if cap:  # compile for this GPU only: the full set of architectures takes hours
            args.append(f"-DCMAKE_CUDA_ARCHITECTURES={cap}")
        if is_x86_64():
            args += x86_cpu_args(cpu_flags())
        return "cuda", args, why
    if requested == "metal":
        return "metal", ["-DGGML_METAL=on"], why
    if requested == "vulkan":
        args = ["-DGGML_VULKAN=on"] + (x86_cpu_args(cpu_flags()) if is_x86_64() else [])
        return "vulkan", args, why
    if requested == "safe":
        if is_x86_64():
            args = ["-DGGML_NATIVE=OFF", *AMX_OFF]
            args += [f"-D{o}={'ON' if o in SAFE_X86_OPTIONS else 'OFF'}" for _, o in X86_FLAG_OPTIONS]
            return "safe", args, why
        return "safe", ["-DGGML_NATIVE=OFF"], why
    # cpu
    if is_x86_64():
        flags = cpu_flags()
        if flags:
            return "cpu", x86_cpu_args(flags), why + "; instruction sets from this CPU's flags, AMX off"
        return "safe", ["-DGGML_NATIVE=OFF", *AMX_OFF] + [
            f"-D{o}={'ON' if o in SAFE_X86_OPTIONS else 'OFF'}" for _, o in X86_FLAG_OPTIONS
        ], why + "; CPU flags unreadable, so the baseline AVX2 build"
    if apple_silicon:
        return "cpu", ["-DGGML_METAL=off"], why
    return "cpu", ["-DGGML_NATIVE=ON"], why + "; native build for this CPU"


# -- the environment ------------------------------------------------------------------------

def target_python(venv: Path | None) -> Path:
    """The Python to install into: the active virtual environment, or .venv (created here)."""
    if venv is None and sys.prefix != sys.base_prefix:
        return Path(sys.executable)
    venv = venv or REPO / ".venv"
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        say(f"creating a virtual environment in {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    return python


def run_py(python: Path, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)


def python_prefix(python: Path) -> Path:
    return Path(run_py(python, "import sys; print(sys.prefix)").stdout.strip())


def python_tag(python: Path) -> str:
    return run_py(python, "import sys, sysconfig; print(sys.implementation.cache_tag, sysconfig.get_platform())").stdout.strip()


def wheel_cache_root() -> Path:
    if os.environ.get("HEARTH_WHEEL_CACHE"):
        return Path(os.environ["HEARTH_WHEEL_CACHE"])
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "hearth" / "wheels"


def build_key(python: Path, args: list[str]) -> str:
    blob = json.dumps({"package": LLAMA_CPP_PYTHON, "python": python_tag(python), "cmake": sorted(args)})
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def installed_stamp(python: Path) -> dict | None:
    stamp = python_prefix(python) / STAMP_NAME
    have = run_py(python, "import importlib.metadata as m; print(m.version('llama-cpp-python'))").stdout.strip()
    if not stamp.exists() or have != LLAMA_CPP_PYTHON.split("==")[1]:
        return None
    try:
        return json.loads(stamp.read_text())
    except (OSError, ValueError):
        return None


def install_llama(python: Path, build: str, args: list[str], why: str, force: bool) -> None:
    key = build_key(python, args)
    stamp = installed_stamp(python)
    if stamp and stamp.get("key") == key and not force:
        say(f"llama.cpp build '{build}' already installed ({key})")
        return
    wheel_dir = wheel_cache_root() / key
    wheels = sorted(wheel_dir.glob("llama_cpp_python-*.whl")) if wheel_dir.exists() else []
    if not wheels or force:
        say(f"compiling llama.cpp, build '{build}' ({why})")
        say(f"CMAKE_ARGS={' '.join(args)}")
        say("this takes about 5-10 minutes on a laptop CPU, longer for GPU builds; it happens once per build")
        tmp_dir = wheel_dir.with_name(key + ".partial")
        shutil.rmtree(tmp_dir, ignore_errors=True)
        env = dict(os.environ, CMAKE_ARGS=" ".join(args), FORCE_CMAKE="1")
        env.setdefault("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 2))
        started = time.monotonic()
        subprocess.run([str(python), "-m", "pip", "wheel", "--no-cache-dir", "--no-deps", "--no-binary",
                        "llama-cpp-python", LLAMA_CPP_PYTHON, "-w", str(tmp_dir)], env=env, check=True)
        shutil.rmtree(wheel_dir, ignore_errors=True)
        tmp_dir.rename(wheel_dir)
        say(f"compiled in {time.monotonic() - started:.0f} s")
        wheels = sorted(wheel_dir.glob("llama_cpp_python-*.whl"))
    else:
        say(f"using the cached build '{build}' from {wheel_dir}")
    # Dependencies first (numpy, diskcache, ...) so that --no-deps below only swaps the binary.
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "numpy>=1.26,<3", "typing-extensions>=4.5",
                    "diskcache>=5.6.1", "jinja2>=2.11.3"], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-cache-dir", "--force-reinstall",
                    "--no-deps", str(wheels[-1])], check=True)
    record = {"key": key, "build": build, "why": why, "cmake_args": args, "package": LLAMA_CPP_PYTHON,
              "installed": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "wheel": str(wheels[-1])}
    (python_prefix(python) / STAMP_NAME).write_text(json.dumps(record, indent=2))


SMOKE_TEST = r"""
import sys
from hearthlm.core.engine import Engine, GenerationParams
from hearthlm.core.errors import HearthError
from hearthlm.core.starter import starter_model_path
path = starter_model_path()
if path is None:
    print("no starter model: skipped"); sys.exit(0)
try:
    with Engine() as engine:
        engine.load(str(path))
        answer = engine.complete("The sky is", GenerationParams(max_tokens=4, temperature=0))
    print(f"ok: {answer.stats.completion_tokens} tokens")
except HearthError as exc:
    print(exc); sys.exit(3)
"""


def smoke_test(python: Path) -> tuple[bool, str]:
    result = run_py(python, SMOKE_TEST)
    lines = (result.stdout + result.stderr).strip().splitlines()
    return result.returncode == 0, lines[-1] if lines else f"exit status {result.returncode}"


def qt_platform_module():
    """core/qt_platform.py, loaded by its path: it runs before Hearth is importable (stdlib only)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("hearth_qt_platform", REPO / "core" / "qt_platform.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def qt_platform_ready(python: Path) -> bool:
    """Before opening the window: can Qt's platform plugin load here? If not, say which system
    packages are missing and the command that installs them (a bare Linux lacks some xcb libraries)."""
    qt = qt_platform_module()
    platform = qt.platform_to_use()
    if platform is None:
        return True
    where = run_py(python, "import importlib.util, os; s = importlib.util.find_spec('PySide6'); "
                           "print(os.path.dirname(s.origin) if s and s.origin else '')").stdout.strip()
    report = qt.check(Path(where) if where else None, platform)
    if report["ok"] is False:
        say(f"the window cannot open: {qt.sentence(report)}")
        return False
    if report["ok"] is None:
        say(f"Qt platform plugin {qt.sentence(report)}")
    ok, detail = qt.load_check(python, platform)
    if not ok:
        say(f"the window cannot open: Qt could not start its '{platform}' platform ({detail})")
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", choices=BUILDS, default=os.environ.get(BUILD_ENV, "auto"),
                        help=f"llama.cpp build to install (default: auto; env {BUILD_ENV})")
    parser.add_argument("--venv", type=Path, help="virtual environment to use (default: the active one, else .venv)")
    parser.add_argument("--rebuild", action="store_true", help="compile llama.cpp again even if cached")
    parser.add_argument("--no-starter", action="store_true", help="do not install the bundled starter model")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--launch", action="store_true", help="open Hearth when installed")
    what.add_argument("--test", action="store_true", help="install the test dependencies and run the test suite")
    what.add_argument("--lint", action="store_true",
                      help="install the test dependencies and run ruff, import-linter and mypy (packaging/lint.py)")
    parser.add_argument("pytest_args", nargs="*", help="with --test: arguments passed to pytest")
    args = parser.parse_args(argv)

    python = target_python(args.venv)
    build, cmake_args, why = choose_build(args.build)
    install_llama(python, build, cmake_args, why, args.rebuild)

    extras = ["test"] if args.test or args.lint else ([] if args.no_starter else ["starter"])
    spec = f"{REPO}[{','.join(extras)}]" if extras else str(REPO)
    say(f"installing Hearth ({spec})")
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-e", spec], check=True)
    if args.lint:  # with the environment's own tools, as pinned in the test extra; no model needed
        return subprocess.run([str(python), str(REPO / "packaging" / "lint.py")], cwd=REPO).returncode

    ok, detail = smoke_test(python)
    if not ok and args.build == "auto" and build != "safe":
        say(f"the '{build}' build failed its first decode here ({detail}); switching to the safe build")
        build, cmake_args, why = choose_build("safe")
        install_llama(python, build, cmake_args, why + " after the first choice crashed", args.rebuild)
        ok, detail = smoke_test(python)
    if not ok:
        say(f"llama.cpp does not run here: {detail}")
        return 1
    say(f"llama.cpp works ({detail})")

    bin_dir = python.parent
    if args.test:
        command = [str(python), "-m", "pytest", *args.pytest_args]
        say("running: " + " ".join(command))
        return subprocess.run(command, cwd=REPO).returncode
    hearth = bin_dir / ("hearth.exe" if os.name == "nt" else "hearth")
    if args.launch:
        if not qt_platform_ready(python):
            return 1
        say(f"launching {hearth}")
        return subprocess.run([str(hearth)]).returncode
    say(f"done: run {hearth}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
