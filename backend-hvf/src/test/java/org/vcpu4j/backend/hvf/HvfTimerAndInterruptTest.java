package org.vcpu4j.backend.hvf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.backend.hvf.sys.HvReg;
import org.vcpu4j.backend.hvf.sys.HvSysReg;
import org.vcpu4j.backend.hvf.sys.HvVcpuExit;
import org.vcpu4j.spi.aarch64.Esr;
import org.vcpu4j.spi.aarch64.SysRegIss;

/** The virtual timer exit and its unmask rule; interrupt injection through the backend's GIC CPU interface. */
class HvfTimerAndInterruptTest {
    static final long WFI = Esr.encode(Esr.EC_WFX, true, 0);
    static final long ENABLE = 1;
    static final long IMASK = 2;
    static final long ISTATUS = 4;
    static final long PC = 0x4000_0000L;

    static long iccRead(long address, int rt) {
        return Esr.encode(Esr.EC_SYSREG, true, SysRegIss.of(address, rt, true).encode());
    }

    static long iccWrite(long address, int rt) {
        return Esr.encode(Esr.EC_SYSREG, true, SysRegIss.of(address, rt, false).encode());
    }

    @Test
    void vtimerExitIsAnExternalInterruptAtTheInterruptedInstructionAndPendsPpi27() {
        try (Rig r = Rig.bound()) {
            r.api.exit(HvVcpuExit.REASON_VTIMER_ACTIVATED, 0, 0, 0)
                    .exception(iccRead(GicCpuInterface.ICC_IAR1_EL1, 0), 0).exception(WFI, 0);
            r.fake().sysRegs.put(HvSysReg.CNTV_CTL_EL0.code(), ENABLE | ISTATUS);
            assertEquals(new VCpuExit.ExternalInterrupt(27), r.cpu.run());
            assertEquals(PC, r.pc());
            assertTrue(r.fake().vtimerMasked, "the framework masked the timer");
            assertEquals(new VCpuExit.Halt(), r.cpu.run(), "the guest's IAR read is answered inside the backend");
            assertEquals(27, r.fake().regs[0]);
            assertEquals(List.of(false, true, false), r.fake().irqAtRun, "IRQ up until acknowledged");
        }
    }

    @Test
    void theTimerStaysMaskedWhileTheGuestStillAssertsItAndIsUnmaskedAfterwards() {
        try (Rig r = Rig.bound()) {
            r.api.exit(HvVcpuExit.REASON_VTIMER_ACTIVATED, 0, 0, 0).exception(WFI, 0).exception(WFI, 0)
                    .exception(WFI, 0);
            r.cpu.run();
            r.fake().sysRegs.put(HvSysReg.CNTV_CTL_EL0.code(), ENABLE | ISTATUS);
            r.cpu.run();
            // the guest's handler moves CVAL into the future: ISTATUS drops
            r.fake().sysRegs.put(HvSysReg.CNTV_CTL_EL0.code(), ENABLE);
            r.cpu.run();
            r.cpu.run();
            assertEquals(List.of(false, true, false, false), r.fake().vtimerMaskAtRun);
            assertEquals(List.of(false, true, false, false), r.fake().irqAtRun,
                    "PPI 27 was never acknowledged and its level dropped: no longer pending");
        }
    }

    @Test
    void maskingOrDisablingTheTimerAlsoEndsTheMask() {
        for (long ctl : new long[] {ENABLE | IMASK | ISTATUS, ISTATUS}) {
            try (Rig r = Rig.bound()) {
                r.api.exit(HvVcpuExit.REASON_VTIMER_ACTIVATED, 0, 0, 0).exception(WFI, 0);
                r.cpu.run();
                r.fake().sysRegs.put(HvSysReg.CNTV_CTL_EL0.code(), ctl);
                r.cpu.run();
                assertEquals(List.of(false, false), r.fake().vtimerMaskAtRun, "CNTV_CTL 0x" + Long.toHexString(ctl));
            }
        }
    }

    @Test
    void anInjectedInterruptIsSignalledUntilAcknowledgedAndEndedByTheGuest() {
        try (Rig r = Rig.bound()) {
            r.api.exception(WFI, 0)
                    .exception(iccRead(GicCpuInterface.ICC_IAR1_EL1, 4), 0)
                    .exception(WFI, 0)
                    .exception(iccWrite(GicCpuInterface.ICC_EOIR1_EL1, 4), 0)
                    .exception(WFI, 0);
            r.cpu.injectInterrupt(33);
            r.cpu.injectInterrupt(40);
            assertEquals(new VCpuExit.Halt(), r.cpu.run());
            assertEquals(new VCpuExit.Halt(), r.cpu.run(), "IAR read handled without an exit");
            assertEquals(33, r.fake().regs[4], "the lowest pending id is acknowledged first");
            assertEquals(new VCpuExit.Halt(), r.cpu.run(), "EOIR write handled without an exit");
            assertEquals(List.of(true, true, false, false, true), r.fake().irqAtRun,
                    "no IRQ while 33 is active; 40 is signalled again after the EOI");
            assertEquals(PC + 5 * 4, r.pc(), "every trapped instruction was stepped over");
        }
    }

    @Test
    void iarWithNothingPendingIsSpurious() {
        try (Rig r = Rig.bound()) {
            r.api.exception(iccRead(GicCpuInterface.ICC_IAR1_EL1, 2), 0).exception(WFI, 0);
            r.cpu.run();
            assertEquals(1023, r.fake().regs[2]);
            assertFalse(r.api.calls.contains("hv_vcpu_set_pending_interrupt"));
        }
    }

    @Test
    void iccRegistersTheSetupTrapsAreExitsForTheVmm() {
        try (Rig r = Rig.unbound()) {
            var cpu = r.vm.createVCpu(1, Aarch64CreateConfig.ofMpidr(1));
            cpu.setup(Aarch64SetupConfig.defaults().trapping(GicCpuInterface.ICC_IAR1_EL1));
            cpu.setEntry(PC);
            cpu.bind();
            r.api.exception(iccRead(GicCpuInterface.ICC_IAR1_EL1, 3), 0)
                    .exception(iccWrite(GicCpuInterface.ICC_PMR_EL1, 3), 0).exception(WFI, 0);
            assertEquals(new VCpuExit.SysRegRead(GicCpuInterface.ICC_IAR1_EL1, 3), cpu.run());
            cpu.completeSysRegRead(77);
            assertEquals(new VCpuExit.Halt(), cpu.run(), "PMR is not in the trapped set: answered inside");
            assertEquals(77, r.api.live().regs[3]);
            assertEquals(PC + 12, r.api.live().regs[HvReg.PC]);
            cpu.close();
        }
    }

    @Test
    void noInjectionNoLine() {
        try (Rig r = Rig.bound()) {
            r.api.exception(WFI, 0);
            r.cpu.run();
            assertEquals(List.of(false), r.fake().irqAtRun);
            assertFalse(r.api.calls.contains("hv_vcpu_set_pending_interrupt"));
        }
    }
}
