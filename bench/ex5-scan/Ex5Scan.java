import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import labsh.runtime.ex5.Ex5Client;
import labsh.runtime.ex5.InfoFile;

/**
 * ex5 scan time for N servers that do not answer in time, labsh's concurrent client against the
 * seed's one-server-at-a-time scan, same machine, same run. A "server that does not answer" is a
 * listening socket on 127.0.0.1 whose accept queue is full: the kernel drops further SYNs, so a
 * connect waits for its timeout, as it would for an unreachable host, and no packet leaves the
 * machine. The timeout is 200 ms instead of the seed's 5 s to keep the sequential run short; the
 * ratio does not depend on it.
 */
public class Ex5Scan {
    static final Duration TIMEOUT = Duration.ofMillis(200);

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        System.out.printf("%-8s %-22s %-22s %s%n", "servers", "concurrent (median)", "sequential (median)", "ratio");
        List<String> rows = new ArrayList<>(); // Markdown rows for bench/run-all, after the table
        for (int n : new int[] {1, 10, 100}) {
            List<ServerSocket> busy = new ArrayList<>();
            List<Socket> fillers = new ArrayList<>();
            Path dir = Files.createTempDirectory("ex5-scan");
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                busy.add(s);
                // fill the accept queue (backlog 1 admits 2 here) so further SYNs are dropped
                for (int k = 0; k < 2; k++) fillers.add(new Socket(InetAddress.getLoopbackAddress(), s.getLocalPort()));
                new InfoFile("127.0.0.1", s.getLocalPort(), "/nonexistent", 1).write(dir, String.format("s%03d", i));
            }
            long[] conc = new long[rounds], seq = new long[Math.min(rounds, n >= 100 ? 1 : rounds)];
            Ex5Client client = new Ex5Client(TIMEOUT, TIMEOUT);
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                int found = client.scan(dir).getVm();
                conc[r] = System.nanoTime() - t0;
                if (found != n) throw new IllegalStateException("expected " + n + " unreachable, got " + found);
            }
            for (int r = 0; r < seq.length; r++) {
                long t0 = System.nanoTime();
                for (Path f : Files.list(dir).sorted().toList()) {
                    Path one = Files.createTempDirectory("ex5-one");
                    Files.copy(f, one.resolve(f.getFileName()));
                    client.scan(one);
                    Files.delete(one.resolve(f.getFileName()));
                    Files.delete(one);
                }
                seq[r] = System.nanoTime() - t0;
            }
            double c = median(conc) / 1e6, s = median(seq) / 1e6;
            System.out.printf("%-8d %-22s %-22s %.1fx faster%n", n, String.format("%.1f ms", c), String.format("%.1f ms", s), s / c);
            rows.add(String.format("| ex5 scan of %d unanswering server%s (`bench/ex5-scan/run`) | %.1f ms | the seed's sequential scan %.1f ms | %.1fx faster |",
                    n, n == 1 ? "" : "s", c, s, s / c));
            for (Socket f : fillers) f.close();
            for (ServerSocket b : busy) b.close();
            try (var st = Files.list(dir)) { for (Path p : st.toList()) Files.delete(p); }
            Files.delete(dir);
        }
        rows.forEach(System.out::println);
    }

    static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }
}
