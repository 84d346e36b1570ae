// Seed 002 — EX5, Containers: servers on the host, in a container and in a VM, each with a
// socket, a SysV shared memory segment and an info file; a client on the host that reads the
// info files, reaches what it can, and from that tells host, container and VM apart.
import java.nio.file.Path
import labsh.runtime.ex5.ScanReport

lab 'ex5: host, container and VM — what a client can reach tells them apart'

Path info = workdir 'ex5-info'       // the directory every server writes its info file into
Path key = workfile 'ex5-shm-key'    // the path the servers give ftok(3)
Server hostServer, boxServer, vmServer
ScanReport report

step('start a server on the host') {
    say 'A socket on the machine\'s address and a 4096-byte segment from ftok(path, 11).'
    hostServer = server on: host, info: info, name: 'server_1_host', port: 5101, shm: key, projId: 11,
                        shmMessage: 'host_shm', socketMessage: 'host_socket'
    check('its info file has the four lines of the seed') { hostServer.infoLines().size() == 4 }
    check('its segment is in the host IPC namespace (/proc/sysvipc/shm)') { sysvShmKeys().contains(ftokKey(key, 11)) }
}

step('start a server in a container') {
    say 'The seed\'s C server, as PID 2 of a container with its own ipc, mnt, pid and uts namespaces.'
    say 'The container shares the host network; the info directory is bind-mounted into it.'
    boxServer = server on: container(hostname: 'ex5-box'), info: info, name: 'server_2_container', port: 5102,
                       shm: key, projId: 12, shmMessage: 'container_shm', socketMessage: 'container_socket'
    check('its own namespaces are ipc, mnt, pid and uts (from /proc/PID/ns)') {
        boxServer.ownNamespaces()*.procName().sort() == ['ipc', 'mnt', 'pid', 'uts']
    }
    check('its segment is not in the host IPC namespace') { !sysvShmKeys().contains(ftokKey(key, 12)) }
}

step('start a server in a VM') {
    if (vmAvailable()) {
        say 'qemu boots the distribution kernel; its /init runs the same C server, linked statically.'
        vmServer = server on: vm(), info: info, name: 'server_3_vm', port: 5103, projId: 13,
                          shmMessage: 'vm_shm', socketMessage: 'vm_socket', timeout: 60
        check('the VM writes its own address, behind qemu NAT') { vmServer.infoLines()[0] == '10.0.2.15' }
    } else {
        say 'STAND-IN, NOT A VM: qemu or a kernel image is missing (scripts/install-deps installs them).'
        say 'In its place: a container with its own network namespace too, which the host cannot reach.'
        vmServer = server on: container(hostname: 'vm-stand-in', namespaces: ['ipc', 'mnt', 'pid', 'uts', 'net']),
                          info: info, name: 'server_3_vm', port: 5103, shm: key, projId: 13,
                          shmMessage: 'vm_shm', socketMessage: 'vm_socket', timeout: 60
        check('the stand-in has its own network namespace') { vmServer.ownNamespaces()*.procName().contains('net') }
    }
}

step('run the client on the host') {
    say 'The client probes every server at once (one 5 s timeout for all), shm first, then the socket.'
    report = client(info)
    check('Total Servers: 3') { report.total == 3 }
    check('Host: 1') { report.host == 1 }
    check('Container: 1') { report.container == 1 }
    check('VM: 1') { report.vm == 1 }
    check('the messages it could reach, in order') { report.messages == ['host_shm', 'host_socket', 'container_socket'] }
}

step('shut the servers down') {
    [hostServer, boxServer, vmServer].findAll { it != null }.each { it.stop() }
    check('no info file is left') { infoFiles(info).isEmpty() }
    check('no segment of the lab is left on the host') { !sysvShmKeys().contains(ftokKey(key, 11)) }
}
