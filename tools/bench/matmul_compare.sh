#!/usr/bin/env bash
# Runs `jllm bench matmul --json` and the PyTorch peer (matmul_torch.py) back to back on the same shapes and
# prints one table with both GFLOP/s and the ratio jllm / PyTorch.
#
#   tools/bench/matmul_compare.sh [--threads N] [--repeat R] [--cpu-time]
#
# --repeat R runs the pair R times (alternating) and keeps, per shape, each side's best result: on a shared,
# noisy machine the best of several runs is the closest to what the code can do.
# --cpu-time (with --threads 1) divides by CPU time instead of elapsed time on both sides: the per-core speed,
# which other processes on a shared machine barely move.
# TORCH_BLAS_DIR=dir puts a BLAS first on torch's library path (e.g. OpenBLAS's libblas.so.3 when the system
# default is the slow reference BLAS; see BENCHMARKS.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
threads="$(nproc)"
repeat=1
cpu=()
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --cpu-time) cpu=(--cpu-time); shift ;;
    *) echo "matmul_compare.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for ((r = 1; r <= repeat; r++)); do
  echo "run $r/$repeat: jllm ($(uptime | sed 's/.*load average/load average/'))" >&2
  "$root/jllm" bench matmul --json --threads "$threads" "${cpu[@]}" > "$out/jllm.$r"
  echo "run $r/$repeat: torch ($(uptime | sed 's/.*load average/load average/'))" >&2
  OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS="$threads" LD_LIBRARY_PATH="${TORCH_BLAS_DIR:+$TORCH_BLAS_DIR:}${LD_LIBRARY_PATH:-}" \
    /usr/bin/python3 "$here/matmul_torch.py" --threads "$threads" "${cpu[@]}" > "$out/torch.$r"
done

/usr/bin/python3 - "$out" "$repeat" <<'PY'
import json, sys
out, repeat = sys.argv[1], int(sys.argv[2])
def best(side):
    results = {}
    for r in range(1, repeat + 1):
        for line in open(f"{out}/{side}.{r}"):
            o = json.loads(line)
            key = (o["layout"], o["m"], o["k"], o["n"])
            results[key] = max(results.get(key, 0.0), o["gflops"])
    return results
jllm, torch = best("jllm"), best("torch")
print(f"| layout | M | K | N | jllm GFLOP/s | PyTorch GFLOP/s | jllm / PyTorch |")
print(f"|---|---:|---:|---:|---:|---:|---:|")
for key, g in jllm.items():
    t = torch.get(key)
    ratio = f"{g / t:.2f}" if t else "-"
    print(f"| {key[0]} | {key[1]} | {key[2]} | {key[3]} | {g:.1f} | {t if t is not None else '-'} | {ratio} |")
PY
