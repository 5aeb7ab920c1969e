package org.vcpu4j.spi.aarch64;

import java.util.Optional;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;

/**
 * A vCPU that stands at one of its EL1 exception vectors, with what its syndrome registers say it took.
 *
 * <p>When a guest takes an exception to a vector with nothing behind it, a VMM sees only the fetch at
 * {@code VBAR_EL1 + offset} that follows (on hardware the exception entry itself happens inside the
 * guest). The cause is still in the saved state: this type reads it back, the same way on every backend.
 * Vector offsets follow the Arm ARM (DDI 0487), "Exception vectors" (D1.10.2 in revision F.c), table
 * "Vector offsets from vector table base address": bits 10:9 say where the exception came from, bits 8:7
 * its type.
 *
 * @param vbar VBAR_EL1
 * @param offset the vector's offset from VBAR_EL1, a multiple of 0x80 below 0x800
 * @param esr ESR_EL1 (meaningful for synchronous exceptions and SErrors)
 * @param elr ELR_EL1, where the exception was taken from
 * @param far FAR_EL1 (meaningful for aborts, PC alignment faults and watchpoints)
 */
public record ExceptionEntry(long vbar, int offset, long esr, long elr, long far) {
    private static final int VECTOR_STRIDE = 0x80;
    private static final int VECTOR_TABLE_SIZE = 0x800;
    private static final String[] SOURCE = {
        "from the current EL with SP_EL0", "from the current EL with SP_ELx",
        "from a lower EL using AArch64", "from a lower EL using AArch32"};
    private static final String[] TYPE = {"a synchronous exception", "an IRQ", "an FIQ", "an SError"};

    /** Validates the offset. */
    public ExceptionEntry {
        if (offset < 0 || offset >= VECTOR_TABLE_SIZE || offset % VECTOR_STRIDE != 0) {
            throw new IllegalArgumentException("not an exception vector offset: 0x" + Integer.toHexString(offset));
        }
    }

    /**
     * {@return the exception entry the state stands at: its PC is one of the sixteen vectors of VBAR_EL1
     * (empty otherwise)}
     *
     * @param state a saved vCPU state
     */
    public static Optional<ExceptionEntry> at(Aarch64State state) {
        long vbar = state.sys(SystemRegister.VBAR_EL1);
        long offset = state.pc() - vbar;
        if (offset < 0 || offset >= VECTOR_TABLE_SIZE || offset % VECTOR_STRIDE != 0) {
            return Optional.empty();
        }
        return Optional.of(new ExceptionEntry(vbar, (int) offset, state.sys(SystemRegister.ESR_EL1), state.elrEl1(),
                state.sys(SystemRegister.FAR_EL1)));
    }

    /** {@return whether the vector is one of the synchronous ones, whose cause ESR_EL1 holds} */
    public boolean synchronous() {
        return (offset >>> 7 & 3) == 0;
    }

    /**
     * {@return a line for a person: what the guest took, from where, and to which vector, e.g. "a
     * synchronous exception from the current EL with SP_ELx (data abort from the current EL: translation
     * fault, level 1, read, FAR_EL1 0x8000) at ELR_EL1 0x40000010 to VBAR_EL1 + 0x200 = 0x200"}
     */
    public String describe() {
        String cause = synchronous() ? " (" + Esr.describe(esr) + farIfValid() + ")" : "";
        return String.format("%s %s%s at ELR_EL1 0x%x to VBAR_EL1 + 0x%x = 0x%x", TYPE[offset >>> 7 & 3],
                SOURCE[offset >>> 9], cause, elr, offset, vbar + offset);
    }

    private String farIfValid() {
        return Esr.farValid(esr) ? String.format(", FAR_EL1 0x%x", far) : "";
    }
}
