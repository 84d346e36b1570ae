package labsh.kernel;

import java.util.List;

/**
 * The devices a container may use: runc's default allow-list (libcontainer/specconv
 * {@code AllowedDevices}), the one Docker's containers get. Everything else is refused when it is
 * opened (EPERM), whatever node the container finds or makes: cgroup v1's devices controller
 * ({@code devices.deny "a"}, then one {@code devices.allow} line per rule, Documentation/admin-guide/
 * cgroup-v1/devices.rst); cgroup v2 has no such file, and needs a BPF_PROG_TYPE_CGROUP_DEVICE
 * program attached to the group instead (what runc's libcontainer/cgroups/devices/devicefilter builds).
 *
 * <p>runc's list, kept as it is: mknod of any character or block device ("m"), which creates a node
 * that still does not open (and a confined container has no CAP_MKNOD anyway); read, write and
 * mknod of /dev/null, random, full, tty, zero, urandom, the pseudo-terminals (136:*) and /dev/ptmx.
 * /dev/console (5:1) is not in it: runc adds it only for a container with a terminal.
 */
public final class DeviceFilter {
    /** One rule: type 'c' or 'b', major and minor (-1 for any), access of "rwm". */
    public record Rule(char type, int major, int minor, String access) {
        /** As devices.allow takes it: {@code c 1:3 rwm}, {@code c 136:* rwm}. */
        public String line() { return type + " " + number(major) + ":" + number(minor) + " " + access; }

        private static String number(int n) { return n < 0 ? "*" : Integer.toString(n); }
    }

    /** A node the container's /dev holds: its name and numbers. */
    public record Node(String name, int major, int minor) {}

    public static final int ANY = -1;

    /** runc's AllowedDevices, in its order. */
    public static final List<Rule> ALLOWED = List.of(
            new Rule('c', ANY, ANY, "m"),
            new Rule('b', ANY, ANY, "m"),
            new Rule('c', 1, 3, "rwm"),    // /dev/null
            new Rule('c', 1, 8, "rwm"),    // /dev/random
            new Rule('c', 1, 7, "rwm"),    // /dev/full
            new Rule('c', 5, 0, "rwm"),    // /dev/tty
            new Rule('c', 1, 5, "rwm"),    // /dev/zero
            new Rule('c', 1, 9, "rwm"),    // /dev/urandom
            new Rule('c', 136, ANY, "rwm"), // /dev/pts/*
            new Rule('c', 5, 2, "rwm"));   // /dev/ptmx

    /** The named nodes of that list, which a container's /dev gets (runc makes the same ones). */
    public static final List<Node> NODES = List.of(new Node("null", 1, 3), new Node("zero", 1, 5), new Node("full", 1, 7),
            new Node("random", 1, 8), new Node("urandom", 1, 9), new Node("tty", 5, 0));

    private DeviceFilter() {}
}
