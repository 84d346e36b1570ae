package labsh.runtime.net;

/**
 * An IPv4 interface address with its prefix, "10.200.1.1/24", as {@code ip addr add} takes it.
 * {@link #parse} refuses what would make a link that cannot work, in one sentence each.
 */
public record Cidr(int address, int prefix) {
    /** Parses and checks "a.b.c.d/len": four octets 0-255, a prefix 8-30, not the subnet's network or broadcast address. */
    public static Cidr parse(String text) {
        String t = text == null ? "" : text.trim();
        int slash = t.indexOf('/');
        if (slash < 0) throw bad(text, "it needs a prefix length, like 10.0.0.1/24");
        String[] octets = t.substring(0, slash).split("\\.", -1);
        if (octets.length != 4) throw bad(text, "an IPv4 address has four numbers separated by dots");
        int a = 0;
        for (String o : octets) {
            if (!o.matches("\\d{1,3}") || Integer.parseInt(o) > 255) throw bad(text, "'" + o + "' is not a number from 0 to 255");
            a = (a << 8) | Integer.parseInt(o);
        }
        String len = t.substring(slash + 1);
        if (!len.matches("\\d{1,2}")) throw bad(text, "the prefix length '" + len + "' is not a number");
        int p = Integer.parseInt(len);
        if (p < 8 || p > 30) throw bad(text, "use a prefix length from 8 to 30 (a link needs a subnet with room for two hosts)");
        Cidr c = new Cidr(a, p);
        if (c.address() == c.network()) throw bad(text, "it is the subnet's network address");
        if (c.address() == c.broadcast()) throw bad(text, "it is the subnet's broadcast address");
        return c;
    }

    /** Host number {@code host} of the /24 10.200.{@code subnet}.0: labsh's automatic address plan. */
    public static Cidr auto(int subnet, int host) {
        if (subnet < 1 || subnet > 254) throw new IllegalArgumentException("labsh's address plan has 254 subnets (10.200.1.0/24 to 10.200.254.0/24)");
        return new Cidr((10 << 24) | (200 << 16) | (subnet << 8) | host, 24);
    }

    public int mask() { return prefix == 0 ? 0 : -1 << (32 - prefix); }

    public int network() { return address & mask(); }

    public int broadcast() { return network() | ~mask(); }

    public boolean sameSubnet(Cidr other) { return prefix == other.prefix && network() == other.network(); }

    /** The address alone, "10.200.1.1". */
    public String ip() {
        return ((address >>> 24) & 255) + "." + ((address >>> 16) & 255) + "." + ((address >>> 8) & 255) + "." + (address & 255);
    }

    @Override
    public String toString() { return ip() + "/" + prefix; }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("'" + text + "' is not a usable address: " + why);
    }
}
