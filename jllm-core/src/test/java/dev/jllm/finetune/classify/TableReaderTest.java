package dev.jllm.finetune.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableReaderTest {

    @TempDir
    Path dir;

    private List<TableReader.Row> read(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return TableReader.read(f, TableReader.Dialect.forFile(f));
    }

    @Test
    void csvFollowsRfc4180Quoting() throws IOException {
        List<TableReader.Row> rows = read("t.csv",
                "text,label\n\"a, b\",pos\n\"say \"\"hi\"\"\",neg\n\"two\nlines\",pos\n\"\",neg\r\nlast,pos");
        assertThat(rows).extracting(TableReader.Row::fields).containsExactly(
                List.of("text", "label"), List.of("a, b", "pos"), List.of("say \"hi\"", "neg"),
                List.of("two\nlines", "pos"), List.of("", "neg"), List.of("last", "pos"));
        // A row that spans lines is reported at the line it starts on.
        assertThat(rows).extracting(TableReader.Row::line).containsExactly(1, 2, 3, 4, 6, 7);
    }

    @Test
    void tsvKeepsQuotesAsText() throws IOException {
        List<TableReader.Row> rows = read("t.tsv", "ham\t\"Quoted\" start\nspam\tx\ty\n");
        assertThat(rows).extracting(TableReader.Row::fields)
                .containsExactly(List.of("ham", "\"Quoted\" start"), List.of("spam", "x", "y"));
    }

    @Test
    void malformedCsvQuotesAreErrorsWithTheLine() throws IOException {
        assertThatThrownBy(() -> read("bad.csv", "a,b\n\"open,x\n"))
                .hasMessageMatching(".*bad.csv:2: unterminated quoted field");
        assertThatThrownBy(() -> read("bad2.csv", "a,b\n\"x\"y,z\n"))
                .hasMessageMatching(".*bad2.csv:2: unexpected character after a closing quote.*");
    }
}
