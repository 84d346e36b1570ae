// Seed 001 — the mirror image of seed 000: the client in one container talks files (it writes
// `message` and waits for `output`, woken by inotify), the server in another talks SysV message
// queues (5566 in, 7788 back); the bridge joins the server's IPC namespace and the client's mount
// namespace, as `./bridge /proc/SERVER/ns/ipc /proc/CLIENT/ns/mnt` does in the seed.
//   labsh labs/bridge-reversed.groovy          the whole lab
//   labsh labs/bridge-reversed.groovy talk     the same, then type your own lines (Ctrl-D ends)
import labsh.runtime.bridge.Bridge

lab 'bridge, reversed: a client on files, a server on message queues'

EchoServer server
EchoClient client
Bridge relay
int request = 5566, reply = 7788

step('start the server in a container of its own (message queues)') {
    say 'It receives on key 5566 (mtype 1) and sends the same text back on key 7788 (mtype 2).'
    server = echoServer via: 'queues'
    check('it has its own ipc, mnt, pid and uts namespaces (/proc/PID/ns)') {
        server.ownNamespaces()*.procName().sort() == ['ipc', 'mnt', 'pid', 'uts']
    }
    check('its queues are in its IPC namespace (/proc/sysvipc/msg, read from inside)') { queueKeysIn(server).containsAll([request, reply]) }
    check('the host\'s IPC namespace has neither') { !hostQueueKeys().contains(request) && !hostQueueKeys().contains(reply) }
}

step('start the client in a container of its own (files + inotify)') {
    say 'It writes each line to `message`, waits for IN_CLOSE_WRITE on `output`, reads and deletes it.'
    client = echoClient via: 'files'
    check('its directory is a tmpfs in its mount namespace (/proc/PID/mountinfo)') { mountIn(client, client.dir) == 'tmpfs' }
    check('and nothing is mounted there in the host\'s') { hostMount(client.dir) == null }
    check('the client\'s IPC namespace has no queue of the lab') { !queueKeysIn(client).contains(request) }
}

step('bridge the server\'s IPC namespace and the client\'s mount namespace') {
    relay = bridge ipc: server, mnt: client
    check('the queue thread is in the server\'s IPC namespace (/proc/self/task/TID/ns/ipc)') {
        threadNamespace(relay.ipcThreadId(), 'ipc') == server.namespaces()[NsType.IPC]
    }
    check('the file thread is in the client\'s mount namespace (/proc/self/task/TID/ns/mnt)') {
        threadNamespace(relay.mntThreadId(), 'mnt') == client.namespaces()[NsType.MNT]
    }
}

step('type lines into the client') {
    for (String line in ['This is the first sentence', 'second', '', 'Grüße, 你好, 😀']) {
        check("'${line}' comes back") { client.type(line) == [line] }
    }
    say 'A file has no 256-byte limit: the bridge sends a long line as pieces of at most 255 bytes and joins the replies.'
    String longLine = 'a' + '€' * 100 // 301 bytes
    check('a line of 301 bytes comes back whole, as one output file') { client.type(longLine) == [longLine] }
}

step('the kernel saw who used the server\'s queues') {
    say 'Every msgsnd and msgrcv is recorded by the kernel: lspid and lrpid in /proc/sysvipc/msg, read in the server\'s IPC namespace.'
    check('5566: last sent by labsh (the bridge), last received by the server') { queuePids(server, request) == [labshPid, server.programPid] }
    say 'A receiver woken by a send is recorded by its thread id (ipc/msg.c): the bridge\'s relay thread.'
    check('7788: last sent by the server, last received by the bridge') {
        queuePids(server, reply)[0] == server.programPid && queuePids(server, reply)[1] in [labshPid, relay.relayThreadId()]
    }
    check('the client\'s directory, seen from the host, is empty: its files were in its mount namespace only') { client.filesOnHost().isEmpty() }
}

if (args.contains('talk')) {
    step('talk to the client') { talk client }
}

step('stop the bridge and the containers') {
    say 'Closing the bridge removes its two queues: a peer blocked in msgrcv wakes with EIDRM and says so.'
    relay.close()
    check('the bridge says why it stopped') { relay.stopReason() == 'closed' }
    check('the server, blocked in msgrcv, woke with EIDRM and exited with an error status') { (server.awaitExit(5) ?: 0) != 0 }
    client.stop()
    server.stop()
    check('the client\'s directory is gone from the host') { !java.nio.file.Files.exists(client.dir) }
}
