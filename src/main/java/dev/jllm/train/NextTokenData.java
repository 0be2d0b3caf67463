package dev.jllm.train;

import dev.jllm.data.Batch;
import dev.jllm.model.CausalLM;
import dev.jllm.tensor.Tensor;

/**
 * Training data of inputs and next-token targets ({@code Ops.IGNORE_INDEX} where the loss skips), scored with the
 * model's own cross-entropy: windows of a text ({@link WindowData}) or collated examples such as instructions.
 */
public interface NextTokenData extends TrainingData<Batch> {

    @Override
    default long tokens(Batch b) {
        return (long) b.batchSize() * b.length();
    }

    @Override
    default Tensor loss(CausalLM model, Batch b) {
        return model.loss(b.inputs(), b.targets(), b.batchSize(), b.length());
    }
}
