package labsh.kernel

import java.nio.file.Files
import java.nio.file.Path
import labsh.runtime.Ledger
import spock.lang.Requires
import spock.lang.Specification
import spock.lang.TempDir

// The ledger lives under /run/labsh, root's.
@Requires({ Privilege.isRoot() })
class SharedMemorySpec extends Specification {
    @TempDir Path dir

    def "a segment made here is what /proc/sysvipc/shm and ipcs list, and gone after remove"() {
        given:
        Path f = Files.createFile(dir.resolve('key'))
        int key = SharedMemory.ftok(f.toString(), 5)

        when:
        int id = SharedMemory.get(key, 4096, SharedMemory.IPC_CREAT | 0600)
        def row = SysvIpcTable.sharedMemory().find { it.id() == id }

        then: 'the kernel lists it with our key and size'
        row.key() == key
        row.columns().size == '4096'
        new ProcessBuilder('ipcs', '-m', '-i', "$id").start().inputStream.text.contains("shmid=$id")

        and: 'the ledger recorded it before it existed'
        Ledger.current().openEntries().any { it.kind() == 'shm' && it.fields().id == "$id" }

        when: 'attached: the message is NUL-terminated at offset 0, as C reads it'
        def seg = SharedMemory.attach(id, 4096, false)
        seg.writeString('héllo')
        def reread = SharedMemory.attach(id, 4096, true)

        then:
        reread.readString() == 'héllo'
        SysvIpcTable.sharedMemory().find { it.id() == id }.columns().nattch == '2'

        when:
        seg.close()
        reread.close()
        SharedMemory.remove(id)

        then:
        SysvIpcTable.sharedMemory().every { it.id() != id }
        Ledger.current().openEntries().every { !(it.kind() == 'shm' && it.fields().id == "$id") }
    }

    def "find never creates: an absent key is -1, and the kernel lists nothing new"() {
        given:
        def before = SysvIpcTable.sharedMemory()*.id

        expect:
        SharedMemory.find(0x7ab5c0de) == -1
        SysvIpcTable.sharedMemory()*.id == before
    }

    def "a message that does not fit is refused, not cut"() {
        given:
        Path f = Files.createFile(dir.resolve('k2'))
        int id = SharedMemory.get(SharedMemory.ftok(f.toString(), 6), 8, SharedMemory.IPC_CREAT | 0600)
        def seg = SharedMemory.attach(id, 8, false)

        when:
        seg.writeString('12345678')

        then:
        def e = thrown(IllegalArgumentException)
        e.message.contains('does not fit the 8-byte segment')

        cleanup:
        seg?.close()
        SharedMemory.remove(id)
    }

    def "ftok of a missing path names the path and errno"() {
        when:
        SharedMemory.ftok('/no/such/file', 1)

        then:
        def e = thrown(KernelException)
        e.message == 'ftok("/no/such/file", 1) failed: ENOENT (No such file or directory)'
    }
}
