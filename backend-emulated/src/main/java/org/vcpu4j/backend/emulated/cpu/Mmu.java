package org.vcpu4j.backend.emulated.cpu;

import java.util.function.Supplier;

/**
 * Stage-1 translation of the EL1&amp;0 regime (Arm ARM D8, VMSAv8-64) with the 4 KiB granule: MMU off
 * is the identity map within the 48-bit physical space; MMU on walks TTBR0_EL1 or TTBR1_EL1 (by VA bit
 * 55) from the level that TCR_EL1.T0SZ/T1SZ imply, with table and block/page descriptors, AP[2:1],
 * UXN/PXN, the hierarchical APTable/UXNTable/PXNTable controls, SCTLR_EL1.WXN and the access flag.
 * Faults are taken at EL1 with the level in the fault status code.
 */
public abstract class Mmu extends CpuCore {
    /** A walk result with this bit set is a fault; the low 6 bits are the fault status code. */
    private static final long FAULT = Long.MIN_VALUE;
    /** Marks a fault that happened while reading a descriptor from guest-physical memory (S1PTW). */
    private static final long WALK_EXTERNAL = 1L << 62;
    /** Output addresses and table addresses: bits 47:12. */
    private static final long ADDRESS_47_12 = 0x0000_FFFF_FFFF_F000L;

    // Fault status codes (Arm ARM D24.2.40, DFSC/IFSC): add the level.
    private static final int FSC_ADDRESS_SIZE = 0x00;
    private static final int FSC_TRANSLATION = 0x04;
    private static final int FSC_ACCESS_FLAG = 0x08;
    private static final int FSC_PERMISSION = 0x0C;

    /** MAIR_EL1 attribute index of the last successful walk (for AT). */
    private int lastAttrIndex;
    /** The descriptor address of the last walk that hit no memory. */
    private long walkFaultAddress;

    /**
     * @param physicalSource the VM's current guest-physical map
     * @param counterEpoch the {@link System#nanoTime()} at which the physical count was 0
     */
    protected Mmu(Supplier<PhysicalMap> physicalSource, long counterEpoch) {
        super(physicalSource, counterEpoch);
    }

    @Override
    protected final long translate(long va, int kind) {
        long result = walk(va, kind, el() == 0);
        if (result < 0) {
            if ((result & WALK_EXTERNAL) != 0) {
                walkOutsideMemory(walkFaultAddress, kind);
            }
            abort(va, kind, (int) result & 0x3F);
        }
        return result;
    }

    @Override
    protected final boolean translatedToDevice() {
        // MMU off: data accesses are Device-nGnRnE (Arm ARM D8, "The effects of disabling an address
        // translation stage", with HCR_EL2.DC = 0). MAIR_EL1 Attr<n>[7:4] = 0b0000 is Device.
        return lastAttrIndex < 0 || (sys[MAIR] >>> (8 * lastAttrIndex) & 0xF0) == 0;
    }

    /**
     * A translation table walk read guest-physical memory with nothing behind it: a stage-2 fault on
     * the walk (S1PTW) that leaves to EL2 without a valid syndrome.
     */
    private void walkOutsideMemory(long descriptorAddress, int kind) {
        trapIpa = descriptorAddress;
        trapVa = descriptorAddress;
        trapWrite = false;
        if (kind == EXECUTE) {
            trapToEl2(0x20, 1 << 7 | 0x07, insnPc);
        }
        trapToEl2(0x24, 1 << 7 | 0x07, insnPc);
    }

    /**
     * Translates without side effects.
     *
     * @return the physical address, or {@link #FAULT} | status (| {@link #WALK_EXTERNAL})
     */
    private long walk(long va, int kind, boolean el0) {
        long sctlr = sys[SCTLR];
        if ((sctlr & 1) == 0) {
            lastAttrIndex = -1;
            return (va >>> 48) != 0 ? FAULT | FSC_ADDRESS_SIZE : va;
        }
        long tcr = sys[TCR];
        boolean upper = (va & (1L << 55)) != 0;
        int tsz = (int) (upper ? (tcr >>> 16) : tcr) & 0x3F;
        boolean disabled = ((upper ? tcr >>> 23 : tcr >>> 7) & 1) != 0;
        int granule = (int) (upper ? (tcr >>> 30) : (tcr >>> 14)) & 3;
        boolean tbi = ((upper ? tcr >>> 38 : tcr >>> 37) & 1) != 0;
        boolean granule4k = upper ? granule == 2 : granule == 0;
        tsz = Math.clamp(tsz, 16, 39);
        int inputSize = 64 - tsz;
        long checked = tbi ? (va << 8) >> 8 : va;
        long top = checked >> inputSize; // must be all zeros (TTBR0) or all ones (TTBR1)
        if (disabled || !granule4k || top != (upper ? -1L : 0L)) {
            return FAULT | FSC_TRANSLATION;
        }
        long table = sys[upper ? TTBR1 : TTBR0] & 0x0000_FFFF_FFFF_FFFEL;
        int level = 3 - (inputSize - 13) / 9;
        boolean noWrite = false;
        boolean noEl0 = false;
        boolean pxn = false;
        boolean uxn = false;
        while (true) {
            int shift = 12 + 9 * (3 - level);
            int indexBits = Math.min(9, inputSize - shift);
            long index = (va >>> shift) & ((1L << indexBits) - 1);
            long descriptorAddress = (table & ~((8L << indexBits) - 1) & 0x0000_FFFF_FFFF_FFFFL) + index * 8;
            long descriptor = readPhysical64(descriptorAddress);
            if (physicalMissing) {
                walkFaultAddress = descriptorAddress;
                return FAULT | WALK_EXTERNAL | FSC_TRANSLATION | level;
            }
            int type = (int) descriptor & 3;
            if ((type & 1) == 0 || (type == 1 && (level == 0 || level == 3))) {
                return FAULT | FSC_TRANSLATION | level;
            }
            if (type == 3 && level < 3) {
                noWrite |= (descriptor & (1L << 62)) != 0;
                noEl0 |= (descriptor & (1L << 61)) != 0;
                uxn |= (descriptor & (1L << 60)) != 0;
                pxn |= (descriptor & (1L << 59)) != 0;
                table = descriptor & ADDRESS_47_12;
                level++;
                continue;
            }
            return leaf(va, kind, el0, descriptor, level, noWrite, noEl0, pxn, uxn, sctlr);
        }
    }

    /** Checks a block or page descriptor's permissions and forms the output address. */
    private long leaf(long va, int kind, boolean el0, long descriptor, int level, boolean tableNoWrite,
            boolean tableNoEl0, boolean tablePxn, boolean tableUxn, long sctlr) {
        if ((descriptor & (1L << 10)) == 0) {
            return FAULT | FSC_ACCESS_FLAG | level;
        }
        boolean ap2 = (descriptor & (1L << 7)) != 0 || tableNoWrite; // read-only
        boolean ap1 = (descriptor & (1L << 6)) != 0 && !tableNoEl0; // EL0 accessible
        boolean uxn = (descriptor & (1L << 54)) != 0 || tableUxn;
        boolean pxn = (descriptor & (1L << 53)) != 0 || tablePxn;
        boolean writable = !ap2;
        boolean allowed;
        if (kind == EXECUTE) {
            boolean wxn = (sctlr & (1L << 19)) != 0 && writable && (!el0 || ap1);
            // Memory writable at EL0 is never executable at EL1 (Arm ARM D8.4.1.2).
            allowed = el0 ? ap1 && !uxn && !wxn : !pxn && !wxn && !(ap1 && writable);
        } else if (el0 && !ap1) {
            allowed = false;
        } else {
            allowed = kind == READ || writable;
        }
        if (!allowed) {
            return FAULT | FSC_PERMISSION | level;
        }
        lastAttrIndex = (int) (descriptor >>> 2) & 7;
        long blockMask = (1L << (12 + 9 * (3 - level))) - 1;
        return (descriptor & ADDRESS_47_12 & ~blockMask) | (va & blockMask);
    }

    /**
     * Translates a virtual address as the guest's EL1 sees it now, without faulting or changing guest
     * state (a debugger's {@code translate_gva}).
     *
     * @param va the address
     * @return the physical address, or -1 when the walk faults
     */
    public final long debugTranslate(long va) {
        refreshPhysical();
        int savedAttr = lastAttrIndex;
        long savedFault = walkFaultAddress;
        long result = walk(va, READ, false);
        lastAttrIndex = savedAttr;
        walkFaultAddress = savedFault;
        return result < 0 ? -1 : result;
    }

    /**
     * AT S1E1R/W/S1E0R/W: translates without faulting and returns PAR_EL1 (Arm ARM D23, PAR_EL1): on
     * success PA[47:12] with ATTR (bits 63:56) from MAIR_EL1, on failure F = 1 and FST[6:1].
     *
     * @param va the address
     * @param op2 0 S1E1R, 1 S1E1W, 2 S1E0R, 3 S1E0W
     * @return the PAR_EL1 value
     */
    protected final long addressTranslate(long va, int op2) {
        long result = walk(va, (op2 & 1) != 0 ? WRITE : READ, op2 >= 2);
        if (result < 0) {
            return ((result & WALK_EXTERNAL) != 0 ? 1L << 9 | 1L << 8 : 0) | (result & 0x3F) << 1 | 1;
        }
        long attr = lastAttrIndex < 0 ? 0 : (sys[MAIR] >>> (8 * lastAttrIndex)) & 0xFF;
        return attr << 56 | (result & ADDRESS_47_12) | 3L << 7 | 1L << 11;
    }
}
