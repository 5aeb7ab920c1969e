package org.vcpu4j.backend.hvf;

import org.vcpu4j.spi.aarch64.DataAbortIss;
import org.vcpu4j.spi.aarch64.Esr;

/**
 * The register values that take a synchronous external abort to EL1, as the architecture does on
 * exception entry (Arm ARM D1.10, "Exception entry", and the pseudocode {@code AArch64.TakeException}):
 * Hypervisor.framework has no call to inject an exception, so the backend writes the registers itself.
 *
 * <ul>
 *   <li>ELR_EL1 = the faulting instruction = PC - the trapped instruction's length (the PC was already
 *       advanced past it when the MMIO exit was reported).
 *   <li>SPSR_EL1 = PSTATE at the fault.
 *   <li>ESR_EL1: EC 0x24 (data abort from a lower EL) when PSTATE was EL0, else 0x25 (same EL); IL = 1;
 *       ISS: ISV = 0, WnR = 1 for a store, DFSC = 0x10 (synchronous external abort, not on a table walk);
 *       FnV = 0.
 *   <li>FAR_EL1 = the faulting virtual address the exit reported ({@code exception.virtual_address}).
 *   <li>PSTATE = EL1h (M = 0b0101) with D, A, I, F set; N, Z, C, V and DIT kept; PAN set when
 *       SCTLR_EL1.SPAN (bit 23) is 0, else kept; SSBS = SCTLR_EL1.DSSBS (bit 44); SS, IL, UAO, BTYPE,
 *       TCO and the other bits cleared.
 *   <li>PC = VBAR_EL1 + vector offset + 0x000 (synchronous): 0x000 from EL1t (SP_EL0), 0x200 from EL1h,
 *       0x400 from EL0 in AArch64, 0x600 from AArch32 (D1.10.2, "Exception vectors").
 * </ul>
 *
 * @param esr the new ESR_EL1
 * @param far the new FAR_EL1
 * @param elr the new ELR_EL1
 * @param spsr the new SPSR_EL1
 * @param pstate the new PSTATE (CPSR)
 * @param pc the new PC
 */
record ExternalAbort(long esr, long far, long elr, long spsr, long pstate, long pc) {
    private static final long NZCV = 0xF000_0000L;
    private static final long DIT = 1L << 24;
    private static final long PAN = 1L << 22;
    private static final long SSBS = 1L << 12;
    private static final long SCTLR_SPAN = 1L << 23;
    private static final long SCTLR_DSSBS = 1L << 44;
    /** EL1h with D, A, I and F masked. */
    private static final long EL1H_DAIF = 0x3C5;

    /**
     * Computes the exception entry.
     *
     * @param pstate PSTATE (CPSR) at the fault
     * @param pc the PC as the exit left it (past the faulting instruction)
     * @param instructionLength the faulting instruction's length (4 for A64)
     * @param faultAddress the faulting virtual address
     * @param write whether the access was a store
     * @param vbar VBAR_EL1
     * @param sctlr SCTLR_EL1
     * @return the registers to write
     */
    static ExternalAbort compute(long pstate, long pc, int instructionLength, long faultAddress, boolean write,
            long vbar, long sctlr) {
        boolean aarch32 = (pstate & 0x10) != 0;
        int el = (int) (pstate >>> 2) & 3;
        boolean fromEl0 = aarch32 || el == 0;
        long offset;
        if (aarch32) {
            offset = 0x600;
        } else if (fromEl0) {
            offset = 0x400;
        } else {
            offset = (pstate & 1) != 0 ? 0x200 : 0x000;
        }
        int iss = (write ? 1 << 6 : 0) | DataAbortIss.DFSC_EXTERNAL_ABORT;
        long esr = Esr.encode(fromEl0 ? Esr.EC_DABT_LOWER : Esr.EC_DABT_CURRENT, true, iss);
        long pan = (sctlr & SCTLR_SPAN) == 0 ? PAN : pstate & PAN;
        long ssbs = (sctlr & SCTLR_DSSBS) != 0 ? SSBS : 0;
        long newPstate = (pstate & (NZCV | DIT)) | pan | ssbs | EL1H_DAIF;
        return new ExternalAbort(esr, faultAddress, pc - instructionLength, pstate, newPstate, vbar + offset);
    }
}
