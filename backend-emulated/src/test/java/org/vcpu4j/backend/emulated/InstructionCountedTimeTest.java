package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.InterruptControllerConfig;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.spi.Backends;
import org.vcpu4j.tck.asm.A64;
import org.vcpu4j.tck.asm.A64SysReg;

/**
 * Instruction-counted time (issue 13, deterministic mode): the count is one tick per retired instruction,
 * WFI jumps to the timer's deadline, and the same guest sees the same counts on every run.
 */
class InstructionCountedTimeTest {
    private static final long CODE = Guest.RAM + 0x1000;
    private static final long VECTORS = Guest.RAM + 0x800;
    /** 16 s of host time at 62.5 MHz: a host-clock run would sleep that long in WFI. */
    private static final long DELAY = 1_000_000_000L;

    @Test
    void aTimerThatIsSixteenSecondsAwayFiresAtOnceAtTheSameCountOnEveryRun() {
        long[] first = timerInterruptCount();
        long[] second = timerInterruptCount();
        assertTrue(Long.compareUnsigned(first[0], first[1]) >= 0, "the interrupt came at or after CNTV_CVAL_EL0");
        assertTrue(first[0] - first[1] < 1000, "WFI jumped to the deadline, not beyond: " + (first[0] - first[1]));
        assertEquals(first[0], second[0], "the same guest reads the same count at its interrupt on every run");
        assertEquals(first[1], second[1], "and armed the same compare value");
    }

    /** {@return the count the handler read and the compare value the guest set} */
    private static long[] timerInterruptCount() {
        A64SysReg cntvct = A64SysReg.of(SystemRegister.CNTVCT_EL0);
        A64SysReg cval = A64SysReg.of(SystemRegister.CNTV_CVAL_EL0);
        A64SysReg ctl = A64SysReg.of(SystemRegister.CNTV_CTL_EL0);
        A64SysReg pmr = new A64SysReg(3, 0, 4, 6, 0);
        A64SysReg igrpen1 = new A64SysReg(3, 0, 12, 12, 7);
        A64SysReg iar1 = new A64SysReg(3, 0, 12, 12, 0);
        int[] main = A64.concat(new int[] {
            // GICv3 (IHI 0069 ch. 12): GICD_CTLR = ARE | EnableGrp1; GICR_WAKER = 0; PPI 27 in group 1 at 0x80, enabled
            A64.movz(1, 0x0800, 1), A64.movz(2, 0x12, 0), A64.strW(2, 1, 0),
            A64.movz(1, 0x080A, 1), A64.strW(A64.ZR, 1, 0x14),
            A64.movz(1, 0x080B, 1), A64.movz(2, 0xFFFF, 0), A64.movk(2, 0xFFFF, 1), A64.strW(2, 1, 0x80),
            A64.movz(2, 0x80, 0), A64.strB(2, 1, 0x400 + 27), A64.movz(2, 0, 0), A64.movk(2, 1 << 11, 1),
            A64.strW(2, 1, 0x100),
            A64.movz(2, 0xFF, 0), pmr.msr(2), A64.movz(2, 1, 0), igrpen1.msr(2), A64.isb(),
            // CNTV_CVAL_EL0 = CNTVCT_EL0 + X20; enable; unmask IRQs; wait
            cntvct.mrs(3), A64.addReg(4, 3, 20), cval.msr(4), A64.movz(2, 1, 0), ctl.msr(2), A64.isb(),
            A64.msrDaifClr(2), A64.wfi(), A64.b(-4)});
        int[] handler = {iar1.mrs(0), cntvct.mrs(1), A64.movReg(2, 4), A64.hvc(0)};
        try (Hypervisor hv = Backends.open(EmulatedBackendProvider.withInstructionCountedTime());
                VirtualMachine vm = hv.createVirtualMachine()) {
            vm.mapRam(Guest.RAM, Guest.RAM_SIZE);
            vm.createInterruptController(InterruptControllerConfig.qemuVirtGicV3());
            vm.memory().write(CODE, A64.toBytes(main));
            vm.memory().write(VECTORS + 0x280, A64.toBytes(handler));
            VCpu cpu = vm.createVCpu(0, Aarch64CreateConfig.ofMpidr(0));
            cpu.setEntry(CODE);
            cpu.setup(Aarch64SetupConfig.defaults());
            cpu.bind();
            Aarch64State s = (Aarch64State) cpu.saveState();
            cpu.restoreState(s.toBuilder().sys(SystemRegister.VBAR_EL1, VECTORS).x(20, DELAY).build());
            VCpuExit exit = cpu.run();
            VCpuExit.Hypercall h = assertInstanceOf(VCpuExit.Hypercall.class, exit);
            assertEquals(27, h.number(), "the virtual timer's PPI");
            return new long[] {h.args().get(0), h.args().get(1)};
        }
    }
}
