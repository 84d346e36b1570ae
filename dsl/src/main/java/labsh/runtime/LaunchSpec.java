package labsh.runtime;

import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import labsh.kernel.NsType;

/**
 * What to launch through the native stage ({@link NsProcess#start}): the command, which new
 * namespaces it gets, and how its root, mounts and stdio look. Immutable; build one with
 * {@code LaunchSpec.of("/bin/sh").namespaces(PID, MNT).hostname("box").build()}.
 */
public final class LaunchSpec {
    private final Set<NsType> namespaces;
    private final String hostname;
    private final Path rootfs;
    private final List<String> binds;      // "SRC:DST", DST inside the rootfs when there is one
    private final List<String> procPaths;
    private final boolean init;
    private final List<String> command;
    private final Map<String, String> env; // null: inherit labsh's environment
    private final Path cwd;
    private final Redirect stdin, stdout, stderr;
    private final IntConsumer beforeStart;

    private LaunchSpec(Builder b) {
        namespaces = Set.copyOf(b.namespaces);
        hostname = b.hostname;
        rootfs = b.rootfs;
        binds = List.copyOf(b.binds);
        procPaths = List.copyOf(b.procPaths);
        init = b.init;
        command = List.copyOf(b.command);
        env = b.env == null ? null : Map.copyOf(b.env);
        cwd = b.cwd;
        stdin = b.stdin;
        stdout = b.stdout;
        stderr = b.stderr;
        beforeStart = b.beforeStart;
    }

    public static Builder of(String... command) { return new Builder().command(command); }

    public Set<NsType> namespaces() { return namespaces; }
    public String hostname() { return hostname; }
    public Path rootfs() { return rootfs; }
    public List<String> binds() { return binds; }
    public List<String> procPaths() { return procPaths; }
    public boolean init() { return init; }
    public List<String> command() { return command; }
    public Map<String, String> env() { return env; }
    public Path cwd() { return cwd; }
    public Redirect stdin() { return stdin; }
    public Redirect stdout() { return stdout; }
    public Redirect stderr() { return stderr; }
    /** Runs with the container's host pid after clone(), before anything in the child (cgroups go here). */
    public IntConsumer beforeStart() { return beforeStart; }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.namespaces.addAll(namespaces);
        b.hostname = hostname;
        b.rootfs = rootfs;
        b.binds.addAll(binds);
        b.procPaths.addAll(procPaths);
        b.init = init;
        b.command.addAll(command);
        b.env = env == null ? null : new LinkedHashMap<>(env);
        b.cwd = cwd;
        b.stdin = stdin;
        b.stdout = stdout;
        b.stderr = stderr;
        b.beforeStart = beforeStart;
        return b;
    }

    public static final class Builder {
        private final Set<NsType> namespaces = EnumSet.noneOf(NsType.class);
        private String hostname;
        private Path rootfs;
        private final List<String> binds = new ArrayList<>();
        private final List<String> procPaths = new ArrayList<>();
        private boolean init;
        private final List<String> command = new ArrayList<>();
        private Map<String, String> env;
        private Path cwd;
        private Redirect stdin = Redirect.INHERIT, stdout = Redirect.INHERIT, stderr = Redirect.INHERIT;
        private IntConsumer beforeStart = pid -> {};

        public Builder command(String... cmd) { command.clear(); command.addAll(List.of(cmd)); return this; }
        public Builder namespaces(NsType... types) { namespaces.addAll(List.of(types)); return this; }
        public Builder namespaces(Set<NsType> types) { namespaces.addAll(types); return this; }
        public Builder hostname(String h) { hostname = h; return this; }
        public Builder rootfs(Path dir) { rootfs = dir.toAbsolutePath(); return this; }
        public Builder bind(String src, String dst) {
            if (src.contains(":") || dst.contains(":")) throw new IllegalArgumentException("bind paths cannot hold ':' (" + src + ", " + dst + ")");
            binds.add(src + ":" + dst);
            return this;
        }
        /** Mount proc at {@code path}; without any, /proc is mounted when pid and mnt are both new. */
        public Builder proc(String path) { procPaths.add(path); return this; }
        public Builder init(boolean on) { init = on; return this; }
        public Builder env(Map<String, String> e) { env = new LinkedHashMap<>(e); return this; }
        public Builder cwd(Path dir) { cwd = dir; return this; }
        public Builder stdin(Redirect r) { stdin = r; return this; }
        public Builder stdout(Redirect r) { stdout = r; return this; }
        public Builder stderr(Redirect r) { stderr = r; return this; }
        public Builder beforeStart(IntConsumer hook) { beforeStart = hook; return this; }
        public LaunchSpec build() {
            if (command.isEmpty()) throw new IllegalArgumentException("a launch needs a command");
            return new LaunchSpec(this);
        }
    }
}
