#!/usr/bin/env bash
# Runs `jllm bench --json` and the PyTorch peer back to back on this machine and prints both with the ratios
# (jllm / PyTorch; above 1 means jllm is faster, or for memory, uses more).
# Usage: tools/bench/compare.sh [train|generate] [extra jllm bench options, e.g. --reps 2 --models 124M]
# Both JSON objects are kept in $OUT_DIR (default: target/bench) as jllm.json and torch.json.
# TORCH_BLAS_DIR=dir puts a BLAS first on torch's library path (OpenBLAS's libblas.so.3 where Debian's torch
# would otherwise get the reference BLAS; see BENCHMARKS.md).
# OPENBLAS_CORETYPE is removed from the peers' environment, so that OpenBLAS picks its kernels for this CPU: some
# environments pin it to Haswell (AVX2), which halves OpenBLAS on an AVX-512 machine (set PEER_OPENBLAS_CORETYPE
# to pin one on purpose).
# PYTHON=path picks the peer's Python (default /usr/bin/python3, Debian's torch; a venv's python for pip's torch).
# Both sides warm up 2 training steps and take the median of at least 5, whatever --reps says.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
part=()
if [ "${1:-}" = train ] || [ "${1:-}" = generate ]; then part=("$1"); shift; fi
out="${OUT_DIR:-$root/target/bench}"
mkdir -p "$out"

echo "load before: $(uptime)" >&2
echo "jllm bench ${part[*]:-} $*" >&2
"$root/jllm" bench "${part[@]}" --json "$@" > "$out/jllm.json"
torch_args=()
for ((i = 1; i <= $#; i++)); do  # pass the options the peer shares
  case "${!i}" in
    --reps|--new-tokens|--models) j=$((i + 1)); torch_args+=("${!i}" "${!j}") ;;
    --reps=*|--new-tokens=*|--models=*) torch_args+=("${!i}") ;;
  esac
done
echo "PyTorch peer ${part[*]:-} ${torch_args[*]:-}" >&2
env -u OPENBLAS_CORETYPE ${PEER_OPENBLAS_CORETYPE:+OPENBLAS_CORETYPE=$PEER_OPENBLAS_CORETYPE} OMP_WAIT_POLICY=PASSIVE LD_LIBRARY_PATH="${TORCH_BLAS_DIR:+$TORCH_BLAS_DIR:}${LD_LIBRARY_PATH:-}" \
  "${PYTHON:-/usr/bin/python3}" "$here/gpt_torch.py" "${part[@]}" --json "${torch_args[@]}" > "$out/torch.json"
echo "load after: $(uptime)" >&2

/usr/bin/python3 - "$out/jllm.json" "$out/torch.json" <<'PY'
import json, sys
j, t = (json.load(open(p)) for p in sys.argv[1:3])
print(f"threads: jllm {j['threads']}, PyTorch {t['threads']} (torch {t.get('torch', '?')}, BLAS {t.get('blas', '?')})")
def key(kind, r):
    if kind == "train": return (r["model"], r["batch"], r["context"])
    if kind == "generate": return (r["model"], r["kv_cache"], r.get("dtype", "fp32"))
    return (r["model"], r["prompt"])
def label(kind, k):
    if kind == "train": return f"train {k[0]} batch {k[1]} x {k[2]}"
    if kind == "generate": return f"generate {k[0]} {'KV cache' if k[1] else 'no cache'}" + (" bf16" if k[2] == "bf16" else "")
    return f"prefill {k[0]} prompt {k[1]}"
def fmt(v, spec):
    return format(v, spec) if v is not None else "-"
print(f"| {'measure':<34} | {'jllm tok/s':>10} | {'PyTorch tok/s':>13} | {'ratio':>6} | {'jllm MiB':>8} | {'PyTorch MiB':>11} | {'mem ratio':>9} |")
print("|" + "|".join("-" * w for w in (36, 12, 15, 8, 10, 13, 11)) + "|")
for kind in ("train", "generate", "prefill"):
    peer = {key(kind, r): r for r in t.get(kind, [])}
    for r in j.get(kind, []):
        k = key(kind, r)
        p = peer.get(k) or (peer.get(k[:2] + ("fp32",)) if kind == "generate" else None)  # bf16 vs PyTorch fp32
        tps, ptps = r["tokens_per_second"], p["tokens_per_second"] if p else None
        mem, pmem = r.get("peak_rss_mib"), p.get("peak_rss_mib") if p else None
        ratio = tps / ptps if ptps else None
        mratio = mem / pmem if mem and pmem else None
        print(f"| {label(kind, k):<34} | {tps:>10.2f} | {fmt(ptps, '>13.2f')} | {fmt(ratio, '>6.2f')} | "
              f"{fmt(mem, '>8.0f')} | {fmt(pmem, '>11.0f')} | {fmt(mratio, '>9.2f')} |")
PY
