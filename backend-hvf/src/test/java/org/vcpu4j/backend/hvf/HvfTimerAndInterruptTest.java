package org.vcpu4j.backend.hvf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.backend.hvf.sys.HvSysReg;
import org.vcpu4j.backend.hvf.sys.HvVcpuExit;
import org.vcpu4j.spi.aarch64.Esr;
import org.vcpu4j.spi.aarch64.SysRegIss;

class HvfTimerAndInterruptTest {
    static final long WFI = Esr.encode(Esr.EC_WFX, true, 0);
    static final long ENABLE = 1;
    static final long IMASK = 2;
    static final long ISTATUS = 4;

    @Test
    void vtimerExitIsAnExternalInterruptAtTheInterruptedInstruction() {
        try (Rig r = Rig.bound()) {
            r.api.exit(HvVcpuExit.REASON_VTIMER_ACTIVATED, 0, 0, 0);
            assertEquals(new VCpuExit.ExternalInterrupt(27), r.cpu.run());
            assertEquals(0x4000_0000L, r.pc());
            assertTrue(r.fake().vtimerMasked, "the framework masked the timer");
        }
    }

    @Test
    void theTimerStaysMaskedWhileTheGuestStillAssertsItAndIsUnmaskedAfterwards() {
        try (Rig r = Rig.bound()) {
            r.api.exit(HvVcpuExit.REASON_VTIMER_ACTIVATED, 0, 0, 0).exception(WFI, 0).exception(WFI, 0)
                    .exception(WFI, 0);
            r.cpu.run();
            r.cpu.injectInterrupt(27); // the VMM's interrupt controller passes the timer on
            r.fake().sysRegs.put(HvSysReg.CNTV_CTL_EL0.code(), ENABLE | ISTATUS);
            r.cpu.run();
            // the guest's handler moves CVAL into the future: ISTATUS drops
            r.fake().sysRegs.put(HvSysReg.CNTV_CTL_EL0.code(), ENABLE);
            r.cpu.run();
            r.cpu.run();
            assertEquals(List.of(false, true, false, false), r.fake().vtimerMaskAtRun);
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
    void anInjectedInterruptKeepsTheIrqLineUpUntilTheGuestAcknowledgesIt() {
        try (Rig r = Rig.bound()) {
            long iar = SysRegIss.of(HvfVCpu.ICC_IAR1_EL1, 0, true).encode();
            r.api.exception(WFI, 0).exception(Esr.encode(Esr.EC_SYSREG, true, (int) iar), 0)
                    .exception(WFI, 0).exception(WFI, 0);
            r.cpu.injectInterrupt(33);
            assertEquals(new VCpuExit.Halt(), r.cpu.run());
            assertEquals(new VCpuExit.SysRegRead(HvfVCpu.ICC_IAR1_EL1, 0), r.cpu.run());
            r.cpu.completeSysRegRead(33);
            assertEquals(33, r.fake().regs[0]);
            r.cpu.run();
            assertEquals(List.of(true, true, false), r.fake().irqAtRun);
        }
    }

    @Test
    void theLineStaysUpWhileAnyInjectedInterruptIsUnacknowledged() {
        try (Rig r = Rig.bound()) {
            long iar = SysRegIss.of(HvfVCpu.ICC_IAR1_EL1, 1, true).encode();
            r.api.exception(Esr.encode(Esr.EC_SYSREG, true, (int) iar), 0).exception(WFI, 0)
                    .exception(Esr.encode(Esr.EC_SYSREG, true, (int) iar), 0).exception(WFI, 0);
            r.cpu.injectInterrupt(33);
            r.cpu.injectInterrupt(Integer.MAX_VALUE - 1);
            r.cpu.run();
            r.cpu.completeSysRegRead(33);
            r.cpu.run();
            r.cpu.run();
            r.cpu.completeSysRegRead((Integer.MAX_VALUE - 1) & 0xFF_FFFFL);
            r.cpu.run();
            assertEquals(List.of(true, true, true, true), r.fake().irqAtRun,
                    "an id above 24 bits is never acknowledged by IAR and keeps the line up: ids are not truncated");
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
