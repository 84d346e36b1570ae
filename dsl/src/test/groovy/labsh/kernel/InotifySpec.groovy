package labsh.kernel

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import spock.lang.Specification
import spock.lang.TempDir

class InotifySpec extends Specification {
    @TempDir Path dir
    Inotify in

    def cleanup() {
        in?.close()
    }

    /** Reads until {@code n} events have come (a write may come as one read or several). */
    List<Inotify.Event> events(int n) {
        def all = []
        while (all.size() < n) all.addAll(in.read())
        all
    }

    def "writing then deleting a file in a watched directory gives IN_CLOSE_WRITE then IN_DELETE with its name"() {
        given:
        in = Inotify.open()
        def calls = []
        def listener = Trace.listen { calls << it.toString() }
        int wd = in.addWatch(dir, Inotify.IN_CLOSE_WRITE | Inotify.IN_DELETE)

        when:
        Files.writeString(dir.resolve('message'), 'hello\n')
        Files.delete(dir.resolve('message'))
        def got = events(2)

        then:
        got.collect { [it.wd(), it.maskNames(), it.name()] } == [[wd, 'IN_CLOSE_WRITE', 'message'], [wd, 'IN_DELETE', 'message']]
        in.watched(wd) == dir

        and: 'the trace names the mask bits'
        calls.contains("inotify_add_watch(${in.fd()}, \"$dir\", IN_CLOSE_WRITE|IN_DELETE) = $wd".toString())

        cleanup:
        listener?.close()
    }

    def "IN_CREATE marks a directory with IN_ISDIR, IN_MOVED_TO names the new name, IN_DELETE_SELF the watched directory"() {
        given:
        in = Inotify.open()
        def sub = Files.createDirectory(dir.resolve('sub'))
        int top = in.addWatch(dir, Inotify.IN_CREATE | Inotify.IN_MOVED_TO)
        int self = in.addWatch(sub, Inotify.IN_DELETE_SELF)

        when:
        Files.createDirectory(dir.resolve('d'))
        Files.writeString(sub.resolve('tmp'), 'x')
        Files.move(sub.resolve('tmp'), dir.resolve('final'))
        Files.delete(sub)
        def got = events(4)

        then:
        got[0].wd() == top && got[0].maskNames() == 'IN_CREATE|IN_ISDIR' && got[0].name() == 'd'
        got[1].wd() == top && got[1].maskNames() == 'IN_MOVED_TO' && got[1].name() == 'final' && got[1].cookie() != 0
        got[2].wd() == self && got[2].is(Inotify.IN_DELETE_SELF) && got[2].name() == ''
        got[3].wd() == self && got[3].is(Inotify.IN_IGNORED) // the watch is gone with its directory
    }

    def "poll with a timeout returns nothing when nothing happened"() {
        given:
        in = Inotify.open()
        in.addWatch(dir, Inotify.IN_ALL_EVENTS)

        expect:
        in.poll(0) == []
    }

    def "closing from another thread ends a blocked read with no events"() {
        given:
        in = Inotify.open()
        in.addWatch(dir, Inotify.IN_DELETE)
        def started = new java.util.concurrent.CountDownLatch(1)
        def reader = CompletableFuture.supplyAsync { started.countDown(); in.read() }

        when:
        started.await()
        in.close()

        then:
        reader.get(10, TimeUnit.SECONDS) == []
    }
}
