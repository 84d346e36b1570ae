package labsh.runtime.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import labsh.kernel.NsType;
import labsh.kernel.Trace;
import labsh.runtime.NativeStage;

/**
 * iproute2's {@code ip}, the reference tool for links and addresses (rtnetlink), run either on
 * the host or inside the network namespace of a process: there through labsh's native stage in
 * join mode ({@code nsinit -j PID -n net -- ip ...}, what {@code nsenter -t PID -n ip ...} does),
 * so only the network namespace is entered and {@code ip} is the host's binary.
 * ({@link labsh.runtime.HostRoute} uses it for host routes.) Each run is a line of the trace
 * ({@code labsh --trace}): {@code ip[netns of 4242](addr add 10.200.1.1/24 dev eth0) = 0}.
 */
public final class Ip {
    private Ip() {}

    /** {@code ip ARGS} on the host; throws with ip's own message when it fails. */
    public static String host(String... args) {
        List<String> cmd = command(args);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = p.waitFor();
            Trace.record("ip", String.join(" ", args), Integer.toString(status), 0);
            if (status != 0) throw failed(cmd, "the host", out);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run ip (iproute2; scripts/install-deps installs it): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", cmd));
        }
    }

    /** {@code ip ARGS} in the network namespace of {@code pid}. */
    public static String in(int pid, String... args) {
        List<String> cmd = command(args);
        NativeStage.Result r = NativeStage.joinAndRun(pid, EnumSet.of(NsType.NET), cmd);
        Trace.record("ip[netns of " + pid + "]", String.join(" ", args), Integer.toString(r.exitCode()), 0);
        if (r.exitCode() != 0) throw failed(cmd, "the network namespace of pid " + pid, r.output());
        return r.output();
    }

    private static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static IllegalStateException failed(List<String> cmd, String where, String out) {
        return new IllegalStateException(String.join(" ", cmd) + " in " + where + " failed: " + out.strip());
    }
}
