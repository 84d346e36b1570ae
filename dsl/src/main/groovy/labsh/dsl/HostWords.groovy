package labsh.dsl

import labsh.runtime.container.Rootfs

import groovy.transform.SelfType

import java.nio.charset.StandardCharsets

/**
 * Words that act on the host itself. Also the model for adding words to the DSL: a trait
 * with {@code @SelfType(LabScript)} (so it may call say/indent/out), listed in LabScript's
 * {@code implements} clause. See {@link LabScript}'s comment for the rules.
 */
@SelfType(LabScript)
trait HostWords {
    /**
     * Runs a command on the host with /bin/sh, prints it and its output (stdout and stderr,
     * interleaved as the terminal would show them) and returns the output without its final
     * newline. A non-zero exit status fails the step, unless {@code ok: true} is given.
     * Options: {@code ok: true} (any status is fine), {@code quiet: true} (print nothing).
     */
    String sh(Map options, String command) {
        boolean quiet = options.quiet as boolean
        if (!quiet) indent('$ ' + command)
        Process p = new ProcessBuilder(Rootfs.Tools.diesWithLabsh('/bin/sh', '-c', command)).redirectErrorStream(true).start()
        p.outputStream.close()
        String output = new String(p.inputStream.readAllBytes(), StandardCharsets.UTF_8)
        int status = p.waitFor()
        if (!quiet && output) indent(output.stripTrailing())
        if (status != 0 && !(options.ok as boolean)) {
            throw new LabException("sh '${command}' exited with status ${status}" +
                    (output ? ': ' + output.readLines().last() : ''))
        }
        output.endsWith('\n') ? output[0..-2] : output
    }

    String sh(String command) { sh([:], command) }
}
