package dev.jllm.io.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.kernels.quant.GgmlType;
import dev.jllm.kernels.quant.Quantize;
import dev.jllm.kernels.quant.QuantizedMatrix;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTest {

    @Test
    void readsMetadataOfEveryTypeAsWrittenByTheGgufPackage() throws IOException {
        try (GgufFile f = GgufFile.open(GgufTestFiles.types())) {
            assertThat(f.version()).isEqualTo(3);
            assertThat(f.alignment()).isEqualTo(32);
            assertThat(f.architecture()).isEqualTo("jllm-test");
            assertThat(f.integer("test.u8")).isEqualTo(200);
            assertThat(f.integer("test.i8")).isEqualTo(-100);
            assertThat(f.integer("test.u16")).isEqualTo(60000);
            assertThat(f.integer("test.i16")).isEqualTo(-30000);
            assertThat(f.integer("test.u32")).isEqualTo(4_000_000_000L);
            assertThat(f.integer("test.i32")).isEqualTo(-2_000_000_000L);
            assertThat(f.real("test.f32")).isEqualTo(0.1f);
            assertThat(f.real("test.f64")).isEqualTo(0.1);
            assertThat(f.metadata().get("test.u64").toString()).isEqualTo(Long.toUnsignedString((1L << 63) + 5));
            assertThat(f.integer("test.i64")).isEqualTo(-(1L << 62));
            assertThat(f.bool("test.bool", false)).isTrue();
            assertThat(f.string("test.string")).isEqualTo("héllo ▁ wörld");
            assertThat(f.integers("test.array.i32")).containsExactly(1, -2, 3);
            assertThat(f.floats("test.array.f32")).containsExactly(0.5f, -1.25f);
            assertThat(f.integers("test.array.u8")).containsExactly(0, 255);
            assertThat(f.strings("test.array.string")).containsExactly("a", "", "ß");
            GgufValue[] nested = (GgufValue[]) f.metadata().get("test.array.nested").value();
            assertThat((long[]) nested[0].value()).containsExactly(1, 2);
            assertThat((long[]) nested[1].value()).containsExactly(3);
        }
    }

    @Test
    void readsTensorInfosInnermostFirst() throws IOException {
        try (GgufFile f = GgufFile.open(GgufTestFiles.types())) {
            GgufFile.TensorInfo t = f.tensor("deq.Q6_K");
            assertThat(t.type()).isEqualTo(GgmlType.Q6_K);
            assertThat(t.ne()).containsExactly(512, 3);
            assertThat(t.shape()).containsExactly(3, 512);
            assertThat(t.bytes()).isEqualTo(3 * 2 * 210);
            assertThat(t.offset() % 32).isZero();
            QuantizedMatrix m = f.matrix("input");
            assertThat(m.rows()).isEqualTo(4);
            assertThat(m.cols()).isEqualTo(256);
        }
    }

    @Test
    void wrongTypedLookupsAreOneLineErrors() throws IOException {
        try (GgufFile f = GgufFile.open(GgufTestFiles.types())) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.string("test.u8"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'test.u8' is a UINT8, not a string");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.integer("no.such.key"))
                    .hasMessageContaining("missing metadata key 'no.such.key'");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.strings("test.array.i32"))
                    .hasMessageContaining("not an array of strings");
        }
    }

    @Test
    void writerRoundTripsMetadataAndTensors(@TempDir Path dir) throws IOException {
        Random random = new Random(1);
        float[] w = new float[6 * 64];
        for (int i = 0; i < w.length; i++) w[i] = (float) random.nextGaussian();
        QuantizedMatrix q = Quantize.matrix(w, 6, 64, GgmlType.Q4_0);
        Path file = dir.resolve("out.gguf");
        new GgufWriter()
                .put("general.architecture", GgufValue.of("gpt2"))
                .put("gpt2.block_count", GgufValue.uint32(3))
                .put("x.floats", GgufValue.floats(1f, 2.5f))
                .put("x.strings", GgufValue.strings("a", "bc"))
                .put("x.bool", GgufValue.bool(true))
                .matrix("w", q)
                .floats("b", new float[] {1, 2, 3}, 3)
                .write(file);
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.architecture()).isEqualTo("gpt2");
            assertThat(f.integer("gpt2.block_count")).isEqualTo(3);
            assertThat(f.floats("x.floats")).containsExactly(1f, 2.5f);
            assertThat(f.strings("x.strings")).containsExactly("a", "bc");
            assertThat(f.bool("x.bool", false)).isTrue();
            assertThat(f.matrix("w").data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(q.data().toArray(ValueLayout.JAVA_BYTE));
            assertThat(f.floats(f.tensor("b"))).containsExactly(1, 2, 3);
            assertThat(f.tensor("b").offset() % 32).isZero();
        }
        assertThat(Files.list(dir).toList()).containsExactly(file); // no temporary left behind
    }
}
