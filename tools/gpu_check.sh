#!/usr/bin/env bash
# The GPU check: DCGAN-64 images/s of gan_zoo on JAX (XLA) and torch, fp32 and
# bf16, batch 64/256/1024, against plain PyTorch, in one run of about 5
# minutes on an H100/H200 (tools/gpu_check.py says what is measured).
#
# For the device machine, which has JAX and PyTorch with CUDA but no
# TensorFlow, no Keras and no network: from the repository root, with the
# wheels of keras 3.15.1, namex and optree in .whl/ (docs/benchmarks.md
# says how to fetch them), run `bash tools/gpu_check.sh` with .whl carried.
# Writes gpu_check.jsonl and the table gpu_check.md to $OUT (else here).
# Extra arguments go to every measurement, e.g. `--batches 8 --steps 2`.
set -uo pipefail
out=${OUT:-.}
cd "$(dirname "$0")/.."
if ! python3 -c "import keras" 2>/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi
python3 -c "import gan_zoo" 2>/dev/null \
  || python3 -m pip install -q --no-deps --no-build-isolation -e . || exit 1
results=$out/gpu_check.jsonl
rm -f "$results"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null
for backend in jax torch; do
  echo "=== gan_zoo, KERAS_BACKEND=$backend"
  KERAS_BACKEND=$backend timeout 240 python3 tools/gpu_check.py --results "$results" "$@"
done
echo "=== plain PyTorch"
KERAS_BACKEND=torch timeout 120 python3 tools/gpu_check.py --framework pytorch --results "$results" "$@"
python3 tools/gpu_check.py --table "$results" | tee "$out/gpu_check.md"
