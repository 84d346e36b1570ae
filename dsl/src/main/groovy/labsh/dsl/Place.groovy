package labsh.dsl

import labsh.kernel.NsType

/**
 * Where a server runs in the ex5 lab: the host itself, a container (a process from the native
 * stage in its own namespaces) or a VM (qemu). A lab names one with the words {@code host},
 * {@code container(...)} and {@code vm(...)}.
 */
abstract class Place {
    /** host, container or vm: what the client should conclude. */
    abstract String getKind()
}

class HostPlace extends Place {
    String getKind() { 'host' }
    String toString() { 'the host' }
}

/** A container for a server: its own namespaces and a read-only busybox root (labsh.runtime.ex5.Ex5Root). */
class ContainerPlace extends Place {
    /** The namespaces the container gets of its own; the rest (net, by default) it shares with the host. */
    Set<NsType> namespaces = EnumSet.of(NsType.IPC, NsType.MNT, NsType.PID, NsType.UTS)
    String hostname = 'ex5-container'
    String getKind() { 'container' }
    String toString() { "a container (own ${namespaces*.procName().join(', ')} namespaces)" }
}

class VmPlace extends Place {
    /** The path the guest's server gives ftok; it exists only inside the VM. */
    String shmPath = '/tmp/ex5-vm-key'
    String getKind() { 'vm' }
    String toString() { 'a VM (qemu)' }
}
