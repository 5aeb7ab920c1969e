package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.IllegalVCpuStateException;
import org.vcpu4j.api.MemoryMapException;
import org.vcpu4j.api.MemoryRegion;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;

/**
 * Issue 11 item 11 on the emulator: what the library decides once for every backend (the KVM backend's
 * KvmBackendAgreementTest checks the same): register writes while a load awaits its value, vCPU ids beyond
 * the backend's limit, and memory of a confined arena.
 */
class BackendAgreementTest {

    @Test
    void registerWritesWhileAnMmioLoadAwaitsItsValueAreRefusedAndReadsAreNot() {
        try (Guest g = new Guest(0xf9400146 /* ldr x6, [x10] */, 0xd503207f /* wfi */)) {
            g.vcpu.setGpr(10, Guest.UART);
            g.vcpu.setGpr(6, 0x66);
            assertEquals(new VCpuExit.MmioRead(Guest.UART, AccessWidth.QWORD, 6, AccessWidth.QWORD, false), g.run());
            IllegalVCpuStateException e = assertThrows(IllegalVCpuStateException.class, () -> g.vcpu.setGpr(6, 1));
            assertTrue(e.getMessage().contains("completeMmioRead"), e.getMessage());
            assertThrows(IllegalVCpuStateException.class, () -> g.vcpu.setGpr(0, 1), "another register");
            assertThrows(IllegalVCpuStateException.class, () -> g.vcpu.setGpr(31, 1), "XZR");
            assertThrows(IllegalVCpuStateException.class, () -> g.vcpu.setEntry(Guest.RAM));
            assertThrows(IllegalVCpuStateException.class, () -> g.vcpu.setReturnValue(1));
            assertThrows(IllegalArgumentException.class, () -> g.vcpu.setGpr(32, 1), "a bad index is still that");
            assertEquals(Guest.UART, g.vcpu.gpr(10), "reads are allowed");
            g.vcpu.saveState();
            g.vcpu.completeMmioRead(0x42);
            g.vcpu.setGpr(0, 5);
            assertInstanceOf(VCpuExit.Halt.class, g.run());
            assertEquals(0x42, g.x(6), "the refused writes changed nothing");
            assertEquals(5, g.x(0), "after the completion writes are allowed");
        }
    }

    @Test
    void restoreStateStillDropsAPendingLoad() {
        try (Guest g = new Guest(0xf9400146 /* ldr x6, [x10] */, 0xd503207f /* wfi */)) {
            g.vcpu.setGpr(10, Guest.UART);
            var before = g.vcpu.saveState();
            assertInstanceOf(VCpuExit.MmioRead.class, g.run());
            g.vcpu.restoreState(before);
            g.vcpu.setGpr(6, 7);
            assertInstanceOf(VCpuExit.MmioRead.class, g.run(), "the load again, from the restored PC");
        }
    }

    @Test
    void vCpuIdsUpToTheBackendsLimitAreAcceptedAndTheLimitIsReported() {
        try (Guest g = new Guest(0xd503207f /* wfi */)) {
            assertEquals(Integer.MAX_VALUE, g.vm.maxVCpuId(), "the emulator takes any id");
            assertEquals(Integer.MAX_VALUE, g.vm.createVCpu(Integer.MAX_VALUE, Aarch64CreateConfig.ofMpidr(1)).id());
            assertThrows(IllegalArgumentException.class, () -> g.vm.createVCpu(-1, Aarch64CreateConfig.ofMpidr(2)));
            assertInstanceOf(VCpuExit.Halt.class, g.run(), "the VM stays usable");
        }
    }

    @Test
    void ramOfAConfinedArenaIsRefusedAtMapNotInRun() {
        try (Guest g = new Guest(0xb9400142 /* ldr w2, [x10] */, 0xd503207f /* wfi */);
                Arena confined = Arena.ofConfined(); Arena shared = Arena.ofShared()) {
            MemoryMapException e = assertThrows(MemoryMapException.class,
                    () -> g.vm.map(MemoryRegion.ram(0x6000_0000L, confined.allocate(4096, 4096))));
            assertTrue(e.getMessage().contains("confined"), e.getMessage());
            assertTrue(g.vm.memory().regionAt(0x6000_0000L).isEmpty(), "nothing was mapped");
            var host = shared.allocate(4096, 4096);
            host.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, 0x1234);
            g.vm.map(MemoryRegion.ram(0x6000_0000L, host));
            g.vcpu.setGpr(10, 0x6000_0000L);
            assertInstanceOf(VCpuExit.Halt.class, g.run());
            assertEquals(0x1234, g.x(2), "the VM stays usable");
        }
    }
}
