package labsh.shell;

import java.io.PrintStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import labsh.cli.LsnsCommand;
import labsh.dsl.Node;
import labsh.kernel.MountInfo;
import labsh.kernel.Namespaces;
import labsh.kernel.NsType;
import labsh.kernel.SysvIpcTable;
import labsh.runtime.JoinedThread;
import labsh.runtime.LaunchSpec;
import labsh.runtime.NativeStage;
import labsh.runtime.NsProcess;
import labsh.runtime.container.Enter;

/**
 * The shell's views of a node, each read from the kernel through the node's pid: its namespaces
 * (/proc/PID/ns), its mounts (/proc/PID/mountinfo), its SysV objects (/proc/sysvipc read by a
 * thread joined to its IPC namespace), and commands run inside it (the native stage's join mode,
 * as nsenter(1) does).
 */
final class KernelViews {
    private final Nodes nodes;
    private final PrintStream out;

    KernelViews(Nodes nodes, PrintStream out) {
        this.nodes = nodes;
        this.out = out;
    }

    /** Every live node: name, pid, what it is, and the namespaces it does not share with labsh. */
    void nodes() {
        Map<String, Node> live = nodes.live();
        out.printf("%-20s %7s  %-18s %s%n", "NAME", "PID", "OWN NAMESPACES", "WHAT");
        out.printf("%-20s %7d  %-18s %s%n", Nodes.HOST, Nodes.self(), "-", "labsh itself");
        live.forEach((name, n) -> out.printf("%-20s %7d  %-18s %s%n", name, n.getPid(), names(own(n.getPid())).replace(" ", ""), n));
    }

    /** {@code exec NODE CMD}: /bin/sh -c CMD in the node's namespaces; prints its output and status. */
    void exec(String node, String command) throws Exception {
        LaunchSpec.Builder spec = entry(node, List.of("/bin/sh", "-c", command));
        if (spec == null) { // the host: nothing to join
            Process p = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            out.print(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            report(p.waitFor());
            return;
        }
        NativeStage.Result r = NativeStage.run(spec.stdout(Redirect.PIPE).mergeStderr().build());
        out.print(r.output());
        report(r.exitCode());
    }

    /**
     * How {@code command} enters what {@code name} names: a node's own {@link Node#entry} (a
     * container's cgroup and confined capabilities come with it), a bare pid's namespaces alone, or
     * null where there is nothing to join (the host, or a node that shares all of labsh's namespaces).
     */
    private LaunchSpec.Builder entry(String name, List<String> command) {
        int pid = nodes.pidOf(name);
        Set<NsType> types = own(pid);
        if (types.isEmpty()) return null;
        Node n = nodes.live().get(name);
        return n != null ? n.entry(command) : Enter.into(pid, types, null, null, false, command);
    }

    private void report(int status) {
        if (status != 0) out.println("(exit status " + status + ")");
    }

    /**
     * {@code attach NODE}: an interactive /bin/sh in the node's namespaces with the terminal
     * handed over; when it exits the labsh prompt comes back. Without job control ({@code +m}):
     * a job-control shell makes itself the terminal's foreground process group and, inside a PID
     * namespace, cannot give it back to labsh's (that group has no pid there), which leaves labsh
     * in the background reading EIO. And without terminal signals: Ctrl-C would also reach every
     * container of the session (see {@link LabShell}).
     */
    void attach(String node, LabShell shell) throws Exception {
        int pid = nodes.pidOf(node);
        Set<NsType> types = own(pid);
        LaunchSpec.Builder spec = entry(node, List.of("/bin/sh", "+m", "-i"));
        if (spec != null) spec.env("PS1", node + "# ").stdin(Redirect.INHERIT).stdout(Redirect.INHERIT).stderr(Redirect.INHERIT);
        out.println("attached to " + node + " (pid " + pid + ", own " + names(types) + "): exit or Ctrl-D comes back to labsh");
        InterruptWatch watch = InterruptWatch.current();
        if (watch != null) watch.suspend(true);
        shell.terminal().pause(true);
        org.jline.terminal.Attributes mine = shell.terminal().getAttributes();
        shell.terminal().setAttributes(shell.cookedAttributes());
        try {
            if (spec == null) {
                new ProcessBuilder("/bin/sh", "+m", "-i").inheritIO().start().waitFor();
            } else {
                try (NsProcess p = NativeStage.start(spec.build())) {
                    p.waitFor();
                }
            }
        } finally {
            shell.terminal().setAttributes(mine);
            shell.terminal().resume();
            if (watch != null) watch.suspend(false);
        }
        out.println("back in labsh");
    }

    /** {@code lsns NODE}: as {@code labsh lsns PID} and util-linux lsns -p PID. */
    void lsns(String node) {
        int pid = nodes.pidOf(node);
        LsnsCommand.requireAccess(pid);
        out.print(LsnsCommand.table(LsnsCommand.rows(Namespaces.of(pid)), true));
    }

    /** {@code mounts NODE}: the node's mount table as a tree, each mount with its propagation. */
    void mounts(String node) {
        int pid = nodes.pidOf(node);
        out.println("mount namespace mnt:[" + Namespaces.of(pid).get(NsType.MNT) + "] of pid " + pid + " (/proc/" + pid + "/mountinfo)");
        out.print(MountInfo.tree(MountInfo.of(pid)));
    }

    /** {@code ipcs NODE}: the SysV objects of the node's IPC namespace, read there by a joined thread. */
    void ipcs(String node) {
        int pid = nodes.pidOf(node);
        List<List<SysvIpcTable.Row>> tables;
        if (own(pid).contains(NsType.IPC)) {
            try (JoinedThread t = JoinedThread.join("labsh-ipcs", pid, NsType.IPC)) {
                tables = t.call(() -> List.of(SysvIpcTable.sharedMemory(), SysvIpcTable.messageQueues()));
            }
        } else {
            tables = List.of(SysvIpcTable.sharedMemory(), SysvIpcTable.messageQueues());
        }
        out.println("IPC namespace ipc:[" + Namespaces.of(pid).get(NsType.IPC) + "] of pid " + pid);
        out.println("------ Shared Memory Segments --------");
        out.printf("%-10s %-10s %-10s %-10s %-10s%n", "key", "shmid", "perms", "bytes", "nattch");
        for (SysvIpcTable.Row r : tables.get(0)) {
            out.printf("%-10s %-10d %-10s %-10s %-10s%n", r.keyHex(), r.id(), r.columns().get("perms"), r.columns().get("size"), r.columns().get("nattch"));
        }
        out.println("------ Message Queues --------");
        out.printf("%-10s %-10s %-10s %-12s %-10s%n", "key", "msqid", "perms", "used-bytes", "messages");
        for (SysvIpcTable.Row r : tables.get(1)) {
            out.printf("%-10s %-10d %-10s %-12s %-10s%n", r.keyHex(), r.id(), r.columns().get("perms"), r.columns().get("cbytes"), r.columns().get("qnum"));
        }
    }

    /** The namespace types in which {@code pid} is not where labsh is. */
    static Set<NsType> own(int pid) { return Namespaces.notSharedWithUs(pid); }

    static String names(Set<NsType> types) {
        if (types.isEmpty()) return "none";
        StringBuilder sb = new StringBuilder();
        for (NsType t : types) sb.append(sb.length() == 0 ? "" : ", ").append(t.procName());
        return sb.toString();
    }
}
