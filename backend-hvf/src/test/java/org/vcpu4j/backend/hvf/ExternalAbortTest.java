package org.vcpu4j.backend.hvf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.backend.hvf.sys.HvReg;
import org.vcpu4j.backend.hvf.sys.HvSysReg;
import org.vcpu4j.spi.aarch64.DataAbortIss;
import org.vcpu4j.spi.aarch64.Esr;

/** completeMmioWithExternalAbort: the exception entry the backend performs with register writes. */
class ExternalAbortTest {
    static final long VBAR = 0x4010_0000L;
    static final long PC = 0x4000_0000L;

    private static Rig rigAt(long pstate, boolean write) {
        Rig r = Rig.bound();
        FakeHvfApi.VCpu v = r.fake();
        v.regs[HvReg.CPSR] = pstate;
        v.sysRegs.put(HvSysReg.VBAR_EL1.code(), VBAR);
        v.sysRegs.put(HvSysReg.SCTLR_EL1.code(), 0x30C5_0830L | 1L << 23); // SPAN = 1: PAN unchanged
        long esr = Esr.encode(Esr.EC_DABT_LOWER, true,
                DataAbortIss.mmio(AccessWidth.DWORD, false, 1, false, false, write).encode());
        r.api.exit(1, esr, 0xFFFF_8000_0900_0010L, 0x0900_0010L);
        return r;
    }

    @Test
    void anAbortedLoadAtEl1hTakesTheCurrentElSpxVector() {
        try (Rig r = rigAt(0x2000_0005L, false)) {
            VCpuExit exit = r.cpu.run();
            long regs1 = r.fake().regs[1];
            r.cpu.completeMmioWithExternalAbort();
            FakeHvfApi.VCpu v = r.fake();
            assertEquals(VBAR + 0x200, v.regs[HvReg.PC]);
            assertEquals(PC, v.sys(HvSysReg.ELR_EL1.code()), "ELR is the faulting load, not the advanced PC");
            assertEquals(0x2000_0005L, v.sys(HvSysReg.SPSR_EL1.code()));
            assertEquals(0x2000_03C5L, v.regs[HvReg.CPSR], "EL1h, DAIF masked, NZCV kept");
            assertEquals(0xFFFF_8000_0900_0010L, v.sys(HvSysReg.FAR_EL1.code()), "FAR is the virtual address");
            long esr = v.sys(HvSysReg.ESR_EL1.code());
            assertEquals(Esr.EC_DABT_CURRENT, Esr.ec(esr));
            assertEquals(true, Esr.il(esr));
            assertEquals(DataAbortIss.DFSC_EXTERNAL_ABORT, Esr.iss(esr) & 0x3F);
            assertEquals(0, Esr.iss(esr) & 1 << 6, "a load: WnR = 0");
            assertEquals(0, Esr.iss(esr) & 1 << 24, "ISV = 0");
            assertEquals(regs1, v.regs[1], "the destination register is not written");
            assertEquals(VCpuExit.MmioRead.class, exit.getClass());
        }
    }

    @Test
    void anAbortedStoreFromEl0TakesTheLowerElVectorWithWnR() {
        try (Rig r = rigAt(0x0, true)) {
            r.cpu.run();
            r.cpu.completeMmioWithExternalAbort();
            FakeHvfApi.VCpu v = r.fake();
            assertEquals(VBAR + 0x400, v.regs[HvReg.PC]);
            long esr = v.sys(HvSysReg.ESR_EL1.code());
            assertEquals(Esr.EC_DABT_LOWER, Esr.ec(esr));
            assertEquals(1 << 6, Esr.iss(esr) & 1 << 6);
        }
    }

    @Test
    void fromEl1tTheVectorIsTheSpEl0One() {
        try (Rig r = rigAt(0x4, false)) {
            r.cpu.run();
            r.cpu.completeMmioWithExternalAbort();
            assertEquals(VBAR, r.fake().regs[HvReg.PC]);
        }
    }

    @Test
    void panAndSsbsFollowSctlr() {
        long pan = 1L << 22;
        ExternalAbort spanClear = ExternalAbort.compute(0x5, 0x1004, 4, 0, false, 0, 0);
        assertEquals(pan | 0x3C5, spanClear.pstate(), "SCTLR_EL1.SPAN = 0 sets PAN");
        ExternalAbort spanSet = ExternalAbort.compute(0x5, 0x1004, 4, 0, false, 0, 1L << 23);
        assertEquals(0x3C5, spanSet.pstate(), "SPAN = 1 keeps PAN (0 here)");
        ExternalAbort dssbs = ExternalAbort.compute(0x5 | 1L << 24 | 1L << 21, 0x1004, 4, 0, false, 0,
                1L << 23 | 1L << 44);
        assertEquals(1L << 24 | 1L << 12 | 0x3C5, dssbs.pstate(), "DIT kept, SS cleared, SSBS = DSSBS");
        assertEquals(0x1000, dssbs.elr());
    }

    @Test
    void fromAarch32TheVectorIs0x600() {
        ExternalAbort e = ExternalAbort.compute(0x10, 0x1004, 4, 0, false, VBAR, 0);
        assertEquals(VBAR + 0x600, e.pc());
        assertEquals(Esr.EC_DABT_LOWER, Esr.ec(e.esr()));
    }
}
