package labsh.runtime

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import labsh.kernel.Privilege
import spock.lang.Requires
import spock.lang.Specification
import spock.lang.TempDir

// qemu and a kernel image come from scripts/install-deps; root for the ledger under /run/labsh.
@Requires({ Privilege.isRoot() })
class VirtualMachineSpec extends Specification {
    @TempDir Path share

    def "a booted VM runs the seed's server, which writes its info file with the guest's own address"() {
        given:
        def image = VmImage.prepare()

        when:
        def vm = VirtualMachine.start(image, share, [name: 'server_vm', port: '5300', shmpath: '/tmp/ex5-vm-key',
                                                     projid: '7', shmmsg: 'vm_shm', sockmsg: 'vm_sock', timeout: '2'])
        vm.waitForFile(share.resolve('server_vm'), Duration.ofSeconds(90))
        def lines = Files.readAllLines(share.resolve('server_vm'))

        then: 'the four lines of the seed: the guest address behind qemu NAT, port, path, project id'
        lines == ['10.0.2.15', '5300', '/tmp/ex5-vm-key', '7']

        when: 'no client connects: the server times out, removes its file and the guest powers off'
        vm.stop(Duration.ofSeconds(30))

        then:
        !vm.running
        !Files.exists(share.resolve('server_vm'))
        vm.console().contains('labsh-vm: server exited with status 0')
        !ProcessHandle.of(vm.pid()).isPresent()

        cleanup:
        vm?.close()
    }

    def "the initramfs carries the modules for virtio-net and 9p, dependencies first"() {
        given:
        def kernel = VmImage.newestKernel()
        def modules = Path.of('/lib/modules', kernel.fileName.toString() - 'vmlinuz-')

        when:
        def names = VmImage.moduleFiles(modules)*.fileName*.toString()

        then:
        names.containsAll(['virtio_net.ko', '9pnet_virtio.ko', '9p.ko'])
        names.indexOf('9pnet.ko') < names.indexOf('9pnet_virtio.ko')
        names.indexOf('virtio.ko') < names.indexOf('virtio_net.ko')
    }
}
