package labsh.dsl

import labsh.runtime.LaunchSpec

/**
 * A thing of the lab that lives in a process: a server, a container, a bridge's end. The shell
 * finds them among the lab's variables and lists, inspects and enters them by name ({@code exec},
 * {@code attach}, {@code lsns}): what they are is then read from the kernel through the pid
 * (/proc/PID/ns, /proc/PID/mountinfo), never from the object itself.
 */
interface Node {
    /** The name a user types: {@code exec box1 ps}. */
    String getName()

    /** The process whose namespaces are the node's (a container's init, the JVM for the host). */
    int getPid()

    /**
     * {@code command} entered into it for the shell's {@code exec} and {@code attach}: its
     * namespaces, and no more than its own processes have (a container's cgroup, environment and
     * confined capabilities), so that entering a node never hands the host's privileges inside.
     */
    LaunchSpec.Builder entry(List<String> command)
}
