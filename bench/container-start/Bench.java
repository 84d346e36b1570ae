import java.lang.ProcessBuilder.Redirect;
import java.time.Duration;
import java.util.Arrays;
import labsh.kernel.NsType;
import labsh.runtime.LaunchSpec;
import labsh.runtime.NsProcess;

/**
 * start→exit of /bin/true in new pid+mnt+uts+ipc+net namespaces with /proc mounted, from one warm JVM:
 * labsh's nsinit through NsProcess, and util-linux unshare(1) started by the same JVM.
 */
public class Bench {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        LaunchSpec spec = LaunchSpec.of("/bin/true")
                .namespaces(NsType.PID, NsType.MNT, NsType.UTS, NsType.IPC, NsType.NET).build();
        ProcessBuilder unshare = new ProcessBuilder("unshare", "--fork", "--pid", "--mount", "--uts", "--ipc", "--net",
                "--mount-proc", "/bin/true").redirectOutput(Redirect.INHERIT).redirectError(Redirect.INHERIT);
        for (int i = 0; i < 10; i++) { nsinit(spec); unshare.start().waitFor(); } // warm up JIT and caches
        double[] a = new double[n], b = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = nsinit(spec);
            long t = System.nanoTime();
            unshare.start().waitFor();
            b[i] = (System.nanoTime() - t) / 1e6;
        }
        double ma = median(a), mb = median(b);
        System.out.printf("runs per tool: %d%n", n);
        System.out.printf("labsh NsProcess (nsinit)          median %.2f ms%n", ma);
        System.out.printf("unshare(1) via ProcessBuilder     median %.2f ms%n", mb);
        System.out.printf("ratio nsinit/unshare (same JVM)   %.2f%n", ma / mb);
    }

    static double nsinit(LaunchSpec spec) throws InterruptedException {
        long t = System.nanoTime();
        try (NsProcess p = NsProcess.start(spec)) {
            p.waitFor(Duration.ofSeconds(10));
        }
        return (System.nanoTime() - t) / 1e6;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
