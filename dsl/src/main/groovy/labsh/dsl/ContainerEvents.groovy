package labsh.dsl

import java.util.concurrent.CopyOnWriteArrayList

/**
 * Lets a lab's spec look at a container (or an {@link Unshared} process) through the kernel while
 * the lab runs: a listener is called with "started" right after the noun is up and with "stopping"
 * just before it is torn down, when every step has done its work on it. A listener reads
 * /proc/PID/ns, mountinfo and cgroup files itself; it must not change anything.
 */
class ContainerEvents {
    private static final List<Closure> LISTENERS = new CopyOnWriteArrayList<>()

    /** {@code listener(String event, Object noun)}; returns what removes it again. */
    static AutoCloseable listen(Closure listener) {
        LISTENERS << listener
        return { LISTENERS.remove(listener) } as AutoCloseable
    }

    static void fire(String event, Object noun) {
        for (Closure l : LISTENERS) l.call(event, noun)
    }
}
