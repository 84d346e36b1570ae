package labsh.runtime.bridge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container started by runc, named by its id: its host pid is what {@code runc state ID}
 * prints (the JSON's "pid" of a "running" container), as the seed's students read it from
 * {@code --pid-file}.
 */
public record RuncContainer(String id, int pid) {
    private static final Pattern PID = Pattern.compile("\"pid\"\\s*:\\s*(\\d+)");
    private static final Pattern MSG = Pattern.compile("msg=\"([^\"]*)\"");
    private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([a-z]+)\"");

    /** Runs {@code runc state ID}; a missing runc, an unknown id or a stopped container is one clear line. */
    public static RuncContainer named(String id) {
        if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9_.+-]*")) {
            throw new IllegalArgumentException("runc: '" + id + "' is not a container id (letters, digits, '_', '.', '+', '-')");
        }
        String out;
        int status;
        try {
            Process p = new ProcessBuilder("runc", "state", id).redirectErrorStream(true).start();
            p.getOutputStream().close();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            status = p.waitFor();
        } catch (IOException e) {
            throw new IllegalStateException("runc: cannot run `runc state " + id + "` (is runc installed? scripts/install-deps): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("runc: interrupted while asking for " + id);
        }
        if (status != 0) {
            String last = out.strip().isEmpty() ? "exit status " + status : out.strip().lines().reduce((a, b) -> b).orElse("");
            Matcher msg = MSG.matcher(last); // runc logs as time="..." level=error msg="container does not exist"
            if (msg.find()) last = msg.group(1);
            throw new IllegalArgumentException("runc: no container '" + id + "': " + last);
        }
        Matcher s = STATUS.matcher(out);
        if (s.find() && !s.group(1).equals("running")) {
            throw new IllegalArgumentException("runc: container '" + id + "' is " + s.group(1) + ", not running");
        }
        Matcher m = PID.matcher(out);
        if (!m.find() || Integer.parseInt(m.group(1)) <= 0) throw new IllegalArgumentException("runc: `runc state " + id + "` names no pid");
        return new RuncContainer(id, Integer.parseInt(m.group(1)));
    }

    @Override
    public String toString() { return "runc container " + id + " (pid " + pid + ")"; }
}
