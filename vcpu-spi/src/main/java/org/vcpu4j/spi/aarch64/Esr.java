package org.vcpu4j.spi.aarch64;

/**
 * The exception syndrome register layout (ESR_EL1/ESR_EL2, Arm ARM D24.2.40): EC in bits 31:26, IL in
 * bit 25, ISS in bits 24:0, and the exception classes vcpu4j handles.
 */
public final class Esr {
    /** Unknown reason (also: undefined instruction). */
    public static final int EC_UNKNOWN = 0x00;
    /** Trapped WFI or WFE. */
    public static final int EC_WFX = 0x01;
    /** Access to SIMD&amp;FP trapped by CPACR_EL1.FPEN or CPTR. */
    public static final int EC_FP_ACCESS = 0x07;
    /** Illegal execution state. */
    public static final int EC_ILLEGAL_STATE = 0x0E;
    /** SVC from AArch32. */
    public static final int EC_SVC32 = 0x11;
    /** HVC from AArch32. */
    public static final int EC_HVC32 = 0x12;
    /** SMC from AArch32. */
    public static final int EC_SMC32 = 0x13;
    /** SVC from AArch64. */
    public static final int EC_SVC64 = 0x15;
    /** HVC from AArch64. */
    public static final int EC_HVC64 = 0x16;
    /** SMC from AArch64. */
    public static final int EC_SMC64 = 0x17;
    /** Trapped MSR, MRS or system instruction from AArch64. */
    public static final int EC_SYSREG = 0x18;
    /** Instruction abort from a lower exception level. */
    public static final int EC_IABT_LOWER = 0x20;
    /** Instruction abort from the current exception level. */
    public static final int EC_IABT_CURRENT = 0x21;
    /** PC alignment fault. */
    public static final int EC_PC_ALIGNMENT = 0x22;
    /** Data abort from a lower exception level. */
    public static final int EC_DABT_LOWER = 0x24;
    /** Data abort from the current exception level. */
    public static final int EC_DABT_CURRENT = 0x25;
    /** SP alignment fault. */
    public static final int EC_SP_ALIGNMENT = 0x26;
    /** SError interrupt. */
    public static final int EC_SERROR = 0x2F;
    /** BRK from AArch64. */
    public static final int EC_BRK64 = 0x3C;

    /** ESR.IL: the trapped instruction was 32 bits long. */
    public static final long IL = 1L << 25;

    /**
     * What each exception class means, for a person (DDI 0487, ESR_ELx, field EC; the classes an EL1
     * vector can see). Unlisted classes are unallocated.
     */
    private static final String[] CLASS_NAMES = classNames();

    /**
     * The fault status codes of instruction and data aborts (DDI 0487, ESR_ELx "ISS encoding for an
     * exception from an Instruction Abort / a Data Abort", IFSC/DFSC bits 5:0). Unlisted codes are reserved.
     */
    private static final String[] FAULT_STATUS_NAMES = faultStatusNames();

    private Esr() {}

    private static String[] classNames() {
        String[] n = new String[64];
        n[EC_UNKNOWN] = "unknown reason (an undefined or unallocated instruction)";
        n[EC_WFX] = "trapped WFI or WFE";
        n[0x03] = "trapped AArch32 MCR or MRC (coprocessor 15)";
        n[0x04] = "trapped AArch32 MCRR or MRRC (coprocessor 15)";
        n[0x05] = "trapped AArch32 MCR or MRC (coprocessor 14)";
        n[0x06] = "trapped AArch32 LDC or STC";
        n[EC_FP_ACCESS] = "trapped SIMD&FP or SVE access";
        n[0x0A] = "trapped LD64B or ST64B";
        n[0x0C] = "trapped AArch32 MRRC (coprocessor 14)";
        n[0x0D] = "branch target exception";
        n[EC_ILLEGAL_STATE] = "illegal execution state";
        n[EC_SVC32] = "SVC from AArch32";
        n[EC_SVC64] = "SVC from AArch64";
        n[EC_HVC64] = "HVC from AArch64";
        n[EC_SMC64] = "SMC from AArch64";
        n[EC_SYSREG] = "trapped MSR, MRS or system instruction";
        n[0x19] = "trapped SVE access";
        n[0x1C] = "pointer authentication failure";
        n[EC_IABT_LOWER] = "instruction abort from a lower EL";
        n[EC_IABT_CURRENT] = "instruction abort from the current EL";
        n[EC_PC_ALIGNMENT] = "PC alignment fault";
        n[EC_DABT_LOWER] = "data abort from a lower EL";
        n[EC_DABT_CURRENT] = "data abort from the current EL";
        n[EC_SP_ALIGNMENT] = "SP alignment fault";
        n[0x28] = "trapped AArch32 floating-point exception";
        n[0x2C] = "trapped AArch64 floating-point exception";
        n[EC_SERROR] = "SError interrupt";
        n[0x30] = "breakpoint from a lower EL";
        n[0x31] = "breakpoint from the current EL";
        n[0x32] = "software step from a lower EL";
        n[0x33] = "software step from the current EL";
        n[0x34] = "watchpoint from a lower EL";
        n[0x35] = "watchpoint from the current EL";
        n[0x38] = "BKPT from AArch32";
        n[EC_BRK64] = "BRK from AArch64";
        return n;
    }

    private static String[] faultStatusNames() {
        String[] n = new String[64];
        for (int level = 0; level < 4; level++) {
            n[0x00 | level] = "address size fault, level " + level;
            n[0x04 | level] = "translation fault, level " + level;
            n[0x08 | level] = "access flag fault, level " + level;
            n[0x0C | level] = "permission fault, level " + level;
            n[0x14 | level] = "synchronous external abort on a translation table walk, level " + level;
            n[0x1C | level] = "parity or ECC error on a translation table walk, level " + level;
        }
        n[0x29] = "address size fault, level -1";
        n[0x2B] = "translation fault, level -1";
        n[0x13] = "synchronous external abort on a translation table walk, level -1";
        n[0x10] = "synchronous external abort";
        n[0x11] = "synchronous tag check fault";
        n[0x18] = "parity or ECC error on a memory access";
        n[0x21] = "alignment fault";
        n[0x30] = "TLB conflict abort";
        n[0x31] = "unsupported atomic hardware update fault";
        n[0x35] = "unsupported exclusive or atomic access";
        return n;
    }

    /**
     * {@return what the syndrome says, for a person: the exception class and, for aborts, the fault
     * status and direction, e.g. "data abort from the current EL: translation fault, level 1, write"}
     *
     * @param esr a syndrome
     */
    public static String describe(long esr) {
        int ec = ec(esr);
        String name = CLASS_NAMES[ec] != null ? CLASS_NAMES[ec] : String.format("unallocated exception class 0x%x", ec);
        if (!isAbort(ec)) {
            return name;
        }
        DataAbortIss abort = DataAbortIss.decode(iss(esr)); // an instruction abort's IFSC and FnV sit at the same bits
        int fsc = abort.faultStatus();
        String fault = FAULT_STATUS_NAMES[fsc] != null ? FAULT_STATUS_NAMES[fsc]
                : String.format("reserved fault status 0x%x", fsc);
        boolean data = ec == EC_DABT_LOWER || ec == EC_DABT_CURRENT;
        return name + ": " + fault + (data ? abort.write() ? ", write" : ", read" : "");
    }

    /**
     * {@return whether FAR_ELx holds the faulting virtual address for this syndrome: aborts without FnV,
     * PC alignment faults and watchpoints (DDI 0487, FAR_ELx)}
     *
     * @param esr a syndrome
     */
    public static boolean farValid(long esr) {
        int ec = ec(esr);
        return isAbort(ec) ? !DataAbortIss.decode(iss(esr)).farNotValid()
                : ec == EC_PC_ALIGNMENT || ec == 0x34 || ec == 0x35;
    }

    private static boolean isAbort(int ec) {
        return ec == EC_IABT_LOWER || ec == EC_IABT_CURRENT || ec == EC_DABT_LOWER || ec == EC_DABT_CURRENT;
    }

    /**
     * {@return the exception class, bits 31:26}
     *
     * @param esr a syndrome
     */
    public static int ec(long esr) {
        return (int) (esr >>> 26) & 0x3F;
    }

    /**
     * {@return whether the trapped instruction was 32 bits long (IL, bit 25)}
     *
     * @param esr a syndrome
     */
    public static boolean il(long esr) {
        return (esr & IL) != 0;
    }

    /**
     * {@return the instruction-specific syndrome, bits 24:0}
     *
     * @param esr a syndrome
     */
    public static int iss(long esr) {
        return (int) esr & 0x1FFFFFF;
    }

    /**
     * {@return the length in bytes of the trapped instruction: {@code 2 + 2 * IL}}
     *
     * @param esr a syndrome
     */
    public static int instructionLength(long esr) {
        return il(esr) ? 4 : 2;
    }

    /**
     * {@return a syndrome from its fields}
     *
     * @param ec the exception class, 6 bits
     * @param il whether the instruction was 32 bits long
     * @param iss the ISS, 25 bits
     */
    public static long encode(int ec, boolean il, int iss) {
        if ((ec & ~0x3F) != 0 || (iss & ~0x1FFFFFF) != 0) {
            throw new IllegalArgumentException(String.format("EC 0x%x or ISS 0x%x out of range", ec, iss));
        }
        return (long) ec << 26 | (il ? IL : 0) | iss;
    }
}
