package org.vcpu4j.backend.hvf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessKind;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.BackendException;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VCpuState;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.backend.hvf.sys.HvReg;
import org.vcpu4j.backend.hvf.sys.HvReturn;
import org.vcpu4j.backend.hvf.sys.HvVcpuExit;
import org.vcpu4j.spi.aarch64.DataAbortIss;
import org.vcpu4j.spi.aarch64.Esr;
import org.vcpu4j.spi.aarch64.Psci;
import org.vcpu4j.spi.aarch64.SysRegIss;

/** Every exit kind through the backend, with the PC rule of DESIGN.md and the completion arithmetic. */
class HvfExitTest {
    static final long PC = 0x4000_0000L;
    static final long UART = 0x0900_0000L;

    static long dataAbort(AccessWidth width, boolean sse, int rt, boolean sf, boolean write) {
        return Esr.encode(Esr.EC_DABT_LOWER, true, DataAbortIss.mmio(width, sse, rt, sf, false, write).encode());
    }

    static long sysReg(long address, int rt, boolean read) {
        return Esr.encode(Esr.EC_SYSREG, true, SysRegIss.of(address, rt, read).encode());
    }

    static long hvc() {
        return Esr.encode(Esr.EC_HVC64, true, 0);
    }

    static long smc() {
        return Esr.encode(Esr.EC_SMC64, true, 0);
    }

    @Test
    void mmioLoadAdvancesThePcAndCompletesWithSignExtensionIntoAWRegister() {
        try (Rig r = Rig.bound()) {
            r.api.exception(dataAbort(AccessWidth.BYTE, true, 3, false, false), UART + 4);
            r.fake().regs[3] = 0xDEAD_BEEF_0000_0000L;
            VCpuExit exit = r.cpu.run();
            assertEquals(new VCpuExit.MmioRead(UART + 4, AccessWidth.BYTE, 3, AccessWidth.DWORD, true), exit);
            assertEquals(PC + 4, r.pc(), "PC advanced past the load");
            r.cpu.completeMmioRead(0x1280);
            assertEquals(0xFFFF_FF80L, r.fake().regs[3], "byte 0x80 sign-extended to 32 bits, upper half cleared");
        }
    }

    @Test
    void mmioLoadIntoXRegisterZeroExtendsWithoutSse() {
        try (Rig r = Rig.bound()) {
            r.api.exception(dataAbort(AccessWidth.WORD, false, 7, true, false), UART);
            assertInstanceOf(VCpuExit.MmioRead.class, r.cpu.run());
            r.cpu.completeMmioRead(0xFFFF_FFFF_FFFF_8001L);
            assertEquals(0x8001L, r.fake().regs[7]);
        }
    }

    @Test
    void mmioLoadIntoXzrLeavesEveryRegisterAlone() {
        try (Rig r = Rig.bound()) {
            r.api.exception(dataAbort(AccessWidth.QWORD, false, 31, true, false), UART);
            long[] before = r.fake().regs.clone();
            VCpuExit.MmioRead read = (VCpuExit.MmioRead) r.cpu.run();
            assertEquals(31, read.register());
            r.cpu.completeMmioRead(0x1234);
            before[HvReg.PC] += 4;
            assertArrayEquals(before, r.fake().regs);
            assertEquals(0, r.cpu.gpr(31));
        }
    }

    @Test
    void mmioStoreReportsTheRegisterMaskedToTheWidth() {
        try (Rig r = Rig.bound()) {
            r.fake().regs[5] = 0x1122_3344_5566_7788L;
            r.api.exception(dataAbort(AccessWidth.DWORD, false, 5, false, true), UART);
            assertEquals(new VCpuExit.MmioWrite(UART, AccessWidth.DWORD, 0x5566_7788L), r.cpu.run());
            assertEquals(PC + 4, r.pc());
        }
    }

    @Test
    void mmioStoreOfXzrGivesZero() {
        try (Rig r = Rig.bound()) {
            r.api.exception(dataAbort(AccessWidth.QWORD, false, 31, true, true), UART);
            assertEquals(new VCpuExit.MmioWrite(UART, AccessWidth.QWORD, 0), r.cpu.run());
        }
    }

    @Test
    void dataAbortWithoutSyndromeIsANestedPageFaultAtTheFaultingInstruction() {
        try (Rig r = Rig.bound()) {
            r.api.exception(Esr.encode(Esr.EC_DABT_LOWER, true, DataAbortIss.withoutSyndrome(true).encode()), UART + 8);
            assertEquals(new VCpuExit.NestedPageFault(UART + 8, AccessKind.WRITE), r.cpu.run());
            assertEquals(PC, r.pc());
        }
    }

    @Test
    void instructionAbortIsAnExecuteFaultAtTheFaultingInstruction() {
        try (Rig r = Rig.bound()) {
            r.api.exception(Esr.encode(Esr.EC_IABT_LOWER, true, 0x07), 0x7000_0000L);
            assertEquals(new VCpuExit.NestedPageFault(0x7000_0000L, AccessKind.EXECUTE), r.cpu.run());
            assertEquals(PC, r.pc());
        }
    }

    @Test
    void systemRegisterReadAdvancesThePcAndCompletesIntoRt() {
        try (Rig r = Rig.bound()) {
            long addr = SystemRegister.issAddress(3, 0, 15, 2, 1);
            r.api.exception(sysReg(addr, 9, true), 0);
            assertEquals(new VCpuExit.SysRegRead(addr, 9), r.cpu.run());
            assertEquals(PC + 4, r.pc());
            r.cpu.completeSysRegRead(0xABCD_0000_1234L);
            assertEquals(0xABCD_0000_1234L, r.fake().regs[9]);
        }
    }

    @Test
    void systemRegisterReadIntoXzrIsIgnored() {
        try (Rig r = Rig.bound()) {
            r.api.exception(sysReg(SystemRegister.PMCR_EL0.issAddress(), 31, true), 0);
            assertEquals(new VCpuExit.SysRegRead(SystemRegister.PMCR_EL0.issAddress(), 31), r.cpu.run());
            long[] before = r.fake().regs.clone();
            r.cpu.completeSysRegRead(-1);
            assertArrayEquals(before, r.fake().regs);
        }
    }

    @Test
    void systemRegisterWriteReportsTheValueAndXzrWritesZero() {
        try (Rig r = Rig.bound()) {
            long addr = SystemRegister.CNTP_CTL_EL0.issAddress();
            r.fake().regs[2] = 0x3;
            r.api.exception(sysReg(addr, 2, false), 0).exception(sysReg(addr, 31, false), 0);
            assertEquals(new VCpuExit.SysRegWrite(addr, 3), r.cpu.run());
            assertEquals(new VCpuExit.SysRegWrite(addr, 0), r.cpu.run());
            assertEquals(PC + 8, r.pc());
        }
    }

    @Test
    void writeOfIccSgi1rIsAnIpi() {
        try (Rig r = Rig.bound()) {
            r.fake().regs[1] = 5L << 24 | 1L << 16 | 0b10; // INTID 5, Aff1 1, target list {1}
            r.api.exception(sysReg(0x3A3016, 1, false), 0);
            assertEquals(new VCpuExit.SendIpi(1L << 8, 0b10, false, false, 5), r.cpu.run());
            assertEquals(PC + 4, r.pc());
        }
    }

    @Test
    void psciCpuOnOverHvcLeavesThePcAlone() {
        try (Rig r = Rig.bound()) {
            r.fake().regs[0] = Psci.CPU_ON_64 & 0xFFFF_FFFFL;
            r.fake().regs[1] = 1;
            r.fake().regs[2] = 0x4008_0000L;
            r.fake().regs[3] = 0x42;
            r.fake().regs[HvReg.PC] = PC + 4; // HVC: the framework's PC (ELR_EL2) is already past the HVC
            r.api.exception(hvc(), 0);
            assertEquals(new VCpuExit.CpuUp(1, 0x4008_0000L, 0x42), r.cpu.run());
            assertEquals(PC + 4, r.pc());
        }
    }

    @Test
    void psciSystemOffOverSmcAdvancesThePc() {
        try (Rig r = Rig.bound()) {
            r.fake().regs[0] = Psci.SYSTEM_OFF & 0xFFFF_FFFFL;
            r.api.exception(smc(), 0);
            assertEquals(new VCpuExit.SystemDown(), r.cpu.run());
            assertEquals(PC + 4, r.pc(), "a trapped SMC leaves ELR_EL2 at the SMC");
        }
    }

    @Test
    void psciResetAndCpuOffOverSmcAndHvc() {
        try (Rig r = Rig.bound()) {
            r.fake().regs[0] = Psci.SYSTEM_RESET & 0xFFFF_FFFFL;
            r.api.exception(hvc(), 0);
            assertEquals(new VCpuExit.SystemReset(), r.cpu.run());
            r.fake().regs[0] = Psci.CPU_OFF & 0xFFFF_FFFFL;
            r.api.exception(smc(), 0);
            assertEquals(new VCpuExit.CpuDown(0), r.cpu.run());
            assertEquals(PC + 4, r.pc(), "only the SMC moved the PC");
        }
    }

    @Test
    void otherHypercallsCarryX0ToX6AndTakeAReturnValueInX0() {
        try (Rig r = Rig.bound()) {
            for (int i = 0; i <= 6; i++) {
                r.fake().regs[i] = 0x100 + i;
            }
            r.api.exception(hvc(), 0);
            assertEquals(new VCpuExit.Hypercall(0x100, List.of(0x101L, 0x102L, 0x103L, 0x104L, 0x105L, 0x106L)),
                    r.cpu.run());
            r.cpu.setReturnValue(Psci.NOT_SUPPORTED);
            assertEquals(-1L, r.fake().regs[0]);
            assertEquals(PC, r.pc());
        }
    }

    @Test
    void smcThatIsNotPsciIsAHypercallNotForwarded() {
        try (Rig r = Rig.bound()) {
            r.fake().regs[0] = 0xC200_0001L;
            r.api.exception(smc(), 0);
            VCpuExit.Hypercall h = assertInstanceOf(VCpuExit.Hypercall.class, r.cpu.run());
            assertEquals(0xC200_0001L, h.number());
            assertEquals(PC + 4, r.pc());
        }
    }

    @Test
    void wfiHaltsAndWfeIsNothingBothPastTheInstruction() {
        try (Rig r = Rig.bound()) {
            r.api.exception(Esr.encode(Esr.EC_WFX, true, 0), 0).exception(Esr.encode(Esr.EC_WFX, true, 1), 0);
            assertEquals(new VCpuExit.Halt(), r.cpu.run());
            assertEquals(PC + 4, r.pc());
            assertEquals(new VCpuExit.Nothing(), r.cpu.run());
            assertEquals(PC + 8, r.pc());
        }
    }

    @Test
    void anUnhandledExceptionClassIsAnInternalErrorNotACrash() {
        try (Rig r = Rig.bound()) {
            long esr = Esr.encode(Esr.EC_BRK64, true, 0x10);
            r.api.exception(esr, 0);
            VCpuExit.InternalError e = assertInstanceOf(VCpuExit.InternalError.class, r.cpu.run());
            assertEquals(esr, e.code());
            assertEquals(PC, r.pc());
        }
    }

    @Test
    void anUnknownExitReasonIsAnInternalError() {
        try (Rig r = Rig.bound()) {
            r.api.exit(HvVcpuExit.REASON_UNKNOWN, 0x55, 0, 0).exit(7, 0, 0, 0);
            VCpuExit.InternalError e = assertInstanceOf(VCpuExit.InternalError.class, r.cpu.run());
            assertEquals(3, e.code());
            assertTrue(e.description().contains("HV_EXIT_REASON_UNKNOWN"), e.description());
            e = assertInstanceOf(VCpuExit.InternalError.class, r.cpu.run());
            assertEquals(7, e.code());
            assertEquals(PC, r.pc());
        }
    }

    @Test
    void aFailingRunIsABackendExceptionNamingTheCallAndLeavesTheVCpuInvalid() {
        try (Rig r = Rig.bound()) {
            r.api.fail("hv_vcpu_run", HvReturn.HV_ILLEGAL_GUEST_STATE);
            BackendException e = assertThrows(BackendException.class, r.cpu::run);
            assertTrue(e.getMessage().startsWith("hv_vcpu_run failed: HV_ILLEGAL_GUEST_STATE 0xfae94004"),
                    e.getMessage());
            assertEquals(VCpuState.INVALID, r.cpu.state());
        }
    }
}
