package org.vcpu4j.cli.machine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/** Where guest UART bytes go: standard output, and nothing else goes there during a run. */
public final class GuestConsole {
    private final OutputStream out;

    /**
     * Creates a console.
     *
     * @param out the stream the guest's bytes are written to
     */
    public GuestConsole(OutputStream out) {
        this.out = out;
    }

    /**
     * Writes one byte from the guest; flushes at end of line.
     *
     * @param b the byte
     */
    public void write(int b) {
        try {
            out.write(b);
            if (b == '\n') {
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flushes what the guest wrote. */
    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
