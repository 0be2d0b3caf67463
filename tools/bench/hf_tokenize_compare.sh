#!/usr/bin/env bash
# jllm's tokenizer.json tokenizers against the Rust `tokenizers` library (its Python binding), back to back on
# the same text (tinyshakespeare), one family at a time: MB/s on one thread and on all cores.
# Usage (from the repository root): tools/bench/hf_tokenize_compare.sh [PYTHON] [families...]
# PYTHON: a venv's python with tokenizers (tools/reference/make_venv.sh), default /work/venv/bin/python.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
py="${1:-/work/venv/bin/python}"; shift || true
families=("${@:-llama3 qwen3 gemma3}")
cd "$root"
[ -n "${JAVA_HOME:-}" ] || JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
# the library module alone: the tokenizers are in jllm-core
[ -f jllm-core/target/cp.txt ] || ./mvnw -q -B -pl jllm-core dependency:build-classpath -Dmdep.outputFile=target/cp.txt >/dev/null 2>&1
./mvnw -q -B -pl jllm-core compile >/dev/null 2>&1
lscpu | grep -E "Model name|CPU family|^CPU\(s\)" || true
echo "load before: $(uptime)"
for f in ${families[*]}; do
  echo "jllm   $("$JAVA_HOME/bin/java" -cp "jllm-core/target/classes:$(cat jllm-core/target/cp.txt)" tools/bench/HfTokenizeSpeed.java "$f")"
  echo "tokenizers $("$py" tools/bench/hf_tokenize_rust.py "$f" 2>/dev/null)"
done
echo "load after: $(uptime)"
