package labsh.kernel;

import com.sun.jna.Memory;

/**
 * An anonymous file in memory (memfd_create(2)) holding given bytes, then sealed against any
 * change (fcntl(2) F_ADD_SEALS: WRITE, GROW, SHRINK, then SEAL, so the seals stay): what runc's
 * cloned_binary.c makes of itself so that a container cannot overwrite the runtime through
 * /proc/PID/exe (CVE-2019-5736). The descriptor is close-on-exec; {@code /proc/<pid>/fd/<fd>}
 * names it for execve(2).
 */
public final class SealedMemfd {
    private static final long SYS_MEMFD_CREATE = Libc.AARCH64 ? 279 : 319;
    private static final long SYS_FCNTL = Libc.AARCH64 ? 25 : 72;
    private static final int MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2, MFD_EXEC = 0x10;
    private static final int F_ADD_SEALS = 1033, F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;

    private SealedMemfd() {}

    /**
     * An executable sealed copy of {@code bytes}; returns its descriptor. MFD_EXEC (Linux 6.3) keeps
     * it executable where vm.memfd_noexec=1 would not; older kernels refuse the flag (EINVAL) and
     * make it executable anyway. Under vm.memfd_noexec=2 the kernel refuses with EACCES.
     */
    public static int executable(String name, byte[] bytes) {
        int fd;
        try {
            fd = create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC, "MFD_CLOEXEC|MFD_ALLOW_SEALING|MFD_EXEC");
        } catch (KernelException e) {
            if (!e.is(Errno.EINVAL)) throw e;
            fd = create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING, "MFD_CLOEXEC|MFD_ALLOW_SEALING");
        }
        int f = fd;
        try {
            Memory buf = new Memory(bytes.length);
            buf.write(0, bytes, 0, bytes.length);
            for (long done = 0; done < bytes.length; ) {
                long at = done;
                done += Syscall.callLong("write", () -> f + ", ..., " + (bytes.length - at), () -> Libc.write(f, buf.share(at), bytes.length - at));
            }
            Syscall.callLong("fcntl", f + ", F_ADD_SEALS, F_SEAL_WRITE|F_SEAL_GROW|F_SEAL_SHRINK|F_SEAL_SEAL",
                    () -> Libc.syscall(SYS_FCNTL, (long) f, (long) F_ADD_SEALS, (long) (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL)));
        } catch (RuntimeException e) {
            Libc.close(f);
            throw e;
        }
        return fd;
    }

    private static int create(String name, int flags, String flagNames) {
        return (int) Syscall.callLong("memfd_create", Syscall.quote(name) + ", " + flagNames,
                () -> Libc.syscall(SYS_MEMFD_CREATE, name, (long) flags));
    }
}
