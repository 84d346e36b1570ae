package labsh.dsl

/** Seed 000's echo server on files, or seed 001's on queues, in a container of its own. */
class EchoServer extends EchoPeer {
}
