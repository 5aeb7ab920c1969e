package org.vcpu4j.spi.aarch64;

import java.util.List;
import org.vcpu4j.api.AccessKind;
import org.vcpu4j.api.VCpuExit;

/**
 * Turns a trap to EL2, described by its syndrome (ESR_EL2) and faulting guest-physical address, into
 * the {@link VCpuExit} every AArch64 backend reports, and says whether the backend must advance the PC
 * past the trapping instruction to keep the PC contract.
 *
 * <p>Differences from arm_vcpu, on purpose (DESIGN.md, "Behaviour"): SSE is honoured; a data abort
 * without a valid syndrome becomes {@code NestedPageFault} instead of being decoded from meaningless
 * bits; WFI becomes {@code Halt}; an SMC that is not PSCI becomes {@code Hypercall} instead of being
 * forwarded to firmware; PSCI SYSTEM_RESET becomes {@code SystemReset}; an exception class it cannot
 * handle becomes {@code InternalError} instead of a panic.
 */
public final class TrapDecoder {

    /**
     * A decoded trap.
     *
     * @param exit the exit to report
     * @param advancePc whether the backend must add {@link #instructionLength()} to the PC (PC = ELR_EL2)
     *     before returning the exit
     * @param instructionLength the trapping instruction's length, 2 or 4
     */
    public record Decoded(VCpuExit exit, boolean advancePc, int instructionLength) {}

    /** ICC_SGI1R_EL1 in ISS format (op0 3, op1 0, CRn 12, CRm 11, op2 5). */
    public static final long ICC_SGI1R_EL1 = 0x3A3016;

    private TrapDecoder() {}

    /**
     * Decodes a trap.
     *
     * @param esr the syndrome (ESR_EL2)
     * @param ipa the faulting guest-physical address (from HPFAR_EL2 and FAR_EL2), for aborts
     * @param gprs the guest's registers at the trap
     * @return the exit and the PC rule
     */
    public static Decoded decode(long esr, long ipa, Gprs gprs) {
        int ec = Esr.ec(esr);
        int iss = Esr.iss(esr);
        int len = Esr.instructionLength(esr);
        return switch (ec) {
            case Esr.EC_DABT_LOWER -> dataAbort(DataAbortIss.decode(iss), ipa, gprs, len);
            case Esr.EC_IABT_LOWER -> new Decoded(new VCpuExit.NestedPageFault(ipa, AccessKind.EXECUTE), false, len);
            // HVC: ELR_EL2 already points past the HVC (Arm ARM D1.10.1, preferred return address).
            case Esr.EC_HVC64 -> new Decoded(call(gprs), false, len);
            // SMC trapped by HCR_EL2.TSC: ELR_EL2 points at the SMC itself.
            case Esr.EC_SMC64 -> new Decoded(call(gprs), true, len);
            case Esr.EC_SYSREG -> new Decoded(systemRegister(SysRegIss.decode(iss), gprs), true, len);
            // WFx ISS TI[1:0]: 0 WFI, 1 WFE, 2 WFIT, 3 WFET.
            case Esr.EC_WFX -> new Decoded((iss & 1) == 0 ? new VCpuExit.Halt() : new VCpuExit.Nothing(), true, len);
            default -> new Decoded(new VCpuExit.InternalError(esr, String.format(
                    "unhandled exception class 0x%02x (ESR_EL2 0x%08x, IPA 0x%x)", ec, esr, ipa)), false, len);
        };
    }

    /**
     * {@return the exit of a hypercall (HVC or SMC): a PSCI exit if {@link Psci#decode} knows the call,
     * else {@code Hypercall(x0, x1..x6)}}
     *
     * @param gprs the guest's registers
     */
    public static VCpuExit call(Gprs gprs) {
        long x0 = gprs.x(0);
        return Psci.decode(x0, gprs.x(1), gprs.x(2), gprs.x(3)).orElseGet(() -> new VCpuExit.Hypercall(x0,
                List.of(gprs.x(1), gprs.x(2), gprs.x(3), gprs.x(4), gprs.x(5), gprs.x(6))));
    }

    private static Decoded dataAbort(DataAbortIss d, long ipa, Gprs gprs, int len) {
        AccessKind kind = d.write() ? AccessKind.WRITE : AccessKind.READ;
        if (!d.isTranslationFault() && !d.isPermissionFault()) {
            return new Decoded(new VCpuExit.InternalError(d.encode(), String.format(
                    "data abort at IPA 0x%x with fault status 0x%02x (not a stage-2 translation or permission fault)",
                    ipa, d.faultStatus())), false, len);
        }
        if (!d.isv()) {
            return new Decoded(new VCpuExit.NestedPageFault(ipa, kind), false, len);
        }
        VCpuExit exit = d.write()
                ? new VCpuExit.MmioWrite(ipa, d.width(), Completion.storeData(gprs, d.register(), d.width()))
                : new VCpuExit.MmioRead(ipa, d.width(), d.register(), d.registerWidth(), d.signExtend());
        return new Decoded(exit, true, len);
    }

    private static VCpuExit systemRegister(SysRegIss s, Gprs gprs) {
        if (!s.read()) {
            long value = gprs.xOrZero(s.register());
            if (s.address() == ICC_SGI1R_EL1) {
                return sendIpi(value);
            }
            return new VCpuExit.SysRegWrite(s.address(), value);
        }
        return new VCpuExit.SysRegRead(s.address(), s.register());
    }

    /**
     * {@return the IPI a write of {@code value} to ICC_SGI1R_EL1 sends (GICv3, Arm IHI 0069: INTID[27:24],
     * Aff3[55:48], IRM[40], Aff2[39:32], Aff1[23:16], TargetList[15:0]), packed as arm_vcpu packs it}
     *
     * @param value the written value
     */
    public static VCpuExit.SendIpi sendIpi(long value) {
        long intid = (value >>> 24) & 0xF;
        if (((value >>> 40) & 1) != 0) {
            return new VCpuExit.SendIpi(0, 0, true, false, intid);
        }
        long aff3 = (value >>> 48) & 0xFF;
        long aff2 = (value >>> 32) & 0xFF;
        long aff1 = (value >>> 16) & 0xFF;
        return new VCpuExit.SendIpi(aff3 << 24 | aff2 << 16 | aff1 << 8, value & 0xFFFF, false, false, intid);
    }
}
