package dev.jllm.chat;

import dev.jllm.chat.JinjaNode.Expr;
import dev.jllm.chat.PyValues.Namespace;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Jinja template, rendered as Jinja2 renders it in transformers' {@code apply_chat_template}: its sandboxed
 * environment with {@code trim_blocks}, {@code lstrip_blocks} and loop controls, the globals
 * {@code raise_exception}, {@code namespace}, {@code range} and {@code strftime_now}, and transformers' own
 * {@code tojson}. The subset is what chat templates use: {@code if/elif/else}, {@code for} (with a filter,
 * {@code else}, {@code loop.*}, {@code break}/{@code continue}), {@code set} (also on a namespace and as a block),
 * {@code macro}, Python's operators, slicing ({@code [::-1]}), string and dict methods, and the common filters
 * and tests ({@link JinjaFunctions}). Values follow Python ({@link PyValues}). Thread-safe: rendering keeps its
 * state in its own frames.
 */
public final class JinjaTemplate {
    private final List<JinjaNode> body;

    private JinjaTemplate(List<JinjaNode> body) {
        this.body = body;
    }

    /** Parses a template; a syntax error is a {@link TemplateException} naming the line. */
    public static JinjaTemplate parse(String source) {
        return new JinjaTemplate(JinjaParser.parse(source));
    }

    /**
     * Renders with the given variables (Strings, Longs, Doubles, Booleans, nulls, Lists and Maps); an error in
     * the template, including its {@code raise_exception}, is a {@link TemplateException}.
     */
    public String render(Map<String, ?> variables) {
        Frame globals = new Frame(null);
        globals.vars.put("raise_exception", (JinjaFunctions.Callable) (args, kw) -> {
            throw new TemplateException(args.isEmpty() ? "raise_exception" : PyValues.str(args.get(0)));
        });
        globals.vars.put("namespace", (JinjaFunctions.Callable) (args, kw) -> {
            Namespace ns = new Namespace();
            for (Object a : args) if (a instanceof Map<?, ?> m) m.forEach((k, v) -> ns.put(PyValues.str(k), v));
            ns.putAll(kw);
            return ns;
        });
        globals.vars.put("range", (JinjaFunctions.Callable) (args, kw) -> {
            long start = args.size() > 1 ? PyValues.toLong(args.get(0)) : 0;
            long stop = PyValues.toLong(args.get(args.size() > 1 ? 1 : 0));
            long step = args.size() > 2 ? PyValues.toLong(args.get(2)) : 1;
            List<Object> out = new ArrayList<>();
            for (long i = start; step > 0 ? i < stop : i > stop; i += step) out.add(i);
            return out;
        });
        globals.vars.put("strftime_now", (JinjaFunctions.Callable) (args, kw) ->
                JinjaFunctions.strftime(LocalDateTime.now(), PyValues.str(args.get(0))));
        globals.vars.put("dict", (JinjaFunctions.Callable) (args, kw) -> new LinkedHashMap<>(kw));
        Frame frame = new Frame(globals);
        variables.forEach((k, v) -> frame.vars.put(k, JinjaFunctions.fromJava(v)));
        StringBuilder out = new StringBuilder();
        try {
            render(body, frame, out);
        } catch (LoopSignal s) {
            throw new TemplateException("break or continue outside a loop");
        } catch (StackOverflowError e) {
            throw new TemplateException("the template recurses too deeply");
        }
        return out.toString();
    }

    /** Variables of one scope: the template, a loop iteration, a macro call. */
    static final class Frame {
        final Frame parent;
        final Map<String, Object> vars = new HashMap<>();

        Frame(Frame parent) {
            this.parent = parent;
        }

        Object get(String name) {
            for (Frame f = this; f != null; f = f.parent) {
                if (f.vars.containsKey(name)) return f.vars.get(name);
            }
            return PyValues.UNDEFINED;
        }
    }

    /** {@code break} and {@code continue}, thrown to the loop. */
    private static final class LoopSignal extends RuntimeException {
        final boolean isBreak;

        LoopSignal(boolean isBreak) {
            super(null, null, false, false);
            this.isBreak = isBreak;
        }
    }

    private static final LoopSignal BREAK = new LoopSignal(true);
    private static final LoopSignal CONTINUE = new LoopSignal(false);

    private void render(List<JinjaNode> nodes, Frame frame, StringBuilder out) {
        for (JinjaNode node : nodes) render(node, frame, out);
    }

    private void render(JinjaNode node, Frame frame, StringBuilder out) {
        switch (node) {
            case JinjaNode.Text t -> out.append(t.text());
            case JinjaNode.Output o -> out.append(PyValues.str(eval(o.expr(), frame)));
            case JinjaNode.If i -> {
                for (int k = 0; k < i.conditions().size(); k++) {
                    if (PyValues.truthy(eval(i.conditions().get(k), frame))) {
                        render(i.bodies().get(k), frame, out);
                        return;
                    }
                }
                render(i.otherwise(), frame, out);
            }
            case JinjaNode.For f -> loop(f, frame, out);
            case JinjaNode.Set s -> {
                Object value = eval(s.value(), frame);
                if (s.attribute() == null) {
                    frame.vars.put(s.name(), value);
                } else if (frame.get(s.name()) instanceof Namespace ns) {
                    ns.put(s.attribute(), value);
                } else {
                    throw new TemplateException("cannot assign attribute on non-namespace object '" + s.name() + "'");
                }
            }
            case JinjaNode.SetBlock s -> {
                StringBuilder captured = new StringBuilder();
                render(s.body(), frame, captured);
                frame.vars.put(s.name(), captured.toString());
            }
            case JinjaNode.Macro m -> frame.vars.put(m.name(), (JinjaFunctions.Callable) (args, kw) -> {
                Frame call = new Frame(frame);
                for (int k = 0; k < m.params().size(); k++) {
                    String p = m.params().get(k);
                    Object v = k < args.size() ? args.get(k) : kw.containsKey(p) ? kw.get(p)
                            : m.defaults().get(k) != null ? eval(m.defaults().get(k), frame) : PyValues.UNDEFINED;
                    call.vars.put(p, v);
                }
                StringBuilder sb = new StringBuilder();
                render(m.body(), call, sb);
                return sb.toString();
            });
            case JinjaNode.LoopControl c -> throw c.isBreak() ? BREAK : CONTINUE;
            case JinjaNode.Block b -> render(b.body(), frame, out);
        }
    }

    private void loop(JinjaNode.For f, Frame frame, StringBuilder out) {
        List<?> all = PyValues.iterable(eval(f.iterable(), frame));
        List<Object> items = new ArrayList<>();
        for (Object item : all) {
            if (f.filter() == null) {
                items.add(item);
                continue;
            }
            Frame test = new Frame(frame);
            bind(f.targets(), item, test);
            if (PyValues.truthy(eval(f.filter(), test))) items.add(item);
        }
        if (items.isEmpty()) {
            render(f.otherwise(), frame, out);
            return;
        }
        int n = items.size();
        for (int i = 0; i < n; i++) {
            Frame iteration = new Frame(frame);
            bind(f.targets(), items.get(i), iteration);
            Map<String, Object> loop = new LinkedHashMap<>();
            loop.put("index", (long) i + 1);
            loop.put("index0", (long) i);
            loop.put("revindex", (long) (n - i));
            loop.put("revindex0", (long) (n - i - 1));
            loop.put("first", i == 0);
            loop.put("last", i == n - 1);
            loop.put("length", (long) n);
            loop.put("previtem", i > 0 ? items.get(i - 1) : PyValues.UNDEFINED);
            loop.put("nextitem", i < n - 1 ? items.get(i + 1) : PyValues.UNDEFINED);
            loop.put("depth", 1L);
            loop.put("depth0", 0L);
            iteration.vars.put("loop", loop);
            try {
                render(f.body(), iteration, out);
            } catch (LoopSignal s) {
                if (s.isBreak) break;
            }
        }
    }

    private static void bind(List<String> targets, Object item, Frame frame) {
        if (targets.size() == 1) {
            frame.vars.put(targets.get(0), item);
            return;
        }
        List<?> parts = PyValues.iterable(item);
        if (parts.size() != targets.size()) {
            throw new TemplateException("cannot unpack " + parts.size() + " values into " + targets.size() + " names");
        }
        for (int k = 0; k < targets.size(); k++) frame.vars.put(targets.get(k), parts.get(k));
    }

    Object eval(Expr e, Frame frame) {
        return switch (e) {
            case JinjaNode.Const c -> c.value();
            case JinjaNode.Name n -> frame.get(n.name());
            case JinjaNode.GetAttr g -> JinjaFunctions.getAttr(eval(g.target(), frame), g.name());
            case JinjaNode.GetItem g -> JinjaFunctions.getItem(eval(g.target(), frame), eval(g.key(), frame));
            case JinjaNode.Slice s -> JinjaFunctions.slice(eval(s.target(), frame), optional(s.start(), frame),
                    optional(s.stop(), frame), optional(s.step(), frame));
            case JinjaNode.Call c -> {
                Object fn = eval(c.function(), frame);
                if (!(fn instanceof JinjaFunctions.Callable callable)) {
                    throw new TemplateException(describe(c.function()) + " is not callable");
                }
                yield callable.call(evalAll(c.args(), frame), evalAll(c.kwargs(), frame));
            }
            case JinjaNode.Filter f -> JinjaFunctions.filter(f.name(), eval(f.value(), frame), evalAll(f.args(), frame),
                    evalAll(f.kwargs(), frame));
            case JinjaNode.Test t -> JinjaFunctions.test(t.name(), eval(t.value(), frame), evalAll(t.args(), frame)) != t.negated();
            case JinjaNode.Unary u -> {
                Object v = eval(u.operand(), frame);
                yield switch (u.op()) {
                    case "not" -> !PyValues.truthy(v);
                    case "-" -> v instanceof Long l ? (Object) (-l) : (Object) (-PyValues.toDouble(v));
                    default -> v;
                };
            }
            case JinjaNode.Binary b -> binary(b, frame);
            case JinjaNode.Conditional c -> PyValues.truthy(eval(c.condition(), frame)) ? eval(c.then(), frame)
                    : c.otherwise() == null ? PyValues.UNDEFINED : eval(c.otherwise(), frame);
            case JinjaNode.ListLiteral l -> evalAll(l.items(), frame);
            case JinjaNode.DictLiteral d -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int k = 0; k < d.keys().size(); k++) map.put(PyValues.str(eval(d.keys().get(k), frame)), eval(d.values().get(k), frame));
                yield map;
            }
        };
    }

    private Object optional(Expr e, Frame frame) {
        return e == null ? null : eval(e, frame);
    }

    private List<Object> evalAll(List<Expr> es, Frame frame) {
        List<Object> out = new ArrayList<>(es.size());
        for (Expr e : es) out.add(eval(e, frame));
        return out;
    }

    private Map<String, Object> evalAll(Map<String, Expr> es, Frame frame) {
        Map<String, Object> out = new LinkedHashMap<>();
        es.forEach((k, e) -> out.put(k, eval(e, frame)));
        return out;
    }

    private Object binary(JinjaNode.Binary b, Frame frame) {
        Object left = eval(b.left(), frame);
        switch (b.op()) {
            case "and":
                return PyValues.truthy(left) ? eval(b.right(), frame) : left;
            case "or":
                return PyValues.truthy(left) ? left : eval(b.right(), frame);
            default:
                break;
        }
        Object right = eval(b.right(), frame);
        return switch (b.op()) {
            case "==" -> PyValues.equal(left, right);
            case "!=" -> !PyValues.equal(left, right);
            case "<" -> PyValues.compare(left, right) < 0;
            case "<=" -> PyValues.compare(left, right) <= 0;
            case ">" -> PyValues.compare(left, right) > 0;
            case ">=" -> PyValues.compare(left, right) >= 0;
            case "in" -> JinjaFunctions.contains(right, left);
            case "not in" -> !JinjaFunctions.contains(right, left);
            case "~" -> PyValues.str(left) + PyValues.str(right);
            default -> JinjaFunctions.arithmetic(b.op(), left, right);
        };
    }

    private static String describe(Expr e) {
        return switch (e) {
            case JinjaNode.Name n -> "'" + n.name() + "'";
            case JinjaNode.GetAttr g -> "'" + g.name() + "'";
            default -> "the expression";
        };
    }
}
