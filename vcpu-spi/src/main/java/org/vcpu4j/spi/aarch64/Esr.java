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

    private Esr() {}

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
