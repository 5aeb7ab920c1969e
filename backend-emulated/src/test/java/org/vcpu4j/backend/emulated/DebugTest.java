package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.EnumSet;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.BreakpointKind;
import org.vcpu4j.api.DebugCapability;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VCpuExit.DebugStop;
import org.vcpu4j.api.WatchKind;

/** The emulator's debug operations (issue 14): breakpoints in hot code, single-step, watchpoints, translate. */
class DebugTest {
    private static final long R = Guest.RAM;
    private static final long DATA = R + 0x800;

    private static final int[] LOOP = {
        0xd2800000, // 0x00 mov x0, #0
        0x91000400, // 0x04 loop: add x0, x0, #1
        0x91000821, // 0x08 add x1, x1, #2
        0xf9000040, // 0x0c str x0, [x2]
        0x17fffffd, // 0x10 b loop
    };

    private static Guest loop() {
        Guest g = new Guest(LOOP);
        g.vcpu.setGpr(2, DATA);
        return g;
    }

    @Test
    void theEmulatorOffersEveryDebugCapability() {
        try (Guest g = loop()) {
            assertEquals(EnumSet.allOf(DebugCapability.class), g.vcpu.debugCapabilities());
        }
    }

    @Test
    void aBreakpointStopsInCodeAlreadyCompiledIntoABlockAndContinuesFromIt() {
        try (Guest g = loop()) {
            g.vcpu.setInstructionLimit(200_000); // hot: the loop body runs as a compiled block
            assertInstanceOf(VCpuExit.Interrupted.class, g.run());
            g.vcpu.setInstructionLimit(Long.MAX_VALUE);
            g.vcpu.insertBreakpoint(BreakpointKind.SOFTWARE, R + 0x08);
            assertEquals(new DebugStop(DebugStop.Reason.BREAKPOINT, R + 0x08, R + 0x08), g.run());
            long x0 = g.x(0);
            assertEquals(new DebugStop(DebugStop.Reason.BREAKPOINT, R + 0x08, R + 0x08), g.run(),
                    "a run from the breakpoint runs its instruction and stops there next time round");
            assertEquals(x0 + 1, g.x(0));
            g.vcpu.removeBreakpoint(BreakpointKind.SOFTWARE, R + 0x08);
            g.vcpu.setInstructionLimit(g.vcpu.retiredInstructions().getAsLong() + 1000);
            assertInstanceOf(VCpuExit.Interrupted.class, g.run(), "a removed breakpoint no longer stops");
        }
    }

    @Test
    void aHardwareBreakpointAndASoftwareOneAtTheSameAddressAreRemovedSeparately() {
        try (Guest g = loop()) {
            g.vcpu.insertBreakpoint(BreakpointKind.SOFTWARE, R + 0x0c);
            g.vcpu.insertBreakpoint(BreakpointKind.HARDWARE, R + 0x0c);
            g.vcpu.removeBreakpoint(BreakpointKind.SOFTWARE, R + 0x0c);
            assertEquals(new DebugStop(DebugStop.Reason.BREAKPOINT, R + 0x0c, R + 0x0c), g.run());
        }
    }

    @Test
    void singleStepRunsOneInstructionPerRun() {
        try (Guest g = loop()) {
            g.vcpu.setSingleStep(true);
            long[] expected = {0x04, 0x08, 0x0c, 0x10, 0x04, 0x08};
            for (long pc : expected) {
                DebugStop stop = assertInstanceOf(DebugStop.class, g.run());
                assertEquals(DebugStop.Reason.STEP, stop.reason());
                assertEquals(R + pc, stop.pc());
                assertEquals(R + pc, g.pc());
            }
            assertEquals(2, g.x(0));
            assertEquals(6, g.vcpu.retiredInstructions().getAsLong());
            g.vcpu.setSingleStep(false);
            g.vcpu.setInstructionLimit(1000);
            assertInstanceOf(VCpuExit.Interrupted.class, g.run());
        }
    }

    @Test
    void aSingleStepOverAnMmioStoreEndsAfterTheExit() {
        try (Guest g = loop()) {
            g.vcpu.setGpr(2, Guest.UART);
            g.vcpu.setSingleStep(true);
            for (int i = 0; i < 3; i++) {
                assertInstanceOf(DebugStop.class, g.run());
            }
            assertInstanceOf(VCpuExit.MmioWrite.class, g.run());
            assertEquals(new DebugStop(DebugStop.Reason.STEP, R + 0x10, R + 0x10), g.run(),
                    "the store completed at its exit: the step ends there, with no further instruction");
        }
    }

    @Test
    void aWriteWatchpointStopsBeforeTheStoreAndTheRunAfterItStores() {
        try (Guest g = loop()) {
            g.vcpu.setInstructionLimit(100_000);
            assertInstanceOf(VCpuExit.Interrupted.class, g.run());
            g.vcpu.setInstructionLimit(Long.MAX_VALUE);
            g.vcpu.insertWatchpoint(WatchKind.READ, DATA, 8);
            g.vcpu.insertWatchpoint(WatchKind.WRITE, DATA, 8);
            long before = g.readLong(DATA);
            assertEquals(new DebugStop(DebugStop.Reason.WATCH_WRITE, R + 0x0c, DATA), g.run());
            assertEquals(before, g.readLong(DATA), "stopped before the access");
            long x0 = g.x(0);
            assertEquals(new DebugStop(DebugStop.Reason.WATCH_WRITE, R + 0x0c, DATA), g.run());
            assertEquals(x0, g.readLong(DATA), "the resumed store went ahead");
            g.vcpu.removeWatchpoint(WatchKind.WRITE, DATA, 8);
            g.vcpu.setInstructionLimit(g.vcpu.retiredInstructions().getAsLong() + 1000);
            assertInstanceOf(VCpuExit.Interrupted.class, g.run(), "only a read watchpoint is left; the loop reads nothing");
        }
    }

    @Test
    void aWatchpointElsewhereInThePageDoesNotStop() {
        try (Guest g = loop()) {
            g.vcpu.insertWatchpoint(WatchKind.ACCESS, DATA + 0x100, 4);
            g.vcpu.setInstructionLimit(10_000);
            assertInstanceOf(VCpuExit.Interrupted.class, g.run());
            assertEquals(g.x(0), g.readLong(DATA));
        }
    }

    @Test
    void translateGvaWalksTheGuestsTablesWithoutFaulting() {
        try (Guest g = loop()) {
            assertEquals(OptionalLong.of(0x1234_5678L), g.vcpu.translateGva(0x1234_5678L), "MMU off: identity");
            g.enableMmu(true);
            g.writeLong(Guest.IDENTITY_L1, R | 1L << 10 | 1L << 2 | 1); // VA 0-1 GiB -> RAM's gigabyte
            assertEquals(OptionalLong.of(R + 0x1234), g.vcpu.translateGva(0x1234));
            assertEquals(OptionalLong.of(R + 0x10), g.vcpu.translateGva(R + 0x10));
            assertEquals(OptionalLong.empty(), g.vcpu.translateGva(0x8000_0000L), "nothing mapped there");
            assertEquals(0, g.state().sys(org.vcpu4j.api.aarch64.SystemRegister.FAR_EL1), "no fault was taken");
        }
    }
}
