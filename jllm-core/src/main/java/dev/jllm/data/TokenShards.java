package dev.jllm.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The token files ({@code *.tok}) of a folder, in name order, read as one sequence: the shards that
 * {@code jllm data prepare --shard-mb} writes. Each shard is memory-mapped ({@link TokenFile}), so a run streams a
 * corpus of any size from disk; a window may span two shards.
 */
public final class TokenShards implements TokenSequence {
    private final List<TokenFile> shards;
    /** starts[i]: index of shard i's first token in the whole sequence; starts[n] = length */
    private final long[] starts;

    private TokenShards(List<TokenFile> shards) {
        this.shards = shards;
        this.starts = new long[shards.size() + 1];
        for (int i = 0; i < shards.size(); i++) starts[i + 1] = starts[i] + shards.get(i).length();
    }

    /** The shards of {@code dir}; an error when it has none or their vocabularies differ. */
    public static TokenShards open(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".tok") && Files.isRegularFile(p)).sorted().toList();
        }
        if (files.isEmpty()) throw new IllegalArgumentException(dir + ": a folder without token files (*.tok)");
        List<TokenFile> shards = new ArrayList<>();
        for (Path f : files) {
            TokenFile t = TokenFile.open(f);
            if (!shards.isEmpty() && t.vocabSize() != shards.getFirst().vocabSize()) {
                throw new IllegalArgumentException(f + ": vocabulary of " + t.vocabSize() + " tokens, but "
                        + shards.getFirst().path() + " has " + shards.getFirst().vocabSize());
            }
            shards.add(t);
        }
        return new TokenShards(shards);
    }

    public int shardCount() {
        return shards.size();
    }

    @Override
    public long length() {
        return starts[shards.size()];
    }

    /** The shard holding {@code index}. */
    private int shardOf(long index) {
        if (index < 0 || index >= length()) throw new IndexOutOfBoundsException(index + " of " + length() + " tokens");
        int i = Arrays.binarySearch(starts, index);
        if (i < 0) return -i - 2;
        while (i + 1 < shards.size() && starts[i + 1] == index) i++; // skip empty shards
        return i;
    }

    @Override
    public int get(long index) {
        int s = shardOf(index);
        return shards.get(s).get(index - starts[s]);
    }

    @Override
    public void copy(long from, int[] dst, int offset, int count) {
        while (count > 0) {
            int s = shardOf(from);
            int n = (int) Math.min(count, starts[s + 1] - from);
            shards.get(s).copy(from - starts[s], dst, offset, n);
            from += n;
            offset += n;
            count -= n;
        }
    }
}
