package labsh.dsl

import labsh.runtime.net.Cidr
import labsh.runtime.net.Veth

/**
 * A link between two containers (seed 004, problem 6.1): a veth pair with one end in each
 * container's network namespace, each end with its address. Made by {@code link c1, c2}
 * ({@link NetWords}); {@link #remove} deletes the pair.
 */
class Link {
    final String name
    final Container a, b
    final Veth veth

    Link(String name, Container a, Container b, Veth veth) {
        this.name = name
        this.a = a
        this.b = b
        this.veth = veth
    }

    /** The interface in {@code c} ("eth0"). */
    String interfaceIn(Container c) { endIn(c).name() }

    /** The address of {@code c}'s end ("10.200.1.1/24"). */
    Cidr addressOf(Container c) { endIn(c).address() }

    /** Both ends' addresses, a's first. */
    List<String> getAddresses() { [veth.a().address().toString(), veth.b().address().toString()] }

    private Veth.End endIn(Container c) {
        if (c.is(a)) return veth.a()
        if (c.is(b)) return veth.b()
        throw new LabException("link ${name} does not reach container ${c.name}")
    }

    /** Deletes the pair: both ends go (deleting one end of a veth deletes the other, veth(4)). */
    void remove() { veth.close() }

    String toString() { "link ${name}: ${a.name} ${veth.a().name()} ${veth.a().address()} <-> ${b.name} ${veth.b().name()} ${veth.b().address()}" }
}
