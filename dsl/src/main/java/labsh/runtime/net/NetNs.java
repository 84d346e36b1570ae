package labsh.runtime.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import labsh.kernel.Namespaces;
import labsh.kernel.NsType;
import labsh.runtime.ProcFs;

/**
 * A network namespace, named the only way a namespace without a bind mount can be named: by a
 * process that lives in it. The pid alone could be recycled, so the process's start time and the
 * namespace's inode are kept with it, and {@link #isAlive()} checks all three before anything is
 * done "in" it (a remover run by {@code labsh clean} must never touch a stranger's namespace).
 */
public record NetNs(int pid, long start, long inode) {
    /** The network namespace {@code pid} is in now. */
    public static NetNs of(int pid) {
        long start = ProcFs.startTime(pid);
        if (start < 0) throw new IllegalArgumentException("no process " + pid);
        return new NetNs(pid, start, Namespaces.of(pid).get(NsType.NET));
    }

    /** The host's: the one labsh itself runs in. */
    public static NetNs host() { return of((int) ProcessHandle.current().pid()); }

    /** True while the same process still runs in the same network namespace. */
    public boolean isAlive() {
        if (!ProcFs.isSameProcess(pid, start)) return false;
        try {
            return Namespaces.of(pid).get(NsType.NET) == inode;
        } catch (RuntimeException e) {
            return false; // it ended between the two reads
        }
    }

    public boolean isHost() { return inode == host().inode(); }

    /**
     * The interfaces of this namespace, from {@code /proc/PID/net/dev}: /proc/PID/net shows the
     * network namespace of PID (proc(5)), so no process has to enter it to list them.
     */
    public List<String> interfaces() {
        try {
            List<String> names = new ArrayList<>();
            List<String> lines = Files.readAllLines(Path.of("/proc/" + pid + "/net/dev"));
            for (String l : lines.subList(Math.min(2, lines.size()), lines.size())) { // two header lines
                names.add(l.substring(0, l.indexOf(':')).trim());
            }
            return names;
        } catch (IOException e) {
            return List.of(); // the process, and with it the namespace, is gone
        }
    }

    /** {@code ip -o -4 addr show} in this namespace, one line per address: "eth0 10.200.1.1/24". */
    public List<String> addresses() {
        List<String> out = new ArrayList<>();
        for (String l : Ip.in(pid, "-o", "-4", "addr", "show").split("\n")) {
            String[] w = l.trim().split("\\s+");
            if (w.length >= 4 && w[2].equals("inet")) out.add(w[1] + " " + w[3]);
        }
        return out;
    }

    /** The first of {@code prefix}0, {@code prefix}1, ... that no interface of this namespace has. */
    public String freeName(String prefix) {
        List<String> taken = interfaces();
        for (int i = 0; ; i++) if (!taken.contains(prefix + i)) return prefix + i;
    }

    /** Ledger fields for this namespace, under {@code side} ("a" gives apid, astart, anet). */
    String[] fields(String side) {
        return new String[] {side + "pid", Integer.toString(pid), side + "start", Long.toString(start), side + "net", Long.toString(inode)};
    }

    /** The namespace recorded under {@code side}, or null when the entry has none. */
    static NetNs fromFields(Map<String, String> f, String side) {
        if (!f.containsKey(side + "pid")) return null;
        return new NetNs(Integer.parseInt(f.get(side + "pid")), Long.parseLong(f.get(side + "start")), Long.parseLong(f.get(side + "net")));
    }
}
