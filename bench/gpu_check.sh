#!/usr/bin/env bash
# One prepared run for a lent NVIDIA GPU machine (H200: CUDA arch 90), at most ~10 minutes:
# build llama-cpp-python with CUDA for arch 90 only, then run the gpu-marked tests and the
# estimate and LoRA-switch benchmarks with every layer offloaded. Results land in $OUT (or ./gpu-check-out).
#   run:  bash bench/gpu_check.sh
set -uo pipefail
OUT="${OUT:-$PWD/gpu-check-out}"; mkdir -p "$OUT"
exec > >(tee "$OUT/gpu_check.log") 2>&1
nvidia-smi || { echo "no NVIDIA GPU here"; exit 1; }
python3 -m venv /tmp/gpu-venv && . /tmp/gpu-venv/bin/activate
pip install -q --upgrade pip
# The CUDA build is the slow part: one architecture, no AMX (see shared/ENVIRONMENT.md).
CMAKE_ARGS="-DGGML_CUDA=on -DCMAKE_CUDA_ARCHITECTURES=90 -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" \
  MAKEFLAGS="-j16" CMAKE_BUILD_PARALLEL_LEVEL=16 \
  timeout 420 pip install --no-cache-dir -q 'llama-cpp-python==0.3.36' || { echo "CUDA build failed or timed out"; exit 2; }
pip wheel -q --no-deps --no-build-isolation -w "$OUT" llama-cpp-python==0.3.36 >/dev/null 2>&1 || true
pip install -q -e '.[test]'
python -c "import llama_cpp; print('gpu offload:', llama_cpp.llama_supports_gpu_offload())"
timeout 120 python -m pytest -q -m gpu tests/test_gpu_offload.py tests/test_gpu_readers.py | tee "$OUT/gpu_tests.txt"
timeout 120 python bench/estimate_accuracy.py --quick --gpu-layers 999 > "$OUT/estimate_gpu.md"
hearth estimate "$(python -c 'from hearthlm.core.starter import starter_model_path as p; print(p())')" \
  --ctx 8192 --gpu-layers auto > "$OUT/estimate_auto.txt"
hearth monitor --once --json > "$OUT/monitor_once.json"
# Issue 17's ratio with every layer on the GPU, where a prompt's evaluation takes milliseconds.
timeout 90 python bench/lora_switch.py --repeats 3 --gpu-layers 999 > "$OUT/lora_switch_gpu.txt" 2>&1
