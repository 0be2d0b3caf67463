#!/usr/bin/env python3
"""A round of hostile use of the jllm command line (issue 19): killed and interrupted training runs, damaged and
malicious files, misused commands, hostile HTTP bodies. Every outcome must be a success or one clear error line
(exit 1, or 2 for a usage error) -- never a stack trace, a hang, or a run that cannot be resumed.

    python3 tools/abuse/abuse.py [--jllm ./jllm] [--work /tmp/jllm-abuse] [--kills 12] [--mutations 40] [--seed 1]

Needs only python3 and a JDK 25 (through ./jllm). Prints one line per failure and a summary per section; exits 1
when anything failed. Results of past rounds are in RELIABILITY.md.
"""
import argparse, json, os, random, re, shutil, signal, socket, subprocess, sys, time, urllib.request

STACK = re.compile(r"Exception in thread|^\s+at [\w.$]+\(|java\.lang\.\w+(Error|Exception)\b|\bNullPointer", re.M)


class Round:
    def __init__(self, args):
        self.jllm, self.work, self.rng, self.args = args.jllm, args.work, random.Random(args.seed), args
        self.sections = {}
        self.failures = []

    def record(self, section, ok, what):
        tried, bad = self.sections.get(section, (0, 0))
        self.sections[section] = (tried + 1, bad + (0 if ok else 1))
        if not ok:
            self.failures.append(f"[{section}] {what}")
            print(f"FAIL [{section}] {what}", flush=True)

    def run(self, *args, timeout=120, stdin=subprocess.DEVNULL):
        try:
            p = subprocess.run([self.jllm, *args], cwd=self.work, stdin=stdin, capture_output=True, text=True,
                               errors="replace", timeout=timeout)
            return p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            return None, e.stdout or "", e.stderr or ""

    def clean(self, section, args, code, out, err, allow_ok=True):
        """Success, or an error line without a stack trace; never a hang."""
        what = " ".join(a if len(a) < 60 else a[:57] + "..." for a in args)
        if code is None:
            return self.record(section, False, f"hang (timeout): jllm {what}")
        errors = [l for l in err.splitlines() if l.startswith("jllm: error:")]
        if STACK.search(err) or STACK.search(out):
            return self.record(section, False, f"stack trace: jllm {what}: {err.strip().splitlines()[:3]}")
        if code == 0:
            return self.record(section, allow_ok, f"accepted: jllm {what}")
        if code == 1:
            return self.record(section, len(errors) == 1, f"exit 1 without one error line: jllm {what}: {err[-300:]!r}")
        if code == 2:
            return self.record(section, bool(err.strip()), f"usage error without a message: jllm {what}")
        self.record(section, False, f"exit {code}: jllm {what}: {err[-300:]!r}")

    # ---- fixtures ----

    def fixtures(self):
        os.makedirs(self.work, exist_ok=True)
        self.stories = os.path.join(self.work, "stories.txt")
        words = "the cat the dog a bird sat ran sang on under near a mat log tree and then".split()
        rng = random.Random(7)
        with open(self.stories, "w") as f:
            for _ in range(600):
                f.write(" ".join(rng.choice(words) for _ in range(12)).capitalize() + ".\n")
        self.model = os.path.join(self.work, "tiny")
        shutil.rmtree(self.model, ignore_errors=True)
        code, out, err = self.run("init", "--config", "custom", "--emb", "16", "--layers", "1", "--heads", "2",
                                  "--context", "32", "--out", self.model)
        assert code == 0, err
        self.tsv = os.path.join(self.work, "sms.tsv")
        with open(self.tsv, "w") as f:
            for i in range(40):
                f.write(("spam\tWIN cash now %d\n" if i % 2 else "ham\tsee you at lunch %d\n") % i)
        self.instructions = os.path.join(self.work, "instructions.json")
        json.dump([{"instruction": f"Say {i}", "input": "", "output": f"{i}"} for i in range(40)],
                  open(self.instructions, "w"))

    TRAIN = ["--tokenizer", "bpe", "--vocab-size", "300", "--emb", "32", "--layers", "1", "--heads", "2",
             "--context", "16", "--batch", "4", "--steps", "40", "--checkpoint-every", "4", "--eval-every", "8",
             "--sample-tokens", "0", "--no-progress"]

    def popen(self, *args):
        # SIGINT back to its default: a shell that starts this script in the background makes its children ignore it
        return subprocess.Popen([self.jllm, *args], cwd=self.work, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, errors="replace", start_new_session=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))

    @staticmethod
    def kill_tree(p, sig):
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            pass

    # ---- sections ----

    def runs(self):
        section = "runs"
        reference = os.path.join(self.work, "run-reference")
        shutil.rmtree(reference, ignore_errors=True)
        t0 = time.time()
        code, out, err = self.run("pretrain", "--data", self.stories, *self.TRAIN, "--out", reference, timeout=900)
        assert code == 0, err
        duration = time.time() - t0  # kills land anywhere in a run of this length: start-up, BPE, steps, saves
        final = open(os.path.join(reference, "metrics.csv")).read().splitlines()
        for k in range(self.args.kills):
            run = os.path.join(self.work, f"run-killed-{k}")
            shutil.rmtree(run, ignore_errors=True)
            args, kills, done = ["pretrain", "--data", self.stories, *self.TRAIN, "--out", run], 0, False
            for attempt in range(8):
                p = self.popen(*args)
                delay = self.rng.uniform(0.02, 0.45) * duration if attempt < 3 else None
                try:
                    out, err = p.communicate(timeout=delay)
                except subprocess.TimeoutExpired:
                    self.kill_tree(p, signal.SIGKILL)
                    p.communicate()
                    kills += 1
                    args = ["pretrain", "--resume", run, "--no-progress"]
                    continue
                if p.returncode != 0 and args[1] == "--resume" and (
                        "no such run folder" in err or "start it again with --out" in err):
                    # killed before the run wrote its folder or settings: the message's advice, a fresh start
                    args = ["pretrain", "--data", self.stories, *self.TRAIN, "--out", run]
                    continue
                if p.returncode != 0:
                    self.record(section, False, f"run {k}: after {kills} kill(s), jllm {' '.join(args[:3])} ended"
                                                f" {p.returncode}: {err.strip()[-300:]}")
                    break
                done = True
                break
            if not done:
                continue
            print(f"run {k}: {kills} kill(s) -9, then finished", flush=True)
            rows = open(os.path.join(run, "metrics.csv")).read().splitlines()
            same = [r.split(",")[:5] for r in rows] == [r.split(",")[:5] for r in final]
            leftovers = [os.path.join(d, f) for d, _, fs in os.walk(run) for f in fs + _ if f.endswith(".tmp")]
            self.record(section, same and not leftovers,
                        f"run {k}: after {kills} kill(s) the metrics differ from an uninterrupted run or .tmp files"
                        f" stayed: {leftovers[:3]} {rows[-1:]} vs {final[-1:]}")
        # a second --resume while the run trains; then Ctrl-C
        run = os.path.join(self.work, "run-twice")
        shutil.rmtree(run, ignore_errors=True)
        slow = [a if a != "40" else "100000" for a in self.TRAIN]
        first = self.popen("pretrain", "--data", self.stories, *slow, "--json", "--out", run)
        for _ in range(600):
            if os.path.isdir(os.path.join(run, "checkpoints")):
                break
            time.sleep(0.2)
        code, out, err = self.run("pretrain", "--resume", run, "--no-progress", timeout=120)
        self.record(section, code == 1 and "is in use by a training run" in err,
                    f"a second --resume of a running run: exit {code}, {err.strip()[-200:]!r}")
        self.kill_tree(first, signal.SIGINT)
        try:
            out, err = first.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            self.kill_tree(first, signal.SIGKILL)
            out, err = first.communicate()
            err += "\n(no exit within 300 s of Ctrl-C)"
        self.record(section, "Continue with: jllm pretrain --resume" in err and out.strip().startswith('{"run_dir"'),
                    f"Ctrl-C: stdout {out.strip()[:120]!r}, stderr tail {err.strip()[-200:]!r}")
        rows = open(os.path.join(run, "metrics.csv")).read().splitlines()
        self.record(section, all(r.strip() for r in rows), "metrics.csv holds a blank line")

    def mutate(self, data):
        data = bytearray(data)
        op = self.rng.randrange(7)
        if op == 0 and data:
            return bytes(data[: self.rng.randrange(len(data))])              # truncated
        if op == 1:
            for _ in range(self.rng.randint(1, 8)):                           # flipped bytes
                if data:
                    data[self.rng.randrange(len(data))] = self.rng.randrange(256)
            return bytes(data)
        if op == 2:
            return b"\xef\xbb\xbf" + bytes(data)                               # byte-order mark
        if op == 3:                                                           # numbers made huge or negative
            big = self.rng.choice([b"2147483647", b"-1", b"9223372036854775807", b"1e309", b"0", b"4294967296"])
            return re.sub(rb"\d+", lambda m: big if self.rng.random() < 0.3 else m.group(0), bytes(data), count=50)
        if op == 4 and len(data) > 8:                                         # header length claims everything
            data[0:8] = self.rng.choice([b"\xff" * 8, (2**31 - 1).to_bytes(8, "little"), b"\x00" * 8])
            return bytes(data)
        if op == 5:
            return bytes(data) + bytes(self.rng.randrange(256) for _ in range(self.rng.randint(1, 64)))
        return b"\xff\xfe\x00" + bytes(data[3:])                               # not UTF-8

    def files(self):
        section = "files"
        tok = os.path.join(self.work, "corpus.tok")
        code, _, err = self.run("data", "prepare", "--corpus", self.stories, "--out", tok)
        assert code == 0, err
        cases = [("model.safetensors", lambda d: ("generate", "--model", d, "--prompt", "Hi", "--max-tokens", "2")),
                 ("config.json", lambda d: ("generate", "--model", d, "--prompt", "Hi", "--max-tokens", "2")),
                 ("vocab.json", lambda d: ("tokenize", "--vocab", d, "Hello there")),
                 ("merges.txt", lambda d: ("tokenize", "--vocab", d, "Hello there"))]
        for i in range(self.args.mutations):
            name, command = cases[i % len(cases)]
            d = os.path.join(self.work, f"bad-model-{i}")
            shutil.rmtree(d, ignore_errors=True)
            shutil.copytree(self.model, d)
            path = os.path.join(d, name)
            data = open(path, "rb").read()
            open(path, "wb").write(self.mutate(data))
            args = command(d)
            self.clean(section, (*args[:2], f"<{name} mutated>"), *self.run(*args))
        for i in range(self.args.mutations // 2):
            bad = os.path.join(self.work, f"bad-{i}.tok")
            open(bad, "wb").write(self.mutate(open(tok, "rb").read()))
            args = ("pretrain", "--data", bad, "--tokenizer", "gpt2", "--emb", "16", "--layers", "1", "--heads", "2",
                    "--context", "8", "--batch", "1", "--steps", "1", "--sample-tokens", "0", "--no-progress",
                    "--out", os.path.join(self.work, f"bad-tok-run-{i}"))
            self.clean(section, args[:3], *self.run(*args))
        for i in range(self.args.mutations // 4):
            for src, suffix, command in [
                    (self.tsv, ".tsv", lambda f, o: ("finetune", "classify", "--model", self.model, "--data", f,
                                                     "--epochs", "1", "--batch", "2", "--out", o)),
                    (self.instructions, ".json", lambda f, o: ("finetune", "instruct", "--model", self.model, "--data",
                                                               f, "--epochs", "1", "--batch", "2", "--max-length", "32",
                                                               "--response-tokens", "2", "--out", o)),
                    (self.stories, ".txt", lambda f, o: ("perplexity", "--model", self.model, "--file", f))]:
                bad = os.path.join(self.work, f"bad-{i}{suffix}")
                open(bad, "wb").write(self.mutate(open(src, "rb").read()))
                args = command(bad, os.path.join(self.work, f"bad-out-{i}{suffix}"))
                self.clean(section, args[:2] + (os.path.basename(bad),), *self.run(*args, timeout=300))

    def modern(self):
        """The readers added with the open models: a Qwen3-shaped folder (config.json, bf16 safetensors,
        tokenizer.json, tokenizer_config.json with its chat template), a messages file, GGUF files, batch files."""
        section = "modern"
        shared = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared/data/tokenizers/qwen3")
        qwen = os.path.join(self.work, "qwen")
        shutil.rmtree(qwen, ignore_errors=True)
        code, _, err = self.run("init", "--config", "qwen3-0.6b", "--emb", "64", "--layers", "2", "--heads", "4",
                                "--kv-heads", "2", "--head-dim", "16", "--intermediate", "128", "--vocab", "151936",
                                "--context", "256", "--out", qwen)
        assert code == 0, err
        if os.path.isdir(shared):
            for f in ("tokenizer.json", "tokenizer_config.json"):
                shutil.copy(os.path.join(shared, f), qwen)
        else:
            print("modern: ../shared/data/tokenizers/qwen3 is absent: tokenizer.json cases skipped", flush=True)
        messages = os.path.join(self.work, "messages.json")
        with open(messages, "w") as f:
            json.dump([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi there!"}], f)
        gguf = os.path.join(self.work, "tiny.gguf")
        code, _, err = self.run("quantize", "--model", self.model, "--type", "q8_0", "--out", gguf)
        assert code == 0, err
        batch = os.path.join(self.work, "prompts.txt")
        with open(batch, "w") as f:
            f.write("Once upon a time\nThe cat sat\n")
        cases = [("config.json", lambda d: ("generate", "--model", d, "--prompt-ids", "1,2,3", "--max-tokens", "2"))]
        cases.append(("model.safetensors",
                      lambda d: ("generate", "--model", d, "--prompt-ids", "1,2,3", "--max-tokens", "2")))
        if os.path.isdir(shared):
            cases += [("tokenizer.json", lambda d: ("tokenize", "--vocab", d, "Hello there <think>")),
                      ("tokenizer_config.json", lambda d: ("tokenize", "--vocab", d, "--messages", messages, "--json"))]
        for i in range(self.args.mutations):
            name, command = cases[i % len(cases)]
            d = os.path.join(self.work, f"bad-qwen-{i}")
            shutil.rmtree(d, ignore_errors=True)
            shutil.copytree(qwen, d)
            path = os.path.join(d, name)
            open(path, "wb").write(self.mutate(open(path, "rb").read()))
            args = command(d)
            self.clean(section, (*args[:2], f"<{name} mutated>"), *self.run(*args, timeout=300))
        for i in range(self.args.mutations // 2):
            bad = os.path.join(self.work, f"bad-{i}.gguf")
            open(bad, "wb").write(self.mutate(open(gguf, "rb").read()))
            args = ("generate", "--model", bad, "--prompt", "Hi", "--max-tokens", "2")
            self.clean(section, ("generate", "--model", os.path.basename(bad)), *self.run(*args))
        for i in range(self.args.mutations // 4):
            for src, command in [
                    (messages, lambda f: ("tokenize", "--vocab", qwen, "--messages", f, "--json")),
                    (batch, lambda f: ("generate", "--model", self.model, "--batch-file", f, "--max-tokens", "2"))]:
                if src == messages and not os.path.isdir(shared):
                    continue
                bad = os.path.join(self.work, f"bad-{i}-{os.path.basename(src)}")
                open(bad, "wb").write(self.mutate(open(src, "rb").read()))
                args = command(bad)
                self.clean(section, args[:2] + (os.path.basename(bad),), *self.run(*args))

    def commands(self):
        section = "commands"
        m, s, w = self.model, self.stories, self.work
        afile = os.path.join(w, "a-file")
        open(afile, "w").write("x")
        for c in ["pretrain", "download", "data", "tokenize", "bpe", "evaluate", "generate", "chat", "perplexity",
                  "info", "init", "serve", "bench", "finetune", "classify"]:
            code, out, err = self.run(c, "--help")
            self.record(section, code == 0 and out.startswith("Usage: jllm " + c), f"jllm {c} --help: exit {code}")
        misuse = [
            ["init", "--context", "1000000000", "--out", f"{w}/x1"], ["init", "--emb", "0", "--out", f"{w}/x2"],
            ["init", "--config", "custom", "--emb", "16", "--layers", "1", "--heads", "3", "--out", f"{w}/x3"],
            ["init", "--out", ""], ["init", "--out", afile], ["init", "--vocab", "-5", "--out", f"{w}/x4"],
            ["init", "--config", "custom", "--emb", "65536", "--layers", "1000", "--heads", "1", "--out", f"{w}/x5"],
            ["generate", "--model", m, "--prompt", "Hi", "--stop", ""],
            ["generate", "--model", m, "--prompt", "Hi", "--max-tokens", "-1"],
            ["generate", "--model", m, "--prompt", "Hi", "--temperature", "-1"],
            ["generate", "--model", m, "--prompt", "Hi", "--top-k", "-3"],
            ["generate", "--model", m, "--prompt", "Hi", "--top-p", "7"],
            ["generate", "--model", m, "--prompt-ids", "99999999"], ["generate", "--model", m, "--prompt-ids", "1,,x"],
            ["generate", "--model", f"{w}/nothing", "--prompt", "Hi"], ["generate", "--model", afile, "--prompt", "Hi"],
            ["generate", "--model", m, "--prompt", "<|endoftext|>"],
            ["perplexity", "--model", m, "--file", f"{w}/nothing.txt"], ["perplexity", "--model", m, "--file", w],
            ["perplexity", "--model", m, "--file", s, "--context", "0"],
            ["perplexity", "--model", m, "--file", s, "--stride", "-4"],
            ["info", "--config", "nope"], ["info", "--model", f"{w}/nothing"],
            ["info", "--config", "gpt2-xl", "--batch", "-1"], ["info", "--config", "gpt2-xl", "--context", "2000000000"],
            ["pretrain", "--data", s, "--out", afile, *self.TRAIN],
            ["pretrain", "--data", s, "--out", "", *self.TRAIN],
            ["pretrain", "--data", s, "--init", m, "--emb", "64", "--out", f"{w}/p1"],
            ["pretrain", "--data", s, "--prompt", "a<|endoftext|>b", "--out", f"{w}/p2", *self.TRAIN[:-3]],
            ["pretrain", "--data", s, "--batch", "0", "--out", f"{w}/p3"],
            ["pretrain", "--data", s, "--lr", "-1", "--out", f"{w}/p4", *self.TRAIN],
            ["pretrain", "--data", s, "--context", "-1", "--out", f"{w}/p5"],
            ["pretrain", "--data", s, "--train-fraction", "1.5", "--out", f"{w}/p6"],
            ["pretrain", "--data", s, "--epochs", "1", "--steps", "5", "--out", f"{w}/p7"],
            ["pretrain", "--resume", f"{w}/nothing"], ["pretrain", "--resume", afile], ["pretrain", "--resume", m],
            ["pretrain", "--data", f"{w}/nothing.txt", "--out", f"{w}/p8"],
            ["pretrain", "--data", s, "--vocab-size", "10", "--out", f"{w}/p9"],
            ["finetune", "classify", "--model", m, "--data", self.tsv, "--trainable", "lora", "--lora-rank", "100000",
             "--out", f"{w}/c1"],
            ["finetune", "classify", "--model", m, "--data", self.tsv, "--batch", "0", "--out", f"{w}/c2"],
            ["finetune", "classify", "--model", m, "--data", self.tsv, "--labels", "a,b", "--out", f"{w}/c3"],
            ["finetune", "instruct", "--model", m, "--data", self.instructions, "--lora-rank", "100000",
             "--out", f"{w}/i1"],
            ["finetune", "instruct", "--resume", f"{w}/nothing"],
            ["finetune", "dpo", "--model", m, "--data", self.instructions, "--out", f"{w}/d1"],
            ["tokenize", "--ids", "1,2"], ["tokenize", "--decode", "--ids", "-5"],
            ["tokenize", "--decode", "--ids", "99999999"], ["tokenize", "--file", f"{w}/nothing.txt"],
            ["tokenize", "end<|endoftext|>"], ["bpe", "train", "--corpus", s, "--vocab-size", "3", "--out", f"{w}/b1"],
            ["bpe", "train", "--corpus", s, "--vocab-size", "2147483647", "--out", f"{w}/b2"],
            ["data", "prepare", "--corpus", f"{w}/nothing", "--out", f"{w}/t.tok"],
            ["data", "prepare", "--corpus", s, "--out", ""],
            ["serve", "--model", m, "--host", "999.1.1.1", "--port", "0"],
            ["serve", "--model", m, "--port", "70000"], ["serve", "--model", m, "--max-concurrent", "0"],
            ["classify", "--model", m, "hello"], ["evaluate", "--responses", f"{w}/nothing.json"],
            ["download", "gpt2", "--size", "7B"], ["bench", "matmul", "--size", "-1"], ["nonsense"],
        ]
        # accepted by design: info only estimates (any context), BPE training stops when no pair is left to merge
        accepted = [["info", "--config", "gpt2-xl", "--context", "2000000000"],
                    ["bpe", "train", "--corpus", s, "--vocab-size", "2147483647", "--out", f"{w}/b2"]]
        for args in misuse:
            code, out, err = self.run(*args)
            self.clean(section, args, code, out, err, allow_ok=args in accepted)
        # chat with standard input closed, and with bytes that are not text
        code, out, err = self.run("chat", "--model", m, "--max-tokens", "2", stdin=None if False else subprocess.DEVNULL)
        self.clean(section, ["chat", "<", "/dev/null"], code, out, err)
        p = subprocess.run(["bash", "-c", f"exec '{self.jllm}' chat --model '{m}' --max-tokens 2 <&-"], cwd=w,
                           capture_output=True, text=True, errors="replace", timeout=120)
        self.record(section, p.returncode == 0 and len(p.stdout) < 1000, f"chat <&-: exit {p.returncode}, printed"
                                                                         f" {len(p.stdout)} characters")
        junk = os.path.join(w, "junk.bin")
        open(junk, "wb").write(bytes(random.Random(3).randrange(256) for _ in range(4000)))
        code, out, err = self.run("chat", "--model", m, "--max-tokens", "2", stdin=open(junk, "rb"))
        self.clean(section, ["chat", "<", "junk.bin"], code, out, err)

    def http(self):
        section = "http"
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = self.popen("serve", "--model", self.model, "--port", str(port))
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/health", timeout=2)
                break
            except Exception:
                time.sleep(0.2)
        bodies = [b"", b"{", b"[]", b"null", b'"x"', b"{}", b'{"prompt": 5}', b'{"prompt": "a", "max_tokens": -1}',
                  b'{"prompt": "a", "max_tokens": 2147483648}', b'{"prompt": "a", "temperature": 1e309}',
                  b'{"prompt": "a", "top_p": "x"}', b'{"prompt": [99999999]}', b'{"prompt": "a", "stop": [""]}',
                  b'{"prompt": "a"} trailing', b"\xff\xfe\xfd", b'{"messages": "x"}', b'{"messages": [{}]}',
                  b'{"messages": [{"role": "user", "content": [{"type": "image"}]}]}', b'{"prompt": "' + b"a" * 200000 + b'"}',
                  b'{"prompt": "a", "n": 1000}', b'{"prompt": "a", "seed": -1}', b'{"input": 5}']
        for path in ["/v1/completions", "/v1/chat/completions", "/v1/classify"]:
            for body in bodies:
                req = urllib.request.Request(url + path, data=body, headers={"Content-Type": "application/json"})
                try:
                    status = urllib.request.urlopen(req, timeout=60).status
                except urllib.error.HTTPError as e:
                    status = e.code
                except Exception as e:
                    status = f"no answer ({e})"
                self.record(section, isinstance(status, int) and status < 500, f"POST {path} {body[:40]!r}: {status}")
        self.kill_tree(server, signal.SIGTERM)
        server.communicate(timeout=60)

    def report(self):
        print("\nsection      tried  failed")
        for s, (tried, bad) in self.sections.items():
            print(f"{s:<12} {tried:>5}  {bad:>6}")
        total = sum(t for t, _ in self.sections.values())
        print(f"{'all':<12} {total:>5}  {len(self.failures):>6}")
        return 1 if self.failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jllm", default=os.path.abspath(os.path.join(os.path.dirname(__file__), "../../jllm")))
    ap.add_argument("--work", default="/tmp/jllm-abuse")
    ap.add_argument("--kills", type=int, default=12)
    ap.add_argument("--mutations", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", default="runs,files,modern,commands,http")
    args = ap.parse_args()
    os.environ.setdefault("JLLM_JAVA_OPTS", "-Xmx2g")
    r = Round(args)
    r.fixtures()
    for section in args.only.split(","):
        print(f"== {section} ({time.strftime('%H:%M:%S')})", flush=True)
        getattr(r, section)()
    sys.exit(r.report())


if __name__ == "__main__":
    main()
