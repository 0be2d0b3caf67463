package dev.jllm.train;

import dev.jllm.data.Batch;
import dev.jllm.model.CausalLM;
import dev.jllm.mpi.DataParallel;
import dev.jllm.tensor.Tensor;
import java.util.Arrays;

/**
 * Training data of inputs and next-token targets ({@code Ops.IGNORE_INDEX} where the loss skips), scored with the
 * model's own cross-entropy: windows of a text ({@link WindowData}) or collated examples such as instructions.
 */
public interface NextTokenData extends TrainingData<CausalLM, Batch> {

    @Override
    default long tokens(Batch b) {
        return (long) b.batchSize() * b.length();
    }

    @Override
    default int rows(Batch b) {
        return b.batchSize();
    }

    @Override
    default Batch shard(Batch global, DataParallel parallel) {
        return parallel.shard(global);
    }

    @Override
    default String fingerprint(Batch b) {
        return Arrays.hashCode(b.inputs()) + " " + Arrays.hashCode(b.targets());
    }

    @Override
    default Tensor loss(CausalLM model, Batch b) {
        return model.loss(b.inputs(), b.targets(), b.batchSize(), b.length());
    }
}
