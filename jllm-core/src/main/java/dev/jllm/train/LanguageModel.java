package dev.jllm.train;

import dev.jllm.arch.Architectures;
import dev.jllm.generate.GenerationOptions;
import dev.jllm.generate.Generator;
import dev.jllm.io.Safetensors;
import dev.jllm.io.StateDict;
import dev.jllm.model.CausalLM;
import dev.jllm.nn.LoRA;
import dev.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A language model in training ({@link TrainedModel#language}): its folder in Hugging Face's layout
 * ({@link Architectures#save}); with LoRA adapters, a checkpoint keeps the base unmerged beside {@value LoRA#FILE}
 * (so a resumed run re-attaches them to the same base), the run folder the merged model beside its adapters.
 */
record LanguageModel(CausalLM module, Tokenizer tokenizer) implements TrainedModel<CausalLM> {

    @Override
    public String describe() {
        return module.config().toString();
    }

    @Override
    public void writeCheckpoint(Path dir) throws IOException {
        Architectures.save(module, dir);
        if (module.hasLoRA()) Safetensors.write(dir.resolve(LoRA.FILE), StateDict.of(LoRA.adapters(module)));
    }

    @Override
    public void writeModel(Path dir) throws IOException {
        boolean lora = module.hasLoRA();
        Architectures.save(lora ? module.merged() : module, dir);
        if (lora) Safetensors.write(dir.resolve(LoRA.FILE), StateDict.of(LoRA.adapters(module)));
    }

    @Override
    public String sample(String prompt, GenerationOptions options) {
        if (tokenizer == null) throw new IllegalStateException("no tokenizer to sample " + describe() + " with");
        int[] ids = tokenizer.encode(prompt);
        // The generator reads the weights directly, so adapters are merged in first.
        CausalLM plain = module.hasLoRA() ? module.merged() : module;
        int[] out = new Generator(plain, w -> {}).generate(ids, options);
        return prompt + tokenizer.decode(out);
    }
}
