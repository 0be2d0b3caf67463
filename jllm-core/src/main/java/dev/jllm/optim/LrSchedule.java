package dev.jllm.optim;

/** The learning rate as a function of the optimizer step (0 for the first update). */
public sealed interface LrSchedule permits LrSchedule.Constant, LrSchedule.WarmupCosine {

    double lr(long step);

    /** The same learning rate at every step. */
    record Constant(double lr) implements LrSchedule {
        public Constant {
            if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be positive: " + lr);
        }

        @Override
        public double lr(long step) {
            return lr;
        }
    }

    /**
     * Appendix D of the book: a linear warm-up from {@code initialLr} to {@code peakLr} over {@code warmupSteps}
     * steps, then a half cosine from {@code peakLr} down to {@code minLr} at {@code totalSteps}; {@code minLr} after.
     */
    record WarmupCosine(double initialLr, double peakLr, double minLr, long warmupSteps, long totalSteps)
            implements LrSchedule {
        public WarmupCosine {
            if (!(peakLr > 0) || !(initialLr >= 0) || !(minLr >= 0)) {
                throw new IllegalArgumentException("learning rates must be positive: initial " + initialLr
                        + ", peak " + peakLr + ", min " + minLr);
            }
            if (warmupSteps < 0 || totalSteps < 1) {
                throw new IllegalArgumentException("warm-up steps must be >= 0 and total steps >= 1: "
                        + warmupSteps + ", " + totalSteps);
            }
        }

        @Override
        public double lr(long step) {
            if (step < warmupSteps) return initialLr + step * (peakLr - initialLr) / warmupSteps;
            double progress = Math.min(1.0, (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
            return minLr + (peakLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
        }
    }
}
