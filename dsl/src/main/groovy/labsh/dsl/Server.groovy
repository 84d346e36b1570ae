package labsh.dsl

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path
import labsh.kernel.Beneath
import labsh.kernel.Namespaces
import labsh.kernel.NsType
import labsh.runtime.LaunchSpec
import labsh.runtime.container.Enter
import labsh.runtime.ex5.InfoFile

/**
 * A running ex5 server (seed 002): where it runs, the info file it wrote, and the process that
 * runs it, so that a lab can check it against the kernel's view ({@link #namespaces}).
 */
class Server implements Node {
    String name
    Place place
    int port
    Path infoFile
    /** The process the server lives in: the JVM (host), the container's init, or qemu (VM). */
    int pid
    /** Stops the server and removes what it made; set by the word that started it. */
    Closure stopper

    /** The namespace inodes of the server's process, read from /proc/PID/ns. */
    Map<NsType, Long> namespaces() { Namespaces.of(pid) }

    /** The namespace types in which the server's process differs from the host's (compared with this JVM, which runs on the host). */
    Set<NsType> ownNamespaces() { Namespaces.notSharedWithUs(pid) }

    /** In a container it is confined as the server is (ex5 starts it so); on the host or in qemu, labsh's namespaces. */
    LaunchSpec.Builder entry(List<String> command) {
        Enter.into(pid, ownNamespaces(), null, null, place instanceof ContainerPlace, command)
    }

    /**
     * The info file's four lines, as the server wrote them; none while there is no file. Read
     * beneath the info directory without following a symlink (a container or the VM writes there).
     */
    List<String> infoLines() {
        if (!Files.exists(infoFile, LinkOption.NOFOLLOW_LINKS)) return []
        Beneath.open(infoFile.parent).withCloseable { Beneath dir ->
            new String(InfoFile.read(dir, infoFile.fileName.toString(), 4096), StandardCharsets.UTF_8).readLines()
        }
    }

    void stop() { stopper?.call() }

    String toString() { "server ${name} on ${place}" }
}
