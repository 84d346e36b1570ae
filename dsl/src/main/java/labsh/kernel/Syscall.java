package labsh.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;
import java.util.function.Supplier;

/**
 * Runs one libc call, records it in the {@link Trace}, and turns errno into a
 * {@link KernelException} that names the call and its arguments. Every facility class goes
 * through here so that the trace and the error messages read the same everywhere.
 */
public final class Syscall {
    @FunctionalInterface public interface IntCall { int call() throws LastErrorException; }
    @FunctionalInterface public interface LongCall { long call() throws LastErrorException; }
    @FunctionalInterface public interface PointerCall { Pointer call() throws LastErrorException; }

    private Syscall() {}

    /** {@code args} is the argument list as it should read in the trace, e.g. {@code "7, CLONE_NEWIPC"}. */
    public static int call(String name, String args, IntCall c) {
        return call(name, () -> args, c);
    }

    /**
     * Like {@link #call(String, String, IntCall)}, but the argument list is built only when it is
     * read: by a trace listener, or for the error. For calls made per message (msgsnd, msgrcv,
     * poll, read of a relay): formatting their arguments (msgsnd's decodes the text for its
     * preview) is work thrown away whenever no one traces, which is nearly always.
     */
    public static int call(String name, Supplier<String> args, IntCall c) {
        try {
            int r = c.call();
            if (Trace.enabled()) Trace.record(name, args.get(), Integer.toString(r), 0);
            return r;
        } catch (LastErrorException e) {
            throw failed(name, args.get(), e.getErrorCode());
        }
    }

    /** {@link #callLong(String, String, LongCall)} with the argument list built only when read. */
    public static long callLong(String name, Supplier<String> args, LongCall c) {
        try {
            long r = c.call();
            if (Trace.enabled()) Trace.record(name, args.get(), Long.toString(r), 0);
            return r;
        } catch (LastErrorException e) {
            throw failed(name, args.get(), e.getErrorCode());
        }
    }

    public static long callLong(String name, String args, LongCall c) {
        return callLong(name, () -> args, c);
    }

    public static Pointer callPointer(String name, String args, PointerCall c) {
        try {
            Pointer r = c.call();
            if (Pointer.nativeValue(r) == -1L) { // shmat's (void *) -1 with errno already thrown above
                throw failed(name, args, Errno.EINVAL);
            }
            Trace.record(name, args, "0x" + Long.toHexString(Pointer.nativeValue(r)), 0);
            return r;
        } catch (LastErrorException e) {
            throw failed(name, args, e.getErrorCode());
        }
    }

    private static KernelException failed(String name, String args, int errno) {
        Trace.record(name, args, "-1", errno);
        return new KernelException(name + "(" + args + ")", errno);
    }

    /** {@code flags} rendered as {@code A|B|0x40} from parallel arrays of bits and names. */
    public static String flags(long flags, long[] bits, String[] names) {
        StringBuilder sb = new StringBuilder();
        long rest = flags;
        for (int i = 0; i < bits.length; i++) {
            if ((rest & bits[i]) == bits[i] && bits[i] != 0) {
                if (sb.length() > 0) sb.append('|');
                sb.append(names[i]);
                rest &= ~bits[i];
            }
        }
        if (rest != 0 || sb.length() == 0) {
            if (sb.length() > 0) sb.append('|');
            sb.append(rest < 8 && rest >= 0 ? Long.toString(rest) : "0x" + Long.toHexString(rest));
        }
        return sb.toString();
    }

    public static String quote(String s) {
        return s == null ? "NULL" : '"' + s + '"';
    }
}
