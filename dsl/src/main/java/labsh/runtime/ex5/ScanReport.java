package labsh.runtime.ex5;

import java.util.ArrayList;
import java.util.List;

/**
 * What the ex5 client found: each server in info-file order with where it runs and the messages
 * it sent, and the info files it could not use. {@link #format()} is the seed's report, byte for
 * byte what the C client prints.
 */
public record ScanReport(List<Found> servers, List<String> problems) {
    public enum Environment { HOST, CONTAINER, VM }

    /** One server: its info file's name, where it runs, and its messages (shm first, then socket). */
    public record Found(String file, Environment environment, String shmMessage, String socketMessage) {
        public List<String> messages() {
            List<String> m = new ArrayList<>(2);
            if (shmMessage != null) m.add(shmMessage);
            if (socketMessage != null) m.add(socketMessage);
            return m;
        }
    }

    public int getTotal() { return servers.size(); }

    public int getHost() { return count(Environment.HOST); }

    public int getContainer() { return count(Environment.CONTAINER); }

    public int getVm() { return count(Environment.VM); }

    private int count(Environment e) {
        return (int) servers.stream().filter(s -> s.environment() == e).count();
    }

    /** All messages in server order, each server's shm message before its socket message. */
    public List<String> getMessages() {
        List<String> all = new ArrayList<>();
        for (Found f : servers) all.addAll(f.messages());
        return all;
    }

    /** The seed's print_server_infos format. */
    public String format() {
        StringBuilder sb = new StringBuilder()
                .append("Total Servers: ").append(getTotal()).append('\n')
                .append("Host: ").append(getHost()).append('\n')
                .append("Container: ").append(getContainer()).append('\n')
                .append("VM: ").append(getVm()).append('\n')
                .append("Messages:");
        for (String m : getMessages()) sb.append(' ').append(m);
        return sb.append('\n').toString();
    }
}
