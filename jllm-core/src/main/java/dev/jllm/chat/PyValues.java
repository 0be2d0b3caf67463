package dev.jllm.chat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Python's meaning of the template's values, which Jinja2 inherits: None is {@code null}, ints are {@link Long},
 * floats {@link Double}, strings, booleans, lists ({@link List}) and dicts ({@link Map}), plus Jinja's
 * {@link #UNDEFINED}. Truth, {@code str}, {@code repr}, equality, ordering, and {@code json.dumps}.
 */
final class PyValues {
    private PyValues() {}

    /** Jinja's undefined value: false, prints as nothing, an error when used further. */
    static final Object UNDEFINED = new Object() {
        @Override
        public String toString() {
            return "Undefined";
        }
    };

    /** A {@code namespace(...)}: attributes that {@code set ns.x = ...} can change from inside a loop. */
    static final class Namespace extends LinkedHashMap<String, Object> {}

    static boolean truthy(Object v) {
        if (v == null || v == UNDEFINED) return false;
        if (v instanceof Boolean b) return b;
        if (v instanceof Long l) return l != 0;
        if (v instanceof Double d) return d != 0;
        if (v instanceof String s) return !s.isEmpty();
        if (v instanceof Collection<?> c) return !c.isEmpty();
        if (v instanceof Map<?, ?> m) return !m.isEmpty();
        return true;
    }

    /** Python's {@code str(v)}; undefined prints as nothing. */
    static String str(Object v) {
        if (v == UNDEFINED) return "";
        if (v instanceof String s) return s;
        return repr(v);
    }

    static String repr(Object v) {
        if (v == null) return "None";
        if (v == UNDEFINED) return "";
        if (v instanceof Boolean b) return b ? "True" : "False";
        if (v instanceof Long l) return l.toString();
        if (v instanceof Double d) return floatRepr(d);
        if (v instanceof String s) {
            boolean single = !s.contains("'") || s.contains("\"");
            char q = single ? '\'' : '"';
            StringBuilder sb = new StringBuilder().append(q);
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (c == q) sb.append('\\');
                        sb.append(c);
                    }
                }
            }
            return sb.append(q).toString();
        }
        if (v instanceof List<?> list) {
            List<String> parts = new ArrayList<>();
            for (Object o : list) parts.add(repr(o));
            return "[" + String.join(", ", parts) + "]";
        }
        if (v instanceof Map<?, ?> map) {
            List<String> parts = new ArrayList<>();
            map.forEach((k, val) -> parts.add(repr(k) + ": " + repr(val)));
            return (v instanceof Namespace ? "<Namespace {" : "{") + String.join(", ", parts) + (v instanceof Namespace ? "}>" : "}");
        }
        return v.toString();
    }

    private static String floatRepr(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == Math.rint(d) && Math.abs(d) < 1e16) return String.format("%.1f", d);
        String s = Double.toString(d);
        return s.replace("E", "e");
    }

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static double toDouble(Object v) {
        if (v instanceof Long l) return l;
        if (v instanceof Double d) return d;
        if (v instanceof Boolean b) return b ? 1 : 0;
        throw new TemplateException("expected a number, got " + typeName(v));
    }

    static long toLong(Object v) {
        if (v instanceof Long l) return l;
        if (v instanceof Boolean b) return b ? 1 : 0;
        if (v instanceof Double d) return (long) (double) d;
        throw new TemplateException("expected an integer, got " + typeName(v));
    }

    static boolean equal(Object a, Object b) {
        if (a == b) return true;
        if (a == null || b == null || a == UNDEFINED || b == UNDEFINED) return false;
        if (isNumber(a) && isNumber(b)) return toDouble(a) == toDouble(b);
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) return false;
            for (int i = 0; i < x.size(); i++) if (!equal(x.get(i), y.get(i))) return false;
            return true;
        }
        return a.equals(b);
    }

    static int compare(Object a, Object b) {
        if (isNumber(a) && isNumber(b)) return Double.compare(toDouble(a), toDouble(b));
        if (a instanceof String x && b instanceof String y) return Integer.signum(x.compareTo(y));
        throw new TemplateException("'<' is not supported between " + typeName(a) + " and " + typeName(b));
    }

    static String typeName(Object v) {
        if (v == null) return "NoneType";
        if (v == UNDEFINED) return "Undefined";
        if (v instanceof String) return "str";
        if (v instanceof Boolean) return "bool";
        if (v instanceof Long) return "int";
        if (v instanceof Double) return "float";
        if (v instanceof List<?>) return "list";
        if (v instanceof Map<?, ?>) return "dict";
        return v.getClass().getSimpleName();
    }

    /** What a {@code for} loop walks: a list, a dict's keys, a string's characters. */
    static List<?> iterable(Object v) {
        if (v instanceof List<?> l) return l;
        if (v instanceof Map<?, ?> m) return new ArrayList<>(m.keySet());
        if (v instanceof String s) return s.codePoints().mapToObj(Character::toString).toList();
        if (v == UNDEFINED) return List.of();
        throw new TemplateException("'" + typeName(v) + "' object is not iterable");
    }

    /**
     * Python's {@code json.dumps(v, ensure_ascii=False, indent=indent, sort_keys=sortKeys)}, as transformers'
     * {@code tojson} filter calls it; {@code indent} null for one line.
     */
    static String toJson(Object v, Integer indent, boolean sortKeys) {
        StringBuilder sb = new StringBuilder();
        json(v, indent, sortKeys, 0, sb);
        return sb.toString();
    }

    private static void json(Object v, Integer indent, boolean sortKeys, int depth, StringBuilder sb) {
        if (v == null || v == UNDEFINED) {
            sb.append("null");
        } else if (v instanceof Boolean b) {
            sb.append(b ? "true" : "false");
        } else if (v instanceof Long l) {
            sb.append(l);
        } else if (v instanceof Double d) {
            sb.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : floatRepr(d));
        } else if (v instanceof String s) {
            jsonString(s, sb);
        } else if (v instanceof List<?> list) {
            if (list.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            Iterator<?> it = list.iterator();
            for (int i = 0; it.hasNext(); i++) {
                sb.append(i == 0 ? "" : indent == null ? ", " : ",");
                newline(indent, depth + 1, sb);
                json(it.next(), indent, sortKeys, depth + 1, sb);
            }
            newline(indent, depth, sb);
            sb.append(']');
        } else if (v instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                sb.append("{}");
                return;
            }
            List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
            if (sortKeys) entries.sort((x, y) -> str(x.getKey()).compareTo(str(y.getKey())));
            sb.append('{');
            for (int i = 0; i < entries.size(); i++) {
                sb.append(i == 0 ? "" : indent == null ? ", " : ",");
                newline(indent, depth + 1, sb);
                jsonString(str(entries.get(i).getKey()), sb);
                sb.append(": ");
                json(entries.get(i).getValue(), indent, sortKeys, depth + 1, sb);
            }
            newline(indent, depth, sb);
            sb.append('}');
        } else {
            throw new TemplateException("Object of type " + typeName(v) + " is not JSON serializable");
        }
    }

    private static void newline(Integer indent, int depth, StringBuilder sb) {
        if (indent == null) return;
        sb.append('\n').append(" ".repeat(indent * depth));
    }

    private static void jsonString(String s, StringBuilder sb) {
        sb.append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) sb.append("\\u%04x".formatted((int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
