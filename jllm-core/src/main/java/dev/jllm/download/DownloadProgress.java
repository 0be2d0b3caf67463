package dev.jllm.download;

/**
 * What a {@link Downloader} shows while it copies a file: nothing ({@link #NONE}) or, in a front end, a progress
 * display. {@link #start} is called once per transfer attempt (a resumed download starts at {@code have} bytes);
 * the returned {@link Transfer} hears every byte count reached, in order, and is closed when the attempt ends,
 * successfully or not. Called from the downloading thread only.
 */
@FunctionalInterface
public interface DownloadProgress {

    /** Shows nothing. */
    DownloadProgress NONE = (name, have, total) -> Transfer.NONE;

    /**
     * @param name  the file's name
     * @param have  bytes already on disk (a resumed download), 0 for a fresh one
     * @param total the file's size in bytes, or -1 when the server did not say
     */
    Transfer start(String name, long have, long total);

    /** One attempt's display. */
    interface Transfer extends AutoCloseable {
        Transfer NONE = done -> {};

        /** {@code done} bytes of the file are on disk. */
        void reached(long done);

        @Override
        default void close() {}
    }
}
