import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import labsh.kernel.NsType;
import labsh.runtime.CPrograms;
import labsh.runtime.LaunchSpec;
import labsh.runtime.NativeStage;
import labsh.runtime.NsProcess;
import labsh.runtime.bridge.Bridge;
import labsh.runtime.bridge.BridgeProtocol;
import labsh.runtime.bridge.EchoRole;

/**
 * Round trips per second through the seed 000 hand-off: labsh's bridge (its relay thread, in this
 * warm JVM) against labs/c/bridge/bridge.c (one single-threaded process in both namespaces), with
 * the same client (bench-client, in its own container) and the same server (file-server, in its
 * own container, on a tmpfs of its mount namespace). Rounds alternate the two; each measurement
 * uses fresh containers. Prints one line per round:
 * "labsh_rate c_rate labsh_cpu_us c_cpu_us".
 *   java BridgeBench BENCH_CLIENT ROUNDS MESSAGES WARMUP
 */
public class BridgeBench {
    public static void main(String[] args) throws Exception {
        String benchClient = args[0];
        int rounds = Integer.parseInt(args[1]), messages = Integer.parseInt(args[2]), warmup = Integer.parseInt(args[3]);
        Path cBridge = CPrograms.bridge().resolve("bridge");
        measure(benchClient, warmup, null); // JIT warm-up of labsh's side, not counted
        for (int r = 0; r < rounds; r++) {
            double[] labsh = measure(benchClient, messages, null);
            double[] c = measure(benchClient, messages, cBridge);
            System.out.printf("%.1f %.1f %.2f %.2f%n", labsh[0], c[0], labsh[1], c[1]);
        }
    }

    /** utime + stime of a process in clock ticks (fields 14 and 15 of /proc/PID/stat), all its threads. */
    static long cpuTicks(long pid) throws java.io.IOException {
        String stat = java.nio.file.Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
    }

    /**
     * One measurement with fresh containers: round trips per second through labsh's bridge, or the
     * C one when {@code cBridge} is given, and the bridge's CPU time per round trip in µs (the
     * whole JVM for labsh: its JIT and GC threads count too).
     */
    static double[] measure(String benchClient, int messages, Path cBridge) throws Exception {
        BridgeProtocol seed = BridgeProtocol.seed("/");
        try (EchoRole server = EchoRole.start(EchoRole.Kind.FILE_SERVER, seed, "bench-server");
             NsProcess client = NativeStage.start(LaunchSpec.command(benchClient)
                     .namespaces(NsType.IPC, NsType.MNT, NsType.PID, NsType.UTS).init(true)
                     .stdin(Redirect.PIPE).stdout(Redirect.PIPE).stderr(Redirect.INHERIT).build())) {
            BridgeProtocol protocol = BridgeProtocol.seed(server.dir().toString());
            Bridge labsh = null;
            Process c = null;
            try {
                if (cBridge == null) {
                    labsh = Bridge.start(protocol, client.pid(), server.pid(), Bridge.ClientSide.IPC, System.err::println);
                } else {
                    c = new ProcessBuilder(cBridge.toString(), Integer.toString(client.pid()), Integer.toString(server.pid()), protocol.dir())
                            .redirectOutput(Redirect.INHERIT).redirectError(Redirect.INHERIT).start();
                }
                long bridgePid = c == null ? ProcessHandle.current().pid() : c.pid();
                long cpu0 = cpuTicks(bridgePid);
                OutputStream in = client.stdin();
                in.write((messages + "\n").getBytes(StandardCharsets.US_ASCII));
                in.flush();
                String line = new BufferedReader(new InputStreamReader(client.stdout(), StandardCharsets.US_ASCII)).readLine();
                if (line == null) throw new IllegalStateException("bench-client ended without a result");
                long cpu = cpuTicks(bridgePid) - cpu0;
                String[] f = line.split(" ");
                long n = Long.parseLong(f[0]);
                return new double[] {n / (Long.parseLong(f[1]) / 1e9), cpu * 1e6 / 100 / n}; // USER_HZ is 100
            } finally {
                if (labsh != null) labsh.close();
                if (c != null) {
                    c.destroyForcibly();
                    c.waitFor();
                }
            }
        }
    }
}
