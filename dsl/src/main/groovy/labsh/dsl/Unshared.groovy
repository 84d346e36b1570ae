package labsh.dsl

import labsh.kernel.MountInfo
import labsh.kernel.Namespaces
import labsh.kernel.NsType
import labsh.runtime.LaunchSpec
import labsh.runtime.NativeStage
import labsh.runtime.NsProcess
import labsh.runtime.container.Enter
import labsh.runtime.container.LsnsTable

/**
 * A process in new namespaces and nothing more, as {@code unshare -p -f -m sleep 3600} would make
 * it (seed 004, problems 1A and 4): no root image, so the host's programs (lsns, findmnt) run in it.
 * Its PID 1 is nsinit's init, whose child sleeps; made by the word {@code unshare(...)}.
 */
class Unshared implements Node {
    /** The shell lists it by what it is: there is one such process per unshare word. */
    String getName() { "unshared-${pid}" }

    /** The new namespace types. */
    final Set<NsType> types
    /** Where its proc is mounted (null when none is: no pid or no mnt namespace of its own). */
    final String procAt
    final NsProcess process

    Unshared(Set<NsType> types, String procAt, NsProcess process) {
        this.types = types
        this.procAt = procAt
        this.process = process
    }

    /** Its PID 1 (the init) as the host sees it. */
    int getPid() { process.pid() }

    /** Runs {@code command} with /bin/sh -c inside (join mode), with labsh's environment. */
    NativeStage.Result run(String command) { Enter.shell(pid, types, null, null, false, command) }

    LaunchSpec.Builder entry(List<String> command) { Enter.into(pid, types, null, null, false, command) }

    /** Like {@link #run}; a non-zero status is an error. Returns the output without its last newline. */
    String exec(String command) {
        NativeStage.Result r = run(command)
        String out = r.output().endsWith('\n') ? r.output()[0..-2] : r.output()
        if (r.exitCode() != 0) throw new LabException("'${command}' exited with status ${r.exitCode()}" + (out ? ': ' + out.readLines().last() : ''))
        out
    }

    /** util-linux lsns run inside, parsed: what lsns sees through the /proc of this mount namespace. */
    LsnsTable lsns() {
        // lsns walks /proc while other processes come and go; on this loaded machine one reading of
        // it (the lab spec's, through nsenter) once came back empty: ask again rather than compare nothing
        LsnsTable t = LsnsTable.parse(exec(LsnsTable.COMMAND.join(' ')))
        t.rows().isEmpty() ? LsnsTable.parse(exec(LsnsTable.COMMAND.join(' '))) : t
    }

    /** The kernel's view of its mounts (/proc/PID/mountinfo of its init). */
    List<MountInfo> mountinfo() { MountInfo.of(pid) }

    /** The kernel's view of its namespaces (/proc/PID/ns/*). */
    Map<NsType, Long> namespaces() { Namespaces.of(pid) }

    /** The types in which it differs from labsh itself (which runs on the host). */
    Set<NsType> ownNamespaces() { Namespaces.notSharedWithUs(pid) }

    /** Kills its init (and so the whole pid namespace) and reaps it. */
    void stop() {
        if (process.alive) ContainerEvents.fire('stopping', this)
        process.close()
    }

    String toString() { "pid ${pid} in new ${types*.procName().join(', ')} namespaces" + (procAt ? ", proc at ${procAt}" : '') }
}
