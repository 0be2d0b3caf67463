package dev.jllm.train;

import dev.jllm.Setting;
import dev.jllm.SettingException;
import dev.jllm.generate.GenerationOptions;
import dev.jllm.model.CausalLM;
import dev.jllm.mpi.DataParallel;
import dev.jllm.nn.Module;
import dev.jllm.optim.AdamW;
import dev.jllm.optim.GradClip;
import dev.jllm.optim.LrSchedule;
import dev.jllm.tensor.NoGrad;
import dev.jllm.tensor.Ops;
import dev.jllm.tensor.Tensor;
import dev.jllm.tensor.Workspace;
import dev.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The training loop of the book's chapters 5 and 6 ({@code train_model_simple}, {@code train_classifier_simple}), with the additions of
 * its appendix D and of a long run: gradient accumulation, clipping, a learning rate schedule, checkpoints that
 * resume exactly, and a clean stop on Ctrl-C or a non-finite loss. The batches and their loss come from a
 * {@link TrainingData}: windows of a text for pretraining ({@link WindowData}), collated instructions for instruction
 * finetuning, preference pairs for DPO, labelled texts for classification; the data may report further metrics
 * (DPO's reward margin, classification's accuracy), which go into metrics.csv and the plots. What is trained is a
 * {@link TrainedModel}: a language model, or a job's own (a classifier), which also says how checkpoints and the run
 * folder hold it. Every training command runs on it, into a {@link RunFolder}.
 *
 * <p>One <em>step</em> is one optimizer update over {@code gradAccum} micro-batches of {@code batchSize} examples.
 * Epoch {@code e} visits the training data in an order drawn from {@code (seed, e)} alone, and the dropout
 * generator's state is saved with each checkpoint, so a resumed run takes exactly the steps of an uninterrupted one.
 *
 * <p>Under {@code mpirun} ({@link DataParallel}) the same loop runs on every rank: the data gives global batches of
 * ranks × {@code batchSize} examples, each rank trains on its rows, the last micro-batch's backward pass averages
 * the gradients over the ranks while it runs, and the losses and token counts are summed over the ranks, so every
 * rank takes the same AdamW step and a run of N ranks with batch b gives the losses of one process with batch N·b.
 * Only the leader (rank 0) writes checkpoints and samples.
 *
 * @param <M> the model's type
 * @param <B> the batch type
 */
public final class Trainer<M extends Module, B> {

    /**
     * Where a run stands; saved in every checkpoint.
     *
     * @param schedule     the learning rate schedule (with its total steps), checked on resume
     * @param examplesSeen training examples (rows) of the steps so far, over all ranks
     */
    public record State(long step, long tokensSeen, long rngState, double trainSeconds, String schedule,
                        long examplesSeen) {}

    /** How a run ended. */
    public enum Outcome { FINISHED, INTERRUPTED }

    /**
     * The end of a run: the last evaluation and the throughput.
     *
     * @param metrics the last evaluation's further metrics, as {@link MetricsLog.Row#metrics()} holds them
     */
    public record Result(Outcome outcome, long steps, long tokensSeen, double trainLoss, double valLoss,
                         double trainSeconds, double... metrics) {
        public double tokensPerSecond() {
            return trainSeconds > 0 ? tokensSeen / trainSeconds : 0;
        }
    }

    /**
     * Thrown when a loss or gradient stops being finite; the run folder keeps its last good checkpoint. It names the
     * settings that usually cure it: a lower learning rate, gradient clipping.
     */
    public static final class NonFiniteLossException extends SettingException {
        NonFiniteLossException(String what) {
            super(what + ". Try a lower ", Setting.LEARNING_RATE, " or ", Setting.GRADIENT_CLIP, " 1.0");
        }
    }

    private final TrainedModel<M> trained;
    private final M model;
    private final ResumableRandom rng;
    private final TrainConfig config;
    private final RunFolder run;
    private final TrainingData<M, B> data;
    private final AdamW optimizer;
    private final int stepsPerEpoch;
    private final long totalSteps;
    private final LrSchedule schedule;
    private final TrainProgress progress;
    /** Lends each micro-batch's activations and intermediate gradients to the next. */
    private final Workspace workspace = new Workspace();
    /** The processes this run is spread over ({@link DataParallel#ALONE} for one). */
    private final DataParallel parallel = DataParallel.current();
    private final DataParallel.Gradients gradients;
    private volatile boolean stopRequested;
    /** A stop was asked on some rank before the last step ended: every rank stops after that step. */
    private boolean stopAgreed;

    private State state;

    /**
     * @param model     the model to train; its dropout masks must come from {@code rng}
     * @param rng       the run's dropout generator (its state goes into checkpoints)
     * @param data      training and validation batches (without validation batches the validation loss is NaN);
     *                  under mpirun, batches of ranks × {@code config.batchSize()} examples
     * @param run       the run folder (metrics, samples, checkpoints)
     * @param progress  the terminal progress display (or {@link TrainProgress#silent()})
     */
    public Trainer(TrainedModel<M> model, ResumableRandom rng, TrainConfig config, TrainingData<M, B> data,
                   RunFolder run, TrainProgress progress) {
        this.trained = model;
        this.model = model.module();
        this.rng = rng;
        this.config = config;
        this.run = run;
        this.progress = progress;
        this.data = data;
        this.stepsPerEpoch = data.batchesPerEpoch() / config.gradAccum();
        if (stepsPerEpoch < 1) {
            throw new SettingException(data.describe() + ", fewer than one step of batch " + config.batchSize()
                    + " x accumulation " + config.gradAccum() + " (use a smaller ", Setting.BATCH_SIZE, ", or more data)");
        }
        this.totalSteps = config.maxSteps() > 0 ? config.maxSteps() : (long) config.epochs() * stepsPerEpoch;
        this.schedule = config.schedule(totalSteps);
        this.optimizer = new AdamW(this.model.trainableParameters(), config.adamw());
        this.gradients = parallel.gradients(new ArrayList<>(optimizer.parameters().values()));
        parallel.start(this.model.namedParameters(), settings());
        rng.setState(rankRng(rng.state()));
        this.state = new State(0, 0, rng.state(), 0, schedule.toString(), 0);
    }

    /**
     * A trainer of the language model {@code model}, whose samples after each epoch {@code tokenizer} encodes and
     * decodes; see the constructor for the rest.
     */
    public static <B> Trainer<CausalLM, B> of(CausalLM model, ResumableRandom rng, Tokenizer tokenizer,
                                              TrainConfig config, TrainingData<CausalLM, B> data, RunFolder run,
                                              TrainProgress progress) {
        return new Trainer<>(TrainedModel.language(model, tokenizer), rng, config, data, run, progress);
    }

    /** What must be the same on every rank: model, training settings, data size and its first batch. */
    private String settings() {
        B first = data.epoch(config.seed(), 0).next();
        return trained.describe() + "\n" + config + "\n" + data.describe() + ", " + data.batchesPerEpoch() + " batches\n"
                + data.fingerprint(first);
    }

    /**
     * A rank's dropout generator state from the leader's: rank r draws 2^40·r numbers ahead in the same sequence,
     * so ranks drop different units, and a resumed run (which saved the leader's state) continues every rank's.
     */
    private long rankRng(long leaderState) {
        return ResumableRandom.skip(leaderState, (long) parallel.rank() << 40);
    }

    public long totalSteps() {
        return totalSteps;
    }

    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** The processes the run is spread over. */
    public DataParallel parallel() {
        return parallel;
    }

    /** The gradient averaging's timings (zeros for one process). */
    public DataParallel.Gradients gradients() {
        return gradients;
    }

    public State state() {
        return state;
    }

    /** Continues from a checkpoint: its model weights must already be in the model. */
    public void restore(Checkpoint.Progress checkpoint) {
        if (!schedule.toString().equals(checkpoint.state().schedule())) {
            throw new IllegalArgumentException("the checkpoint was trained with the schedule " + checkpoint.state().schedule()
                    + " but this run computes " + schedule + " (has the data changed?)");
        }
        optimizer.loadState(checkpoint.optimizerTensors(), checkpoint.optimizerSteps());
        rng.setState(rankRng(checkpoint.state().rngState()));
        this.state = checkpoint.state();
    }

    /** Asks the loop to stop after the current step, writing a checkpoint (safe from another thread). */
    public void requestStop() {
        stopRequested = true;
    }

    /** Trains until the step budget is spent or a stop is requested; evaluates and checkpoints on the way. */
    public Result run() throws IOException {
        if (state.step() == 0) evaluateAndLog(0, 0);
        progress.start(this);
        long windowStart = System.nanoTime(), tokensAtWindow = state.tokensSeen();
        try {
            while (state.step() < totalSteps) {
                int epoch = (int) (state.step() / stepsPerEpoch);
                Iterator<B> batches = epochBatches(epoch, (int) (state.step() % stepsPerEpoch));
                for (long k = state.step() % stepsPerEpoch; k < stepsPerEpoch && state.step() < totalSteps; k++) {
                    long t0 = System.nanoTime();
                    double loss = step(batches);
                    if (state.step() + 1 == totalSteps || stopRequested) workspace.release(); // the last step's arrays
                    state = new State(state.step() + 1, state.tokensSeen() + stepTokens, rng.state(),
                            state.trainSeconds() + (System.nanoTime() - t0) / 1e9, state.schedule(),
                            state.examplesSeen() + stepExamples);
                    long s = state.step();
                    progress.step(s, epoch, loss, state.tokensSeen() / state.trainSeconds());
                    if (s % config.evalEvery() == 0 || s == totalSteps) {
                        double seconds = (System.nanoTime() - windowStart) / 1e9;
                        evaluateAndLog(s, (state.tokensSeen() - tokensAtWindow) / Math.max(seconds, 1e-9));
                        windowStart = System.nanoTime();
                        tokensAtWindow = state.tokensSeen();
                    }
                    boolean epochEnd = s % stepsPerEpoch == 0;
                    if (epochEnd) sample(epoch + 1);
                    boolean stop = parallel.ranks() == 1 ? stopRequested : stopAgreed;
                    if (parallel.leader() && (epochEnd || s == totalSteps || stop
                            || (config.checkpointEvery() > 0 && s % config.checkpointEvery() == 0))) {
                        run.saveCheckpoint(trained, optimizer, state);
                    }
                    if (stop) return result(Outcome.INTERRUPTED);
                }
            }
            return result(Outcome.FINISHED);
        } finally {
            workspace.release();
            progress.close();
            gradients.close();
        }
    }

    /**
     * The batches of {@code epoch}, from its step {@code skipSteps} on. The epoch's order is drawn from a seed that
     * depends only on the run's seed and the epoch, so a resumed run sees the same batches.
     */
    private Iterator<B> epochBatches(int epoch, int skipSteps) {
        Iterator<B> it = data.epoch(config.seed(), epoch);
        for (long i = 0; i < (long) skipSteps * config.gradAccum(); i++) it.next();
        return it;
    }

    /**
     * {@link #run()} with a Ctrl-C hook: the hook asks the loop to stop after its current step and waits until the
     * checkpoint is written (the outcome is then {@link Outcome#INTERRUPTED}).
     */
    public Result runStoppable() throws IOException {
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            requestStop();
            try {
                finished.await(10, TimeUnit.MINUTES);
                ShutdownGate.awaitRelease(1); // the command's last lines: how to resume, the --json object
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "jllm-train-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run();
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running; it returns now that the checkpoint is written
            }
        }
    }

    /** Tokens (batch × length, padding included) and examples of the last step's micro-batches, over all ranks. */
    private long stepTokens, stepExamples;

    /**
     * One optimizer step over {@code gradAccum} micro-batches; returns their mean loss (over all ranks). With several
     * ranks, the last micro-batch's backward pass averages the gradients over them, and a stop asked on any rank
     * stops every rank after this step.
     */
    private double step(Iterator<B> batches) {
        model.train();
        optimizer.zeroGrad();
        double lossSum = 0;
        int accum = config.gradAccum();
        long tokens = 0, examples = 0;
        for (int a = 0; a < accum; a++) {
            B b = data.shard(batches.next(), parallel);
            tokens += data.tokens(b);
            examples += data.rows(b);
            try (Workspace.Scope micro = workspace.open()) {
                Tensor loss = data.loss(model, b);
                lossSum += loss.item();
                if (accum > 1) loss = Ops.scale(loss, 1f / accum);
                if (a == accum - 1) gradients.backward(loss);
                else loss.backward();
            }
        }
        double[] global = {lossSum / accum, tokens, stopRequested ? 1 : 0, examples};
        parallel.sum(global);
        stopAgreed = global[2] > 0;
        stepTokens = (long) global[1];
        stepExamples = (long) global[3];
        double loss = global[0] / parallel.ranks();
        long stepNo = state.step() + 1;
        if (!Double.isFinite(loss)) throw nonFinite("training loss is " + loss, stepNo);
        double norm = config.clip() > 0
                ? GradClip.clipGlobalNorm(optimizer.parameters().values(), config.clip())
                : GradClip.globalNorm(optimizer.parameters().values());
        if (!Double.isFinite(norm)) throw nonFinite("gradient norm is " + norm, stepNo);
        optimizer.step(schedule.lr(state.step()));
        return loss;
    }

    private NonFiniteLossException nonFinite(String what, long step) {
        String kept = run.latestCheckpointStep()
                .map(s -> "the last good checkpoint (step " + s + ") is kept in " + run.checkpointDir())
                .orElse("no checkpoint was written yet");
        return new NonFiniteLossException(String.format(Locale.ROOT, "%s at step %d; stopped (%s)", what, step, kept));
    }

    /**
     * The loss and further metrics, averaged over the first {@code evalBatches} batches of the training split
     * ([0]) and of the validation split ([1]), in eval mode without autograd.
     */
    private double[][] evaluate() {
        model.eval();
        try (NoGrad g = NoGrad.enter()) {
            return new double[][] {mean(data.evaluation(false, config.evalBatches())),
                mean(data.evaluation(true, config.evalBatches()))};
        } finally {
            model.train();
        }
    }

    /**
     * The batches' loss and further metrics, each averaged over the batches; NaN for none. With several ranks each
     * evaluates its rows of every batch and a batch's value is the row-weighted mean over the ranks.
     */
    private double[] mean(List<B> batches) {
        int values = 1 + data.metrics().size(), width = values + 1;
        double[] parts = new double[width * batches.size()]; // per batch: each value × rows, then rows
        for (int k = 0; k < batches.size(); k++) {
            B b = data.shard(batches.get(k), parallel);
            int rows = data.rows(b);
            if (rows == 0) continue;
            try (Workspace.Scope batch = workspace.open()) {
                double[] v = data.evaluate(model, b);
                for (int i = 0; i < values; i++) parts[width * k + i] = v[i] * (double) rows;
                parts[width * k + values] = rows;
            }
        }
        parallel.sum(parts);
        double[] mean = new double[values];
        for (int i = 0; i < values; i++) {
            double sum = 0;
            for (int k = 0; k < batches.size(); k++) sum += parts[width * k + i] / parts[width * k + values];
            mean[i] = batches.isEmpty() ? Double.NaN : sum / batches.size();
        }
        return mean;
    }

    private void evaluateAndLog(long step, double tokensPerSecond) {
        double[][] e = evaluate();
        double trainLoss = e[0][0], valLoss = e[1][0];
        if (!Double.isFinite(trainLoss)) throw nonFinite("evaluated training loss is " + trainLoss, step);
        double[] metrics = new double[2 * data.metrics().size()];
        for (int i = 0; i < data.metrics().size(); i++) {
            metrics[2 * i] = e[0][1 + i];
            metrics[2 * i + 1] = e[1][1 + i];
        }
        int epoch = step == 0 ? 0 : (int) ((step - 1) / stepsPerEpoch) + 1; // the epoch the step belongs to
        MetricsLog.Row row = new MetricsLog.Row(step, epoch, state.examplesSeen(), state.tokensSeen(),
                schedule.lr(Math.max(0, step - 1)), trainLoss, valLoss, tokensPerSecond, metrics);
        run.metrics().add(row);
        progress.evaluated(row, data.metrics());
    }

    /** Greedy continuation of the sample prompt, written to samples.txt and shown. */
    private void sample(int epoch) {
        if (config.sampleTokens() == 0 || config.samplePrompt().isEmpty() || !parallel.leader()) return;
        String text = generate(config.samplePrompt(), GenerationOptions.greedy(config.sampleTokens()));
        try {
            run.appendSample(epoch, state.step(), text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write samples.txt in " + run.dir(), e);
        }
        progress.sample(epoch, text);
    }

    /** The prompt followed by what the model generates for it (a language model's, {@link TrainedModel#sample}). */
    public String generate(String prompt, GenerationOptions options) {
        return trained.sample(prompt, options);
    }

    private Result result(Outcome outcome) {
        MetricsLog.Row last = run.metrics().rows().getLast();
        return new Result(outcome, state.step(), state.tokensSeen(), last.trainLoss(), last.valLoss(),
                state.trainSeconds(), last.metrics());
    }
}
