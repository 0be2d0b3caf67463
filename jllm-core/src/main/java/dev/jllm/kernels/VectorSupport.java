package dev.jllm.kernels;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import jdk.incubator.vector.FloatVector;

/**
 * Decides once, at start-up, whether the kernels use the Vector API. On a JVM that does not compile it to SIMD
 * (interpreter, C1 only, a one-lane preferred species, the module missing) every vector operation becomes an
 * object allocation and the "fast" kernels run many times slower than plain loops, so they fall back to the
 * scalar loops with a one-line warning. {@code -Djllm.vector=false} forces the fallback.
 */
public final class VectorSupport {
    private VectorSupport() {}

    /** True when the Vector API kernels are used. */
    public static final boolean ENABLED = decide();

    private static boolean decide() {
        if ("false".equals(System.getProperty("jllm.vector"))) return false;
        String problem = problem();
        if (problem == null) return true;
        System.err.println("jllm: warning: the Vector API is not compiled to SIMD here (" + problem
                + "); using slower scalar loops");
        return false;
    }

    /** Why the Vector API would not be fast on this JVM, or null when it is. */
    static String problem() {
        int lanes;
        try {
            lanes = FloatVector.SPECIES_PREFERRED.length();
        } catch (LinkageError e) {
            return "module jdk.incubator.vector is missing; run with --add-modules jdk.incubator.vector";
        }
        if (lanes < 4) return "the preferred float vector has " + lanes + " lane(s)";
        if (System.getProperty("java.vm.info", "").contains("interpreted")) return "the JVM runs interpreted only";
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (hotspot == null) return null;
            if (hotspot.getVMOption("TieredCompilation").getValue().equals("true")
                    && Integer.parseInt(hotspot.getVMOption("TieredStopAtLevel").getValue()) < 4) {
                return "the C2 compiler is off (-XX:TieredStopAtLevel < 4)";
            }
            if (hotspot.getVMOption("UseCompiler").getValue().equals("false")) return "the JIT compiler is off";
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return null; // not HotSpot, or flags unknown: trust the species length
        }
        return null;
    }
}
