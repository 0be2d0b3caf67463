package dev.jllm.finetune.classify;

import dev.jllm.io.TextFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a delimited text table into rows of fields, remembering the line each row starts on (for error messages).
 *
 * <p>Two dialects:
 * <ul>
 *   <li>{@link Dialect#TSV}: one row per line, fields split at every tab, nothing else interpreted. This is how
 *       UCI ships the SMS Spam Collection: a quote at the start of a message is part of the message.</li>
 *   <li>{@link Dialect#CSV}: RFC 4180. Fields separated by commas; a field in double quotes may hold commas,
 *       newlines and doubled quotes ({@code ""} stands for one {@code "}).</li>
 * </ul>
 * A final line ending does not make an empty row; one trailing {@code \r} per line (CRLF files) is dropped.
 */
public final class TableReader {
    private TableReader() {}

    public enum Dialect {
        TSV('\t'), CSV(',');

        final char delimiter;

        Dialect(char delimiter) {
            this.delimiter = delimiter;
        }

        /** CSV for a {@code .csv} file, TSV for anything else ({@code .tsv}, {@code .txt}, UCI's bare file name). */
        public static Dialect forFile(Path file) {
            return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv") ? CSV : TSV;
        }
    }

    /** One record of the table: its fields and the 1-based line of the file where it starts. */
    public record Row(int line, List<String> fields) {}

    public static List<Row> read(Path file, Dialect dialect) {
        String text = TextFiles.read(file); // a byte-order mark would glue itself to the first row's first field
        return dialect == Dialect.TSV ? splitTsv(text) : parseCsv(file, text);
    }

    private static List<Row> splitTsv(String text) {
        List<Row> rows = new ArrayList<>();
        int line = 1;
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) end = text.length();
            String s = text.substring(start, end);
            if (s.endsWith("\r")) s = s.substring(0, s.length() - 1);
            rows.add(new Row(line++, List.of(s.split("\t", -1))));
            start = end + 1;
        }
        return rows;
    }

    private static List<Row> parseCsv(Path file, String text) {
        List<Row> rows = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false; // the current field was a quoted one (so an empty field still counts)
        int line = 1;
        int rowStart = 1;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '"' && field.isEmpty() && !quoted) {
                // A quoted field: read to the closing quote, which must end the field.
                int quoteLine = line;
                i++;
                while (true) {
                    if (i >= n) throw new IllegalArgumentException(file + ":" + quoteLine + ": unterminated quoted field");
                    char q = text.charAt(i++);
                    if (q == '"') {
                        if (i < n && text.charAt(i) == '"') {
                            field.append('"');
                            i++;
                            continue;
                        }
                        break;
                    }
                    if (q == '\n') line++;
                    field.append(q);
                }
                if (i < n && !isFieldEnd(text, i)) {
                    throw new IllegalArgumentException(file + ":" + line
                            + ": unexpected character after a closing quote (a quote inside a quoted field is written \"\")");
                }
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                quoted = false;
                i++;
            } else if (c == '\n' || (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n')) {
                fields.add(field.toString());
                rows.add(new Row(rowStart, List.copyOf(fields)));
                fields.clear();
                field.setLength(0);
                quoted = false;
                i += c == '\r' ? 2 : 1;
                rowStart = ++line;
            } else {
                field.append(c);
                i++;
            }
        }
        if (!fields.isEmpty() || !field.isEmpty() || quoted) {
            fields.add(field.toString());
            rows.add(new Row(rowStart, List.copyOf(fields)));
        }
        return rows;
    }

    private static boolean isFieldEnd(String text, int i) {
        char c = text.charAt(i);
        return c == ',' || c == '\n' || (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n');
    }
}
