package labsh.dsl

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit
import labsh.kernel.Namespaces
import labsh.kernel.NsType
import labsh.runtime.LaunchSpec
import labsh.runtime.container.Enter
import labsh.runtime.bridge.EchoRole

/**
 * An echo program of seeds 000/001 in a container of its own ({@link EchoRole}): what a lab
 * checks about it, read from the kernel (/proc/PID/ns, /proc/PID/root).
 */
abstract class EchoPeer implements Node {
    EchoRole role

    /** The seed program it runs (ipc_echo_client, mnt_echo_server ...): the name the shell lists it by. */
    String getName() { role.kind().program() }

    /** The container's init, as the host sees it: its namespaces are the program's. */
    int getPid() { role.pid() }

    /** The echo program itself, the only child of the container's init. */
    int getProgramPid() { role.programPid() }

    /** The directory it exchanges files in (a tmpfs that only its mount namespace has), or null for a peer on queues. */
    Path getDir() { role.dir() }

    /** 'files' or 'queues'. */
    String getVia() { role.kind().onFiles() ? 'files' : 'queues' }

    /** The namespace inodes of its process, from /proc/PID/ns. */
    Map<NsType, Long> namespaces() { Namespaces.of(pid) }

    /** The namespace types in which it differs from the host (this JVM). */
    Set<NsType> ownNamespaces() { Namespaces.notSharedWithUs(pid) }

    LaunchSpec.Builder entry(List<String> command) { Enter.into(pid, ownNamespaces(), null, null, false, command) }

    /** The names in its directory as its own mount namespace shows them (through /proc/PID/root). */
    List<String> filesInside() {
        Files.list(Path.of("/proc/${pid}/root${dir}")).withCloseable { s -> s.map { Path p -> p.fileName.toString() }.sorted().toList() }
    }

    /** The names in the same directory as the host shows it. */
    List<String> filesOnHost() {
        Files.list(dir).withCloseable { s -> s.map { Path p -> p.fileName.toString() }.sorted().toList() }
    }

    /** SIGSTOP to the program: messages wait where the bridge left them. */
    void freeze() { role.freeze() }

    /** SIGCONT. */
    void thaw() { role.thaw() }

    /** SIGKILL to the program (its container then ends). */
    void kill() { role.killProgram() }

    boolean isAlive() { role.alive }

    /** Waits up to {@code seconds} for its container to end (the program exited): the exit status, or null while it runs. */
    Integer awaitExit(int seconds) {
        role.process().waitFor(seconds, TimeUnit.SECONDS) ? role.process().exitValue() : null
    }

    /** Stops the container and removes its directory. */
    void stop() { role.close() }

    String toString() { role.toString() }
}

