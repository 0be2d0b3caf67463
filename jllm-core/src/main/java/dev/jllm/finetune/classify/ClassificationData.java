package dev.jllm.finetune.classify;

import dev.jllm.Setting;
import dev.jllm.SettingException;
import dev.jllm.finetune.Splits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Labelled texts read from a table, and the book's preparation of them (chapter 6).
 *
 * <p>The label names are kept in order; a label's index in {@link #labels()} is its class id. For the SMS Spam
 * Collection that is {@code ham → 0, spam → 1}.
 *
 * @param source   the file the examples came from (named in errors)
 * @param labels   class names, index = class id
 * @param examples the texts with their class ids, in file order
 */
public record ClassificationData(String source, List<String> labels, List<LabeledText> examples) {

    /** The UCI SMS Spam Collection's classes, in the book's order. */
    public static final List<String> SMS_LABELS = List.of("ham", "spam");

    public ClassificationData {
        labels = List.copyOf(labels);
        examples = List.copyOf(examples);
    }

    /**
     * The SMS Spam Collection exactly as UCI ships it: {@code label<TAB>text} per line, no header, every line read as
     * it is (quotes are part of the text): 5,574 messages, 747 of them spam.
     */
    public static ClassificationData readSmsSpam(Path file) {
        return read(file, TableReader.Dialect.TSV, "1", "0", SMS_LABELS);
    }

    /**
     * Any labelled table, CSV (by a {@code .csv} name, RFC 4180 quoting) or TSV (anything else, no quoting).
     *
     * @param textColumn  the text column, by header name or 0-based index; null: a header column named {@code text},
     *                    else column 1 of a two-column file (the UCI layout {@code label<TAB>text})
     * @param labelColumn the label column likewise; null: {@code label}, else column 0 of a two-column file
     * @param labels      the allowed labels in class order, or null to take them from the file in order of first
     *                    appearance
     * @see #read(Path, TableReader.Dialect, String, String, List) for how the header is found
     */
    public static ClassificationData read(Path file, String textColumn, String labelColumn, List<String> labels) {
        return read(file, TableReader.Dialect.forFile(file), textColumn, labelColumn, labels);
    }

    /**
     * Reads a table in the given dialect.
     *
     * <p>Header: when a column is chosen by name (or by default as {@code text}/{@code label}) the first row is the
     * header. When columns are chosen by index, the first row is taken for a header if its label cell is not one of
     * {@code labels} (when given), or else if that cell occurs nowhere else in the label column: real labels repeat,
     * a header's column name does not. (A file whose first example is the only one of its class would lose that
     * example: name the labels to be sure.)
     */
    public static ClassificationData read(Path file, TableReader.Dialect dialect, String textColumn, String labelColumn,
                                          List<String> labels) {
        List<TableReader.Row> rows = TableReader.read(file, dialect);
        if (rows.isEmpty()) throw new IllegalArgumentException(file + ": empty file, no examples");
        List<String> first = rows.getFirst().fields();
        int width = first.size();

        boolean byName = isName(textColumn) || isName(labelColumn);
        int text;
        int label;
        boolean header;
        if (textColumn == null && labelColumn == null) {
            int t = indexOf(first, "text");
            int l = indexOf(first, "label");
            if (t >= 0 && l >= 0) {
                text = t;
                label = l;
                header = true;
            } else if (width == 2) {
                text = 1;
                label = 0;
                header = looksLikeHeader(rows, label, labels);
            } else {
                throw new SettingException(file + ": " + width + " columns and no 'text' and 'label' header;"
                        + " name the ", Setting.TEXT_COLUMN, " and the ", Setting.LABEL_COLUMN);
            }
        } else {
            if (textColumn == null || labelColumn == null) {
                throw new IllegalArgumentException(file + ": give both the text column and the label column");
            }
            text = column(file, first, textColumn);
            label = column(file, first, labelColumn);
            if (text == label) throw new IllegalArgumentException(file + ": the text and label columns are the same");
            header = byName || looksLikeHeader(rows, label, labels);
        }

        List<TableReader.Row> body = rows.subList(header ? 1 : 0, rows.size());
        if (body.isEmpty()) throw new IllegalArgumentException(file + ": no examples after the header");
        Map<String, Integer> ids = new LinkedHashMap<>();
        if (labels != null) labels.forEach(name -> ids.put(name, ids.size()));
        List<LabeledText> examples = new ArrayList<>(body.size());
        for (TableReader.Row row : body) {
            List<String> f = row.fields();
            String where = file + ":" + row.line();
            if (f.size() != width) {
                if (dialect == TableReader.Dialect.TSV && f.size() == 1) {
                    throw new IllegalArgumentException(where + ": no tab in the line (expected " + width + " tab-separated fields)");
                }
                throw new IllegalArgumentException(where + ": " + f.size() + " fields, expected " + width);
            }
            String name = f.get(label).strip();
            Integer id = ids.get(name);
            if (id == null) {
                if (labels != null) {
                    throw new IllegalArgumentException(where + ": unknown label '" + name + "' (expected one of "
                            + String.join(", ", labels) + ")");
                }
                if (name.isEmpty()) throw new IllegalArgumentException(where + ": empty label");
                id = ids.size();
                ids.put(name, id);
            }
            String message = f.get(text);
            if (message.isBlank()) throw new IllegalArgumentException(where + ": empty text");
            examples.add(new LabeledText(message, id));
        }
        Set<Integer> present = new HashSet<>();
        examples.forEach(e -> present.add(e.label()));
        if (present.size() < 2) {
            String only = new ArrayList<>(ids.keySet()).get(examples.getFirst().label());
            throw new IllegalArgumentException(file + ": every example has the label '" + only
                    + "'; classification needs at least two classes");
        }
        return new ClassificationData(file.toString(), new ArrayList<>(ids.keySet()), examples);
    }

    /** How many examples each class has, by class id. */
    public int[] classCounts() {
        int[] counts = new int[labels.size()];
        for (LabeledText e : examples) counts[e.label()]++;
        return counts;
    }

    /**
     * The book's balancing: keep as many examples of each class as the smallest class has, sampling the larger
     * classes without replacement ({@code seed} fixes the sample). The result lists the classes in class order.
     */
    public ClassificationData balanced(long seed) {
        int smallest = Integer.MAX_VALUE;
        for (int c : classCounts()) if (c > 0) smallest = Math.min(smallest, c);
        Random random = new Random(seed);
        List<LabeledText> kept = new ArrayList<>();
        for (int c = 0; c < labels.size(); c++) {
            List<LabeledText> ofClass = new ArrayList<>();
            for (LabeledText e : examples) if (e.label() == c) ofClass.add(e);
            if (ofClass.size() > smallest) Collections.shuffle(ofClass, random);
            kept.addAll(ofClass.subList(0, Math.min(smallest, ofClass.size())));
        }
        return new ClassificationData(source, labels, kept);
    }

    /** The book's split: shuffled with {@code seed}, 70% train, 10% validation, 20% test; no part may be empty. */
    public Splits<LabeledText> split(long seed) {
        return Splits.shuffled70_10_20(examples, seed).requireNonEmpty(source, "70% train, 10% validation, 20% test");
    }

    private static boolean isName(String column) {
        return column != null && !column.chars().allMatch(Character::isDigit);
    }

    private static int indexOf(List<String> header, String name) {
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).strip().equalsIgnoreCase(name)) return i;
        }
        return -1;
    }

    private static int column(Path file, List<String> first, String column) {
        if (!isName(column)) {
            int i = Integer.parseInt(column);
            if (i >= first.size()) {
                throw new IllegalArgumentException(file + ": column " + i + " does not exist (the file has "
                        + first.size() + " columns, numbered from 0)");
            }
            return i;
        }
        int exact = first.indexOf(column);
        int i = exact >= 0 ? exact : indexOf(first, column);
        if (i < 0) {
            throw new IllegalArgumentException(file + ": no column named '" + column + "' in the header ("
                    + String.join(", ", first) + ")");
        }
        return i;
    }

    private static boolean looksLikeHeader(List<TableReader.Row> rows, int label, List<String> labels) {
        List<String> first = rows.getFirst().fields();
        if (label >= first.size()) return false;
        String cell = first.get(label).strip();
        if (labels != null) return !labels.contains(cell);
        for (TableReader.Row row : rows.subList(1, rows.size())) {
            List<String> f = row.fields();
            if (label < f.size() && f.get(label).strip().equals(cell)) return false;
        }
        return rows.size() > 1;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s: %d examples, labels %s", source, examples.size(), labels);
    }
}
