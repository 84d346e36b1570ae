// Seed 000 — Assignment 2, Container Practice: a client in one container talks SysV message
// queues (key 5566, mtype 1 out; key 7788, mtype 2 back), a server in another talks files
// (`message` in, `output` back, woken by inotify); a bridge joins the client's IPC namespace and
// the server's mount namespace and relays between them.
//   labsh labs/bridge.groovy          the whole lab
//   labsh labs/bridge.groovy talk     the same, then type your own lines (Ctrl-D ends)
import labsh.runtime.bridge.Bridge

lab 'bridge: a client on message queues, a server on files, a bridge between their namespaces'

EchoServer server
EchoClient client
Bridge relay
int request = 5566, reply = 7788   // the seed's keys

step('start the server in a container of its own (files + inotify)') {
    say 'The seed\'s server: woken by IN_CLOSE_WRITE on `message`, it reads and deletes it, and writes `output`.'
    say 'Its directory is a tmpfs mounted in its mount namespace only: the host sees an empty directory.'
    server = echoServer via: 'files'
    check('it has its own ipc, mnt, pid and uts namespaces (/proc/PID/ns)') {
        server.ownNamespaces()*.procName().sort() == ['ipc', 'mnt', 'pid', 'uts']
    }
    check('its directory is a tmpfs in its mount namespace (/proc/PID/mountinfo)') { mountIn(server, server.dir) == 'tmpfs' }
    check('and nothing is mounted there in the host\'s (/proc/self/mountinfo)') { hostMount(server.dir) == null }
}

step('start the client in a container of its own (message queues)') {
    say 'The seed\'s client: each line goes out on key 5566 with mtype 1; the echo comes back on 7788 with mtype 2.'
    client = echoClient via: 'queues'
    check('its queues 5566 and 7788 are in its IPC namespace (/proc/sysvipc/msg, read from inside)') {
        queueKeysIn(client).containsAll([request, reply])
    }
    check('the host\'s IPC namespace has neither') { !hostQueueKeys().contains(request) && !hostQueueKeys().contains(reply) }
    check('nor has the server\'s') { !queueKeysIn(server).contains(request) }
}

step('bridge the client\'s IPC namespace and the server\'s mount namespace') {
    say 'Threads of labsh: one setns(2)s into the client\'s IPC namespace, one into the server\'s mount namespace,'
    say 'and the relay thread into both (setns moves only the calling thread), as the C bridge, one process, does.'
    relay = bridge ipc: client, mnt: server
    check('the queue thread is in the client\'s IPC namespace (/proc/self/task/TID/ns/ipc)') {
        threadNamespace(relay.ipcThreadId(), 'ipc') == client.namespaces()[NsType.IPC]
    }
    check('the file thread is in the server\'s mount namespace (/proc/self/task/TID/ns/mnt)') {
        threadNamespace(relay.mntThreadId(), 'mnt') == server.namespaces()[NsType.MNT]
    }
    check('the relay thread is in both') {
        threadNamespace(relay.relayThreadId(), 'ipc') == client.namespaces()[NsType.IPC] &&
                threadNamespace(relay.relayThreadId(), 'mnt') == server.namespaces()[NsType.MNT]
    }
}

step('type lines into the client') {
    for (String line in ['This is the first sentence', 'second', '1111', '222', 'OK?']) {
        check("'${line}' comes back") { client.type(line) == [line] }
    }
    check('an empty line comes back empty') { client.type('') == [''] }
    check('UTF-8 comes back as it was') { client.type('Grüße, 你好, 😀') == ['Grüße, 你好, 😀'] }
    say 'A line of more than 255 bytes does not fit one mtext: it goes as pieces of at most 255 bytes, cut between characters.'
    String longLine = 'a' + '€' * 100 // 301 bytes
    check('a line of 301 bytes comes back as two pieces, nothing lost') { client.type(longLine).join('') == longLine }
    check('the bridge relayed 9 messages') { relay.relayed() == 9 }
    say 'The kernel records the last sender and receiver of each queue (lspid, lrpid in /proc/sysvipc/msg);'
    say 'a receiver woken by a send is recorded by its thread id (ipc/msg.c): the bridge\'s relay thread.'
    check('5566: last sent by the client, last received by the bridge') {
        queuePids(client, request)[0] == client.programPid && queuePids(client, request)[1] in [labshPid, relay.relayThreadId()]
    }
    check('7788: last sent by labsh, last received by the client') { queuePids(client, reply) == [labshPid, client.programPid] }
}

step('catch a message in flight: a file in the server\'s mount namespace only') {
    say 'The server is stopped (SIGSTOP), so the bridge\'s `message` waits in its directory.'
    server.freeze()
    client.send('in flight')
    waitForFile(server, 'message')
    check('the server\'s mount namespace has it (/proc/PID/root/DIR/message)') { fileInside(server, 'message') == 'in flight' }
    check('the host\'s directory is empty') { server.filesOnHost().isEmpty() }
    server.thaw()
    check('once the server goes on, the echo arrives') { client.awaitEcho() == 'in flight' }
}

if (args.contains('talk')) {
    step('talk to the client') { talk client }
}

step('stop the bridge and the containers') {
    say 'Closing the bridge removes its two queues (msgctl IPC_RMID) in the client\'s IPC namespace; the client waits on its terminal, not in msgrcv.'
    relay.close()
    check('the bridge says why it stopped') { relay.stopReason() == 'closed' }
    check('neither queue is left in the client\'s IPC namespace (/proc/sysvipc/msg there)') {
        !queueKeysIn(client).contains(request) && !queueKeysIn(client).contains(reply)
    }
    client.stop()
    server.stop()
    check('the server\'s directory is gone from the host') { !java.nio.file.Files.exists(server.dir) }
}
