package labsh.runtime.container;

import java.lang.ProcessBuilder.Redirect;
import java.util.List;
import java.util.Map;
import java.util.Set;

import labsh.kernel.Cgroup;
import labsh.kernel.NsType;
import labsh.runtime.LaunchSpec;
import labsh.runtime.NativeStage;

/**
 * Running something inside a running container or namespaced process, like nsenter(1): nsinit's
 * join mode setns(2)s into the namespaces of its PID 1 and forks, so the command is a process of
 * that pid namespace with the container's root (setns(CLONE_NEWNS) moves root and cwd to the
 * namespace's root, setns(2)); with a cgroup it is moved in before it runs (beforeStart).
 */
public final class Enter {
    private Enter() {}

    /**
     * {@code /bin/sh -c command} inside; waits and returns its status and output. {@code env} null
     * keeps labsh's environment (a process without its own root uses the host's programs).
     */
    public static NativeStage.Result shell(int pid, Set<NsType> types, Map<String, String> env, Cgroup cgroup, boolean confined,
                                           String command) {
        LaunchSpec.Builder spec = into(pid, types, env, cgroup, confined, List.of("/bin/sh", "-c", command))
                .stdout(Redirect.PIPE).mergeStderr();
        return NativeStage.run(spec.build());
    }

    /** An interactive {@code sh -i} inside, on labsh's own terminal, with {@code prompt} as PS1. */
    public static LaunchSpec interactive(int pid, Set<NsType> types, Map<String, String> env, Cgroup cgroup, boolean confined,
                                         String prompt) {
        LaunchSpec.Builder spec = into(pid, types, env, cgroup, confined, List.of("/bin/sh", "-i"))
                .stdin(Redirect.INHERIT).stdout(Redirect.INHERIT).stderr(Redirect.INHERIT);
        if (prompt != null) spec.env("PS1", prompt);
        return spec.build();
    }

    /**
     * {@code command} inside, with no more than the target's own processes have: its namespaces,
     * and (when given) its environment, its cgroup and the confined capability set. The caller adds
     * where the output goes and starts it.
     */
    public static LaunchSpec.Builder into(int pid, Set<NsType> types, Map<String, String> env, Cgroup cgroup, boolean confined,
                                          List<String> command) {
        LaunchSpec.Builder spec = LaunchSpec.command(command.toArray(new String[0]));
        // a command entered into a confined container gets no more than the container's own init:
        // otherwise `exec` would hand the host's capabilities (mknod + mount of the host's disk) inside
        spec.join(pid).namespaces(types).workDir("/").confined(confined);
        if (env != null) {
            spec.clearEnv();
            env.forEach(spec::env);
        }
        if (cgroup != null) spec.beforeStart(cgroup::add);
        return spec;
    }
}
