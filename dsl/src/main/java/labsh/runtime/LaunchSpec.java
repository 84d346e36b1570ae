package labsh.runtime;

import java.lang.ProcessBuilder.Redirect;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

import labsh.kernel.NsType;

/**
 * What to start and how: which namespaces, the rootfs, mounts, hostname, the command and its stdio.
 * Immutable; made with {@link #command(String...)} and the {@link Builder}. {@link NativeStage#start}
 * turns it into nsinit's arguments (see the top of dsl/src/main/c/nsinit.c).
 *
 * <pre>
 *   LaunchSpec.command("/bin/sh").namespaces(PID, MNT, UTS).hostname("box").rootfs(dir).init(true).build()
 * </pre>
 */
public final class LaunchSpec {
    /** One line of /proc/PID/uid_map or gid_map: ids {@code inside..inside+count} are {@code outside..} on the host. */
    public record IdMap(int inside, int outside, int count) {
        String arg() { return inside + ":" + outside + ":" + count; }
    }

    /** A host path bind-mounted into the container (target is inside the rootfs when there is one). */
    public record Bind(String source, String target) {}

    /**
     * A part of the confinement ({@link Builder#confined}) a lab may ask to leave out, by name
     * (nsinit -x NAME). labsh says so in its output when a lab does.
     */
    public enum Relax {
        /** Docker's default seccomp profile is not loaded (Seccomp: 0 inside). */
        SECCOMP("seccomp", "seccomp filter off, as the lab asks (Docker's default profile not loaded)"),
        /** /proc/sys and the other kernel knobs stay writable, /proc/keys and the rest unmasked. */
        PROC("proc", "/proc not masked, as the lab asks (/proc/sys writable, /proc/keys and the rest visible)");

        private final String word, notice;

        Relax(String word, String notice) {
            this.word = word;
            this.notice = notice;
        }

        /** The name a lab uses, e.g. {@code unconfined: ['seccomp']}. */
        public String word() { return word; }

        /** One line for the lab's output, after the container's name. */
        public String notice() { return notice; }

        /** The part named {@code name}; an unknown name is an error listing the known ones. */
        public static Relax byName(String name) {
            for (Relax r : values()) if (r.word.equals(name)) return r;
            StringBuilder known = new StringBuilder();
            for (Relax r : values()) known.append(known.length() == 0 ? "" : ", ").append(r.word);
            throw new IllegalArgumentException("unknown confinement part '" + name + "' (known: " + known + ")");
        }
    }

    private final Set<NsType> namespaces;
    private final int joinPid;
    private final String hostname, rootfs, workDir;
    private final List<Bind> binds;
    private final boolean mountProc, init, clearEnv, mergeStderr, confined;
    private final List<String> procAt, command;
    private final List<IdMap> uidMaps, gidMaps;
    private final Set<Relax> relaxed;
    private final Map<String, String> env;
    private final Redirect stdin, stdout, stderr;
    private final IntConsumer beforeStart;

    private LaunchSpec(Builder b) {
        namespaces = Collections.unmodifiableSet(EnumSet.copyOf(b.namespaces));
        joinPid = b.joinPid;
        hostname = b.hostname;
        rootfs = b.rootfs;
        workDir = b.workDir;
        binds = List.copyOf(b.binds);
        mountProc = b.mountProc;
        init = b.init;
        clearEnv = b.clearEnv;
        mergeStderr = b.mergeStderr;
        confined = b.confined;
        relaxed = Collections.unmodifiableSet(b.relaxed.isEmpty() ? EnumSet.noneOf(Relax.class) : EnumSet.copyOf(b.relaxed));
        procAt = List.copyOf(b.procAt);
        command = List.copyOf(b.command);
        boolean user = namespaces.contains(NsType.USER) && joinPid == 0;
        // Without a map the child would be "nobody" (65534) inside: map root to whoever runs labsh.
        uidMaps = b.uidMaps.isEmpty() && user ? List.of(new IdMap(0, Ids.euid(), 1)) : List.copyOf(b.uidMaps);
        gidMaps = b.gidMaps.isEmpty() && user ? List.of(new IdMap(0, Ids.egid(), 1)) : List.copyOf(b.gidMaps);
        env = Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
        stdin = b.stdin;
        stdout = b.stdout;
        stderr = b.stderr;
        beforeStart = b.beforeStart;
    }

    public static Builder command(String... command) {
        return new Builder(List.of(command));
    }

    public static Builder command(List<String> command) {
        return new Builder(command);
    }

    public Set<NsType> namespaces() { return namespaces; }
    /** 0 for new namespaces; otherwise the pid whose namespaces are joined. */
    public int joinPid() { return joinPid; }
    public String hostname() { return hostname; }
    public String rootfs() { return rootfs; }
    public String workDir() { return workDir; }
    public List<Bind> binds() { return binds; }
    /** /proc is mounted when pid and mnt are both new, unless turned off. */
    public boolean mountProc() { return mountProc && joinPid == 0 && namespaces.containsAll(Set.of(NsType.PID, NsType.MNT)); }
    public List<String> procAt() { return procAt; }
    public boolean init() { return init; }
    /** The container's root keeps only the capabilities of its own work (nsinit -C). */
    public boolean confined() { return confined; }
    /** The parts of the confinement left out (empty: all of it). */
    public Set<Relax> relaxed() { return relaxed; }
    public List<IdMap> uidMaps() { return uidMaps; }
    public List<IdMap> gidMaps() { return gidMaps; }
    public List<String> command() { return command; }
    public Map<String, String> env() { return env; }
    public boolean clearEnv() { return clearEnv; }
    public Redirect stdin() { return stdin; }
    public Redirect stdout() { return stdout; }
    public Redirect stderr() { return stderr; }
    public boolean mergeStderr() { return mergeStderr; }
    public IntConsumer beforeStart() { return beforeStart; }

    /** nsinit's options for this spec, without the control socket and the command. */
    List<String> nsinitArgs() {
        List<String> a = new ArrayList<>();
        if (!namespaces.isEmpty()) {
            StringBuilder types = new StringBuilder();
            for (NsType t : namespaces) types.append(types.length() == 0 ? "" : ",").append(t.procName());
            a.add("-n");
            a.add(types.toString());
        }
        if (joinPid != 0) { a.add("-j"); a.add(Integer.toString(joinPid)); }
        for (IdMap m : uidMaps) { a.add("-u"); a.add(m.arg()); }
        for (IdMap m : gidMaps) { a.add("-g"); a.add(m.arg()); }
        if (hostname != null) { a.add("-h"); a.add(hostname); }
        if (rootfs != null) { a.add("-r"); a.add(rootfs); }
        for (Bind b : binds) { a.add("-b"); a.add(b.source() + ":" + b.target()); }
        for (String p : procAt) { a.add("-p"); a.add(p); }
        if (!mountProc) a.add("-P");
        if (workDir != null) { a.add("-w"); a.add(workDir); }
        if (init) a.add("-i");
        if (confined) a.add("-C");
        for (Relax r : relaxed) { a.add("-x"); a.add(r.word()); }
        return a;
    }

    @Override
    public String toString() {
        return (joinPid != 0 ? "join " + joinPid + " " : "new ") + namespaces + " " + String.join(" ", command);
    }

    public static final class Builder {
        private final List<String> command;
        private final Set<NsType> namespaces = EnumSet.noneOf(NsType.class);
        private int joinPid;
        private String hostname, rootfs, workDir;
        private final List<Bind> binds = new ArrayList<>();
        private boolean mountProc = true, init, clearEnv, mergeStderr, confined;
        private final Set<Relax> relaxed = EnumSet.noneOf(Relax.class);
        private final List<String> procAt = new ArrayList<>();
        private final List<IdMap> uidMaps = new ArrayList<>(), gidMaps = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private Redirect stdin = Redirect.from(new java.io.File("/dev/null")), stdout = Redirect.INHERIT, stderr = Redirect.INHERIT;
        private IntConsumer beforeStart;

        private Builder(List<String> command) {
            if (command.isEmpty()) throw new IllegalArgumentException("a launch needs a command");
            this.command = List.copyOf(command);
        }

        /** New namespaces of these types (or, with {@link #join}, the types to enter). */
        public Builder namespaces(NsType... types) { namespaces.addAll(List.of(types)); return this; }
        public Builder namespaces(Set<NsType> types) { namespaces.addAll(types); return this; }
        /** Enter the namespaces of a running process instead of making new ones (like nsenter(1)). */
        public Builder join(int pid) { this.joinPid = pid; return this; }
        public Builder hostname(String name) { this.hostname = name; return this; }
        /** A directory to pivot_root(2) into; absolute. */
        public Builder rootfs(String dir) { this.rootfs = dir; return this; }
        public Builder bind(String hostPath, String target) { binds.add(new Bind(hostPath, target)); return this; }
        /** Mount /proc when pid and mnt are new (default true). */
        public Builder mountProc(boolean on) { this.mountProc = on; return this; }
        /** Mount one more proc at {@code path} (inside the rootfs when there is one), e.g. /tmp/foo. */
        public Builder procAt(String path) { procAt.add(path); return this; }
        /** Start an init as PID 1 that runs the command as its child and reaps orphans. */
        public Builder init(boolean on) { this.init = on; return this; }
        /**
         * Confine as Docker and runc do by default (nsinit -C): /proc/sys and the other kernel knobs
         * read-only and /proc/keys, /proc/kcore, ... masked; every capability beyond Docker's default
         * set less CAP_MKNOD dropped; Docker's default seccomp profile loaded under no_new_privs.
         * Without a user namespace, root in the container otherwise holds the host's CAP_SYS_ADMIN
         * and CAP_MKNOD and can mount the host's disk. Leave it off only for a payload that must
         * mount or configure the network itself (a mount puzzle, ip link).
         */
        public Builder confined(boolean on) { this.confined = on; return this; }
        /** Leave these parts out of the confinement (a lab asks by name: {@link Relax#byName}). */
        public Builder relax(Set<Relax> parts) { relaxed.addAll(parts); return this; }
        public Builder relax(Relax... parts) { relaxed.addAll(List.of(parts)); return this; }
        public Builder uidMap(int inside, int outside, int count) { uidMaps.add(new IdMap(inside, outside, count)); return this; }
        public Builder gidMap(int inside, int outside, int count) { gidMaps.add(new IdMap(inside, outside, count)); return this; }
        public Builder env(String name, String value) { env.put(name, value); return this; }
        /** Start from an empty environment instead of labsh's own. */
        public Builder clearEnv() { this.clearEnv = true; return this; }
        /** The directory to start in, inside the container. */
        public Builder workDir(String dir) { this.workDir = dir; return this; }
        public Builder stdin(Redirect r) { this.stdin = r; return this; }
        public Builder stdout(Redirect r) { this.stdout = r; return this; }
        public Builder stderr(Redirect r) { this.stderr = r; return this; }
        /** stdin, stdout and stderr all {@link Redirect#PIPE}. */
        public Builder pipes() { return stdin(Redirect.PIPE).stdout(Redirect.PIPE).stderr(Redirect.PIPE); }
        /** stderr goes where stdout goes (one stream to read). */
        public Builder mergeStderr() { this.mergeStderr = true; return this; }
        /**
         * Called with the child's host pid after it exists and before it runs anything of its own
         * (it waits for "go"): the place to put it into cgroups. Throwing aborts the launch.
         */
        public Builder beforeStart(IntConsumer callback) { this.beforeStart = callback; return this; }

        public LaunchSpec build() {
            boolean fresh = joinPid == 0;
            boolean mnt = namespaces.contains(NsType.MNT);
            if (namespaces.contains(NsType.TIME)) throw new IllegalArgumentException("time namespaces are not supported by the native stage");
            if (!fresh && (hostname != null || rootfs != null || !binds.isEmpty() || !procAt.isEmpty() || !uidMaps.isEmpty() || !gidMaps.isEmpty()))
                throw new IllegalArgumentException("joining pid " + joinPid + ": only namespaces, workDir and init apply");
            if (!fresh && namespaces.isEmpty()) throw new IllegalArgumentException("joining pid " + joinPid + ": say which namespaces to enter");
            if (fresh && (rootfs != null || !binds.isEmpty() || !procAt.isEmpty()) && !mnt)
                throw new IllegalArgumentException("a rootfs, bind mounts or proc mounts need a new mount namespace (add MNT)");
            if (fresh && hostname != null && !namespaces.contains(NsType.UTS))
                throw new IllegalArgumentException("a hostname needs a new uts namespace (add UTS)");
            if ((!uidMaps.isEmpty() || !gidMaps.isEmpty()) && !namespaces.contains(NsType.USER))
                throw new IllegalArgumentException("uid/gid maps need a new user namespace (add USER)");
            if (!relaxed.isEmpty() && !confined) throw new IllegalArgumentException("relax " + relaxed + " leaves parts out of the confinement: add confined(true)");
            if (rootfs != null && !rootfs.startsWith("/")) throw new IllegalArgumentException("the rootfs must be an absolute path: " + rootfs);
            return new LaunchSpec(this);
        }
    }

    /** The effective uid/gid of labsh, for the default user-namespace maps. */
    private static final class Ids {
        static int euid() { return labsh.kernel.Libc.geteuid(); }
        static int egid() { return labsh.kernel.Libc.getegid(); }
    }
}
