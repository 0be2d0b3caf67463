package dev.jllm.chat;

import java.util.List;
import java.util.Map;

/** The parsed template: statements and expressions of the Jinja subset that chat templates use. */
sealed interface JinjaNode {

    /** Text copied to the output. */
    record Text(String text) implements JinjaNode {}

    /** {@code {{ expr }}}. */
    record Output(Expr expr) implements JinjaNode {}

    /** {@code if / elif / else}: the body of the first true condition, else {@code otherwise}. */
    record If(List<Expr> conditions, List<List<JinjaNode>> bodies, List<JinjaNode> otherwise) implements JinjaNode {}

    /** {@code for targets in iterable [if filter]}, with {@code else} when nothing was iterated. */
    record For(List<String> targets, Expr iterable, Expr filter, List<JinjaNode> body, List<JinjaNode> otherwise)
            implements JinjaNode {}

    /** {@code set name = value} or {@code set name.attribute = value} (a namespace). */
    record Set(String name, String attribute, Expr value) implements JinjaNode {}

    /** {@code set name %}...{% endset}: the rendered body. */
    record SetBlock(String name, List<JinjaNode> body) implements JinjaNode {}

    /** {@code macro name(params)}: a callable that renders its body. */
    record Macro(String name, List<String> params, List<Expr> defaults, List<JinjaNode> body) implements JinjaNode {}

    /** {@code break} / {@code continue}. */
    record LoopControl(boolean isBreak) implements JinjaNode {}

    /** A block rendered as it is (transformers' {@code generation} tag). */
    record Block(List<JinjaNode> body) implements JinjaNode {}

    /** Expressions. */
    sealed interface Expr {}

    record Const(Object value) implements Expr {}

    record Name(String name) implements Expr {}

    record GetAttr(Expr target, String name) implements Expr {}

    record GetItem(Expr target, Expr key) implements Expr {}

    record Slice(Expr target, Expr start, Expr stop, Expr step) implements Expr {}

    record Call(Expr function, List<Expr> args, Map<String, Expr> kwargs) implements Expr {}

    record Filter(Expr value, String name, List<Expr> args, Map<String, Expr> kwargs) implements Expr {}

    record Test(Expr value, String name, List<Expr> args, boolean negated) implements Expr {}

    record Unary(String op, Expr operand) implements Expr {}

    record Binary(String op, Expr left, Expr right) implements Expr {}

    /** {@code then if condition else otherwise} ({@code otherwise} null: undefined). */
    record Conditional(Expr condition, Expr then, Expr otherwise) implements Expr {}

    record ListLiteral(List<Expr> items) implements Expr {}

    record DictLiteral(List<Expr> keys, List<Expr> values) implements Expr {}
}
