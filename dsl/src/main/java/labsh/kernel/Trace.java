package labsh.kernel;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The teaching view of what a DSL line did: every kernel call labsh makes is offered to the
 * listeners as one strace-like line. With no listener the cost is one volatile read.
 */
public final class Trace {
    /** One call: {@code shmget(0x0a01, 4096, IPC_CREAT|0600) = 32769} or {@code ... = -1 ENOENT (...)}. */
    public record Call(String name, String args, String result, int errno, long tid) {
        public boolean failed() { return errno != 0; }

        @Override
        public String toString() {
            String r = failed() ? "-1 " + Errno.name(errno) + " (" + Errno.text(errno) + ")" : result;
            return name + "(" + args + ") = " + r;
        }
    }

    private static final List<Consumer<Call>> LISTENERS = new CopyOnWriteArrayList<>();
    private static volatile boolean on;

    private Trace() {}

    public static boolean enabled() { return on; }

    /** Adds a listener; the returned handle removes it again. */
    public static AutoCloseable listen(Consumer<Call> listener) {
        LISTENERS.add(listener);
        on = true;
        return () -> {
            LISTENERS.remove(listener);
            on = !LISTENERS.isEmpty();
        };
    }

    public static void record(String name, String args, String result, int errno) {
        if (!on) return;
        Call c = new Call(name, args, result, errno, Thread.currentThread().getId());
        for (Consumer<Call> l : LISTENERS) l.accept(c);
    }
}
