// bench/confinement/run's labsh side: a container with every default (no option), the probe run
// inside it, and the limits its cgroup holds read from the host's cgroup files.
lab 'confinement probe: a default container'

step('a default container, probed from inside') {
    say 'the image: busybox, plus a device node b 7:0 (/dev/loop0) as a rootfs directory or tar may hold'
    def image = busybox()
    sh "mknod ${image.single()}/probe-loop0 b 7 0"
    Container c = container 'confinement-probe', rootfs: image
    say c.run(new File(System.getenv('PROBE')).text).output().strip()
    Map<String, String> limits = c.cgroup?.limits() ?: [:]
    say "pids_max ${limits.pids ?: 'none'}"
    say "memory_max ${limits.memory ?: 'none'}"
    c.stop()
}
