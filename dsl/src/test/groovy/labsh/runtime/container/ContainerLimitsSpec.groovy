package labsh.runtime.container

import spock.lang.Specification

/** Seed 004 problem 5's inputs: memory in bytes (or k/M/G), cpu percent, a mount point. */
class ContainerLimitsSpec extends Specification {
    def "good values: #memory, #cpu, #mount"() {
        expect:
        ContainerLimits.parse(memory, cpu, mount) == new ContainerLimits(bytes, percent, point)

        where:
        memory     | cpu   | mount       || bytes    | percent | point
        '64m'      | 50    | '/mypoint'  || 64 << 20 | 50      | '/mypoint'
        67108864   | '20%' | 'mypoint'   || 64 << 20 | 20      | '/mypoint'
        '1G'       | 100   | '/data/x'   || 1 << 30  | 100     | '/data/x'
        null       | null  | null        || null     | null    | null
    }

    def "a bad value is one line naming it and what to give: #memory #cpu #mount"() {
        when:
        ContainerLimits.parse(memory, cpu, mount)

        then:
        IllegalArgumentException e = thrown()
        e.message.contains(says)
        !e.message.contains('\n')

        where:
        memory | cpu | mount         || says
        '-5'   | 50  | null          || "memory limit '-5': give bytes, or a number with k, M or G"
        '12qq' | 50  | null          || "memory limit '12qq'"
        '100'  | 50  | null          || 'under 1M no program starts'
        '64m'  | 0   | null          || "cpu percent '0': give 1 to 100"
        '64m'  | 250 | null          || "cpu percent '250': give 1 to 100 (a percent of one CPU)"
        '64m'  | 'x' | null          || "cpu percent 'x'"
        null   | null | '/'          || "mount point '/'"
        null   | null | '/a/../etc'  || "mount point '/a/../etc'"
        null   | null | '/my point'  || "mount point '/my point'"
        null   | null | '/proc/x'    || 'proc is the container\'s own'
    }

    def "what a lab leaves out gets the defaults: 512 MiB and 1024 processes; its own memory wins"() {
        expect:
        ContainerLimits.parse(null, null, '/mypoint').effectiveMemory() == 512L << 20
        ContainerLimits.parse('8m', null, null).effectiveMemory() == 8L << 20
        ContainerLimits.DEFAULT_PIDS == 1024
        ContainerLimits.NONE.toString() == 'memory 536870912 bytes (default), 1024 processes (default)'
        ContainerLimits.parse('8m', 10, '/p').toString() == 'memory 8388608 bytes, 1024 processes (default), cpu 10%, mount /p'
    }
}
