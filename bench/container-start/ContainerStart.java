import java.util.Arrays;

import labsh.kernel.NsType;
import labsh.runtime.LaunchSpec;
import labsh.runtime.NativeStage;
import labsh.runtime.NsProcess;

/**
 * Container start->exit of /bin/true in new pid+mnt+uts+ipc+net namespaces with /proc mounted,
 * through labsh's native stage, inside one warm JVM (the same call the labs make), confined as
 * every container is (nsinit -C: masked /proc, capabilities dropped, Docker's seccomp profile).
 * Prints "median_ms p10_ms p90_ms" on the last line. A third argument "unconfined" measures the
 * same start without nsinit -C, to see what the confinement costs.
 */
public class ContainerStart {
    public static void main(String[] args) throws Exception {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        LaunchSpec spec = LaunchSpec.command("/bin/true")
                .namespaces(NsType.PID, NsType.MNT, NsType.UTS, NsType.IPC, NsType.NET)
                .confined(!(args.length > 2 && args[2].equals("unconfined")))
                .build();
        for (int i = 0; i < warmup; i++) once(spec);
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            once(spec);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf("%.3f %.3f %.3f%n", ms[runs / 2], ms[runs / 10], ms[runs * 9 / 10]);
    }

    private static void once(LaunchSpec spec) throws InterruptedException {
        try (NsProcess p = NativeStage.start(spec)) {
            int code = p.waitFor();
            if (code != 0) throw new IllegalStateException("/bin/true exited with " + code);
        }
    }
}
