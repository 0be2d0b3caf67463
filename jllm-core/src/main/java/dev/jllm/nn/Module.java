package dev.jllm.nn;

import dev.jllm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A piece of a network with named parameters and named sub-modules, like PyTorch's {@code nn.Module}.
 *
 * <p>Names are dotted paths in registration order ({@code trf_blocks.0.att.qkv.weight}), so iteration is stable
 * and matches what a checkpoint or an optimizer sees. A module is in training mode (dropout on) until
 * {@link #eval()}. A frozen parameter has {@code requiresGrad == false}: backward does no work for it.
 */
public abstract class Module {

    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /**
     * Registers a parameter under {@code name} and returns it: trainable, or frozen when it is a read-only
     * {@link Tensor#isReadOnly read-only} tensor (bfloat16 or ggml blocks in place).
     */
    protected final Tensor parameter(String name, Tensor value) {
        if (parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalStateException("duplicate name '" + name + "' in " + getClass().getSimpleName());
        }
        parameters.put(name, value.isReadOnly() ? value : value.requiresGrad(true));
        return value;
    }

    /**
     * Registers the parameter {@code name} of {@code shape} that {@code source} gives (a new one starts at
     * {@code initial}) and returns it.
     */
    protected final Tensor parameter(String name, ParameterSource source, float initial, int... shape) {
        Tensor t = source.get(name, initial, shape);
        if (!java.util.Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("parameter '" + name + "' of " + getClass().getSimpleName() + " has shape "
                    + t.shapeString() + ", not " + java.util.Arrays.toString(shape));
        }
        return parameter(name, t);
    }

    /** Registers a sub-module under {@code name} and returns it. */
    protected final <M extends Module> M child(String name, M module) {
        if (parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalStateException("duplicate name '" + name + "' in " + getClass().getSimpleName());
        }
        children.put(name, module);
        return module;
    }

    /** Every parameter with its dotted name, in a stable order (this module's own first, then each child's). */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out) {
        parameters.forEach((name, p) -> out.put(prefix + name, p));
        children.forEach((name, m) -> m.collect(prefix + name + ".", out));
    }

    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** The parameters that receive gradients (not frozen). */
    public final Map<String, Tensor> trainableParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedParameters().forEach((name, p) -> {
            if (p.requiresGrad()) out.put(name, p);
        });
        return out;
    }

    /** Copies of the parameters whose names {@code which} accepts, by name (what a file of them holds). */
    public final Map<String, Tensor> copyParameters(Predicate<String> which) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedParameters().forEach((name, p) -> {
            if (which.test(name)) out.put(name, Tensor.of(p.data().clone(), p.shape()));
        });
        return out;
    }

    /**
     * Copies saved tensors into the parameters whose names {@code which} accepts; the two must match one for one, by
     * name and shape (a missing, misshapen or unexpected tensor is an error naming it).
     *
     * @param source names the saved tensors in errors (a file)
     */
    public final void loadParameters(Map<String, Tensor> saved, Predicate<String> which, String source) {
        Map<String, Tensor> params = namedParameters();
        for (String name : saved.keySet()) {
            if (!params.containsKey(name) || !which.test(name)) {
                throw new IllegalArgumentException(source + ": unexpected tensor '" + name + "'");
            }
        }
        params.forEach((name, p) -> {
            if (!which.test(name)) return;
            Tensor t = saved.get(name);
            if (t == null) throw new IllegalArgumentException(source + ": missing tensor '" + name + "'");
            if (!Arrays.equals(t.shape(), p.shape())) {
                throw new IllegalArgumentException(source + ": tensor '" + name + "' has shape " + t.shapeString()
                        + ", the model expects " + p.shapeString());
            }
            System.arraycopy(t.data(), 0, p.data(), 0, p.size());
        });
    }

    public final long parameterCount() {
        long n = 0;
        for (Tensor p : namedParameters().values()) n += p.size();
        return n;
    }

    /**
     * Bytes the parameter values take: 4 per float32 value, 2 per bfloat16 one, a quantized matrix's blocks (a
     * tensor shared by two names counts once).
     */
    public final long parameterBytes() {
        long n = 0;
        java.util.Set<Tensor> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Tensor p : namedParameters().values()) if (seen.add(p)) n += p.byteSize();
        return n;
    }

    public final long trainableParameterCount() {
        long n = 0;
        for (Tensor p : trainableParameters().values()) n += p.size();
        return n;
    }

    /** Training mode: dropout active. Applies to every sub-module. */
    public final void train() {
        setTraining(true);
    }

    /** Evaluation mode: dropout off. Applies to every sub-module. */
    public final void eval() {
        setTraining(false);
    }

    private void setTraining(boolean on) {
        training = on;
        children.values().forEach(m -> m.setTraining(on));
    }

    public final boolean isTraining() {
        return training;
    }

    /** Freezes every parameter of this module: no gradients are computed for them. */
    public final void freeze() {
        setRequiresGrad("", false);
    }

    public final void unfreeze() {
        setRequiresGrad("", true);
    }

    /**
     * Freezes the parameter named {@code name}, or every parameter under the sub-module of that name
     * ({@code "trf_blocks.0"} freezes the whole first block). Unknown names are an error.
     */
    public final void freeze(String name) {
        setRequiresGrad(name, false);
    }

    public final void unfreeze(String name) {
        setRequiresGrad(name, true);
    }

    private void setRequiresGrad(String name, boolean on) {
        int matched = 0;
        for (Map.Entry<String, Tensor> e : namedParameters().entrySet()) {
            String n = e.getKey();
            if (name.isEmpty() || n.equals(name) || n.startsWith(name + ".")) {
                e.getValue().requiresGrad(on);
                matched++;
            }
        }
        if (matched == 0 && !name.isEmpty()) {
            throw new IllegalArgumentException("no parameter or module named '" + name + "'");
        }
    }
}
