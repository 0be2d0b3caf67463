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
# OPENBLAS_CORETYPE is removed from the peers' environment, so that OpenBLAS picks its kernels for this CPU: some
# environments pin it to Haswell (AVX2), which halves OpenBLAS on an AVX-512 machine (set PEER_OPENBLAS_CORETYPE
# to pin one on purpose).
# PYTHON=path picks the peer's Python (default /usr/bin/python3, Debian's torch; a venv's python for pip's torch).
# --numpy also times numpy's products (its own OpenBLAS) as a second peer, in the same run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
threads="$(nproc)"
repeat=1
cpu=()
numpy=0
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --cpu-time) cpu=(--cpu-time); shift ;;
    --numpy) numpy=1; shift ;;
    *) echo "matmul_compare.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for ((r = 1; r <= repeat; r++)); do
  echo "run $r/$repeat: jllm ($(uptime | sed 's/.*load average/load average/'))" >&2
  "$root/jllm" bench matmul --json --threads "$threads" "${cpu[@]}" > "$out/jllm.$r"
  echo "run $r/$repeat: torch ($(uptime | sed 's/.*load average/load average/'))" >&2
  env -u OPENBLAS_CORETYPE ${PEER_OPENBLAS_CORETYPE:+OPENBLAS_CORETYPE=$PEER_OPENBLAS_CORETYPE} OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS="$threads" LD_LIBRARY_PATH="${TORCH_BLAS_DIR:+$TORCH_BLAS_DIR:}${LD_LIBRARY_PATH:-}" \
    "${PYTHON:-/usr/bin/python3}" "$here/matmul_torch.py" --threads "$threads" "${cpu[@]}" > "$out/torch.$r"
  if [ "$numpy" = 1 ]; then
    echo "run $r/$repeat: numpy ($(uptime | sed 's/.*load average/load average/'))" >&2
    env -u OPENBLAS_CORETYPE ${PEER_OPENBLAS_CORETYPE:+OPENBLAS_CORETYPE=$PEER_OPENBLAS_CORETYPE} OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS="$threads" "${PYTHON:-/usr/bin/python3}" "$here/matmul_torch.py" \
      --numpy --threads "$threads" "${cpu[@]}" > "$out/numpy.$r"
  else
    : > "$out/numpy.$r"
  fi
done

/usr/bin/python3 - "$out" "$repeat" <<'PY'
import json, sys
out, repeat = sys.argv[1], int(sys.argv[2])
peak = None
def best(side):
    global peak
    results = {}
    for r in range(1, repeat + 1):
        for line in open(f"{out}/{side}.{r}"):
            o = json.loads(line)
            if "layout" not in o:  # jllm's header line: plan and measured peak
                if "peak_gflops" in o:
                    peak = max(peak or 0.0, o["peak_gflops"])
                    print(f"jllm plan: {o['plan']}", file=sys.stderr)
                continue
            key = (o["layout"], o["m"], o["k"], o["n"])
            results[key] = max(results.get(key, 0.0), o["gflops"])
    return results
jllm, torch, numpy = best("jllm"), best("torch"), best("numpy")
if peak:
    print(f"measured FMA peak: {peak:.0f} GFLOP/s")
cols = "| layout | M | K | N | jllm GFLOP/s | % of peak | PyTorch GFLOP/s | jllm / PyTorch |"
if numpy:
    cols += " numpy GFLOP/s | jllm / numpy |"
print(cols)
print("|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if numpy else ""))
def fmt(g, t):
    return (f"{t:.1f}", f"{g / t:.2f}") if t else ("-", "-")
for key, g in jllm.items():
    share = f"{100 * g / peak:.0f} %" if peak and key[0] != "gemv" else "-"
    row = f"| {key[0]} | {key[1]} | {key[2]} | {key[3]} | {g:.1f} | {share} | " + " | ".join(fmt(g, torch.get(key))) + " |"
    if numpy:
        row += " " + " | ".join(fmt(g, numpy.get(key))) + " |"
    print(row)
PY
