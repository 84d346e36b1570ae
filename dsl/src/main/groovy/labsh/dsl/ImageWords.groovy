package labsh.dsl

import groovy.transform.SelfType
import java.nio.file.Path
import labsh.runtime.Ledger
import labsh.runtime.image.Image
import labsh.runtime.image.ImageBuilder
import labsh.runtime.image.Sizes
import labsh.runtime.image.TarExport

/**
 * The words of seed 004, problem 6.3 (dockerfiles) and problem 3 (an image's size as layers are
 * added and a file is removed):
 * <pre>
 * Image img = image('p3') {
 *     from 'busybox'
 *     run 'head -c 8388608 /dev/urandom > /opt/pkg.bin'
 *     run 'rm /opt/pkg.bin'
 * }
 * say img.history()
 * TarExport tar = export(container('p3', rootfs: img.rootfs(), writable: true), 'p3.tar')
 * </pre>
 */
@SelfType(LabScript)
trait ImageWords {
    /**
     * Builds an image, one layer per instruction of {@code recipe} ({@code from}, {@code run},
     * {@code copy}; see {@link ImageRecipe}), under {@code <state>/images}. Its directories and
     * mounts are in the ledger and go at the end of the lab.
     */
    Image image(String name, @DelegatesTo(value = ImageRecipe, strategy = Closure.DELEGATE_FIRST) Closure recipe) {
        ImageBuilder b = ImageBuilder.start(name, Ledger.stateDir().resolve('images'))
        say "image ${name}, in ${b.dir()}"
        recipe.delegate = new ImageRecipe(b, (LabScript) this)
        recipe.resolveStrategy = Closure.DELEGATE_FIRST
        recipe.call()
        Image img = b.image()
        say "image ${name}: ${img.layers().size()} layers, ${Sizes.human(img.bytes())}"
        img
    }

    /**
     * docker export: archives the container's root as its mount shows it into {@code fileName}
     * (in the image directory's sibling work directory, removed at the end) and counts the archive.
     */
    TarExport export(Container c, String fileName) {
        if (!(fileName ==~ /[A-Za-z0-9._-]+\.tar/)) throw new LabException("export: '${fileName}' should be a plain file name ending in .tar")
        Path file = workdir("export-${c.name}").resolve(fileName)
        indent("\$ tar -C ${c.root} -cf ${file} .")
        TarExport t = TarExport.of(c.root, file)
        indent("\$ tar -tvf ${fileName} | wc -l   → ${t.entries()} entries (${t.files()} regular files)")
        indent("\$ ls -l ${fileName}             → ${Sizes.human(t.bytes())}")
        t
    }
}
