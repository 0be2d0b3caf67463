import dev.jllm.tokenizer.HfTokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Encoding throughput of jllm's tokenizer.json tokenizers on tinyshakespeare, measured exactly as
 * hf_tokenize_rust.py measures the Rust library: the best of 5 encodes of the whole text on one thread after
 * warm-ups, the same for its 100-line chunks one after the other, then for the chunks on all cores. jllm's pre-token cache is emptied before
 * each pass (it would otherwise hold every line of the text, Gemma's pre-tokens being whole lines), so a pass
 * measures what a first pass over a corpus costs. Run by hf_tokenize_compare.sh.
 */
public class HfTokenizeSpeed {
    public static void main(String[] args) throws Exception {
        String text = Files.readString(Path.of("../shared/data/tinyshakespeare.txt"), StandardCharsets.UTF_8);
        double mb = text.getBytes(StandardCharsets.UTF_8).length / 1e6;
        List<String> chunks = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i += 100) {
            chunks.add(String.join("\n", lines.subList(i, Math.min(lines.size(), i + 100))) + "\n");
        }
        for (String family : args) {
            HfTokenizer tok = HfTokenizer.load(Path.of("../shared/data/tokenizers/" + family));
            double single = best(() -> {
                tok.clearCache();
                tok.encodeWithSpecials(text);
            });
            double chunked = best(() -> {
                tok.clearCache();
                for (String c : chunks) tok.encodeWithSpecials(c);
            });
            double all = best(() -> {
                tok.clearCache();
                chunks.parallelStream().mapToInt(c -> tok.encodeWithSpecials(c).length).sum();
            });
            System.out.printf("%s: whole text %.2f MB/s, chunks on one thread %.2f MB/s, all cores (%d) %.2f MB/s%n",
                    family, mb / single, mb / chunked, Runtime.getRuntime().availableProcessors(), mb / all);
        }
    }

    static double best(Runnable r) {
        for (int i = 0; i < 3; i++) r.run(); // warm-up (the JIT needs more than Python's one)
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t = System.nanoTime();
            r.run();
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
        }
        return best;
    }
}
