#!/usr/bin/python3
"""PyTorch fp32 peer of `jllm bench matmul`: the same products at the same shapes.

Prints one JSON object per line, with the field names of `jllm bench matmul --json`:
{"layout": "xwt|dyw|dytx|gemv", "m": M, "k": K, "n": N, "gflops": g}
  xwt : Y[M,N]  = X[M,K] @ W[N,K].T     (Linear forward)
  dyw : dX[M,K] = dY[M,N] @ W[N,K]      (Linear input gradient)
  dytx: dW[N,K] = dY[M,N].T @ X[M,K]    (Linear weight gradient)
  gemv: y[N]    = W[N,K] @ x[K]         (one-token decoding)
Run with OMP_WAIT_POLICY=PASSIVE (matmul_compare.sh sets it): idle OpenMP threads otherwise spin.
"""
import argparse
import json
import os
import time

import torch

TRAIN_SHAPES = [(m, k, n) for m in (512,) for (k, n) in ((768, 2304), (768, 50257))]
GEMV_SHAPES = [(768, 2304), (768, 3072), (3072, 768), (768, 50257)]


def gflops(fn, flops, min_seconds):
    fn()  # warm-up
    runs, start = 0, time.perf_counter()
    while True:
        fn()
        runs += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return flops * runs / elapsed / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--seconds", type=float, default=0.3, help="minimum time per measurement")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    for m, k, n in TRAIN_SHAPES:
        x, w, dy = torch.randn(m, k), torch.randn(n, k), torch.randn(m, n)
        flops = 2.0 * m * k * n
        for layout, fn in (("xwt", lambda: x @ w.T), ("dyw", lambda: dy @ w), ("dytx", lambda: dy.T @ x)):
            print(json.dumps({"layout": layout, "m": m, "k": k, "n": n,
                              "gflops": round(gflops(fn, flops, args.seconds), 1)}), flush=True)
        del x, w, dy
    for k, n in GEMV_SHAPES:
        w, x = torch.randn(n, k), torch.randn(k)
        print(json.dumps({"layout": "gemv", "m": 1, "k": k, "n": n,
                          "gflops": round(gflops(lambda: w @ x, 2.0 * k * n, args.seconds), 2)}), flush=True)


if __name__ == "__main__":
    main()
