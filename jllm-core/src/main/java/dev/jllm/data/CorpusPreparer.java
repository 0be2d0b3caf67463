package dev.jllm.data;

import dev.jllm.kernels.Parallel;
import dev.jllm.tokenizer.Utf8;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * Tokenizes a corpus (one text file or a folder of them) into a {@link TokenFile} on all cores.
 *
 * <p>Each file is one document, read as a stream and cut into chunks of about {@code chunkChars} characters at
 * places where cutting cannot change the ids ({@link TextChunks}). A batch of chunks is encoded in parallel, then
 * written in order, so the file holds exactly the ids of encoding each document whole, and memory stays bounded
 * by one batch whatever the corpus size. Between two documents the separator id (GPT-2's {@code <|endoftext|>})
 * is written, when there is one.
 */
public final class CorpusPreparer {
    private static final int DEFAULT_CHUNK_CHARS = 1 << 18;

    /** What was written: the file, its id count, the characters read and the documents (files) seen. */
    public record Result(Path out, long tokens, long characters, int documents) {}

    private final TextEncoder encoder;
    private final int vocabSize;
    private final int separatorId;
    private final int chunkChars;

    /**
     * @param separatorId id written between documents, or -1 for none
     */
    public CorpusPreparer(TextEncoder encoder, int vocabSize, int separatorId) {
        this(encoder, vocabSize, separatorId, DEFAULT_CHUNK_CHARS);
    }

    CorpusPreparer(TextEncoder encoder, int vocabSize, int separatorId, int chunkChars) {
        if (separatorId >= vocabSize) {
            throw new IllegalArgumentException("separator id " + separatorId + " is outside the vocabulary of " + vocabSize);
        }
        this.encoder = encoder;
        this.vocabSize = vocabSize;
        this.separatorId = separatorId;
        this.chunkChars = chunkChars;
    }

    /** The documents of a corpus: the file itself, or every non-hidden regular file under a folder, sorted by path. */
    public static List<Path> corpusFiles(Path corpus) throws IOException {
        if (Files.isRegularFile(corpus)) return List.of(corpus);
        if (!Files.isDirectory(corpus)) throw new IllegalArgumentException(corpus + ": no such file or folder");
        try (Stream<Path> walk = Files.walk(corpus)) {
            List<Path> files = walk.filter(Files::isRegularFile)
                    .filter(p -> !corpus.relativize(p).toString().startsWith(".") && !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
            if (files.isEmpty()) throw new IllegalArgumentException(corpus + ": the corpus folder has no files");
            return files;
        }
    }

    /**
     * Tokenizes {@code documents} into the token file {@code out}, reporting the bytes read so far to
     * {@code progress}. An empty corpus or a file that is not UTF-8 is an error, and then no file is left at {@code out}.
     */
    public Result prepare(List<Path> documents, Path out, LongConsumer progress) throws IOException {
        return prepare(documents, out, progress, false);
    }

    /**
     * {@link #prepare(List, Path, LongConsumer)} for one shard of a corpus: when {@code afterDocuments} (not the
     * first shard), the separator id also goes before the first document, so the shards read in order hold the ids
     * of one file of all documents.
     */
    public Result prepare(List<Path> documents, Path out, LongConsumer progress, boolean afterDocuments) throws IOException {
        int batchSize = 4 * Parallel.threads();
        List<Chunk> batch = new ArrayList<>(batchSize);
        long characters = 0;
        try (TokenFileWriter writer = new TokenFileWriter(out, vocabSize)) {
            boolean written = afterDocuments; // has any document produced text yet (a separator goes before the next one)
            for (Path document : documents) {
                boolean first = true;
                try (ChunkReader chunks = new ChunkReader(document, progress)) {
                    for (String text; (text = chunks.next()) != null; ) {
                        batch.add(new Chunk(text, first && written && separatorId >= 0));
                        first = false;
                        characters += text.length();
                        if (batch.size() == batchSize) encodeAndWrite(batch, writer);
                    }
                }
                written |= !first;
            }
            encodeAndWrite(batch, writer);
            if (characters == 0) {
                throw new IllegalArgumentException(documents.size() == 1
                        ? documents.getFirst() + ": the corpus is empty"
                        : "the corpus is empty: its " + documents.size() + " files hold no text");
            }
            writer.finish();
            return new Result(out, writer.count(), characters, documents.size());
        }
    }

    /** A piece of a document, and whether the separator id goes before it (it starts a document that is not the first). */
    private record Chunk(String text, boolean separatorBefore) {}

    /** Encodes the chunks in parallel, writes their ids in order and empties the list. */
    private void encodeAndWrite(List<Chunk> batch, TokenFileWriter writer) throws IOException {
        int[][] ids = new int[batch.size()][];
        Parallel.forRange(batch.size(), (start, end) -> {
            for (int i = start; i < end; i++) ids[i] = encoder.encode(batch.get(i).text());
        });
        for (int i = 0; i < ids.length; i++) {
            if (batch.get(i).separatorBefore()) writer.write(new int[] {separatorId});
            writer.write(ids[i]);
        }
        batch.clear();
    }

    /** Reads one document as a stream of chunks of at least {@code chunkChars} characters (but the last), cut at safe places. */
    private final class ChunkReader implements AutoCloseable {
        private final Path document;
        private final Reader reader;
        private final StringBuilder text = new StringBuilder();
        private final char[] buffer = new char[1 << 16];
        private int scanned; // no cut at positions up to here
        private boolean ended;
        private boolean started;

        ChunkReader(Path document, LongConsumer progress) throws IOException {
            this.document = document;
            this.reader = utf8Reader(document, progress);
        }

        /** The next chunk, or null at the end of the document. */
        String next() {
            try {
                while (!ended) {
                    int n = reader.read(buffer);
                    if (n < 0) {
                        ended = true;
                        break;
                    }
                    // A byte-order mark at the start of a document is not text.
                    int from = text.isEmpty() && !started && n > 0 && buffer[0] == Utf8.BOM ? 1 : 0;
                    started = true;
                    text.append(buffer, from, n - from);
                    if (text.length() < chunkChars) continue;
                    int cut = TextChunks.lastCut(text, scanned);
                    if (cut > 0) {
                        String chunk = text.substring(0, cut);
                        text.delete(0, cut);
                        scanned = text.length() - 1; // the rest was searched already
                        return chunk;
                    }
                    scanned = text.length() - 1;
                }
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException(document + ": not UTF-8 text (malformed byte sequence)");
            } catch (IOException e) {
                throw new IllegalArgumentException(document + ": cannot read: " + e.getMessage());
            }
            if (text.isEmpty()) return null;
            String rest = text.toString();
            text.setLength(0);
            return rest;
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }

    private static Reader utf8Reader(Path file, LongConsumer progress) throws IOException {
        InputStream counting = new FilterInputStream(Files.newInputStream(file)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) progress.accept(n);
                return n;
            }
        };
        return new InputStreamReader(counting, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT));
    }
}
