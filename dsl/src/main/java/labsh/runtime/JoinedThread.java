package labsh.runtime;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import labsh.kernel.Libc;
import labsh.kernel.Namespaces;
import labsh.kernel.NsType;

/**
 * One dedicated, long-lived platform thread that has joined another process's namespaces
 * (any of ipc, uts, net, mnt), and runs all the work of one role there: a bridge's queue side,
 * a watcher of a container's files. setns(2) moves only the calling thread, so work that must
 * happen "inside" is submitted to this thread ({@link #call}, {@link #run}); every other thread of
 * the JVM stays on the host (shared/DESIGN.md, process model).
 *
 * <p>Traps this class avoids or that its users must know:
 * <ul>
 *   <li>never a pool or virtual thread: a pool would hand the joined carrier to unrelated work;
 *   <li>JNA is loaded before joining (its first load may fork {@code ldconfig -p});
 *   <li>for mnt, {@code unshare(CLONE_FS)} comes first (else setns gives EINVAL), and the mount
 *       namespace is joined last, after the /proc/PID/ns files of the others were opened;
 *   <li>threads created by work on this thread inherit its namespaces; {@code /proc/self} still
 *       names the main thread, use {@code /proc/thread-self}; ProcessBuilder from here may fail
 *       in a pivot_root'ed mount namespace (jspawnhelper is not in that root);
 *   <li>work blocked in the kernel (msgrcv, a read) is not interrupted by {@link #close()}:
 *       remove the queue or close the inotify instance first.
 * </ul>
 */
public final class JoinedThread implements AutoCloseable {
    private static final FutureTask<Void> STOP = new FutureTask<>(() -> null);

    private final String name;
    /** Whose namespace of each type this thread joins: one pid for all, or (a relay) one per type. */
    private final EnumMap<NsType, Integer> pids;
    private final int pid;
    private final CompletableFuture<Void> joined = new CompletableFuture<>();
    private final BlockingQueue<FutureTask<?>> work = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile int tid;

    private JoinedThread(String name, int pid, EnumMap<NsType, Integer> pids) {
        this.name = name;
        this.pid = pid;
        this.pids = pids;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true); // a forgotten JoinedThread must not keep the JVM (and the ledger unwind) from ending
    }

    /**
     * Starts a thread named {@code name} joined to {@code pid}'s namespaces of {@code types}
     * (among IPC, UTS, NET, MNT) and returns once it has joined them all; if one setns fails the
     * thread ends and its KernelException is thrown here.
     */
    public static JoinedThread join(String name, int pid, NsType... types) {
        EnumMap<NsType, Integer> pids = new EnumMap<>(NsType.class);
        for (NsType t : types) pids.put(t, pid);
        return start(name, pid, pids);
    }

    /**
     * Like {@link #join(String, int, NsType...)}, but each namespace type is joined from its own
     * pid, e.g. {IPC: client, MNT: server}: one thread in two containers' namespaces at once, as a
     * single-threaded C process can be after two setns(2) calls.
     */
    public static JoinedThread join(String name, Map<NsType, Integer> pidByType) {
        if (pidByType.isEmpty()) throw new IllegalArgumentException(name + ": no namespace to join");
        EnumMap<NsType, Integer> pids = new EnumMap<>(pidByType);
        return start(name, pids.values().iterator().next(), pids);
    }

    private static JoinedThread start(String name, int pid, EnumMap<NsType, Integer> pids) {
        for (NsType t : pids.keySet()) {
            if (t != NsType.IPC && t != NsType.UTS && t != NsType.NET && t != NsType.MNT) {
                throw new IllegalArgumentException("a thread can join only ipc, uts, net and mnt namespaces, not "
                        + t.procName() + " (a multithreaded process cannot setns into a " + t.procName() + " namespace)");
            }
        }
        return started(new JoinedThread(name, pid, pids));
    }

    /** Starts the thread and returns once it is in its namespaces; if a call failed, throws its KernelException. */
    private static JoinedThread started(JoinedThread jt) {
        Libc.load(); // before any setns: JNA's first load may run ldconfig as a child process
        jt.thread.start();
        try {
            jt.joined.get();
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            jt.close();
            throw new IllegalStateException("interrupted while " + jt.name + " entered its namespaces " + jt.pids);
        }
        return jt;
    }

    /**
     * Starts a thread in a new mount namespace of its own, a throwaway one: unshare(CLONE_FS), then
     * unshare(CLONE_NEWNS), then {@code mount --make-rprivate /} as unshare(1) does by default. The
     * copy of a shared mount stays in its peer group (mount_namespaces(7)), so without the last
     * call a mount made on this thread would propagate back into the host's namespace. The namespace
     * lives as long as the thread (no process holds it): after {@link #close()}, or when the JVM
     * dies, even by SIGKILL, the kernel unmounts everything in it. {@link #pid()} is 0.
     */
    public static JoinedThread ownMountNamespace(String name) {
        return started(new JoinedThread(name, 0, new EnumMap<>(Map.of(NsType.MNT, 0))));
    }

    private void loop() {
        try {
            joinAll();
        } catch (Throwable t) {
            closed = true;
            joined.completeExceptionally(t);
            return;
        }
        joined.complete(null);
        while (true) {
            FutureTask<?> task;
            try {
                task = work.take();
            } catch (InterruptedException e) {
                continue; // only close() ends this thread, so that work is never dropped half-way
            }
            if (task == STOP) break;
            task.run();
        }
        for (FutureTask<?> left : drain()) left.cancel(false);
    }

    private void joinAll() {
        tid = Libc.gettid();
        if (pid == 0) { // ownMountNamespace
            Namespaces.unshare(Namespaces.CLONE_FS);
            Namespaces.unshare(NsType.MNT.flag());
            labsh.kernel.Mounts.makePrivate("/", true);
            return;
        }
        // mnt last: once in the target's mount namespace, /proc may show another pid namespace.
        for (NsType t : List.of(NsType.IPC, NsType.UTS, NsType.NET)) {
            if (pids.containsKey(t)) Namespaces.join(pids.get(t), t);
        }
        if (pids.containsKey(NsType.MNT)) {
            // The JVM's threads share one fs_struct (root, cwd); setns(CLONE_NEWNS) refuses a
            // shared one with EINVAL (setns(2)), so give this thread its own first.
            Namespaces.unshare(Namespaces.CLONE_FS);
            Namespaces.join(pids.get(NsType.MNT), NsType.MNT);
        }
    }

    private List<FutureTask<?>> drain() {
        List<FutureTask<?>> left = new ArrayList<>();
        work.drainTo(left);
        return left;
    }

    /** Runs {@code task} on the joined thread and returns its result; its exception is rethrown here as is. */
    public <T> T call(Callable<T> task) {
        if (Thread.currentThread() == thread) { // work submitted from the joined thread itself: just run it
            try {
                return task.call();
            } catch (Exception e) {
                throw rethrow(e);
            }
        }
        FutureTask<T> f = new FutureTask<>(task);
        synchronized (this) {
            if (closed) throw new IllegalStateException("joined thread " + name + " is closed");
            work.add(f);
        }
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name);
        } catch (java.util.concurrent.CancellationException e) {
            throw new IllegalStateException("joined thread " + name + " closed before running the task");
        }
    }

    /** Runs {@code task} on the joined thread and waits for it; its exception is rethrown here. */
    public void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    public String name() { return name; }

    /** The pid whose namespaces this thread joined (with one pid per type: that of the first type joined). */
    public int pid() { return pid; }

    /** The pid whose namespace of {@code type} this thread joined, or 0 if it did not join that type. */
    public int pid(NsType type) { return pids.getOrDefault(type, 0); }

    public Set<NsType> types() { return pids.isEmpty() ? EnumSet.noneOf(NsType.class) : EnumSet.copyOf(pids.keySet()); }

    /** The kernel's id for this thread: /proc/PID/task/TID/ns/* shows what it joined. */
    public int tid() { return tid; }

    public boolean isAlive() { return thread.isAlive(); }

    /**
     * Ends the thread after the work already submitted; waits for it to finish. Work blocked in
     * the kernel must be unblocked first (remove the queue, close the inotify instance).
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed && !thread.isAlive()) return;
            closed = true;
            work.add(STOP);
        }
        if (Thread.currentThread() == thread) return; // closing from its own work: the loop ends after it
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new IllegalStateException("joined thread " + name + " is still busy after 30 s (blocked in a kernel call?)");
        }
    }

    /** Rethrows a task's exception unchanged: runtime exceptions and errors directly, checked ones without wrapping. */
    private static RuntimeException rethrow(Throwable t) {
        JoinedThread.<RuntimeException>sneaky(t);
        return new IllegalStateException(t); // not reached
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> void sneaky(Throwable t) throws E {
        throw (E) t;
    }
}
