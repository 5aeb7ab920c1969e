package org.vcpu4j.tck.asm;

import java.util.Objects;
import org.vcpu4j.api.AccessWidth;

/**
 * One x86 port access: IN or OUT of AL, AX or EAX, with the port as an imm8 or in DX (Intel SDM Vol. 2A
 * "IN": E4/E5 ib, EC/ED; Vol. 2B "OUT": E6/E7 ib, EE/EF; 66 selects the 16-bit form).
 *
 * @param in whether this is IN (a read)
 * @param width BYTE, WORD or DWORD
 * @param port the port, 0-0xFFFF
 * @param viaDx whether the port comes from DX (else it is an imm8 and must be below 256)
 */
public record X86PortAccess(boolean in, AccessWidth width, int port, boolean viaDx) {

    /** Validates the fields. */
    public X86PortAccess {
        Objects.requireNonNull(width, "width");
        if (width == AccessWidth.QWORD) {
            throw new IllegalArgumentException("port I/O is at most 32 bits wide");
        }
        if (port < 0 || port > 0xFFFF || !viaDx && port > 0xFF) {
            throw new IllegalArgumentException("port " + port + " does not fit the " + (viaDx ? "DX" : "imm8") + " form");
        }
    }

    /** {@return the instruction bytes} */
    public byte[] encode() {
        X86 x = new X86();
        if (width == AccessWidth.WORD) {
            x.emit(0x66);
        }
        int op = (in ? 0xE4 : 0xE6) | (viaDx ? 8 : 0) | (width == AccessWidth.BYTE ? 0 : 1);
        x.emit(op);
        if (!viaDx) {
            x.emit(port);
        }
        return x.toBytes();
    }

    /**
     * {@return RAX after an IN completed with {@code deviceValue}: AL and AX merge into RAX, EAX clears bits
     * 63:32 (Vol. 1 3.4.1.1)}
     *
     * @param raxBefore RAX before the instruction
     * @param deviceValue the value the port returned
     */
    public long inResult(long raxBefore, long deviceValue) {
        long v = deviceValue & width.mask();
        return width == AccessWidth.DWORD ? v : raxBefore & ~width.mask() | v;
    }

    /** {@return the assembler syntax (Intel)} */
    public String assembly() {
        String acc = X86MemAccess.registerName(0, width);
        String p = viaDx ? "dx" : String.format("0x%x", port);
        return in ? "in " + acc + ", " + p : "out " + p + ", " + acc;
    }
}
