package dev.jllm.io.gguf;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each file of the broken corpus (tools/reference/gguf_broken.py) is refused with one clear line. */
class GgufBrokenFilesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            empty.gguf                   | not a GGUF file
            not-gguf.gguf                | not a GGUF file
            version1.gguf                | GGUF version 1 is not supported
            big-endian.gguf              | big-endian
            truncated-header.gguf        | truncated
            huge-string.gguf             | claims 4611686018427387904 bytes
            huge-array.gguf              | array length 1099511627776
            huge-tensor-count.gguf       | tensor count 1125899906842624
            huge-kv-count.gguf           | metadata count 18446744073709551615
            unknown-value-type.gguf      | unknown value type 77
            bad-bool.gguf                | bool has value 7
            deep-array.gguf              | nests arrays deeper
            duplicate-key.gguf           | appears twice
            bad-alignment.gguf           | not a power of two
            unknown-tensor-type.gguf     | unknown type 99
            unsupported-tensor-type.gguf | type Q5_0 (6), which jllm does not read
            too-many-dims.gguf           | has 7 dimensions
            huge-dims.gguf               | dimension 1099511627776, too large
            partial-block.gguf           | not whole Q8_0 blocks
            offset-past-end.gguf         | runs past the end of the file
            misaligned-offset.gguf       | not a multiple of the alignment
            truncated-data.gguf          | runs past the end of the file
            overlap.gguf                 | overlap
            duplicate-tensor.gguf        | tensor 'w' appears twice
            """)
    void refusedWithOneLine(String name, String expected) {
        assertThatThrownBy(() -> GgufFile.open(GgufTestFiles.resource("broken/" + name)).close())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(expected)
                .hasMessageContaining(name)
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
