// Seed 004, problem 3 ('Docker') and problem 6.3 ('dockerfiles'): an image built in layers, a
// package-sized file added in one layer and removed in the next. Does the image shrink back?
// docker's steps map to labsh's: docker run + yum install git + docker commit is a RUN layer,
// yum remove git is the next RUN layer, docker export is a tar of a container's root.
import labsh.runtime.image.Image
import labsh.runtime.image.TarExport

lab 'seed 004, problem 3: image layers — add a package, remove it, measure'

Image img
long base, added, removed
Container box
TarExport tar

step('build the image, one layer per instruction') {
    say 'Layer 1 is busybox (the base image); layer 2 "installs a package": 8 MiB written by a RUN in a'
    say 'container whose root is an overlay of layer 1; layer 3 removes it, in a container on layers 1-2.'
    img = image('p3') {
        from 'busybox'
        run 'mkdir -p /opt/pkg && head -c 8388608 /dev/urandom > /opt/pkg/pkg.bin && ls -l /opt/pkg'
        run 'rm -r /opt/pkg && ls /opt'
    }
    check('three layers') { img.layers().size() == 3 }
}

step('each layer as the file system holds it') {
    say img.history()
    say "image p3: ${labsh.runtime.image.Sizes.human(img.bytes())}, the sum of its layers (as docker image ls counts it)"
    base = img.upTo(1).bytes()
    added = img.upTo(2).bytes()
    removed = img.bytes()
    check('layer 2 holds the whole 8 MiB file (du, allocated blocks)') { img.layer(2).bytes() >= 8L * 1024 * 1024 }
    check('layer 3 holds a whiteout for /opt/pkg, not the absence of a file') { img.layer(3).whiteouts() == ['/opt/pkg'] }
    def stat = sh("stat -c '%F %t:%T' ${img.layer(3).dir().resolve('opt/pkg')}")
    check('the kernel made it a character device 0/0 (stat)') { stat == 'character special file 0:0' }
    check('layer 3 is a few KiB: the whiteout and its copied-up directory /opt') { img.layer(3).bytes() < 64 * 1024 }
}

step('the image size grows and does not shrink back') {
    say "image after layer 1 (the base):      ${labsh.runtime.image.Sizes.human(base)}"
    say "image after layer 2 (package added): ${labsh.runtime.image.Sizes.human(added)}"
    say "image after layer 3 (package gone):  ${labsh.runtime.image.Sizes.human(removed)}"
    check('adding the package grew the image by at least 8 MiB') { added - base >= 8L * 1024 * 1024 }
    check('removing it did not shrink the image: the bytes stay in layer 2') { removed >= added }
}

step('the files that differ across the images (docker diff)') {
    [2, 3].each { int n ->
        say "layer ${n} (${img.layer(n).instruction()}):"
        say img.layer(n).changes(img.layers().subList(0, n - 1)).join('\n')
    }
    check('layer 2 adds /opt/pkg/pkg.bin') { img.layer(2).changes(img.layers().subList(0, 1)).contains('A /opt/pkg/pkg.bin') }
    check('layer 3 deletes /opt/pkg') { img.layer(3).changes(img.layers().subList(0, 2)).contains('D /opt/pkg') }
}

step('export a container of the image as a tar (docker export)') {
    box = container 'p3', rootfs: img.rootfs(), writable: true
    check('the container\'s root is an overlay of the three layers (host mountinfo)') {
        box.overlay.mountInfo().fsType() == 'overlay' && img.layers().every { box.overlay.mountInfo().superOptions().contains(it.dir().toString()) }
    }
    check('inside, /opt/pkg is gone') { box.exec('ls -A /opt') == '' }
    tar = export(box, 'p3.tar')
    long merged = labsh.runtime.container.DiskUsage.bytes(box.root)
    say "the container's root (du of the overlay mount): ${labsh.runtime.image.Sizes.human(merged)}"
    say "the image (sum of its layers):                 ${labsh.runtime.image.Sizes.human(removed)}"
    check('the tar holds no trace of the package') { !sh("tar -tf ${tar.file()}", quiet: true).readLines().any { it.startsWith('./opt/pkg') } }
    check('the tar is smaller than the image by about the package') { tar.bytes() < removed && removed - tar.bytes() >= 7L * 1024 * 1024 }
    box.stop()
}
