package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jllm.cli.ModelCommandsTest.Run;
import dev.jllm.io.gguf.GgufFile;
import dev.jllm.io.gguf.GgufTestFiles;
import dev.jllm.io.gguf.OllamaStore;
import dev.jllm.kernels.quant.GgmlType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jllm quantize, generate on a GGUF file (its own blocks, or fp32), --dtype q8_0, Ollama's store, bad files. */
class GgufCommandsTest {

    static Run run(String... args) {
        return ModelCommandsTest.run(args);
    }

    @Test
    void quantizeThenGenerateFromTheGgufFile(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("tiny");
        Run init = run("init", "--config", "custom", "--emb", "64", "--layers", "2", "--heads", "4", "--context", "64",
                "--seed", "3", "--out", dir.toString());
        assertThat(init.exit()).as(init.err()).isZero();
        Path gguf = tmp.resolve("tiny-q8_0.gguf");
        Run q = run("quantize", "--model", dir.toString(), "--type", "q8_0", "--out", gguf.toString());
        assertThat(q.exit()).as(q.err()).isZero();
        assertThat(q.out()).contains("wrote").contains("q8_0");
        try (GgufFile f = GgufFile.open(gguf)) {
            assertThat(f.architecture()).isEqualTo("gpt2");
            assertThat(f.tensor("blk.0.ffn_up.weight").type()).isEqualTo(GgmlType.Q8_0);
            assertThat(f.string("tokenizer.ggml.model")).isEqualTo("gpt2");
        }
        assertThat(run("info", "--model", gguf.toString(), "--json").json().get("config").get("embDim").asInt()).isEqualTo(64);
        String prompt = "Every effort moves you";
        JsonNode blocks = run("generate", "--model", gguf.toString(), "--prompt", prompt, "--max-tokens", "32", "--json").json();
        JsonNode fp32 = run("generate", "--model", gguf.toString(), "--prompt", prompt, "--max-tokens", "32", "--dtype", "fp32", "--json").json();
        assertThat(blocks.get("prompt_ids")).isEqualTo(fp32.get("prompt_ids"));
        assertThat(blocks.get("ids").size()).isEqualTo(32);
        assertThat(blocks.get("ids")).as("greedy ids on the Q8_0 blocks = fp32 on their values").isEqualTo(fp32.get("ids"));
        assertThat(blocks.get("text").asText()).isEqualTo(fp32.get("text").asText());

        JsonNode onLoad = run("generate", "--model", dir.toString(), "--prompt", prompt, "--max-tokens", "8", "--dtype", "q8_0", "--json").json();
        assertThat(onLoad.get("ids").size()).isEqualTo(8);
        Run noCache = run("generate", "--model", dir.toString(), "--prompt", prompt, "--dtype", "q4_k", "--no-kv-cache");
        assertThat(noCache.err()).contains("--dtype q4_k needs the KV cache");

        Path requantized = tmp.resolve("tiny-q4_0.gguf");
        assertThat(run("quantize", "--model", gguf.toString(), "--type", "q4_0", "--out", requantized.toString()).exit()).isZero();
        try (GgufFile f = GgufFile.open(requantized)) {
            assertThat(f.tensor("blk.1.attn_qkv.weight").type()).isEqualTo(GgmlType.Q4_0);
        }
        assertThat(run("quantize", "--model", dir.toString(), "--type", "q3_k", "--out", tmp.resolve("x.gguf").toString()).err())
                .contains("--type q3_k is not one of");

        // an Ollama store: manifest → model layer → blob without an extension
        Path store = tmp.resolve("ollama");
        String hex = "ab".repeat(32);
        Files.createDirectories(store.resolve("blobs"));
        Files.copy(gguf, store.resolve("blobs/sha256-" + hex));
        Path manifest = store.resolve("manifests/registry.ollama.ai/library/tiny/q8");
        Files.createDirectories(manifest.getParent());
        Files.writeString(manifest, """
                {"schemaVersion":2,"layers":[{"mediaType":"application/vnd.ollama.image.template","digest":"sha256:%s"},
                 {"mediaType":"application/vnd.ollama.image.model","digest":"sha256:%s","size":1}]}""".formatted("cd".repeat(32), hex));
        Path blob = OllamaStore.resolve("tiny:q8", store);
        assertThat(blob).isEqualTo(store.resolve("blobs/sha256-" + hex));
        JsonNode fromStore = run("generate", "--model", blob.toString(), "--prompt", prompt, "--max-tokens", "32", "--json").json();
        assertThat(fromStore.get("ids")).isEqualTo(blocks.get("ids"));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> OllamaStore.resolve("tiny", store)))
                .hasMessageContaining("no such model in the Ollama store");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> OllamaStore.resolve("../x:y", store)))
                .hasMessageContaining("is not an Ollama model name");
    }

    /** bench gguf decodes every family's file on its own blocks (speed is not checked: BENCHMARKS.md has the numbers). */
    @Test
    void benchGgufRunsEveryFamily(@TempDir Path tmp) throws Exception {
        Path gpt2 = tmp.resolve("gpt2.gguf");
        Path dir = tmp.resolve("tiny");
        assertThat(run("init", "--config", "custom", "--emb", "64", "--layers", "2", "--heads", "4", "--context", "64",
                "--out", dir.toString()).exit()).isZero();
        assertThat(run("quantize", "--model", dir.toString(), "--type", "q4_0", "--out", gpt2.toString()).exit()).isZero();
        java.util.Map<String, Path> files = new java.util.LinkedHashMap<>();
        files.put("llama", GgufTestFiles.resource("llama-tiny.gguf"));
        files.put("qwen3", GgufTestFiles.resource("qwen3-tiny.gguf"));
        files.put("gemma3", GgufTestFiles.resource("gemma3-tiny.gguf"));
        files.put("gpt2", gpt2);
        for (var e : files.entrySet()) {
            Run b = run("bench", "gguf", "--model", e.getValue().toString(), "--threads", "1", "--prompt-tokens", "3", "--tokens", "4",
                    "--bandwidth-mib", "0", "--json");
            assertThat(b.exit()).as(e.getKey() + ": " + b.err()).isZero();
            JsonNode j = b.json();
            assertThat(j.get("architecture").asText()).isEqualTo(e.getKey());
            assertThat(j.get("decode_tokens_per_second").asDouble()).as(e.getKey()).isPositive();
            assertThat(j.get("weight_bytes_per_token").asLong()).as(e.getKey()).isPositive();
        }
        Run viaModel = run("bench", "gguf", "--model", files.get("llama").toString(), "--threads", "1", "--prompt-tokens", "3",
                "--tokens", "4", "--bandwidth-mib", "0", "--file-decoder", "--json");
        assertThat(viaModel.exit()).as(viaModel.err()).isZero();
        assertThat(viaModel.json().get("weight_bytes_per_token").asLong()).isEqualTo(run("bench", "gguf", "--model",
                files.get("llama").toString(), "--threads", "1", "--tokens", "2", "--bandwidth-mib", "0", "--json").json()
                .get("weight_bytes_per_token").asLong());
        Run notGguf = run("bench", "gguf", "--model", dir.resolve("config.json").toString());
        assertThat(notGguf.err()).startsWith("jllm: error: ").contains("is not a GGUF file");
    }

    @Test
    void badGgufFilesAreOneLineErrors() {
        Run arch = run("generate", "--model", GgufTestFiles.resource("broken/unsupported-arch.gguf").toString(), "--prompt-ids", "1");
        assertThat(arch.exit()).isNotZero();
        assertThat(arch.err()).startsWith("jllm: error: ").contains("architecture 'mamba' is not supported");
        assertThat(arch.err().strip().lines()).hasSize(1);
        Run truncated = run("generate", "--model", GgufTestFiles.resource("broken/truncated-data.gguf").toString(), "--prompt-ids", "1");
        assertThat(truncated.err()).startsWith("jllm: error: ").contains("runs past the end of the file");
        assertThat(truncated.err().strip().lines()).hasSize(1);
        Run ollama = run("generate", "--model", "ollama:surely-not-here:v9", "--prompt-ids", "1");
        assertThat(ollama.err()).startsWith("jllm: error: ").contains("not in the Ollama store".replace("not in", "no such model in"));
    }
}
