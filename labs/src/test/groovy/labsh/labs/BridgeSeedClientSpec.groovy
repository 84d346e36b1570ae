package labsh.labs

import java.lang.ProcessBuilder.Redirect
import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import labsh.kernel.NsType
import labsh.kernel.Privilege
import labsh.runtime.LaunchSpec
import labsh.runtime.NativeStage
import labsh.runtime.NsProcess
import labsh.runtime.bridge.Bridge
import labsh.runtime.bridge.BridgeProtocol
import labsh.runtime.bridge.EchoRole
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification

/**
 * A client written the way seed 000's students wrote theirs (fgets into a 256-byte mtext,
 * msgsnd of sizeof mtext on 5566 with mtype 1, msgrcv on 7788 with mtype 2, printf), compiled
 * here with gcc and run in its own container, talks to labsh's echo server through labsh's bridge.
 */
// Containers and setns(2) need CAP_SYS_ADMIN: root; the client is compiled with gcc (scripts/install-deps).
@Requires({ Privilege.isRoot() })
class BridgeSeedClientSpec extends Specification {
    static final String SEED_CLIENT = '''\
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/ipc.h>
        #include <sys/msg.h>

        #define MSGPERM 0600

        struct msg_buf {
            long mtype;
            char mtext[256];
        } msg, msg1;

        int main(void) {
            int msgqid = msgget(5566, MSGPERM | IPC_CREAT);
            int msgqid1 = msgget(7788, MSGPERM | IPC_CREAT);
            if (msgqid < 0 || msgqid1 < 0) { perror("msgget"); return 1; }
            while (fgets(msg.mtext, sizeof(msg.mtext), stdin) != NULL) {
                msg.mtext[strcspn(msg.mtext, "\\n")] = 0;
                msg.mtype = 1;
                if (msgsnd(msgqid, &msg, sizeof(msg.mtext), 0) < 0) { perror("msgsnd"); return 1; }
                if (msgrcv(msgqid1, &msg1, sizeof(msg1.mtext), 2, 0) < 0) { perror("msgrcv"); return 1; }
                printf("%s\\n", msg1.mtext);
                fflush(stdout);
            }
            return 0;
        }
        '''.stripIndent()

    @Shared Path binary

    NsProcess client
    EchoRole server
    Bridge bridge

    def setupSpec() {
        Path dir = Files.createTempDirectory(Path.of('target').toAbsolutePath(), 'seed-client-')
        Files.writeString(dir.resolve('client.c'), SEED_CLIENT)
        binary = dir.resolve('client')
        Process gcc = new ProcessBuilder('gcc', '-O2', '-Wall', '-o', binary.toString(), dir.resolve('client.c').toString())
                .redirectErrorStream(true).start()
        String log = gcc.inputStream.text
        assert gcc.waitFor() == 0: log
    }

    def cleanup() {
        bridge?.close()
        client?.close()
        server?.close()
    }

    def "the seed's client, in its own container, gets its echoes through labsh's bridge"() {
        given: 'the student client in a container of its own (ipc, mnt, pid, uts), labsh\'s server in another'
        client = NativeStage.start(LaunchSpec.command(binary.toString()).namespaces(NsType.IPC, NsType.MNT, NsType.PID, NsType.UTS)
                .hostname('ipc_client').init(true).stdin(Redirect.PIPE).stdout(Redirect.PIPE).stderr(Redirect.INHERIT).build())
        server = EchoRole.start(EchoRole.Kind.FILE_SERVER, BridgeProtocol.seed('/'), 'mnt_server')
        bridge = Bridge.start(BridgeProtocol.seed(server.dir().toString()), client.pid(), server.pid(), Bridge.ClientSide.IPC, null)
        def lines = ['This is the first sentence', 'second', '1111', '222', 'OK?', '', 'Grüße 😀'] + (1..100).collect { "line ${it} " + 'x' * it }

        when: 'the lines are typed, then its input ends'
        client.stdin().withWriter('UTF-8') { w -> lines.each { w.write(it + '\n') } }
        List<String> printed = new String(client.stdout().readAllBytes(), StandardCharsets.UTF_8).readLines()

        then: 'it printed each echo, in order, and exited normally'
        printed == lines
        client.waitFor() == 0
        bridge.relayed() == lines.size()
    }

    def "its fgets splits a 300-byte line at 255 bytes: the bridge relays both parts, nothing lost"() {
        given:
        client = NativeStage.start(LaunchSpec.command(binary.toString()).namespaces(NsType.IPC, NsType.MNT, NsType.PID, NsType.UTS)
                .init(true).stdin(Redirect.PIPE).stdout(Redirect.PIPE).stderr(Redirect.INHERIT).build())
        server = EchoRole.start(EchoRole.Kind.FILE_SERVER, BridgeProtocol.seed('/'), 'mnt_server')
        bridge = Bridge.start(BridgeProtocol.seed(server.dir().toString()), client.pid(), server.pid(), Bridge.ClientSide.IPC, null)
        String line = 'y' * 300

        when:
        client.stdin().withWriter('UTF-8') { w -> w.write(line + '\n') }
        List<String> printed = new String(client.stdout().readAllBytes(), StandardCharsets.UTF_8).readLines()

        then:
        printed == ['y' * 255, 'y' * 45]
    }
}
