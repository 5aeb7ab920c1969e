package org.vcpu4j.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.BreakpointKind;
import org.vcpu4j.api.DebugCapability;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VCpuExit.DebugStop;
import org.vcpu4j.api.WatchKind;
import org.vcpu4j.api.x86_64.FpuState;
import org.vcpu4j.api.x86_64.X86_64State;

/** KVM x86-64 debugging on the real /dev/kvm (issue 14): debug-register breakpoints, single-step, KVM_TRANSLATE, FPU state. */
class KvmX86DebugTest {
    private static final long C = X86Guest.CODE;

    /** inc rax; inc rcx; inc rdx; jmp back to the start. */
    private static byte[] loop() {
        return new X86Guest.Code().bytes(0x48, 0xFF, 0xC0).bytes(0x48, 0xFF, 0xC1).bytes(0x48, 0xFF, 0xC2)
                .bytes(0xEB, 0xF5).build();
    }

    private static X86_64State state(X86Guest g) {
        return (X86_64State) g.vcpu.saveState();
    }

    @Test
    void kvmOffersStepBreakpointsAndTranslationAndSaysNoToWatchpoints() {
        try (X86Guest g = X86Guest.start(loop())) {
            assertEquals(EnumSet.of(DebugCapability.SINGLE_STEP, DebugCapability.SOFTWARE_BREAKPOINTS,
                    DebugCapability.HARDWARE_BREAKPOINTS, DebugCapability.TRANSLATE_GVA), g.vcpu.debugCapabilities());
            assertThrows(UnsupportedOperationException.class, () -> g.vcpu.insertWatchpoint(WatchKind.WRITE, 0x2000, 8));
        }
    }

    @Test
    void theFourDebugRegistersHoldFourBreakpointsAndAFifthIsRefused() {
        try (X86Guest g = X86Guest.start(loop())) {
            for (int i = 0; i < 4; i++) {
                g.vcpu.insertBreakpoint(BreakpointKind.SOFTWARE, 0x5000 + i);
            }
            g.vcpu.insertBreakpoint(BreakpointKind.HARDWARE, 0x5000); // already there: still four
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> g.vcpu.insertBreakpoint(BreakpointKind.SOFTWARE, C));
            assertTrue(e.getMessage().contains("DR0-DR3"), e.getMessage());
            g.vcpu.removeBreakpoint(BreakpointKind.SOFTWARE, 0x5003);
            g.vcpu.insertBreakpoint(BreakpointKind.HARDWARE, C + 3);
            assertEquals(new DebugStop(DebugStop.Reason.BREAKPOINT, C + 3, C + 3), g.vcpu.run());
        }
    }

    @Test
    void aBreakpointStopsBeforeItsInstructionAndARunFromItRunsIt() {
        try (X86Guest g = X86Guest.start(loop())) {
            byte[] code = g.vm.memory().read(C, 11);
            long rdx = state(g).gpr(2); // (RDX starts with the CPU signature)
            g.vcpu.insertBreakpoint(BreakpointKind.SOFTWARE, C + 6);
            assertEquals(new DebugStop(DebugStop.Reason.BREAKPOINT, C + 6, C + 6), g.vcpu.run());
            X86_64State s = state(g);
            assertEquals(C + 6, s.rip());
            assertEquals(1, s.gpr(0));
            assertEquals(1, s.gpr(1));
            assertEquals(rdx, s.gpr(2), "inc rdx has not run");
            assertEquals(new DebugStop(DebugStop.Reason.BREAKPOINT, C + 6, C + 6), g.vcpu.run());
            assertEquals(2, state(g).gpr(0));
            assertEquals(rdx + 1, state(g).gpr(2), "the run from the breakpoint ran its instruction");
            g.vcpu.removeBreakpoint(BreakpointKind.SOFTWARE, C + 6);
            assertArrayEquals(code, g.vm.memory().read(C, 11), "guest memory was never changed");
            g.vcpu.requestExit();
            assertInstanceOf(VCpuExit.Interrupted.class, g.vcpu.run());
        }
    }

    @Test
    void singleStepStopsAfterEachInstruction() {
        try (X86Guest g = X86Guest.start(loop())) {
            g.vcpu.setSingleStep(true);
            long[] expected = {C + 3, C + 6, C + 9, C, C + 3};
            for (long rip : expected) {
                assertEquals(new DebugStop(DebugStop.Reason.STEP, rip, rip), g.vcpu.run());
            }
            assertEquals(2, state(g).gpr(0));
            assertEquals(0x2, state(g).rflags() & 0x102, "TF is KVM's, not the guest's");
            g.vcpu.setSingleStep(false);
            g.vcpu.requestExit();
            assertInstanceOf(VCpuExit.Interrupted.class, g.vcpu.run());
        }
    }

    @Test
    void translateGvaUsesTheGuestsPageTables() {
        try (X86Guest g = X86Guest.start(loop())) {
            assertEquals(OptionalLong.of(0x1234), g.vcpu.translateGva(0x1234), "setup maps RAM onto itself");
            assertEquals(OptionalLong.empty(), g.vcpu.translateGva(0x7F00_0000_0000L));
        }
    }

    @Test
    void theFpuAndSseRegistersAreInTheState() {
        try (X86Guest g = X86Guest.start(loop())) {
            FpuState initial = state(g).fpu();
            assertEquals(0x37F, initial.fcw());
            FpuState changed = initial.withXmm(0, 0x1122_3344_5566_7788L, 0x99AA_BBCC_DDEE_FF00L).withXmm(15, 1, 2);
            g.vcpu.restoreState(state(g).toBuilder().fpu(changed).build());
            assertEquals(changed, state(g).fpu());
        }
    }
}
