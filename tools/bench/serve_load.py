#!/usr/bin/env python3
"""Load on a running `jllm serve` (standard library only), as BENCHMARKS.md records it.

  serve_load.py URL completions --concurrency 8 --requests 64 --max-tokens 16 [--api-key K]
      requests/s and p50/p99 latency of non-streamed completions, CONCURRENCY clients back to back
  serve_load.py URL health --long 2 --long-tokens 400 --seconds 20
      /health latency (p50/p99/max, one probe every 20 ms) while LONG streamed generations run
  serve_load.py URL stream --levels 1,2,4,8,16 --max-tokens 128
      per level: N concurrent streamed completions of MAX_TOKENS tokens (ignoring the end token is not
      possible over the API, so prompts are chosen to run long and the tokens counted are those streamed);
      aggregate tokens/s, p50/p99 time to first token and per-token latency
Prints one JSON object per measurement.
"""
import argparse, http.client, json, statistics, sys, threading, time
from urllib.parse import urlparse


def pct(xs, p):
    if not xs:
        return None
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(p / 100 * (len(xs) - 1)))))
    return xs[k]


class Client:
    def __init__(self, url, key):
        u = urlparse(url)
        self.host, self.port, self.key = u.hostname, u.port or 80, key

    def conn(self):
        return http.client.HTTPConnection(self.host, self.port, timeout=600)

    def headers(self):
        h = {"Content-Type": "application/json"}
        if self.key:
            h["Authorization"] = "Bearer " + self.key
        return h

    def complete(self, body):
        c = self.conn()
        c.request("POST", "/v1/completions", json.dumps(body), self.headers())
        r = c.getresponse()
        data = r.read()
        c.close()
        if r.status != 200:
            raise RuntimeError(f"{r.status}: {data[:200]!r}")
        return json.loads(data)

    def stream(self, body):
        """(time to first token, [gaps between tokens], tokens) of one streamed completion."""
        c = self.conn()
        body = dict(body, stream=True, stream_options={"include_usage": True})
        t0 = time.perf_counter()
        c.request("POST", "/v1/completions", json.dumps(body), self.headers())
        r = c.getresponse()
        if r.status != 200:
            raise RuntimeError(f"{r.status}: {r.read()[:200]!r}")
        times, tokens = [], 0
        for line in r:
            line = line.strip()
            if not line.startswith(b"data: ") or line == b"data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if "error" in chunk:
                raise RuntimeError(f"the server reported: {chunk['error']}")
            if chunk.get("usage"):
                tokens = chunk["usage"]["completion_tokens"]
            elif chunk["choices"] and chunk["choices"][0].get("text"):
                times.append(time.perf_counter())
        c.close()
        ttft = times[0] - t0 if times else None
        gaps = [b - a for a, b in zip(times, times[1:])]
        return ttft, gaps, tokens, (times[-1] if times else time.perf_counter()) - t0

    def health(self):
        c = self.conn()
        t0 = time.perf_counter()
        c.request("GET", "/health")
        r = c.getresponse()
        r.read()
        c.close()
        return time.perf_counter() - t0


PROMPT = "The history of the city begins in the year"


def completions(cl, a):
    lat, lock, done = [], threading.Lock(), [0]
    def worker(i):
        while True:
            with lock:
                if done[0] >= a.requests:
                    return
                done[0] += 1
                n = done[0]
            t = time.perf_counter()
            cl.complete({"model": a.model, "prompt": PROMPT, "max_tokens": a.max_tokens, "seed": n, "temperature": 1})
            with lock:
                lat.append(time.perf_counter() - t)
    # warm-up
    cl.complete({"model": a.model, "prompt": PROMPT, "max_tokens": a.max_tokens, "seed": 0})
    t0 = time.perf_counter()
    ts = [threading.Thread(target=worker, args=(i,)) for i in range(a.concurrency)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    wall = time.perf_counter() - t0
    print(json.dumps({"test": "completions", "concurrency": a.concurrency, "requests": a.requests,
                      "max_tokens": a.max_tokens, "requests_per_s": round(a.requests / wall, 3),
                      "p50_s": round(pct(lat, 50), 3), "p99_s": round(pct(lat, 99), 3), "wall_s": round(wall, 2)}))


def health(cl, a):
    stop = threading.Event()
    def long(i):
        while not stop.is_set():
            cl.stream({"model": a.model, "prompt": PROMPT, "max_tokens": a.long_tokens, "seed": 100 + i})
    ts = [threading.Thread(target=long, args=(i,), daemon=True) for i in range(a.long)]
    [t.start() for t in ts]
    time.sleep(2)  # both generating
    lat, t_end = [], time.perf_counter() + a.seconds
    while time.perf_counter() < t_end:
        lat.append(cl.health())
        time.sleep(0.02)
    stop.set()
    ms = lambda x: round(1000 * x, 2)
    print(json.dumps({"test": "health", "long_generations": a.long, "probes": len(lat), "p50_ms": ms(pct(lat, 50)),
                      "p99_ms": ms(pct(lat, 99)), "max_ms": ms(max(lat))}))


def stream(cl, a):
    cl.stream({"model": a.model, "prompt": PROMPT, "max_tokens": 8, "seed": 0})  # warm-up
    for n in [int(x) for x in a.levels.split(",")]:
        res, lock = [], threading.Lock()
        def one(i):
            r = cl.stream({"model": a.model, "prompt": PROMPT + " " + str(i), "max_tokens": a.max_tokens,
                           "seed": 1000 + i, "temperature": 1, "top_k": 40})
            with lock:
                res.append(r)
        t0 = time.perf_counter()
        ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
        [t.start() for t in ts]
        [t.join() for t in ts]
        wall = time.perf_counter() - t0
        tokens = sum(r[2] for r in res)
        ttft = [r[0] for r in res if r[0] is not None]
        gaps = [g for r in res for g in r[1]]
        ms = lambda x: None if x is None else round(1000 * x, 1)
        print(json.dumps({"test": "stream", "concurrency": n, "tokens": tokens, "wall_s": round(wall, 2),
                          "tokens_per_s": round(tokens / wall, 2), "ttft_p50_ms": ms(pct(ttft, 50)),
                          "ttft_p99_ms": ms(pct(ttft, 99)), "token_p50_ms": ms(pct(gaps, 50)),
                          "token_p99_ms": ms(pct(gaps, 99))}), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("test", choices=["completions", "health", "stream"])
    p.add_argument("--model", default=None)
    p.add_argument("--api-key", default=None)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--requests", type=int, default=64)
    p.add_argument("--max-tokens", type=int, default=16)
    p.add_argument("--long", type=int, default=2)
    p.add_argument("--long-tokens", type=int, default=400)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--levels", default="1,2,4,8,16")
    a = p.parse_args()
    cl = Client(a.url, a.api_key)
    if a.model is None:
        c = cl.conn()
        c.request("GET", "/health")
        a.model = json.loads(c.getresponse().read())["model"]
    {"completions": completions, "health": health, "stream": stream}[a.test](cl, a)


if __name__ == "__main__":
    main()
