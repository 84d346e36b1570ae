package labsh.dsl

import labsh.runtime.image.ImageBuilder
import labsh.runtime.image.Layer
import labsh.runtime.image.Sizes

/**
 * The words inside {@code image 'name' { ... }}, a Dockerfile as Groovy: {@code from}, {@code run},
 * {@code copy}. Each one makes its layer at once (so a failing RUN points at its own line) and
 * prints it with its size as the file system measures it.
 */
class ImageRecipe {
    final ImageBuilder builder
    final LabScript script

    ImageRecipe(ImageBuilder builder, LabScript script) {
        this.builder = builder
        this.script = script
    }

    /** FROM: {@code 'busybox'} (the host's static busybox as a root), {@code 'dir:PATH'} or {@code 'tar:PATH'}. */
    Layer from(String source) { shown(builder.from(source)) }

    /** RUN: {@code command} with /bin/sh -c in a container on the layers so far; its writes are the new layer. */
    Layer run(String command) {
        ImageBuilder.RunOutput r = builder.run(command)
        shown(r.layer())
        if (r.output()) script.indent('  ' + r.output().stripTrailing().replace('\n', '\n  '))
        r.layer()
    }

    /** COPY: the host's {@code hostPath} (a file or a directory) at {@code dest} in a new layer. */
    Layer copy(String hostPath, String dest) { shown(builder.copy(hostPath, dest)) }

    private Layer shown(Layer l) {
        script.indent("${l}  → ${Sizes.human(l.bytes())} in ${l.dir()}")
        l
    }
}
