// Seed 004, problem 1B: a container bootstrapped from a root image (a tar file), mounted at a
// directory of the host's mount namespace outside /tmp, entered with pivot_root(2) so that the
// old root is gone (not merely hidden), made writable with an overlay upper layer, run by an init
// that sets the prompt, forks a child that runs an interactive shell, and reaps; then two
// containers from one image and the disk space each uses.
//
// Where things are: images under <state>/images, each container's upper/, work/ and root/ (its
// mount point) under <state>/containers/NAME; <state> is /run/labsh (LABSH_STATE moves it).
import java.nio.file.Files
import java.nio.file.Path
import labsh.kernel.MountInfo
import labsh.kernel.NsType
import labsh.runtime.container.DiskUsage
import labsh.runtime.container.Rootfs

lab 'seed 004 problem 1B: a container from a root image'

int hostPid = (int) ProcessHandle.current().pid()
Rootfs image
Container ro, c1, c2
Path hostOnly

step('a root image from a tar file') {
    say 'labsh builds a busybox root (static /bin/busybox, a link per applet, /dev/null ...), packs it'
    say 'as a tar file as the seed\'s rootfs.tar, and bootstraps from the tar (tar -xf, --numeric-owner).'
    Rootfs built = busybox()
    Path tar = workfile('rootfs.tar')
    sh "tar -cf ${tar} -C ${built.single()} ."
    image = rootfs(tar)
    say "unpacked into ${image.single()}: ${DiskUsage.bytes(image.single()).intdiv(1024)} KiB"
    check('the image has /bin/busybox and /bin/sh') { Files.isRegularFile(image.single().resolve('bin/busybox')) && Files.isSymbolicLink(image.single().resolve('bin/sh')) }
}

step('a container: its own mount namespace, its root bound at a host directory outside /tmp') {
    say 'The image is bind-mounted (read-only) at a directory the script chooses, /mnt/labsh-ro, in the'
    say 'host\'s mount namespace; nsinit then clones the new namespaces and pivot_roots into it.'
    ro = container 'ro', rootfs: image, at: '/mnt/labsh-ro'
    MountInfo onHost = MountInfo.at(MountInfo.of('self'), ro.root.toString())
    MountInfo rootInside = MountInfo.at(ro.mountinfo(), '/')
    say "on the host: ${onHost.mountPoint()} (${onHost.fsType()}, ${onHost.options()}) from ${onHost.root()}"
    say "inside: / is ${rootInside.fsType()} ${rootInside.majorMinor()} ${rootInside.root()}"
    check('the host has a mount at the container\'s root directory, outside /tmp') { onHost != null && !ro.root.startsWith('/tmp') }
    check('it is the image directory, read-only') { onHost.root() == image.single().toString() && onHost.options().split(',').contains('ro') }
    check('inside, / is that same bind of the image') { rootInside.majorMinor() == onHost.majorMinor() && rootInside.root() == onHost.root() }
    check('its mnt, pid, uts, ipc and net namespaces are its own (/proc/PID/ns)') {
        Map<NsType, Long> host = labsh.kernel.Namespaces.of(hostPid)
        [NsType.MNT, NsType.PID, NsType.UTS, NsType.IPC, NsType.NET].every { NsType t -> ro.namespaces()[t] != host[t] }
    }
    check('its hostname is its own') { ro.exec('hostname') == 'ro' }
    check('a write to the read-only root fails') { ro.run('touch /new-file').exitCode() != 0 }
}

step('pivot_root: the host\'s files cannot be reached') {
    say 'chdir(root); pivot_root(".", ".") stacks the old root on top of the new one; umount2(".", MNT_DETACH)'
    say 'then detaches it: no path inside leads to it any more, /.. is / and /proc/1/root is /.'
    hostOnly = ro.dir.resolve("host-only-${System.nanoTime()}")
    Files.writeString(hostOnly, 'a host file')
    say ro.exec('echo "ls /:  $(ls / | tr "\\n" " ")"; echo "ls /..: $(ls /.. | tr "\\n" " ")"; echo "/proc/1/root -> $(readlink /proc/1/root)"')
    check('ls /.. lists / itself') { ro.exec('ls /..') == ro.exec('ls /') }
    check('/proc/1/root is / (seen inside)') { ro.exec('readlink /proc/1/root') == '/' }
    check('from the host, /proc/PID/root of its init leads into the image, and not to the host file') {
        Path itsRoot = Path.of("/proc/${ro.pid}/root")
        Files.isRegularFile(itsRoot.resolve('bin/busybox')) && !Files.exists(itsRoot.resolve(hostOnly.toString().substring(1)))
    }
    check("a file of the host (${hostOnly.fileName}) is found nowhere inside") {
        ro.run("find / -xdev -name ${hostOnly.fileName}; find /proc/1/root/ -xdev -name ${hostOnly.fileName}").output().isEmpty()
    }
    check('no mount inside comes from the host\'s root: /, its own /dev (a tmpfs), /proc and its read-only or masked knobs, nothing else (no .oldroot)') {
        // /proc/sys, /proc/keys, ...: runc's default read-only and masked paths (nsinit -C)
        ro.mountinfo()*.mountPoint().findAll { !it.startsWith('/proc/') }.sort() == ['/', '/dev', '/proc'] && MountInfo.at(ro.mountinfo(), '/dev').fsType() == 'tmpfs'
    }
}

step('writable: an overlay upper layer') {
    say 'overlayfs: lowerdir = the image (never written), upperdir = the container\'s own layer.'
    c1 = container 'c1', rootfs: image, writable: true, prompt: 'c1> '
    c1.exec('echo written by c1 > /hello; rm /bin/vi')
    MountInfo onHost = MountInfo.at(MountInfo.of('self'), c1.root.toString())
    say "on the host: ${onHost.mountPoint()} ${onHost.fsType()} ${onHost.superOptions()}"
    sh "ls -la ${c1.upper} ${c1.upper}/bin"
    check('the root is an overlay whose lower layer is the image') { onHost.fsType() == 'overlay' && onHost.superOptions().contains("lowerdir=${image.single()}") }
    check('the new file is in the upper layer on the host') { Files.readString(c1.upper.resolve('hello')) == 'written by c1\n' }
    check('the image did not change') { !Files.exists(image.single().resolve('hello')) && Files.exists(image.single().resolve('bin/vi'), java.nio.file.LinkOption.NOFOLLOW_LINKS) }
    check('the removed file is a whiteout in the upper layer (a 0:0 character device)') {
        sh(quiet: true, "stat -c '%F %t:%T' ${c1.upper}/bin/vi") == 'character special file 0:0'
    }
}

step('the init: PID 1 sets the prompt, forks the interactive shell, reaps') {
    say 'PID 1 is nsinit\'s init mode: it forks, the child execs sh -i with PS1 set to the prompt the'
    say 'script gave, and PID 1 waits for every child (an orphan in the namespace becomes its child).'
    say 'labsh types into that shell through a pipe; its output, prompts included:'
    String ids = c1.type('echo "pid $$, parent $PPID, init $(cat /proc/1/comm), host $(hostname)"')
    String orphan = c1.type('sh -c "sleep 0.5 &"; for p in /proc/[0-9]*; do [ "$(cat $p/comm)" = sleep ] && cut -d" " -f1-4 $p/stat; done')
    say "an orphan: ${orphan} (its parent sh exited; the kernel gave it to PID 1)"
    c1.type('sleep 1')
    String states = c1.type('cat /proc/[0-9]*/stat | cut -d" " -f1-4')
    indent(c1.shell.transcript().readLines().findAll { !it.contains('--labsh-') }.join('\n'))
    check('the shell is PID 2, its parent PID 1 is the init, the hostname is c1') { ids == 'pid 2, parent 1, init nsinit, host c1' }
    check('the shell prints the prompt from the script') { c1.shell.transcript().contains('c1> ') && c1.type('echo "[$PS1]"') == '[c1> ]' }
    check('the orphaned sleep was the init\'s child') { orphan ==~ /\d+ \(sleep\) S 1/ }
    check('it was reaped when it ended: no zombie in its /proc') { !states.readLines().any { it.split(' ')[2] == 'Z' } }
    check('from the host: its PID 1 is a child of nsinit, the shell its child') {
        int shellPid = Files.readString(Path.of("/proc/${c1.pid}/task/${c1.pid}/children")).trim().split(' ')[0] as int
        Files.readString(Path.of("/proc/${shellPid}/comm")).trim() == 'sh'
    }
}

step('two containers from one image: the disk space each uses') {
    c2 = container 'c2', rootfs: image, writable: true, prompt: 'c2> '
    c2.exec('dd if=/dev/zero of=/data bs=1024 count=512 2>/dev/null')
    long imageBytes = DiskUsage.bytes(image.single()), own1 = c1.diskUsage(), own2 = c2.diskUsage()
    say String.format('%-28s %10s', 'measured (du -B1)', 'KiB')
    say String.format('%-28s %10d', 'the image (shared, lower)', imageBytes.intdiv(1024))
    say String.format('%-28s %10d', 'c1\'s upper layer', own1.intdiv(1024))
    say String.format('%-28s %10d', 'c2\'s upper layer', own2.intdiv(1024))
    say String.format('%-28s %10d', 'both containers', (imageBytes + own1 + own2).intdiv(1024))
    say String.format('%-28s %10d', 'two full copies instead', (2 * imageBytes + own1 + own2).intdiv(1024))
    check('c2 does not see c1\'s file, c1 does not see c2\'s') { c2.run('test -e /hello').exitCode() != 0 && c1.run('test -e /data').exitCode() != 0 }
    check('each container\'s own layer holds only what it wrote (c2: its 512 KiB file)') {
        own2 >= 512 * 1024 && own2 < imageBytes && own1 < 64 * 1024
    }
}

step('stop: nothing is left') {
    List<Container> all = [ro, c1, c2]
    List<Path> roots = all*.root, dirs = all*.dir
    List<Integer> pids = all*.pid
    all.each { it.stop() }
    List<MountInfo> host = MountInfo.of('self')
    check('no mount at any container root') { roots.every { MountInfo.at(host, it.toString()) == null } }
    check('their directories (upper, work, root) are gone') { dirs.every { !Files.exists(it) } }
    check('their inits are gone') { pids.every { !Files.exists(Path.of("/proc/${it}")) } }
}
