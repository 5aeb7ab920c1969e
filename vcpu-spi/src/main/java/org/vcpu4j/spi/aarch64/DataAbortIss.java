package org.vcpu4j.spi.aarch64;

import org.vcpu4j.api.AccessWidth;

/**
 * The ISS of a data abort (EC 0x24/0x25; Arm ARM D24.2.40, "ISS encoding for an exception from a Data
 * Abort"): ISV[24], SAS[23:22], SSE[21], SRT[20:16], SF[15], AR[14], FnV[10], EA[9], CM[8], S1PTW[7],
 * WnR[6], DFSC[5:0]. SAS, SSE, SRT, SF and AR are valid only when ISV is set.
 *
 * @param isv whether bits 23:14 hold a valid instruction syndrome
 * @param width the access size (SAS)
 * @param signExtend whether the load sign-extends (SSE)
 * @param register the transfer register Rt (SRT), 31 = XZR
 * @param sixtyFour whether Rt is a 64-bit X register (SF)
 * @param acquireRelease whether the access had acquire/release semantics (AR)
 * @param farNotValid FAR is not valid (FnV)
 * @param externalAbort external abort type (EA)
 * @param cacheMaintenance the fault came from a cache maintenance or address translation instruction (CM)
 * @param stage1Walk the fault was on a stage-2 access made by a stage-1 table walk (S1PTW)
 * @param write the access was a write (WnR)
 * @param faultStatus the data fault status code (DFSC)
 */
public record DataAbortIss(boolean isv, AccessWidth width, boolean signExtend, int register, boolean sixtyFour,
        boolean acquireRelease, boolean farNotValid, boolean externalAbort, boolean cacheMaintenance,
        boolean stage1Walk, boolean write, int faultStatus) {

    /** DFSC: translation fault at level 0; levels 1-3 follow (0x04-0x07). */
    public static final int DFSC_TRANSLATION_L0 = 0x04;
    /** DFSC: permission fault at level 0; levels 1-3 follow (0x0C-0x0F). */
    public static final int DFSC_PERMISSION_L0 = 0x0C;
    /** DFSC: synchronous external abort, not on a table walk. */
    public static final int DFSC_EXTERNAL_ABORT = 0x10;
    /** DFSC: alignment fault. */
    public static final int DFSC_ALIGNMENT = 0x21;

    /** Validates the fields. */
    public DataAbortIss {
        java.util.Objects.requireNonNull(width, "width");
        if (register < 0 || register > 31 || (faultStatus & ~0x3F) != 0) {
            throw new IllegalArgumentException("SRT must be 0..31 and DFSC 6 bits");
        }
    }

    /**
     * {@return the fields of a data-abort ISS}
     *
     * @param iss the 25-bit ISS
     */
    public static DataAbortIss decode(int iss) {
        return new DataAbortIss(
                bit(iss, 24), AccessWidth.ofLog2((iss >>> 22) & 3), bit(iss, 21), (iss >>> 16) & 0x1F,
                bit(iss, 15), bit(iss, 14), bit(iss, 10), bit(iss, 9), bit(iss, 8), bit(iss, 7), bit(iss, 6),
                iss & 0x3F);
    }

    /** {@return the 25-bit ISS} */
    public int encode() {
        return (isv ? 1 << 24 : 0) | width.log2() << 22 | (signExtend ? 1 << 21 : 0) | register << 16
                | (sixtyFour ? 1 << 15 : 0) | (acquireRelease ? 1 << 14 : 0) | (farNotValid ? 1 << 10 : 0)
                | (externalAbort ? 1 << 9 : 0) | (cacheMaintenance ? 1 << 8 : 0) | (stage1Walk ? 1 << 7 : 0)
                | (write ? 1 << 6 : 0) | faultStatus;
    }

    /** {@return the register width the syndrome names: QWORD for X, DWORD for W} */
    public AccessWidth registerWidth() {
        return sixtyFour ? AccessWidth.QWORD : AccessWidth.DWORD;
    }

    /** {@return whether DFSC is a translation fault (levels 0-3)} */
    public boolean isTranslationFault() {
        return (faultStatus & 0x3C) == DFSC_TRANSLATION_L0;
    }

    /** {@return whether DFSC is a permission fault (levels 0-3)} */
    public boolean isPermissionFault() {
        return (faultStatus & 0x3C) == DFSC_PERMISSION_L0;
    }

    /**
     * {@return the syndrome of a stage-2 translation fault at level 3 made by a single-register load or
     * store, as hardware reports it (ISV set)}
     *
     * @param width the access size
     * @param signExtend SSE
     * @param register Rt
     * @param sixtyFour SF
     * @param acquireRelease AR
     * @param write WnR
     */
    public static DataAbortIss mmio(AccessWidth width, boolean signExtend, int register, boolean sixtyFour,
            boolean acquireRelease, boolean write) {
        return new DataAbortIss(true, width, signExtend, register, sixtyFour, acquireRelease,
                false, false, false, false, write, DFSC_TRANSLATION_L0 + 3);
    }

    /**
     * {@return the syndrome of a stage-2 translation fault without a valid instruction syndrome (ISV =
     * 0): pairs, writeback forms, SIMD&amp;FP, exclusives}
     *
     * @param write WnR
     */
    public static DataAbortIss withoutSyndrome(boolean write) {
        return new DataAbortIss(false, AccessWidth.BYTE, false, 0, false, false,
                false, false, false, false, write, DFSC_TRANSLATION_L0 + 3);
    }

    private static boolean bit(int v, int n) {
        return (v >>> n & 1) != 0;
    }
}
