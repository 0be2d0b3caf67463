#!/usr/bin/python3
"""PyTorch fp32 peer of `jllm bench matmul`: the same products at the same shapes, on all cores.

Prints one JSON object per line, with the fields of `jllm bench matmul --json`:
{"layout": "xwt|dyw|dytx|gemv", "m": M, "k": K, "n": N, "gflops": g}
  xwt : Y[M,N]  = X[M,K] @ W[N,K].T     (Linear forward)
  dyw : dX[M,K] = dY[M,N] @ W[N,K]      (Linear input gradient)
  dytx: dW[N,K] = dY[M,N].T @ X[M,K]    (Linear weight gradient)
  gemv: y[N]    = W[N,K] @ x[K]         (one-token decoding; cycles through 256 MiB of copies of W
                                         so that the weights come from memory, as in jllm's bench)
Run with OMP_WAIT_POLICY=PASSIVE (matmul_compare.sh sets it): idle OpenMP threads otherwise spin.
The BLAS library torch ended up with is printed on stderr.
"""
import argparse
import json
import os
import sys
import time

import torch

WEIGHT_SHAPES = [(768, 2304), (768, 3072), (3072, 768), (768, 50257)]  # (K, N) of W[N, K], GPT-2 124M
TRAINING_ROWS = [512, 2048]  # M = batch * context
GEMV_STREAM_BYTES = 256 << 20


def seconds_per_call(fn, min_seconds, cpu_time=False):
    warm_up = time.perf_counter()
    while time.perf_counter() - warm_up < min_seconds:  # warm-up, as long as the measurement
        fn()
    calls, start, cpu_start = 0, time.perf_counter(), time.process_time()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return (time.process_time() - cpu_start if cpu_time else elapsed) / calls


def report(layout, m, k, n, gflops):
    print(json.dumps({"layout": layout, "m": m, "k": k, "n": n, "gflops": round(gflops, 2)}), flush=True)


def blas_library():
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
    return ", ".join(sorted(libs)) or "unknown"


def numpy_products(args):
    """The same products through numpy (float32): its OpenBLAS honours OPENBLAS_NUM_THREADS."""
    import numpy as np
    rng = np.random.default_rng(0)
    for m in TRAINING_ROWS:
        for k, n in WEIGHT_SHAPES:
            x, w, dy = (rng.random(s, dtype=np.float32) * 2 - 1 for s in ((m, k), (n, k), (m, n)))
            flops = 2.0 * m * k * n
            for layout, fn in (("xwt", lambda: x @ w.T), ("dyw", lambda: dy @ w), ("dytx", lambda: dy.T @ x)):
                report(layout, m, k, n, flops / seconds_per_call(fn, args.seconds, args.cpu_time) / 1e9)
    cfg = np.__config__.CONFIG["Build Dependencies"]["blas"] if hasattr(np.__config__, "CONFIG") else {}
    print(f"numpy {np.__version__}, BLAS: {cfg.get('name', '?')} {cfg.get('version', '')}, kernels: {openblas_core()}",
          file=sys.stderr)


def openblas_core():
    """The CPU kernels OpenBLAS chose (e.g. SkylakeX = AVX-512, Haswell = AVX2), from the loaded library."""
    import ctypes
    with open("/proc/self/maps") as maps:
        libs = sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line})
    for path in libs:
        lib = ctypes.CDLL(path)
        for name in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename"):
            if hasattr(lib, name):
                f = getattr(lib, name)
                f.restype = ctypes.c_char_p
                return f().decode()
    return "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--seconds", type=float, default=0.3, help="minimum time per measurement")
    parser.add_argument("--numpy", action="store_true",
                        help="time numpy's products (its own BLAS, OpenBLAS in pip's numpy) instead of torch's")
    parser.add_argument("--cpu-time", action="store_true",
                        help="divide by the process CPU time instead of the elapsed time (needs --threads 1)")
    args = parser.parse_args()
    if args.cpu_time and args.threads != 1:
        parser.error("--cpu-time needs --threads 1")
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.numpy:
        return numpy_products(args)
    with torch.no_grad():
        for m in TRAINING_ROWS:
            for k, n in WEIGHT_SHAPES:
                x, w, dy = torch.rand(m, k) * 2 - 1, torch.rand(n, k) * 2 - 1, torch.rand(m, n) * 2 - 1
                flops = 2.0 * m * k * n
                for layout, fn in (("xwt", lambda: x @ w.T), ("dyw", lambda: dy @ w), ("dytx", lambda: dy.T @ x)):
                    report(layout, m, k, n, flops / seconds_per_call(fn, args.seconds, args.cpu_time) / 1e9)
                del x, w, dy
        for k, n in WEIGHT_SHAPES:
            ws = [torch.rand(n, k) * 2 - 1 for _ in range(max(1, GEMV_STREAM_BYTES // (4 * n * k)))]
            x, state = torch.rand(k) * 2 - 1, {"next": 0}

            def gemv():
                ws[state["next"]] @ x
                state["next"] = (state["next"] + 1) % len(ws)

            report("gemv", 1, k, n, 2.0 * k * n / seconds_per_call(gemv, args.seconds, args.cpu_time) / 1e9)
            del ws
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, BLAS: {blas_library()}", file=sys.stderr)


if __name__ == "__main__":
    main()
