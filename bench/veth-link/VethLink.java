import java.util.Arrays;

import labsh.kernel.NsType;
import labsh.runtime.LaunchSpec;
import labsh.runtime.NativeStage;
import labsh.runtime.NsProcess;
import labsh.runtime.net.Cidr;
import labsh.runtime.net.NetNs;
import labsh.runtime.net.Veth;

/**
 * One link as the labs make it: Veth.create (a veth pair straight into two network namespaces,
 * an address and "up" on each end, lo up) and its removal, inside one warm JVM, between two
 * processes that hold a network namespace each (their pids are printed first, for the reference).
 * Prints "median_ms p10_ms p90_ms" on the last line.
 */
public class VethLink {
    public static void main(String[] args) throws Exception {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        LaunchSpec holder = LaunchSpec.command("sleep", "600").namespaces(NsType.NET).build();
        try (NsProcess a = NativeStage.start(holder); NsProcess b = NativeStage.start(holder)) {
            NetNs na = NetNs.of(a.pid()), nb = NetNs.of(b.pid());
            for (int i = 0; i < warmup; i++) once(na, nb);
            double[] ms = new double[runs];
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                once(na, nb);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(ms);
            System.out.printf("%.3f %.3f %.3f%n", ms[runs / 2], ms[runs / 10], ms[runs * 9 / 10]);
        }
    }

    private static void once(NetNs a, NetNs b) {
        try (Veth v = Veth.create("bench", new Veth.End(a, "eth0", Cidr.parse("10.200.1.1/24")),
                new Veth.End(b, "eth0", Cidr.parse("10.200.1.2/24")))) {
            if (!a.interfaces().contains("eth0")) throw new IllegalStateException("no eth0 in " + a);
        }
    }
}
