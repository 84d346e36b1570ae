package labsh.dsl

import java.lang.ProcessBuilder.Redirect
import java.nio.file.Files
import java.nio.file.Path
import labsh.runtime.NativeStage
import labsh.runtime.NsProcess
import labsh.runtime.net.SharedFifo

/**
 * A FIFO shared by containers (seed 004, problem 6.2): a named pipe in a host directory that is
 * bind-mounted into each container at {@link #at}. Made by {@code fifo 'pipe', between: [c1, c2]}
 * ({@link NetWords}).
 */
class Fifo {
    final SharedFifo shared
    /** The directory it is mounted at inside each container ("/shared"). */
    final String at
    final List<Container> between

    Fifo(SharedFifo shared, String at, List<Container> between) {
        this.shared = shared
        this.at = at
        this.between = List.copyOf(between)
    }

    String getName() { shared.name() }

    /** Its path inside the containers ("/shared/pipe"). */
    String getPath() { "${at}/${name}" }

    /** Its path on the host. */
    Path getHostPath() { shared.path() }

    /**
     * Starts {@code cat PATH} in {@code c}, in the background: it blocks in open(2) until a writer
     * opens the FIFO (fifo(7)), then prints what was written until the writer closes it.
     */
    FifoReader reader(Container c) {
        requireMember(c)
        new FifoReader(c, NativeStage.start(c.entry(['cat', path]).stdout(Redirect.PIPE).mergeStderr().build()))
    }

    /** Writes {@code line} into the FIFO from inside {@code c} (a shell's {@code echo LINE > PATH}). */
    void write(Container c, String line) {
        requireMember(c)
        c.exec("echo '${line.replace("'", "'\\''")}' > ${path}")
    }

    /** The FIFO's inode as {@code c} sees it (stat through /proc/PID/root, the container's root). */
    long inodeIn(Container c) { inodeOf(Path.of("/proc/${c.pid}/root${path}")) }

    /** stat(2)'s st_ino. */
    static long inodeOf(Path p) { Files.getAttribute(p, 'unix:ino') as long }

    /** True when stat(2)'s st_mode says S_IFIFO. */
    static boolean isFifo(Path p) { ((Files.getAttribute(p, 'unix:mode', java.nio.file.LinkOption.NOFOLLOW_LINKS) as int) & 0170000) == 0010000 }

    /**
     * Unmounts it from the containers and deletes it and its directory from the host, through
     * descriptors (a container may still hold the directory open, and whatever it put there is
     * removed as itself, never followed). Not removed by the lab, it goes at the lab's end with the
     * ledger, whose entry for the directory names the containers: they are stopped before it goes.
     */
    void remove() { shared.close() }

    private void requireMember(Container c) {
        if (!between.any { it.is(c) }) throw new LabException("fifo ${name} is not shared with container ${c.name}")
    }

    String toString() { "fifo ${name}: ${hostPath} at ${path} in ${between*.name.join(', ')}" }
}
