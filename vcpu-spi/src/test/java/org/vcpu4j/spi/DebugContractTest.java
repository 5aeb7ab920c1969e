package org.vcpu4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.vcpu4j.api.BreakpointKind;
import org.vcpu4j.api.DebugCapability;
import org.vcpu4j.api.IllegalVCpuStateException;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.WatchKind;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;

/** The debug operations' contract, kept by the library wrapper for every backend (issue 14). */
class DebugContractTest extends FakeVmFixture {

    private VCpu vcpu() {
        return vm.createVCpu(vm.vcpus().size(), Aarch64CreateConfig.ofMpidr(0));
    }

    @Test
    void aBackendWithoutACapabilitySaysSoByName() {
        VCpu v = vcpu();
        assertEquals(Set.of(), v.debugCapabilities());
        assertNamed(DebugCapability.SINGLE_STEP, () -> v.setSingleStep(true));
        assertNamed(DebugCapability.SOFTWARE_BREAKPOINTS, () -> v.insertBreakpoint(BreakpointKind.SOFTWARE, 0x40));
        assertNamed(DebugCapability.SOFTWARE_BREAKPOINTS, () -> v.removeBreakpoint(BreakpointKind.SOFTWARE, 0x40));
        assertNamed(DebugCapability.HARDWARE_BREAKPOINTS, () -> v.insertBreakpoint(BreakpointKind.HARDWARE, 0x40));
        assertNamed(DebugCapability.WATCHPOINTS, () -> v.insertWatchpoint(WatchKind.WRITE, 0x40, 4));
        assertNamed(DebugCapability.WATCHPOINTS, () -> v.removeWatchpoint(WatchKind.WRITE, 0x40, 4));
        assertNamed(DebugCapability.TRANSLATE_GVA, () -> v.translateGva(0x40));
        assertFalse(backend.calls.stream().anyMatch(c -> c.startsWith("insert") || c.startsWith("singleStep")),
                "the backend must not be called for a capability it does not offer: " + backend.calls);
    }

    @Test
    void offeredCapabilitiesReachTheBackendOthersDoNot() {
        backend.offeredDebug = EnumSet.of(DebugCapability.SINGLE_STEP, DebugCapability.TRANSLATE_GVA);
        VCpu v = vcpu();
        assertEquals(EnumSet.of(DebugCapability.SINGLE_STEP, DebugCapability.TRANSLATE_GVA), v.debugCapabilities());
        assertThrows(UnsupportedOperationException.class, () -> v.debugCapabilities().add(DebugCapability.WATCHPOINTS));
        v.setSingleStep(true);
        assertEquals(OptionalLong.of(0x2000), v.translateGva(0x1000));
        assertTrue(backend.calls.contains("singleStep true"), backend.calls::toString);
        assertNamed(DebugCapability.SOFTWARE_BREAKPOINTS, () -> v.insertBreakpoint(BreakpointKind.SOFTWARE, 0x40));
    }

    @Test
    void aWatchpointNeedsAPositiveLengthThatDoesNotWrap() {
        backend.offeredDebug = EnumSet.of(DebugCapability.WATCHPOINTS);
        VCpu v = vcpu();
        assertThrows(IllegalArgumentException.class, () -> v.insertWatchpoint(WatchKind.WRITE, 0x40, 0));
        assertThrows(IllegalArgumentException.class, () -> v.insertWatchpoint(WatchKind.READ, 0x40, -4));
        assertThrows(IllegalArgumentException.class, () -> v.insertWatchpoint(WatchKind.ACCESS, -2, 8));
        assertThrows(NullPointerException.class, () -> v.insertWatchpoint(null, 0x40, 4));
        v.insertWatchpoint(WatchKind.WRITE, 0x40, 4);
        assertEquals(1, backend.calls.stream().filter(c -> c.startsWith("insertWatchpoint")).count(), backend.calls::toString);
    }

    @Test
    void debugOperationsKeepTheThreadRule() throws Exception {
        backend.offeredDebug = EnumSet.allOf(DebugCapability.class);
        VCpu v = vcpu();
        v.setup(Aarch64SetupConfig.defaults());
        v.bind();
        ExecutionException e = assertThrows(ExecutionException.class, () -> CompletableFuture.runAsync(
                () -> v.insertBreakpoint(BreakpointKind.SOFTWARE, 0x40)).get());
        assertTrue(e.getCause() instanceof IllegalVCpuStateException, e.getCause()::toString);
        v.insertBreakpoint(BreakpointKind.SOFTWARE, 0x40);
        assertTrue(backend.calls.contains("insertBreakpoint SOFTWARE 0x40"), backend.calls::toString);
    }

    @Test
    void aDebugStopIsAnExitOfItsOwnThatNeedsNoCompletion() {
        backend.offeredDebug = EnumSet.allOf(DebugCapability.class);
        VCpu v = vcpu();
        v.setup(Aarch64SetupConfig.defaults());
        v.bind();
        FakeBackend.FakeVCpu arch = backend.vcpus.getLast();
        arch.exits.add(new VCpuExit.DebugStop(VCpuExit.DebugStop.Reason.BREAKPOINT, 0x4000_0000L, 0x4000_0000L));
        assertEquals(new VCpuExit.DebugStop(VCpuExit.DebugStop.Reason.BREAKPOINT, 0x4000_0000L, 0x4000_0000L), v.run());
        v.setGpr(1, 5); // no completion pending
        assertEquals(5, v.gpr(1));
    }

    private static void assertNamed(DebugCapability capability, Executable call) {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, call);
        assertTrue(e.getMessage().contains(capability.name()), e::getMessage);
    }
}
