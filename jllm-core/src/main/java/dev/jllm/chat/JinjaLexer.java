package dev.jllm.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a Jinja template into tokens as Jinja2 does with the settings transformers renders chat templates with:
 * {@code trim_blocks} (the newline after a block tag goes), {@code lstrip_blocks} (spaces and tabs before a block
 * tag that starts a line go), the {@code -} and {@code +} whitespace controls, and no trailing newline kept.
 * Text becomes {@link Kind#TEXT}; inside {@code {{ }}} and {@code {% %}} come names, strings, numbers and operators.
 */
final class JinjaLexer {
    private JinjaLexer() {}

    enum Kind { TEXT, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INT, FLOAT, OP, EOF }

    record Token(Kind kind, String text, int line) {
        boolean is(Kind k, String t) {
            return kind == k && text.equals(t);
        }

        boolean isOp(String t) {
            return is(Kind.OP, t);
        }

        boolean isName(String t) {
            return is(Kind.NAME, t);
        }
    }

    private static final String[] OPERATORS = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">",
            "=", "(", ")", "[", "]", "{", "}", ".", ",", ":", "|"};

    static List<Token> tokenize(String src) {
        if (src.endsWith("\n")) src = src.substring(0, src.length() - 1); // keep_trailing_newline=False
        else if (src.endsWith("\r\n")) src = src.substring(0, src.length() - 2);
        List<Token> out = new ArrayList<>();
        int pos = 0;
        while (true) {
            int tag = nextTag(src, pos);
            if (tag < 0) {
                if (pos < src.length()) out.add(new Token(Kind.TEXT, src.substring(pos), line(src, pos)));
                break;
            }
            String text = src.substring(pos, tag);
            char kind = src.charAt(tag + 1);
            int j = tag + 2;
            char sign = j < src.length() ? src.charAt(j) : 0;
            if (sign == '-' || sign == '+') j++;
            if (sign == '-') {
                text = text.stripTrailing();
            } else if (sign != '+' && kind != '{') {
                int lineStart = text.lastIndexOf('\n') + 1;
                boolean lineStarting = lineStart > 0 || pos == 0 || src.charAt(pos - 1) == '\n';
                if (lineStarting && text.substring(lineStart).chars().allMatch(c -> c == ' ' || c == '\t')) {
                    text = text.substring(0, lineStart);
                }
            }
            if (!text.isEmpty()) out.add(new Token(Kind.TEXT, text, line(src, pos)));
            int end;
            boolean stripAfter;
            if (kind == '#') {
                end = src.indexOf("#}", j);
                if (end < 0) throw new TemplateException(line(src, tag), "a comment is not closed with #}");
                stripAfter = src.charAt(end - 1) == '-';
                pos = end + 2;
            } else {
                out.add(new Token(kind == '{' ? Kind.VAR_BEGIN : Kind.BLOCK_BEGIN, kind == '{' ? "{{" : "{%", line(src, tag)));
                String close = kind == '{' ? "}}" : "%}";
                int[] endAndStrip = code(src, j, close, out);
                end = endAndStrip[0];
                stripAfter = endAndStrip[1] == 1;
                out.add(new Token(kind == '{' ? Kind.VAR_END : Kind.BLOCK_END, close, line(src, end)));
                pos = end + 2;
            }
            if (stripAfter) {
                while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) pos++;
            } else if (kind != '{') { // trim_blocks
                if (src.startsWith("\n", pos)) pos++;
                else if (src.startsWith("\r\n", pos)) pos += 2;
            }
        }
        out.add(new Token(Kind.EOF, "", line(src, src.length())));
        return out;
    }

    private static int nextTag(String src, int from) {
        for (int i = src.indexOf('{', from); i >= 0 && i + 1 < src.length(); i = src.indexOf('{', i + 1)) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') return i;
        }
        return -1;
    }

    /** Tokens of the code from {@code p} to the closing delimiter; returns {end of the code, 1 if "-" before it}. */
    private static int[] code(String src, int p, String close, List<Token> out) {
        int n = src.length();
        while (p < n) {
            char c = src.charAt(p);
            if (Character.isWhitespace(c)) {
                p++;
            } else if (src.startsWith(close, p)) {
                return new int[] {p, 0};
            } else if (c == '-' && src.startsWith(close, p + 1)) {
                return new int[] {p + 1, 1};
            } else if (c == '+' && src.startsWith(close, p + 1)) {
                p++; // {{ x +}}: the sign only keeps whitespace, which is the default
            } else if (c == '\'' || c == '"') {
                StringBuilder sb = new StringBuilder();
                int q = p + 1;
                while (q < n && src.charAt(q) != c) {
                    char d = src.charAt(q);
                    if (d == '\\' && q + 1 < n) {
                        char e = src.charAt(++q);
                        switch (e) {
                            case 'n' -> sb.append('\n');
                            case 't' -> sb.append('\t');
                            case 'r' -> sb.append('\r');
                            case '\\', '\'', '"' -> sb.append(e);
                            case 'u' -> {
                                if (q + 5 > src.length() || !src.substring(q + 1, q + 5).matches("[0-9a-fA-F]{4}")) {
                                    throw new TemplateException(line(src, q), "\\u must be followed by four hex digits");
                                }
                                sb.append((char) Integer.parseInt(src.substring(q + 1, q + 5), 16));
                                q += 4;
                            }
                            default -> sb.append('\\').append(e);
                        }
                    } else {
                        sb.append(d);
                    }
                    q++;
                }
                if (q >= n) throw new TemplateException(line(src, p), "a string is not closed");
                out.add(new Token(Kind.STRING, sb.toString(), line(src, p)));
                p = q + 1;
            } else if (Character.isDigit(c)) {
                int q = p;
                while (q < n && (Character.isDigit(src.charAt(q)) || src.charAt(q) == '_')) q++;
                boolean isFloat = q + 1 < n && src.charAt(q) == '.' && Character.isDigit(src.charAt(q + 1));
                if (isFloat) {
                    q++;
                    while (q < n && Character.isDigit(src.charAt(q))) q++;
                }
                out.add(new Token(isFloat ? Kind.FLOAT : Kind.INT, src.substring(p, q).replace("_", ""), line(src, p)));
                p = q;
            } else if (Character.isLetter(c) || c == '_') {
                int q = p;
                while (q < n && (Character.isLetterOrDigit(src.charAt(q)) || src.charAt(q) == '_')) q++;
                out.add(new Token(Kind.NAME, src.substring(p, q), line(src, p)));
                p = q;
            } else {
                String op = null;
                for (String o : OPERATORS) {
                    if (src.startsWith(o, p)) {
                        op = o;
                        break;
                    }
                }
                if (op == null) throw new TemplateException(line(src, p), "unexpected character '" + c + "'");
                out.add(new Token(Kind.OP, op, line(src, p)));
                p += op.length();
            }
        }
        throw new TemplateException(line(src, p), "a tag is not closed with " + close);
    }

    private static int line(String src, int pos) {
        int line = 1;
        for (int i = 0; i < pos && i < src.length(); i++) if (src.charAt(i) == '\n') line++;
        return line;
    }
}
