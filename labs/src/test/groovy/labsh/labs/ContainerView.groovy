package labsh.labs

import java.nio.file.Files
import java.nio.file.Path
import labsh.kernel.MountInfo
import labsh.kernel.Namespaces
import labsh.kernel.NsType

/**
 * What the container specs read for themselves while a lab runs, with the kernel's files and
 * util-linux's nsenter, not with labsh's nouns: a snapshot of one container (or unshared process)
 * at the moment the lab started it or is about to stop it (labsh.dsl.ContainerEvents).
 */
class ContainerView {
    String event
    String name
    int pid
    Map<NsType, Long> namespaces
    List<MountInfo> mountinfo
    /** Lines of /proc/PID/cgroup. */
    List<String> cgroup
    /** Free-form readings a spec asks for (output of commands run inside, file contents). */
    Map<String, String> readings = [:]

    static ContainerView of(String event, String name, int pid) {
        new ContainerView(event: event, name: name, pid: pid, namespaces: Namespaces.of(pid), mountinfo: MountInfo.of(pid),
                          cgroup: Files.readAllLines(Path.of("/proc/${pid}/cgroup")))
    }

    /** util-linux nsenter into all of its namespaces but user (-a would also try the user one): output and status. */
    static String nsenter(int pid, String... command) {
        List<String> args = ['nsenter', '-t', "${pid}".toString(), '-m', '-u', '-i', '-n', '-p'] + (command as List<String>)
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start()
        String out = p.inputStream.text
        p.waitFor()
        out.trim()
    }

    /** The namespaces of the JVM running the spec: the host's. */
    static Map<NsType, Long> host() { Namespaces.of((int) ProcessHandle.current().pid()) }

    /** The types in which it differs from the host. */
    Set<NsType> own() {
        Map<NsType, Long> h = host()
        namespaces.keySet().findAll { namespaces[it] != h[it] } as Set
    }

    MountInfo mountAt(String path) { MountInfo.at(mountinfo, path) }
}
