package dev.jllm.chat;

import dev.jllm.chat.PyValues.Namespace;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the template's values can do, as in Python and Jinja2: attributes and items, slices, operators, the
 * string/dict/list methods chat templates call, filters and tests. Unknown names are errors of one line.
 */
final class JinjaFunctions {
    private JinjaFunctions() {}

    /** A function the template can call: globals, macros, bound methods. */
    @FunctionalInterface
    interface Callable {
        Object call(List<Object> args, Map<String, Object> kwargs);
    }

    /** Java values (from JSON: Integer, BigDecimal...) as the template's Python-like values. */
    static Object fromJava(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double
                || v instanceof Callable || v instanceof Namespace || v == PyValues.UNDEFINED) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte || v instanceof java.math.BigInteger) {
            return ((Number) v).longValue();
        }
        if (v instanceof Number n) return n.doubleValue();
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, val) -> out.put(String.valueOf(k), fromJava(val)));
            return out;
        }
        if (v instanceof Iterable<?> it) {
            List<Object> out = new ArrayList<>();
            for (Object o : it) out.add(fromJava(o));
            return out;
        }
        return v.toString();
    }

    // ---- attributes, items, slices ----

    static Object getAttr(Object target, String name) {
        if (target == PyValues.UNDEFINED) throw new TemplateException("'" + name + "' of an undefined value");
        if (target == null) throw new TemplateException("'None' has no attribute '" + name + "'");
        Callable method = method(target, name);
        if (method != null) return method;
        if (target instanceof Map<?, ?> m) return m.containsKey(name) ? m.get(name) : PyValues.UNDEFINED;
        return PyValues.UNDEFINED;
    }

    static Object getItem(Object target, Object key) {
        if (target == PyValues.UNDEFINED) throw new TemplateException("an item of an undefined value");
        if (target instanceof Map<?, ?> m) {
            String k = key instanceof String s ? s : PyValues.str(key);
            if (m.containsKey(k)) return m.get(k);
            return key instanceof String s ? getAttr(target, s) : PyValues.UNDEFINED;
        }
        if (target instanceof List<?> || target instanceof String) {
            if (!(key instanceof Long)) {
                return key instanceof String s ? getAttr(target, s) : PyValues.UNDEFINED;
            }
            List<?> items = sequence(target);
            long i = (Long) key;
            if (i < 0) i += items.size();
            if (i < 0 || i >= items.size()) return PyValues.UNDEFINED;
            return items.get((int) i);
        }
        return PyValues.UNDEFINED;
    }

    /** A list as itself, a string as its characters (code points, as Python indexes them). */
    private static List<?> sequence(Object v) {
        if (v instanceof List<?> l) return l;
        if (v instanceof String s) return s.codePoints().mapToObj(Character::toString).toList();
        throw new TemplateException("'" + PyValues.typeName(v) + "' object is not subscriptable");
    }

    /** Python's {@code target[start:stop:step]} on a list or a string. */
    static Object slice(Object target, Object start, Object stop, Object step) {
        List<?> items = sequence(target);
        int n = items.size();
        long st = step == null ? 1 : PyValues.toLong(step);
        if (st == 0) throw new TemplateException("slice step cannot be zero");
        long lo;
        long hi;
        if (st > 0) {
            lo = start == null ? 0 : clamp(PyValues.toLong(start), n, 0, n);
            hi = stop == null ? n : clamp(PyValues.toLong(stop), n, 0, n);
        } else {
            lo = start == null ? n - 1 : clamp(PyValues.toLong(start), n, -1, n - 1);
            hi = stop == null ? -1 : clamp(PyValues.toLong(stop), n, -1, n - 1);
        }
        List<Object> out = new ArrayList<>();
        for (long i = lo; st > 0 ? i < hi : i > hi; i += st) out.add(items.get((int) i));
        if (target instanceof String) {
            StringBuilder sb = new StringBuilder();
            for (Object o : out) sb.append(o);
            return sb.toString();
        }
        return out;
    }

    private static long clamp(long i, int n, long min, long max) {
        if (i < 0) i += n;
        return Math.max(min, Math.min(max, i));
    }

    static boolean contains(Object container, Object item) {
        if (container instanceof String s) {
            if (!(item instanceof String t)) throw new TemplateException("'in <string>' requires a string, not " + PyValues.typeName(item));
            return s.contains(t);
        }
        if (container instanceof List<?> l) {
            for (Object o : l) if (PyValues.equal(o, item)) return true;
            return false;
        }
        if (container instanceof Map<?, ?> m) return m.containsKey(PyValues.str(item));
        if (container == PyValues.UNDEFINED) throw new TemplateException("'in' an undefined value");
        throw new TemplateException("argument of type '" + PyValues.typeName(container) + "' is not iterable");
    }

    static Object arithmetic(String op, Object a, Object b) {
        if (a == PyValues.UNDEFINED || b == PyValues.UNDEFINED) {
            throw new TemplateException("'" + op + "' on an undefined value");
        }
        if (op.equals("+")) {
            if (a instanceof String x && b instanceof String y) return x + y;
            if (a instanceof List<?> x && b instanceof List<?> y) {
                List<Object> out = new ArrayList<>(x);
                out.addAll(y);
                return out;
            }
        }
        if (op.equals("*") && (a instanceof String || a instanceof List<?>) && b instanceof Long n) {
            if (a instanceof String s) return s.repeat((int) Math.max(0, n));
            List<Object> out = new ArrayList<>();
            for (long i = 0; i < n; i++) out.addAll((List<?>) a);
            return out;
        }
        if (!PyValues.isNumber(a) || !PyValues.isNumber(b)) {
            throw new TemplateException("unsupported operand types for " + op + ": '" + PyValues.typeName(a) + "' and '"
                    + PyValues.typeName(b) + "'");
        }
        boolean ints = !(a instanceof Double) && !(b instanceof Double);
        double x = PyValues.toDouble(a);
        double y = PyValues.toDouble(b);
        return switch (op) {
            case "+" -> ints ? (Object) (PyValues.toLong(a) + PyValues.toLong(b)) : (Object) (x + y);
            case "-" -> ints ? (Object) (PyValues.toLong(a) - PyValues.toLong(b)) : (Object) (x - y);
            case "*" -> ints ? (Object) (PyValues.toLong(a) * PyValues.toLong(b)) : (Object) (x * y);
            case "/" -> {
                if (y == 0) throw new TemplateException("division by zero");
                yield x / y;
            }
            case "//" -> {
                if (y == 0) throw new TemplateException("integer division or modulo by zero");
                yield ints ? (Object) Math.floorDiv(PyValues.toLong(a), PyValues.toLong(b)) : (Object) Math.floor(x / y);
            }
            case "%" -> {
                if (y == 0) throw new TemplateException("integer division or modulo by zero");
                yield ints ? (Object) Math.floorMod(PyValues.toLong(a), PyValues.toLong(b)) : (Object) (x - y * Math.floor(x / y));
            }
            case "**" -> ints && y >= 0 ? (Object) (long) Math.pow(x, y) : (Object) Math.pow(x, y);
            default -> throw new TemplateException("unknown operator " + op);
        };
    }

    // ---- methods ----

    /** A bound method of a string, dict or list, or null when the value has none of that name. */
    private static Callable method(Object target, String name) {
        if (target instanceof String s) {
            return switch (name) {
                case "startswith" -> (a, kw) -> anyOf(a.get(0), p -> s.startsWith(p));
                case "endswith" -> (a, kw) -> anyOf(a.get(0), p -> s.endsWith(p));
                case "strip" -> (a, kw) -> strip(s, arg(a, 0), true, true);
                case "lstrip" -> (a, kw) -> strip(s, arg(a, 0), true, false);
                case "rstrip" -> (a, kw) -> strip(s, arg(a, 0), false, true);
                case "split" -> (a, kw) -> split(s, arg(a, 0), a.size() > 1 ? PyValues.toLong(a.get(1)) : -1);
                case "upper" -> (a, kw) -> s.toUpperCase(java.util.Locale.ROOT);
                case "lower" -> (a, kw) -> s.toLowerCase(java.util.Locale.ROOT);
                case "title" -> (a, kw) -> title(s);
                case "capitalize" -> (a, kw) -> capitalize(s);
                case "replace" -> (a, kw) -> replace(s, PyValues.str(a.get(0)), PyValues.str(a.get(1)),
                        a.size() > 2 ? PyValues.toLong(a.get(2)) : -1);
                case "find" -> (a, kw) -> {
                    int i = s.indexOf(PyValues.str(a.get(0)));
                    return i < 0 ? -1L : (long) s.codePointCount(0, i);
                };
                case "count" -> (a, kw) -> count(s, PyValues.str(a.get(0)));
                case "join" -> (a, kw) -> join(PyValues.iterable(a.get(0)), s);
                case "isdigit" -> (a, kw) -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
                case "splitlines" -> (a, kw) -> new ArrayList<Object>(s.lines().toList());
                default -> null;
            };
        }
        if (target instanceof Map<?, ?> m && !(target instanceof Namespace)) {
            return switch (name) {
                case "items" -> (a, kw) -> {
                    List<Object> out = new ArrayList<>();
                    m.forEach((k, v) -> {
                        List<Object> pair = new ArrayList<>();
                        pair.add(k);
                        pair.add(v);
                        out.add(pair);
                    });
                    return out;
                };
                case "keys" -> (a, kw) -> new ArrayList<Object>(m.keySet());
                case "values" -> (a, kw) -> new ArrayList<Object>(m.values());
                case "get" -> (a, kw) -> m.containsKey(PyValues.str(a.get(0))) ? m.get(PyValues.str(a.get(0)))
                        : a.size() > 1 ? a.get(1) : null;
                default -> null;
            };
        }
        if (target instanceof List<?> l) {
            return switch (name) {
                case "index" -> (a, kw) -> {
                    for (int i = 0; i < l.size(); i++) if (PyValues.equal(l.get(i), a.get(0))) return (long) i;
                    throw new TemplateException(PyValues.repr(a.get(0)) + " is not in list");
                };
                case "count" -> (a, kw) -> l.stream().filter(o -> PyValues.equal(o, a.get(0))).count();
                default -> null;
            };
        }
        return null;
    }

    private static Object arg(List<Object> args, int i) {
        return i < args.size() ? args.get(i) : null;
    }

    private static boolean anyOf(Object prefixes, java.util.function.Predicate<String> test) {
        if (prefixes instanceof List<?> l) {
            for (Object o : l) if (test.test(PyValues.str(o))) return true;
            return false;
        }
        return test.test(PyValues.str(prefixes));
    }

    /** Python's {@code str.isspace} for one character. */
    static boolean isSpace(int c) {
        return Character.isWhitespace(c) || Character.getType(c) == Character.SPACE_SEPARATOR || c == 0x85;
    }

    /** Python's strip/lstrip/rstrip: whitespace, or the characters of {@code chars}. */
    static String strip(String s, Object chars, boolean left, boolean right) {
        String set = chars == null ? null : PyValues.str(chars);
        int from = 0;
        int to = s.length();
        while (left && from < to && (set == null ? isSpace(s.codePointAt(from)) : set.indexOf(s.codePointAt(from)) >= 0)) {
            from += Character.charCount(s.codePointAt(from));
        }
        while (right && to > from && (set == null ? isSpace(s.codePointBefore(to)) : set.indexOf(s.codePointBefore(to)) >= 0)) {
            to -= Character.charCount(s.codePointBefore(to));
        }
        return s.substring(from, to);
    }

    /** Python's {@code str.split(sep, maxsplit)}. */
    static List<Object> split(String s, Object sep, long max) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && isSpace(s.charAt(i))) i++;
                if (i >= n) break;
                if (max >= 0 && out.size() == max) {
                    out.add(strip(s.substring(i), null, false, true));
                    break;
                }
                int j = i;
                while (j < n && !isSpace(s.charAt(j))) j++;
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        String d = PyValues.str(sep);
        if (d.isEmpty()) throw new TemplateException("empty separator");
        int from = 0;
        while (true) {
            int i = s.indexOf(d, from);
            if (i < 0 || (max >= 0 && out.size() == max)) {
                out.add(s.substring(from));
                return out;
            }
            out.add(s.substring(from, i));
            from = i + d.length();
        }
    }

    private static String replace(String s, String old, String rep, long count) {
        if (count < 0) return s.replace(old, rep);
        StringBuilder sb = new StringBuilder();
        int from = 0;
        for (long k = 0; k < count; k++) {
            int i = s.indexOf(old, from);
            if (i < 0) break;
            sb.append(s, from, i).append(rep);
            from = i + old.length();
        }
        return sb.append(s.substring(from)).toString();
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) return s.codePointCount(0, s.length()) + 1;
        long n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) n++;
        return n;
    }

    private static String join(List<?> items, String sep) {
        List<String> parts = new ArrayList<>();
        for (Object o : items) parts.add(PyValues.str(o));
        return String.join(sep, parts);
    }

    private static String capitalize(String s) {
        if (s.isEmpty()) return s;
        int first = s.codePointAt(0);
        return new String(Character.toChars(Character.toUpperCase(first)))
                + s.substring(Character.charCount(first)).toLowerCase(java.util.Locale.ROOT);
    }

    private static String title(String s) {
        StringBuilder sb = new StringBuilder();
        boolean prevCased = false;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            sb.appendCodePoint(prevCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
            prevCased = Character.isLetter(c);
            i += Character.charCount(c);
        }
        return sb.toString();
    }

    // ---- filters ----

    static Object filter(String name, Object v, List<Object> args, Map<String, Object> kw) {
        switch (name) {
            case "trim":
                return strip(PyValues.str(v), arg(args, 0), true, true);
            case "length", "count":
                if (v instanceof String s) return (long) s.codePointCount(0, s.length());
                if (v instanceof List<?> l) return (long) l.size();
                if (v instanceof Map<?, ?> m) return (long) m.size();
                if (v == PyValues.UNDEFINED) return 0L;
                throw new TemplateException("object of type '" + PyValues.typeName(v) + "' has no len()");
            case "tojson": {
                Object indent = kw.containsKey("indent") ? kw.get("indent") : arg(args, 0);
                Object sort = kw.getOrDefault("sort_keys", Boolean.FALSE);
                return PyValues.toJson(v, indent == null ? null : (int) PyValues.toLong(indent), PyValues.truthy(sort));
            }
            case "string":
                return PyValues.str(v);
            case "upper":
                return PyValues.str(v).toUpperCase(java.util.Locale.ROOT);
            case "lower":
                return PyValues.str(v).toLowerCase(java.util.Locale.ROOT);
            case "capitalize":
                return capitalize(PyValues.str(v));
            case "title":
                return title(PyValues.str(v));
            case "safe", "e", "escape":
                return name.equals("safe") ? v : PyValues.str(v).replace("&", "&amp;").replace("<", "&lt;")
                        .replace(">", "&gt;").replace("\"", "&#34;").replace("'", "&#39;");
            case "first": {
                List<?> l = PyValues.iterable(v);
                return l.isEmpty() ? PyValues.UNDEFINED : l.get(0);
            }
            case "last": {
                List<?> l = sequence(v);
                return l.isEmpty() ? PyValues.UNDEFINED : l.get(l.size() - 1);
            }
            case "join":
                return join(kw.containsKey("attribute") ? map(v, PyValues.str(kw.get("attribute"))) : PyValues.iterable(v),
                        args.isEmpty() ? "" : PyValues.str(args.get(0)));
            case "default", "d": {
                boolean boolean_ = args.size() > 1 && PyValues.truthy(args.get(1));
                boolean use = v == PyValues.UNDEFINED || (boolean_ && !PyValues.truthy(v));
                return use ? (args.isEmpty() ? "" : args.get(0)) : v;
            }
            case "list":
                return new ArrayList<Object>(PyValues.iterable(v));
            case "reverse": {
                if (v instanceof String s) return new StringBuilder(s).reverse().toString();
                List<Object> l = new ArrayList<>(PyValues.iterable(v));
                Collections.reverse(l);
                return l;
            }
            case "int":
                if (v instanceof String s) {
                    try {
                        return Long.parseLong(s.strip());
                    } catch (NumberFormatException e) {
                        return args.isEmpty() ? 0L : args.get(0);
                    }
                }
                return PyValues.isNumber(v) ? PyValues.toLong(v) : 0L;
            case "float":
                if (v instanceof String s) {
                    try {
                        return Double.parseDouble(s.strip());
                    } catch (NumberFormatException e) {
                        return 0.0;
                    }
                }
                return PyValues.isNumber(v) ? PyValues.toDouble(v) : 0.0;
            case "abs":
                return v instanceof Long l ? (Object) Math.abs(l) : (Object) Math.abs(PyValues.toDouble(v));
            case "items":
                return method(v, "items").call(List.of(), Map.of());
            case "replace":
                return replace(PyValues.str(v), PyValues.str(args.get(0)), PyValues.str(args.get(1)), -1);
            case "map":
                if (kw.containsKey("attribute")) return map(v, PyValues.str(kw.get("attribute")));
                if (!args.isEmpty()) {
                    List<Object> out = new ArrayList<>();
                    for (Object o : PyValues.iterable(v)) out.add(filter(PyValues.str(args.get(0)), o, args.subList(1, args.size()), Map.of()));
                    return out;
                }
                throw new TemplateException("map needs a filter name or attribute=");
            case "selectattr", "rejectattr": {
                boolean select = name.equals("selectattr");
                List<Object> out = new ArrayList<>();
                String attribute = PyValues.str(args.get(0));
                for (Object o : PyValues.iterable(v)) {
                    Object a = getAttr(o, attribute);
                    boolean ok = args.size() < 2 ? PyValues.truthy(a)
                            : test(PyValues.str(args.get(1)), a, args.subList(2, args.size()));
                    if (ok == select) out.add(o);
                }
                return out;
            }
            case "select", "reject": {
                boolean select = name.equals("select");
                List<Object> out = new ArrayList<>();
                for (Object o : PyValues.iterable(v)) {
                    boolean ok = args.isEmpty() ? PyValues.truthy(o) : test(PyValues.str(args.get(0)), o, args.subList(1, args.size()));
                    if (ok == select) out.add(o);
                }
                return out;
            }
            default:
                throw new TemplateException("no filter named '" + name + "'");
        }
    }

    private static List<Object> map(Object v, String attribute) {
        List<Object> out = new ArrayList<>();
        for (Object o : PyValues.iterable(v)) out.add(getAttr(o, attribute));
        return out;
    }

    // ---- tests ----

    static boolean test(String name, Object v, List<Object> args) {
        return switch (name) {
            case "defined" -> v != PyValues.UNDEFINED;
            case "undefined" -> v == PyValues.UNDEFINED;
            case "none" -> v == null;
            case "string" -> v instanceof String;
            case "number" -> v instanceof Long || v instanceof Double;
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "mapping" -> v instanceof Map<?, ?>;
            case "iterable" -> v instanceof List<?> || v instanceof Map<?, ?> || v instanceof String;
            case "sequence" -> v instanceof List<?> || v instanceof String || v instanceof Map<?, ?>;
            case "callable" -> v instanceof Callable;
            case "equalto", "eq", "==", "sameas" -> PyValues.equal(v, args.get(0));
            case "ne", "!=" -> !PyValues.equal(v, args.get(0));
            case "lt", "lessthan", "<" -> PyValues.compare(v, args.get(0)) < 0;
            case "le", "<=" -> PyValues.compare(v, args.get(0)) <= 0;
            case "gt", "greaterthan", ">" -> PyValues.compare(v, args.get(0)) > 0;
            case "ge", ">=" -> PyValues.compare(v, args.get(0)) >= 0;
            case "in" -> contains(args.get(0), v);
            case "odd" -> PyValues.toLong(v) % 2 != 0;
            case "even" -> PyValues.toLong(v) % 2 == 0;
            case "divisibleby" -> PyValues.toLong(v) % PyValues.toLong(args.get(0)) == 0;
            case "lower" -> v instanceof String s && s.equals(s.toLowerCase(java.util.Locale.ROOT));
            case "upper" -> v instanceof String s && s.equals(s.toUpperCase(java.util.Locale.ROOT));
            default -> throw new TemplateException("no test named '" + name + "'");
        };
    }

    /** Python's {@code strftime} for the directives chat templates use ({@code %d %b %Y} and a few more). */
    static String strftime(LocalDateTime t, String format) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                sb.append(c);
                continue;
            }
            char d = format.charAt(++i);
            switch (d) {
                case 'd' -> sb.append("%02d".formatted(t.getDayOfMonth()));
                case 'm' -> sb.append("%02d".formatted(t.getMonthValue()));
                case 'Y' -> sb.append(t.getYear());
                case 'y' -> sb.append("%02d".formatted(t.getYear() % 100));
                case 'H' -> sb.append("%02d".formatted(t.getHour()));
                case 'M' -> sb.append("%02d".formatted(t.getMinute()));
                case 'S' -> sb.append("%02d".formatted(t.getSecond()));
                case 'b' -> sb.append(t.getMonth().getDisplayName(java.time.format.TextStyle.SHORT, java.util.Locale.ENGLISH));
                case 'B' -> sb.append(t.getMonth().getDisplayName(java.time.format.TextStyle.FULL, java.util.Locale.ENGLISH));
                case 'a' -> sb.append(t.getDayOfWeek().getDisplayName(java.time.format.TextStyle.SHORT, java.util.Locale.ENGLISH));
                case 'A' -> sb.append(t.getDayOfWeek().getDisplayName(java.time.format.TextStyle.FULL, java.util.Locale.ENGLISH));
                case '%' -> sb.append('%');
                default -> sb.append('%').append(d);
            }
        }
        return sb.toString();
    }
}
