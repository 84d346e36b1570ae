package labsh.dsl

import java.util.concurrent.TimeUnit
import labsh.runtime.NsProcess

/** A {@code cat} of a FIFO running in a container ({@link Fifo#reader}). */
class FifoReader {
    final Container container
    final NsProcess process

    FifoReader(Container container, NsProcess process) {
        this.container = container
        this.process = process
    }

    /** Waits (up to 10 s) for the writer to close the FIFO and returns all that was read. */
    String text() {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) throw new LabException("the reader in ${container.name} read nothing for 10 s: no writer opened the FIFO")
            new String(process.stdout().readAllBytes(), 'UTF-8')
        } finally {
            process.close()
        }
    }
}
