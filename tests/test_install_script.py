"""packaging/install.py: the llama.cpp build it chooses for a machine, and its wheel cache keys."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def install():
    spec = importlib.util.spec_from_file_location("hearth_install", REPO / "packaging" / "install.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


XEON_AMX = set("fpu sse4_2 avx avx2 bmi2 fma f16c avx512f avx512bw avx512dq avx512vl avx512cd avx512vbmi "
               "avx512_vnni avx512_bf16 avx_vnni amx_tile amx_int8 amx_bf16".split())
HASWELL = set("fpu sse4_2 avx avx2 bmi2 fma f16c".split())


def options(args: list[str]) -> dict[str, str]:
    return dict(a[2:].split("=", 1) for a in args if a.startswith("-D"))


def test_x86_build_follows_the_cpu_flags_and_never_enables_amx(install):
    xeon = options(install.x86_cpu_args(XEON_AMX))
    assert xeon["GGML_NATIVE"] == "OFF"
    assert xeon["GGML_AMX_TILE"] == xeon["GGML_AMX_INT8"] == xeon["GGML_AMX_BF16"] == "OFF"
    assert xeon["GGML_AVX512"] == xeon["GGML_AVX512_VNNI"] == xeon["GGML_AVX_VNNI"] == "ON"

    haswell = options(install.x86_cpu_args(HASWELL))
    assert haswell["GGML_AVX2"] == haswell["GGML_FMA"] == haswell["GGML_F16C"] == "ON"
    assert haswell["GGML_AVX512"] == haswell["GGML_AVX512_VNNI"] == "OFF"


def test_avx512_needs_all_of_its_foundation_flags(install):
    partial = HASWELL | {"avx512f"}  # no BW/DQ/VL/CD: ggml's AVX512 kernels would fault
    assert options(install.x86_cpu_args(partial))["GGML_AVX512"] == "OFF"


def test_safe_build_is_the_avx2_baseline(install, monkeypatch):
    monkeypatch.setattr(install, "is_x86_64", lambda: True)
    name, args, _ = install.choose_build("safe")
    opts = options(args)
    assert name == "safe"
    assert opts["GGML_AVX2"] == "ON" and opts["GGML_AVX512"] == "OFF" and opts["GGML_AMX_INT8"] == "OFF"


def test_a_cuda_toolkit_without_a_gpu_gives_the_cpu_build(install, monkeypatch):
    monkeypatch.setattr(install, "cuda_toolkit", lambda: "/usr/local/cuda/bin/nvcc")
    monkeypatch.setattr(install, "nvidia_compute_capability", lambda: None)
    monkeypatch.setattr(install, "vulkan_sdk", lambda: False)
    monkeypatch.setattr(sys, "platform", "linux")
    name, _, why = install.choose_build("auto")
    assert name in ("cpu", "safe")
    assert "no NVIDIA GPU" in why


def test_cuda_is_chosen_for_a_gpu_and_built_for_its_architecture_only(install, monkeypatch):
    monkeypatch.setattr(install, "cuda_toolkit", lambda: "/usr/local/cuda/bin/nvcc")
    monkeypatch.setattr(install, "nvidia_compute_capability", lambda: "90")
    name, args, _ = install.choose_build("auto")
    assert name == "cuda"
    assert "-DGGML_CUDA=on" in args and "-DCMAKE_CUDA_ARCHITECTURES=90" in args


def test_an_explicit_choice_overrides_detection(install, monkeypatch):
    monkeypatch.setattr(install, "nvidia_compute_capability", lambda: "90")
    monkeypatch.setattr(install, "cuda_toolkit", lambda: "/usr/local/cuda/bin/nvcc")
    name, args, why = install.choose_build("vulkan")
    assert name == "vulkan" and "-DGGML_VULKAN=on" in args and "requested" in why
    with pytest.raises(SystemExit):
        install.choose_build("rocm")


def test_cache_key_changes_with_the_flags(install, monkeypatch):
    monkeypatch.setattr(install, "python_tag", lambda python: "cpython-311 linux-x86_64")
    python = Path(sys.executable)
    a = install.build_key(python, install.x86_cpu_args(XEON_AMX))
    b = install.build_key(python, install.x86_cpu_args(HASWELL))
    assert a != b
    assert a == install.build_key(python, list(reversed(install.x86_cpu_args(XEON_AMX))))  # order-free
