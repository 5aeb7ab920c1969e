package org.vcpu4j.backend.emulated.cpu;

import java.util.function.Supplier;

/**
 * Stage-1 translation (Arm ARM D8): with SCTLR_EL1.M clear, the identity map within the 48-bit
 * physical address space.
 */
public abstract class Mmu extends CpuCore {

    /**
     * @param physicalSource the VM's current guest-physical map
     * @param counterEpoch the {@link System#nanoTime()} at which the physical count was 0
     */
    protected Mmu(Supplier<PhysicalMap> physicalSource, long counterEpoch) {
        super(physicalSource, counterEpoch);
    }

    @Override
    protected final long translate(long va, int kind) {
        if ((va >>> 48) != 0) {
            // Address size fault, level 0 (MMU off: VA beyond the PA size), Arm ARM D8.2.
            abort(va, kind, 0x00);
        }
        return va;
    }

    /**
     * Takes a stage-1 abort at EL1: instruction abort (EC 0x20/0x21) or data abort (EC 0x24/0x25) with
     * FAR_EL1 = the virtual address.
     *
     * @param va the faulting virtual address
     * @param kind READ, WRITE or EXECUTE
     * @param faultStatus the IFSC/DFSC
     */
    protected final void abort(long va, int kind, int faultStatus) {
        sys[FAR] = va;
        int lower = el() == 0 ? 0 : 1;
        if (kind == EXECUTE) {
            throw syncException(0x20 + lower, faultStatus);
        }
        throw syncException(0x24 + lower, (kind == WRITE ? 1 << 6 : 0) | faultStatus);
    }

    /**
     * AT S1E1R/W/S1E0R/W: translates without faulting and returns PAR_EL1 (Arm ARM D23, PAR_EL1).
     *
     * @param va the address
     * @param op2 0 S1E1R, 1 S1E1W, 2 S1E0R, 3 S1E0W
     * @return the PAR_EL1 value
     */
    protected final long addressTranslate(long va, int op2) {
        if ((va >>> 48) != 0) {
            return 1 | 0x00 << 1; // F=1, FST = address size fault level 0
        }
        return va & 0xFFFF_FFFF_F000L;
    }
}
