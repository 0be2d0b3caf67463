package dev.jllm.mpi;

/** An MPI call that returned an error code (or could not be made): the call, the code and Open MPI's text. */
public final class MpiException extends RuntimeException {
    private final String call;
    private final int code;

    public MpiException(String call, int code, String text) {
        super(call + " failed" + (code >= 0 ? " (error " + code + ")" : "") + ": " + text);
        this.call = call;
        this.code = code;
    }

    /** The C function, e.g. {@code MPI_Allreduce}. */
    public String call() {
        return call;
    }

    /** MPI's error code, or -1 when the call was not made (library missing, Java-side failure). */
    public int code() {
        return code;
    }
}
