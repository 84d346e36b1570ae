// Seed 004, problem 6 (bonus), part 2: "Extend functionality to include IPC connections.
// Instantiate a FIFO queue between two processes ... across two containers." A named pipe made in
// a host directory that is bind-mounted into both running containers: one inode, two views; a
// process in c1 writes a line, a process in c2 reads it.

lab 'seed 004, 6.2: a FIFO between two containers'

Container c1, c2
Fifo pipe
FifoReader reader

step('start two containers') {
    say 'Writable roots (an overlay upper layer each), so that /shared can be made in them.'
    c1 = container 'fifo-c1', writable: true
    c2 = container 'fifo-c2', writable: true
    check('two mount namespaces (/proc/PID/ns/mnt)') { c1.namespaces()[labsh.kernel.NsType.MNT] != c2.namespaces()[labsh.kernel.NsType.MNT] }
}

step('make a FIFO on the host and bind it into both containers') {
    say 'mkfifo in a host directory; the directory is bind-mounted at /shared in each container.'
    pipe = fifo 'pipe', between: [c1, c2]
    check('it is a FIFO (S_IFIFO in its mode)') { isFifo(pipe.hostPath) }
    check('c1 and c2 see the host\'s inode at /shared/pipe (stat through /proc/PID/root)') {
        pipe.inodeIn(c1) == inodeOf(pipe.hostPath) && pipe.inodeIn(c2) == inodeOf(pipe.hostPath)
    }
    check('a mount at /shared in each container\'s mountinfo') { [c1, c2].every { c -> c.mountinfo().any { it.mountPoint() == '/shared' } } }
}

step('a process in c2 reads what a process in c1 writes') {
    say 'cat /shared/pipe in c2 blocks in open(2) until a writer opens the FIFO (fifo(7)).'
    reader = pipe.reader(c2)
    pipe.write(c1, 'hello from c1 through the FIFO')
    check('c2 read the line') { reader.text() == 'hello from c1 through the FIFO\n' }
}

step('remove the FIFO') {
    pipe.remove()
    check('no FIFO or directory left on the host') { !java.nio.file.Files.exists(pipe.hostPath.parent) }
    check('no mount at /shared in either container') { [c1, c2].every { c -> !c.mountinfo().any { it.mountPoint() == '/shared' } } }
}

step('stop the containers') {
    [c1, c2].each { it.stop() }
    check('both are gone') { [c1, c2].every { !it.running } }
}
