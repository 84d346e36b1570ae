package labsh.labs

import java.nio.file.Files
import java.nio.file.Path
import labsh.dsl.LabOptions
import labsh.dsl.LabResult
import labsh.dsl.LabRunner
import labsh.kernel.MountInfo
import labsh.kernel.Privilege
import labsh.runtime.CPrograms
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification

/**
 * Seed 000 as the students ran it: the server in a container started by runc (a busybox rootfs,
 * `runc spec`, `runc run -d`), named to the bridge by its id. The container is killed and deleted
 * afterwards, whatever happened.
 */
// runc needs root; runc and python3 (to edit config.json, as bench/container-start does) come from scripts/install-deps.
@Requires({ Privilege.isRoot() && ['runc', '--version'].execute().waitFor() == 0 && ['python3', '--version'].execute().waitFor() == 0 })
class BridgeRuncSpec extends Specification {
    static final String LAB = '''\
        import labsh.runtime.bridge.Bridge
        lab 'bridge to a runc container'
        EchoClient client
        Bridge relay
        step('bridge a labsh client and a runc server') {
            client = echoClient via: 'queues'
            relay = bridge ipc: client, mnt: runc(args[0])
            check('the file side works in the runc server\\'s working directory') { relay.protocol().dir() == '/srv' }
            check('a line comes back') { client.type('hello from labsh') == ['hello from labsh'] }
            check('and another') { client.type('Grüße 😀') == ['Grüße 😀'] }
            relay.close()
            client.stop()
        }
        step('an unknown runc container is one clear line') {
            runc('labsh-no-such-container')
        }
        '''.stripIndent()

    @Shared String id = "labsh-bridge-${ProcessHandle.current().pid()}"
    @Shared Path bundle

    def setupSpec() {
        bundle = Files.createTempDirectory(Path.of('target').toAbsolutePath(), 'runc-bundle-')
        Path rootfs = bundle.resolve('rootfs')
        ['bin', 'proc', 'dev', 'sys', 'srv'].each { Files.createDirectories(rootfs.resolve(it)) }
        Files.copy(Path.of('/bin/busybox'), rootfs.resolve('bin/busybox'))
        Files.copy(CPrograms.bridge().resolve('file-server'), rootfs.resolve('file-server')) // linked statically
        assert ['runc', 'spec', '--bundle', bundle.toString()].execute().waitFor() == 0
        // the seed's server in /srv, a tmpfs in the container's mount namespace only (as labsh's own roles have)
        Process edit = new ProcessBuilder('python3', '-c', '''
import json, sys
c = json.load(open(sys.argv[1]))
c['process'].update(args=['/file-server', '/srv'], cwd='/srv', terminal=False)
c['mounts'].append({'destination': '/srv', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['nosuid', 'nodev', 'mode=755']})
json.dump(c, open(sys.argv[1], 'w'), indent=1)
''', bundle.resolve('config.json').toString()).inheritIO().start()
        assert edit.waitFor() == 0
        Process run = new ProcessBuilder('runc', 'run', '-d', '--bundle', bundle.toString(), '--pid-file', bundle.resolve('pid').toString(), id)
                .redirectInput(ProcessBuilder.Redirect.from(new File('/dev/null')))
                .redirectOutput(bundle.resolve('out.log').toFile()).redirectError(bundle.resolve('err.log').toFile()).start()
        assert run.waitFor() == 0: Files.readString(bundle.resolve('err.log'))
    }

    def cleanupSpec() {
        // always, even after a failure: the container must not outlive the test
        ['runc', 'kill', id, 'KILL'].execute().waitFor()
        ['runc', 'delete', '-f', id].execute().waitFor()
    }

    def "a labsh client talks to the seed's server in a runc container, named by its id"() {
        when:
        LabResult result = LabRunner.run(writeLab(), new LabOptions(out: System.out, err: System.err, args: [id]))
        int runcPid = Files.readString(bundle.resolve('pid')).trim() as int

        then:
        result.step('bridge a labsh client and a runc server').status.name() == 'PASS'
        result.output.contains("server on files (pid ${runcPid})")

        and: "the runc server's /srv is a tmpfs in its mount namespace, not on the host"
        MountInfo.at(MountInfo.of(runcPid), '/srv')?.fsType() == 'tmpfs'
        MountInfo.ofThisThread().every { !it.mountPoint().startsWith(bundle.toString() + '/rootfs/srv') || it.fsType() != 'tmpfs' }

        and: 'an unknown id stops the lab with one line'
        result.error.message == "runc: no container 'labsh-no-such-container': container does not exist"
        !result.error.message.contains('\n')
    }

    private Path writeLab() {
        Path script = bundle.resolve('runc-bridge.groovy')
        Files.writeString(script, LAB)
        script
    }
}
