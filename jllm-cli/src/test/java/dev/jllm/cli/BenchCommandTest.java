package dev.jllm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchCommandTest {

    @Test
    void generatePartPrintsThePeersJsonShape() throws Exception {
        var r = ModelCommandsTest.run("bench", "generate", "--json", "--in-process", "--reps", "1", "--new-tokens", "2",
                "--models", "124M", "--prefill-tokens", "8", "--threads", "2");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("threads").asInt()).isEqualTo(2);
        assertThat(j.get("train")).isEmpty();
        double bandwidth = j.get("copy_bandwidth_gb_per_s").asDouble();
        assertThat(bandwidth).isPositive().isFinite();
        assertThat(j.get("read_bandwidth_gb_per_s").asDouble()).isPositive().isFinite();
        List<String> rows = new ArrayList<>();
        for (JsonNode g : j.get("generate")) {
            rows.add(g.get("model").asText() + " " + g.get("kv_cache").asBoolean() + " " + g.get("dtype").asText()
                    + " " + g.get("weight_bytes_per_token").asLong());
            double tps = g.get("tokens_per_second").asDouble();
            assertThat(tps).isPositive();
            // the decode steps alone: the 2nd new token's step (2 new tokens), after the prompt's pass
            assertThat(g.get("decode_tokens_per_second").asDouble()).isPositive().isFinite();
            assertThat(g.get("peak_rss_mib").asDouble()).isPositive();
            double limit = bandwidth * 1e9 / g.get("weight_bytes_per_token").asDouble();
            assertThat(g.get("bandwidth_limit_tokens_per_second").asDouble()).isCloseTo(limit, within(1e-6 * limit));
            assertThat(g.get("bandwidth_share").asDouble()).isCloseTo(tps / limit, within(1e-6));
        }
        // The book's 124M (separate head): 12 blocks × 12·768² weights in qkv, out_proj, fc1, fc2, plus the
        // 50257 × 768 head, at 4 bytes (fp32) or 2 (bf16).
        long weights = 12L * 12 * 768 * 768 + 50257L * 768;
        assertThat(rows).containsExactly("124M true fp32 " + 4 * weights, "124M false fp32 " + 4 * weights,
                "124M true bf16 " + 2 * weights);
        JsonNode prefill = j.get("prefill").get(0);
        assertThat(prefill.get("model").asText()).isEqualTo("124M");
        assertThat(prefill.get("prompt").asInt()).isEqualTo(8);
        assertThat(prefill.get("tokens_per_second").asDouble()).isPositive();
    }

    @Test
    void rejectsAnUnknownModelSize() {
        var r = ModelCommandsTest.run("bench", "train", "--models", "7B");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("--models", "7B");
    }

    @Test
    void matmulCpuTimeNeedsOneThread() {
        ModelCommandsTest.Run r = ModelCommandsTest.run("bench", "matmul", "--cpu-time", "--threads", "2");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("--cpu-time needs --threads 1");
    }
}
