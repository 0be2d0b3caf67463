package dev.jllm.chat;

import dev.jllm.chat.JinjaLexer.Kind;
import dev.jllm.chat.JinjaLexer.Token;
import dev.jllm.chat.JinjaNode.Expr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Recursive descent over {@link JinjaLexer}'s tokens, with Jinja2's operator precedence. */
final class JinjaParser {
    private final List<Token> tokens;
    private int at;

    private JinjaParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<JinjaNode> parse(String template) {
        JinjaParser p = new JinjaParser(JinjaLexer.tokenize(template));
        List<JinjaNode> body = p.body(List.of());
        if (p.peek().kind() != Kind.EOF) throw p.error("unexpected {% " + p.tokens.get(p.at + 1).text() + " %}");
        return body;
    }

    private Token peek() {
        return tokens.get(at);
    }

    private Token next() {
        return tokens.get(at++);
    }

    private TemplateException error(String message) {
        return new TemplateException(peek().line(), message);
    }

    private Token expect(Kind kind, String text) {
        Token t = next();
        if (t.kind() != kind || (text != null && !t.text().equals(text))) {
            at--;
            throw error("expected " + (text != null ? "'" + text + "'" : kind.name().toLowerCase()) + ", found '" + t.text() + "'");
        }
        return t;
    }

    private String name() {
        return expect(Kind.NAME, null).text();
    }

    /** Statements until a block tag whose name is in {@code ends} (left unread: at its BLOCK_BEGIN) or the end. */
    private List<JinjaNode> body(List<String> ends) {
        List<JinjaNode> out = new ArrayList<>();
        while (true) {
            Token t = peek();
            switch (t.kind()) {
                case EOF -> {
                    if (!ends.isEmpty()) throw error("missing {% " + String.join(" / ", ends) + " %}");
                    return out;
                }
                case TEXT -> {
                    next();
                    out.add(new JinjaNode.Text(t.text()));
                }
                case VAR_BEGIN -> {
                    next();
                    out.add(new JinjaNode.Output(expression()));
                    expect(Kind.VAR_END, null);
                }
                case BLOCK_BEGIN -> {
                    String keyword = tokens.get(at + 1).text();
                    if (ends.contains(keyword)) return out;
                    next();
                    out.add(statement());
                }
                default -> throw error("unexpected '" + t.text() + "'");
            }
        }
    }

    private JinjaNode statement() {
        Token keyword = next();
        if (keyword.kind() != Kind.NAME) throw new TemplateException(keyword.line(), "expected a statement, found '" + keyword.text() + "'");
        switch (keyword.text()) {
            case "if" -> {
                List<Expr> conditions = new ArrayList<>();
                List<List<JinjaNode>> bodies = new ArrayList<>();
                conditions.add(expression());
                expect(Kind.BLOCK_END, null);
                bodies.add(body(List.of("elif", "else", "endif")));
                List<JinjaNode> otherwise = List.of();
                while (true) {
                    expect(Kind.BLOCK_BEGIN, null);
                    String k = name();
                    if (k.equals("elif")) {
                        conditions.add(expression());
                        expect(Kind.BLOCK_END, null);
                        bodies.add(body(List.of("elif", "else", "endif")));
                    } else if (k.equals("else")) {
                        expect(Kind.BLOCK_END, null);
                        otherwise = body(List.of("endif"));
                    } else {
                        expect(Kind.BLOCK_END, null);
                        return new JinjaNode.If(conditions, bodies, otherwise);
                    }
                }
            }
            case "for" -> {
                List<String> targets = new ArrayList<>();
                targets.add(name());
                while (peek().isOp(",")) {
                    next();
                    targets.add(name());
                }
                expect(Kind.NAME, "in");
                Expr iterable = orExpression(); // no conditional here: "if" starts the loop filter
                Expr filter = null;
                if (peek().isName("if")) {
                    next();
                    filter = expression();
                }
                if (peek().isName("recursive")) throw error("recursive loops are not supported");
                expect(Kind.BLOCK_END, null);
                List<JinjaNode> body = body(List.of("else", "endfor"));
                expect(Kind.BLOCK_BEGIN, null);
                List<JinjaNode> otherwise = List.of();
                if (name().equals("else")) {
                    expect(Kind.BLOCK_END, null);
                    otherwise = body(List.of("endfor"));
                    expect(Kind.BLOCK_BEGIN, null);
                    expect(Kind.NAME, "endfor");
                }
                expect(Kind.BLOCK_END, null);
                return new JinjaNode.For(targets, iterable, filter, body, otherwise);
            }
            case "set" -> {
                String target = name();
                String attribute = null;
                if (peek().isOp(".")) {
                    next();
                    attribute = name();
                }
                if (peek().kind() == Kind.BLOCK_END && attribute == null) {
                    next();
                    List<JinjaNode> body = body(List.of("endset"));
                    expect(Kind.BLOCK_BEGIN, null);
                    expect(Kind.NAME, "endset");
                    expect(Kind.BLOCK_END, null);
                    return new JinjaNode.SetBlock(target, body);
                }
                expect(Kind.OP, "=");
                Expr value = expression();
                expect(Kind.BLOCK_END, null);
                return new JinjaNode.Set(target, attribute, value);
            }
            case "macro" -> {
                String name = name();
                expect(Kind.OP, "(");
                List<String> params = new ArrayList<>();
                List<Expr> defaults = new ArrayList<>();
                while (!peek().isOp(")")) {
                    params.add(name());
                    if (peek().isOp("=")) {
                        next();
                        defaults.add(expression());
                    } else {
                        defaults.add(null);
                    }
                    if (!peek().isOp(")")) expect(Kind.OP, ",");
                }
                next();
                expect(Kind.BLOCK_END, null);
                List<JinjaNode> body = body(List.of("endmacro"));
                expect(Kind.BLOCK_BEGIN, null);
                expect(Kind.NAME, "endmacro");
                expect(Kind.BLOCK_END, null);
                return new JinjaNode.Macro(name, params, defaults, body);
            }
            case "break", "continue" -> {
                expect(Kind.BLOCK_END, null);
                return new JinjaNode.LoopControl(keyword.text().equals("break"));
            }
            case "generation" -> {
                expect(Kind.BLOCK_END, null);
                List<JinjaNode> body = body(List.of("endgeneration"));
                expect(Kind.BLOCK_BEGIN, null);
                expect(Kind.NAME, "endgeneration");
                expect(Kind.BLOCK_END, null);
                return new JinjaNode.Block(body);
            }
            default -> throw new TemplateException(keyword.line(), "unsupported statement {% " + keyword.text() + " %}");
        }
    }

    // ---- expressions, loosest first ----

    Expr expression() {
        Expr value = orExpression();
        if (peek().isName("if")) {
            next();
            Expr condition = orExpression();
            Expr otherwise = null;
            if (peek().isName("else")) {
                next();
                otherwise = expression();
            }
            return new JinjaNode.Conditional(condition, value, otherwise);
        }
        return value;
    }

    private Expr orExpression() {
        Expr left = andExpression();
        while (peek().isName("or")) {
            next();
            left = new JinjaNode.Binary("or", left, andExpression());
        }
        return left;
    }

    private Expr andExpression() {
        Expr left = notExpression();
        while (peek().isName("and")) {
            next();
            left = new JinjaNode.Binary("and", left, notExpression());
        }
        return left;
    }

    private Expr notExpression() {
        if (peek().isName("not")) {
            next();
            return new JinjaNode.Unary("not", notExpression());
        }
        return comparison();
    }

    private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", "<=", ">", ">=");

    private Expr comparison() {
        Expr left = sum();
        while (true) {
            Token t = peek();
            if (t.kind() == Kind.OP && COMPARISONS.contains(t.text())) {
                next();
                left = new JinjaNode.Binary(t.text(), left, sum());
            } else if (t.isName("in")) {
                next();
                left = new JinjaNode.Binary("in", left, sum());
            } else if (t.isName("not") && tokens.get(at + 1).isName("in")) {
                at += 2;
                left = new JinjaNode.Binary("not in", left, sum());
            } else {
                return left;
            }
        }
    }

    private Expr sum() {
        Expr left = concat();
        while (peek().isOp("+") || peek().isOp("-")) {
            String op = next().text();
            left = new JinjaNode.Binary(op, left, concat());
        }
        return left;
    }

    private Expr concat() {
        Expr left = product();
        while (peek().isOp("~")) {
            next();
            left = new JinjaNode.Binary("~", left, product());
        }
        return left;
    }

    private Expr product() {
        Expr left = power();
        while (peek().isOp("*") || peek().isOp("/") || peek().isOp("//") || peek().isOp("%")) {
            String op = next().text();
            left = new JinjaNode.Binary(op, left, power());
        }
        return left;
    }

    private Expr power() {
        Expr left = unary(true);
        while (peek().isOp("**")) {
            next();
            left = new JinjaNode.Binary("**", left, unary(true));
        }
        return left;
    }

    private Expr unary(boolean withFilter) {
        Expr node;
        if (peek().isOp("-") || peek().isOp("+")) {
            String op = next().text();
            node = new JinjaNode.Unary(op, unary(false));
        } else {
            node = primary();
        }
        node = postfix(node);
        return withFilter ? filters(node) : node;
    }

    private Expr primary() {
        Token t = next();
        switch (t.kind()) {
            case NAME -> {
                return switch (t.text()) {
                    case "true", "True" -> new JinjaNode.Const(Boolean.TRUE);
                    case "false", "False" -> new JinjaNode.Const(Boolean.FALSE);
                    case "none", "None" -> new JinjaNode.Const(null);
                    default -> new JinjaNode.Name(t.text());
                };
            }
            case STRING -> {
                StringBuilder sb = new StringBuilder(t.text());
                while (peek().kind() == Kind.STRING) sb.append(next().text());
                return new JinjaNode.Const(sb.toString());
            }
            case INT -> {
                return new JinjaNode.Const(integer(t));
            }
            case FLOAT -> {
                return new JinjaNode.Const(Double.parseDouble(t.text())); // the lexer's digits: always a double, perhaps infinite
            }
            case OP -> {
                switch (t.text()) {
                    case "(" -> {
                        if (peek().isOp(")")) {
                            next();
                            return new JinjaNode.ListLiteral(List.of());
                        }
                        Expr e = expression();
                        if (peek().isOp(",")) {
                            List<Expr> items = new ArrayList<>(List.of(e));
                            while (peek().isOp(",")) {
                                next();
                                if (peek().isOp(")")) break;
                                items.add(expression());
                            }
                            e = new JinjaNode.ListLiteral(items);
                        }
                        expect(Kind.OP, ")");
                        return e;
                    }
                    case "[" -> {
                        List<Expr> items = new ArrayList<>();
                        while (!peek().isOp("]")) {
                            items.add(expression());
                            if (!peek().isOp("]")) expect(Kind.OP, ",");
                        }
                        next();
                        return new JinjaNode.ListLiteral(items);
                    }
                    case "{" -> {
                        List<Expr> keys = new ArrayList<>();
                        List<Expr> values = new ArrayList<>();
                        while (!peek().isOp("}")) {
                            keys.add(expression());
                            expect(Kind.OP, ":");
                            values.add(expression());
                            if (!peek().isOp("}")) expect(Kind.OP, ",");
                        }
                        next();
                        return new JinjaNode.DictLiteral(keys, values);
                    }
                    default -> { }
                }
            }
            default -> { }
        }
        at--;
        throw error("unexpected '" + t.text() + "'");
    }

    private Expr postfix(Expr node) {
        while (true) {
            if (peek().isOp(".")) {
                next();
                Token t = next();
                if (t.kind() == Kind.INT) node = new JinjaNode.GetItem(node, new JinjaNode.Const(integer(t)));
                else if (t.kind() == Kind.NAME) node = new JinjaNode.GetAttr(node, t.text());
                else throw new TemplateException(t.line(), "expected a name after '.'");
            } else if (peek().isOp("[")) {
                next();
                node = subscript(node);
            } else if (peek().isOp("(")) {
                node = call(node);
            } else {
                return node;
            }
        }
    }

    private Expr subscript(Expr target) {
        Expr[] parts = new Expr[3];
        int part = 0;
        boolean slice = false;
        while (!peek().isOp("]")) {
            if (peek().isOp(":")) {
                next();
                slice = true;
                if (++part > 2) throw error("a slice has at most three parts");
            } else {
                parts[part] = expression();
            }
        }
        next();
        if (!slice) return new JinjaNode.GetItem(target, parts[0]);
        return new JinjaNode.Slice(target, parts[0], parts[1], parts[2]);
    }

    private JinjaNode.Call call(Expr function) {
        List<Expr> args = new ArrayList<>();
        Map<String, Expr> kwargs = new LinkedHashMap<>();
        arguments(args, kwargs);
        return new JinjaNode.Call(function, args, kwargs);
    }

    /** {@code (a, b, key=value)}: the opening parenthesis is next. */
    private void arguments(List<Expr> args, Map<String, Expr> kwargs) {
        expect(Kind.OP, "(");
        while (!peek().isOp(")")) {
            if (peek().kind() == Kind.NAME && tokens.get(at + 1).isOp("=")) {
                String key = next().text();
                next();
                kwargs.put(key, expression());
            } else {
                args.add(expression());
            }
            if (!peek().isOp(")")) expect(Kind.OP, ",");
        }
        next();
    }

    private Expr filters(Expr node) {
        while (true) {
            if (peek().isOp("|")) {
                next();
                String name = name();
                List<Expr> args = new ArrayList<>();
                Map<String, Expr> kwargs = new LinkedHashMap<>();
                if (peek().isOp("(")) arguments(args, kwargs);
                node = new JinjaNode.Filter(node, name, args, kwargs);
            } else if (peek().isName("is")) {
                next();
                boolean negated = false;
                if (peek().isName("not")) {
                    next();
                    negated = true;
                }
                String name = name();
                List<Expr> args = new ArrayList<>();
                if (peek().isOp("(")) {
                    arguments(args, new LinkedHashMap<>());
                } else if (peek().kind() == Kind.STRING || peek().kind() == Kind.INT || peek().kind() == Kind.FLOAT
                        || peek().kind() == Kind.NAME && !Set.of("else", "or", "and", "if", "is", "not", "in").contains(peek().text())) {
                    args.add(unary(false)); // "is divisibleby 3", "is sameas false"
                }
                node = new JinjaNode.Test(node, name, args, negated);
            } else if (peek().isOp("(")) {
                node = call(node);
            } else {
                return node;
            }
        }
    }

    /** An integer literal; Python's are unbounded, ours are 64-bit: a larger one is refused with its line. */
    private static long integer(Token t) {
        try {
            return Long.parseLong(t.text());
        } catch (NumberFormatException e) {
            throw new TemplateException(t.line(), "integer " + t.text() + " is beyond 64 bits");
        }
    }
}
