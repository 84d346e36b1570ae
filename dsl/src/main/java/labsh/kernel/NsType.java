package labsh.kernel;

/** The namespace types, with their clone(2)/setns(2) flag and their name under /proc/PID/ns. */
public enum NsType {
    CGROUP("cgroup", 0x02000000),
    IPC("ipc", 0x08000000),
    MNT("mnt", 0x00020000),
    NET("net", 0x40000000),
    PID("pid", 0x20000000),
    TIME("time", 0x00000080),
    USER("user", 0x10000000),
    UTS("uts", 0x04000000);

    private final String procName;
    private final int flag;

    NsType(String procName, int flag) {
        this.procName = procName;
        this.flag = flag;
    }

    /** The file name under /proc/PID/ns, and the TYPE column of lsns(8). */
    public String procName() { return procName; }

    /** CLONE_NEW* */
    public int flag() { return flag; }

    public String flagName() {
        return this == MNT ? "CLONE_NEWNS" : "CLONE_NEW" + name();
    }

    public static NsType byName(String name) {
        for (NsType t : values()) if (t.procName.equals(name) || t.name().equalsIgnoreCase(name)) return t;
        throw new IllegalArgumentException("unknown namespace type '" + name + "' (one of cgroup, ipc, mnt, net, pid, time, user, uts)");
    }

    /** All CLONE_NEW* bits of {@code flags} as {@code CLONE_NEWNS|CLONE_NEWPID}. */
    public static String flagNames(int flags) {
        StringBuilder sb = new StringBuilder();
        for (NsType t : values()) {
            if ((flags & t.flag) != 0) {
                if (sb.length() > 0) sb.append('|');
                sb.append(t.flagName());
            }
        }
        return sb.length() == 0 ? "0" : sb.toString();
    }
}
