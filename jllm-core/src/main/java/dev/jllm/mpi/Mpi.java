package dev.jllm.mpi;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The part of Open MPI's C API that data-parallel training needs, called through the FFM API (no JNI, no jar):
 * {@code MPI_Init_thread}, rank and size of {@code MPI_COMM_WORLD}, in-place all-reduce, broadcast, all-gather,
 * barrier, abort and finalize.
 *
 * <p>Open MPI's handles ({@code MPI_COMM_WORLD}, {@code MPI_FLOAT}, {@code MPI_SUM}, ...) are the addresses of its
 * global objects ({@code ompi_mpi_comm_world}, {@code ompi_mpi_float}, {@code ompi_mpi_op_sum}); this class looks
 * them up in {@code libmpi.so.40} (Open MPI 4.x; the ABI of 3.x and 5.x is the same for these calls). Errors on
 * {@code MPI_COMM_WORLD} are set to return ({@code MPI_ERRORS_RETURN}) instead of aborting, and every call's error
 * code other than {@code MPI_SUCCESS} becomes an {@link MpiException} with Open MPI's own text.
 *
 * <p>Threads: MPI is initialised asking for {@code MPI_THREAD_MULTIPLE}. When the library provides less (but at
 * least {@code MPI_THREAD_SERIALIZED}), calls from different threads are serialised by a lock here, so a
 * communication thread and the training thread may both call in.
 *
 * <p>Only a process started by {@code mpirun} ({@link #launched()}) should call {@link #init()}; without mpirun
 * nothing here is loaded and libmpi is not needed.
 */
public final class Mpi implements AutoCloseable {

    /** MPI's thread support levels, in the order of {@code MPI_THREAD_SINGLE .. MPI_THREAD_MULTIPLE} (0..3). */
    public enum ThreadLevel { SINGLE, FUNNELED, SERIALIZED, MULTIPLE }

    /** The shared library's soname (Open MPI 3.x, 4.x and 5.x). */
    public static final String LIBRARY = "libmpi.so.40";
    private static final int MPI_SUCCESS = 0;
    private static final int MAX_STRING = 256; // MPI_MAX_ERROR_STRING and MPI_MAX_PROCESSOR_NAME in Open MPI
    private static final MemorySegment IN_PLACE = MemorySegment.ofAddress(1); // MPI_IN_PLACE is (void *) 1
    private static final int RTLD_NOW = 0x2, RTLD_GLOBAL = 0x100;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout ADDRESS = ValueLayout.ADDRESS;

    private static Mpi instance;

    private final Linker linker = Linker.nativeLinker();
    private final SymbolLookup lib;
    private final MemorySegment commWorld, typeFloat, typeDouble, typeLong, typeByte, opSum, opMax;
    private final MethodHandle commRank, commSize, allreduce, allgather, bcast, barrier, abort, finalizeMpi,
            errorString;
    private final ThreadLevel provided;
    /** Held around every call when the library does not allow concurrent calls from several threads. */
    private final ReentrantLock lock = new ReentrantLock();
    private final int rank, size;
    private final String processor;
    private volatile boolean finalized;

    /**
     * True when this process was started by Open MPI's {@code mpirun} (it sets {@code OMPI_COMM_WORLD_SIZE}); a
     * process started alone trains alone.
     */
    public static boolean launched() {
        return System.getenv("OMPI_COMM_WORLD_SIZE") != null;
    }

    /** Ranks on this machine according to mpirun's environment ({@code OMPI_COMM_WORLD_LOCAL_SIZE}); 1 without it. */
    public static int localRanks() {
        String v = System.getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
        try {
            return v == null ? 1 : Math.max(1, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /**
     * Initialises MPI once per process ({@code MPI_Init_thread} asking for {@code MPI_THREAD_MULTIPLE}) and
     * returns the binding; later calls return the same one.
     *
     * @throws MpiException when libmpi cannot be loaded, or MPI gives less than {@code MPI_THREAD_SERIALIZED}
     */
    public static synchronized Mpi init() {
        if (instance == null) instance = new Mpi();
        return instance;
    }

    private Mpi() {
        lib = load();
        commWorld = global("ompi_mpi_comm_world");
        typeFloat = global("ompi_mpi_float");
        typeDouble = global("ompi_mpi_double");
        typeLong = global("ompi_mpi_long");
        typeByte = global("ompi_mpi_byte");
        opSum = global("ompi_mpi_op_sum");
        opMax = global("ompi_mpi_op_max");
        MemorySegment errorsReturn = global("ompi_mpi_errors_return");

        MethodHandle initThread = function("MPI_Init_thread", INT, ADDRESS, ADDRESS, INT, ADDRESS);
        MethodHandle setErrhandler = function("MPI_Comm_set_errhandler", INT, ADDRESS, ADDRESS);
        MethodHandle processorName = function("MPI_Get_processor_name", INT, ADDRESS, ADDRESS);
        commRank = function("MPI_Comm_rank", INT, ADDRESS, ADDRESS);
        commSize = function("MPI_Comm_size", INT, ADDRESS, ADDRESS);
        allreduce = function("MPI_Allreduce", INT, ADDRESS, ADDRESS, INT, ADDRESS, ADDRESS, ADDRESS);
        allgather = function("MPI_Allgather", INT, ADDRESS, INT, ADDRESS, ADDRESS, INT, ADDRESS, ADDRESS);
        bcast = function("MPI_Bcast", INT, ADDRESS, INT, ADDRESS, INT, ADDRESS);
        barrier = function("MPI_Barrier", INT, ADDRESS);
        abort = function("MPI_Abort", INT, ADDRESS, INT);
        finalizeMpi = function("MPI_Finalize", INT);
        errorString = function("MPI_Error_string", INT, INT, ADDRESS, ADDRESS);

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(INT);
            check("MPI_Init_thread", (int) initThread.invokeExact(MemorySegment.NULL, MemorySegment.NULL,
                    ThreadLevel.MULTIPLE.ordinal(), out));
            int level = out.get(INT, 0);
            provided = ThreadLevel.values()[Math.clamp(level, 0, 3)];
            check("MPI_Comm_set_errhandler", (int) setErrhandler.invokeExact(commWorld, errorsReturn));
            if (provided.ordinal() < ThreadLevel.SERIALIZED.ordinal()) {
                throw new MpiException("MPI_Init_thread", -1, "the MPI library gives thread level " + provided
                        + "; jllm needs at least SERIALIZED (its gradients are reduced on a thread of their own)");
            }
            check("MPI_Comm_rank", (int) commRank.invokeExact(commWorld, out));
            rank = out.get(INT, 0);
            check("MPI_Comm_size", (int) commSize.invokeExact(commWorld, out));
            size = out.get(INT, 0);
            MemorySegment name = arena.allocate(MAX_STRING + 1);
            check("MPI_Get_processor_name", (int) processorName.invokeExact(name, out));
            processor = name.getString(0, StandardCharsets.US_ASCII);
        } catch (MpiException e) {
            throw e;
        } catch (Throwable t) {
            throw new MpiException("MPI_Init_thread", -1, t.toString());
        }
    }

    /** Loads libmpi with {@code RTLD_GLOBAL}: Open MPI's plugins (loaded by libmpi itself) look its symbols up. */
    private SymbolLookup load() {
        try {
            MethodHandle dlopen = linker.downcallHandle(linker.defaultLookup().findOrThrow("dlopen"),
                    FunctionDescriptor.of(ADDRESS, ADDRESS, INT));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment handle = (MemorySegment) dlopen.invokeExact(arena.allocateFrom(LIBRARY), RTLD_NOW | RTLD_GLOBAL);
                if (handle.equals(MemorySegment.NULL)) throw new IllegalStateException("dlopen failed");
            }
            return SymbolLookup.libraryLookup(LIBRARY, Arena.global());
        } catch (Throwable t) {
            throw new MpiException("load", -1, "cannot load Open MPI's " + LIBRARY
                    + " (install it: apt-get install openmpi-bin libopenmpi-dev): " + t.getMessage());
        }
    }

    private MemorySegment global(String symbol) {
        return lib.find(symbol).orElseThrow(() -> new MpiException("load", -1, LIBRARY + " has no symbol " + symbol
                + " (jllm's binding is for Open MPI; another MPI has other handles)"));
    }

    private MethodHandle function(String name, ValueLayout result, ValueLayout... args) {
        MemorySegment address = lib.find(name).orElseThrow(() -> new MpiException("load", -1, LIBRARY + " has no " + name));
        return linker.downcallHandle(address, FunctionDescriptor.of(result, args));
    }

    /** This process's rank in {@code MPI_COMM_WORLD}, 0 ≤ rank < size. */
    public int rank() {
        return rank;
    }

    /** Processes in {@code MPI_COMM_WORLD}. */
    public int size() {
        return size;
    }

    /** The machine this rank runs on ({@code MPI_Get_processor_name}). */
    public String processorName() {
        return processor;
    }

    /** The thread support the library gave. */
    public ThreadLevel threadLevel() {
        return provided;
    }

    /** Sums {@code floats} (native memory, a multiple of 4 bytes) over all ranks, in place. */
    public void allReduceSum(MemorySegment floats) {
        allReduce(floats, 4, typeFloat, opSum);
    }

    /** Sums {@code values} over all ranks, in place. */
    public void allReduceSum(float[] values) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_FLOAT, values);
            allReduceSum(buf);
            MemorySegment.copy(buf, ValueLayout.JAVA_FLOAT, 0, values, 0, values.length);
        }
    }

    /** Averages {@code values} over all ranks, in place (the sum divided by {@link #size()}). */
    public void allReduceAverage(float[] values) {
        allReduceSum(values);
        float inv = 1f / size;
        for (int i = 0; i < values.length; i++) values[i] *= inv;
    }

    /** Sums {@code values} over all ranks, in place. */
    public void allReduceSum(double[] values) {
        reduceDoubles(values, opSum);
    }

    /** The element-wise maximum of {@code values} over all ranks, in place. */
    public void allReduceMax(double[] values) {
        reduceDoubles(values, opMax);
    }

    private void reduceDoubles(double[] values, MemorySegment op) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, values);
            allReduce(buf, 8, typeDouble, op);
            MemorySegment.copy(buf, ValueLayout.JAVA_DOUBLE, 0, values, 0, values.length);
        }
    }

    /** In-place all-reduce in pieces of at most {@code Integer.MAX_VALUE} elements ({@code count} is a C int). */
    private void allReduce(MemorySegment buf, int elementBytes, MemorySegment type, MemorySegment op) {
        if (buf.byteSize() % elementBytes != 0) {
            throw new IllegalArgumentException("buffer of " + buf.byteSize() + " bytes is not whole elements of " + elementBytes);
        }
        long n = buf.byteSize() / elementBytes;
        for (long from = 0; from < n; from += Integer.MAX_VALUE) {
            int count = (int) Math.min(Integer.MAX_VALUE, n - from);
            MemorySegment part = buf.asSlice(from * elementBytes, (long) count * elementBytes);
            call("MPI_Allreduce", () -> (int) allreduce.invokeExact(IN_PLACE, part, count, type, op, commWorld));
        }
    }

    /** Every rank's {@code value}, indexed by rank ({@code MPI_Allgather}). */
    public long[] allGather(long value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mine = arena.allocateFrom(ValueLayout.JAVA_LONG, value);
            MemorySegment all = arena.allocate(ValueLayout.JAVA_LONG, size);
            call("MPI_Allgather", () -> (int) allgather.invokeExact(mine, 1, typeLong, all, 1, typeLong, commWorld));
            return all.toArray(ValueLayout.JAVA_LONG);
        }
    }

    /**
     * Copies rank {@code root}'s bytes of {@code buf} (native memory) to every other rank's {@code buf}. A root
     * outside [0, size) is MPI's error {@code MPI_ERR_ROOT}.
     */
    public void broadcast(MemorySegment buf, int root) {
        long n = buf.byteSize();
        for (long from = 0; from < n; from += Integer.MAX_VALUE) {
            int count = (int) Math.min(Integer.MAX_VALUE, n - from);
            MemorySegment part = buf.asSlice(from, count);
            call("MPI_Bcast", () -> (int) bcast.invokeExact(part, count, typeByte, root, commWorld));
        }
    }

    /** Copies rank {@code root}'s {@code values} to every other rank's array (which must be as long). */
    public void broadcast(float[] values, int root) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_FLOAT, values);
            broadcast(buf, root);
            MemorySegment.copy(buf, ValueLayout.JAVA_FLOAT, 0, values, 0, values.length);
        }
    }

    /** Copies rank {@code root}'s {@code bytes} to every other rank's array (which must be as long). */
    public void broadcast(byte[] bytes, int root) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
            broadcast(buf, root);
            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, bytes, 0, bytes.length);
        }
    }

    /** Waits until every rank has called it. */
    public void barrier() {
        call("MPI_Barrier", () -> (int) barrier.invokeExact(commWorld));
    }

    /**
     * Ends every rank of the job ({@code MPI_Abort}): mpirun kills the other processes and exits with {@code code}.
     * Does not take the lock: it must work while another thread waits in a collective call.
     */
    public void abort(int code) {
        try {
            int rc = (int) abort.invokeExact(commWorld, code);
            throw new MpiException("MPI_Abort", rc, errorText(rc));
        } catch (MpiException e) {
            throw e;
        } catch (Throwable t) {
            throw new MpiException("MPI_Abort", -1, t.toString());
        }
    }

    /** Ends MPI for this process ({@code MPI_Finalize}, collective); later calls do nothing. */
    @Override
    public void close() {
        if (finalized) return;
        finalized = true;
        call("MPI_Finalize", () -> (int) finalizeMpi.invokeExact());
    }

    public boolean finalized() {
        return finalized;
    }

    @FunctionalInterface
    private interface NativeCall {
        int invoke() throws Throwable;
    }

    /** Runs one MPI call (under the lock unless the library allows concurrent calls) and checks its result. */
    private void call(String name, NativeCall c) {
        if (finalized && !name.equals("MPI_Finalize")) throw new MpiException(name, -1, "called after MPI_Finalize");
        boolean serialize = provided != ThreadLevel.MULTIPLE;
        if (serialize) lock.lock();
        try {
            check(name, c.invoke());
        } catch (MpiException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new MpiException(name, -1, t.toString());
        } finally {
            if (serialize) lock.unlock();
        }
    }

    private void check(String name, int rc) {
        if (rc != MPI_SUCCESS) throw new MpiException(name, rc, errorText(rc));
    }

    /** Open MPI's text for an error code ({@code MPI_Error_string}). */
    private String errorText(int code) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = arena.allocate(MAX_STRING + 1);
            MemorySegment len = arena.allocate(INT);
            int rc = (int) errorString.invokeExact(code, text, len);
            return rc == MPI_SUCCESS ? text.getString(0, StandardCharsets.US_ASCII) : "MPI error " + code;
        } catch (Throwable t) {
            return "MPI error " + code;
        }
    }
}
