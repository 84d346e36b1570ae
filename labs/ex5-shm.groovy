// Seed 002, part 1, question 3: can containers communicate via shared memory? Not across IPC
// namespaces — and yes once the reader shares the writer's IPC namespace and sees the same file.
import java.nio.file.Path
import labsh.runtime.ex5.ScanReport

lab 'ex5, question 3: shared memory across containers'

Path info = workdir 'ex5-shm-info'
Path key = workfile 'ex5-shm-key'   // ftok's path: the container's root holds the same inode (a hard link)
Server first, second
ScanReport report

step('a server in a container, a client on the host') {
    first = server on: container(hostname: 'writer'), info: info, name: 'writer_1', port: 5201, shm: key,
                   projId: 21, shmMessage: 'from_the_segment', socketMessage: 'from_the_socket'
    report = client(info)
    check('the segment is not found: it lives in the container\'s IPC namespace') { report.container == 1 }
    check('only the socket message arrived') { report.messages == ['from_the_socket'] }
}

step('the same, but the client shares the container\'s IPC namespace') {
    second = server on: container(hostname: 'writer'), info: info, name: 'writer_1', port: 5202, shm: key,
                    projId: 22, shmMessage: 'from_the_segment', socketMessage: 'from_the_socket'
    report = client(info, ipcOf: second)
    check('now shmget finds the segment: same IPC namespace, same file for ftok') { report.host == 1 }
    check('both messages arrived, the segment\'s first') { report.messages == ['from_the_segment', 'from_the_socket'] }
}

step('clean up') {
    [first, second].findAll { it != null }.each { it.stop() }
    check('no info file is left') { infoFiles(info).isEmpty() }
}
