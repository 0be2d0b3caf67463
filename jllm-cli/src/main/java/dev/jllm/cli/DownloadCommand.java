package dev.jllm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.download.DatasetDownload;
import dev.jllm.download.Downloader;
import dev.jllm.download.Gpt2Download;
import dev.jllm.download.Gpt2Size;
import dev.jllm.download.HfDownload;
import dev.jllm.download.ModelCache;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jllm download ORG/NAME|gpt2|dataset}: fetches models and datasets into the cache folder. */
@Command(
        name = "download",
        mixinStandardHelpOptions = true,
        description = {"Download a Hugging Face model repository (ORG/NAME), GPT-2 weights or a dataset into the cache"
                + " (${env:JLLM_CACHE:-~/.cache/jllm}).",
                "A repository lands in <cache>/models/ORG--NAME/ (config, tokenizer and safetensors files) and is then"
                        + " named by its id: --model ORG/NAME. $HF_TOKEN is sent for gated repositories; the endpoint"
                        + " is $JLLM_HF_ENDPOINT, else https://huggingface.co."},
        subcommands = {DownloadCommand.Gpt2.class, DownloadCommand.DatasetCommand.class})
final class DownloadCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "ORG/NAME", description = "A Hugging Face model repository, e.g. Qwen/Qwen3-0.6B.")
    String repo;

    @CommandLine.Mixin
    Common common = new Common();

    @Override
    public Integer call() throws Exception {
        if (repo == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "name what to download: ORG/NAME, gpt2 or dataset");
        }
        if (!HfDownload.isRepoId(repo)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "'" + repo + "' is not a Hugging Face repository"
                    + " id (ORG/NAME), gpt2 or dataset");
        }
        Downloader downloader = new Downloader(new DownloadProgressBar()).withToken(System.getenv("HF_TOKEN"));
        Path dir = new HfDownload(downloader, Gpt2Download.defaultEndpoint()).download(repo, common.root());
        common.printPath(spec.commandLine().getOut(), dir);
        return 0;
    }

    /** Options both subcommands share. */
    static final class Common {
        @Option(names = "--cache", paramLabel = "DIR",
                description = "Cache folder (default: $JLLM_CACHE, else ~/.cache/jllm).")
        Path cache;

        @Option(names = "--json", description = "Print {\"path\": ...} instead of the path.")
        boolean json;

        Path root() {
            return cache != null ? cache : ModelCache.defaultRoot();
        }

        void printPath(PrintWriter out, Path path) throws Exception {
            String p = path.toAbsolutePath().toString();
            out.println(json ? new ObjectMapper().writeValueAsString(Map.of("path", p)) : p);
            out.flush();
        }
    }

    @Command(name = "gpt2", mixinStandardHelpOptions = true, description = {
            "Download OpenAI's GPT-2 from Hugging Face into <cache>/models/gpt2-<size>/:",
            "model.safetensors, config.json, vocab.json, merges.txt.",
            "The endpoint is $JLLM_HF_ENDPOINT, else https://huggingface.co."})
    static final class Gpt2 implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--size", paramLabel = "SIZE", defaultValue = "124M",
                description = "124M, 355M, 774M or 1558M (default: ${DEFAULT-VALUE}).")
        String size;

        @CommandLine.Mixin
        Common common = new Common();

        @Override
        public Integer call() throws Exception {
            Gpt2Size gpt2;
            try {
                gpt2 = Gpt2Size.of(size);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--size: " + e.getMessage());
            }
            Path dir = new Gpt2Download(new Downloader(new DownloadProgressBar()), Gpt2Download.defaultEndpoint()).download(gpt2, common.root());
            common.printPath(spec.commandLine().getOut(), dir);
            return 0;
        }
    }

    @Command(name = "dataset", mixinStandardHelpOptions = true, description = {
            "Download a dataset into <cache>/datasets/: the-verdict, sms-spam,",
            "instruction-data, instruction-data-with-preference or alpaca."})
    static final class DatasetCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "The dataset.")
        String name;

        @CommandLine.Mixin
        Common common = new Common();

        @Override
        public Integer call() throws Exception {
            Path file = new DatasetDownload(new Downloader(new DownloadProgressBar())).download(DatasetDownload.named(name), common.root());
            common.printPath(spec.commandLine().getOut(), file);
            return 0;
        }
    }
}
