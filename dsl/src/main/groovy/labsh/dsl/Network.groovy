package labsh.dsl

import labsh.runtime.net.Bridge
import labsh.runtime.net.Cidr
import labsh.runtime.net.Veth

/**
 * A network of more than two containers (seed 004, problem 6.1): a Linux bridge in a network
 * namespace of its own, and a veth pair from each member to a port of the bridge. Made by
 * {@code network 'lan', c1, c2, c3} ({@link NetWords}).
 */
class Network {
    final String name
    final Bridge bridge
    final Map<Container, Veth> members = new LinkedHashMap<>()

    Network(String name, Bridge bridge) {
        this.name = name
        this.bridge = bridge
    }

    /** The address of {@code c} on this network. */
    Cidr addressOf(Container c) {
        Veth v = members[c]
        if (v == null) throw new LabException("container ${c.name} is not on network ${name}")
        v.a().address()
    }

    /** The bridge's ports as the kernel lists them ({@code ip link show master BRIDGE} in its namespace). */
    List<String> ports() { bridge.kernelPorts() }

    /** Deletes the member pairs, the bridge and the namespace that held it. */
    void remove() { bridge.close() }

    String toString() { "network ${name}: bridge ${bridge.name()} in the namespace of pid ${bridge.namespace().pid()}, " + members.collect { c, v -> "${c.name} ${v.a().address()}" }.join(', ') }
}
