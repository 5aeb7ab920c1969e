package org.vcpu4j.backend.kvm;

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
import org.vcpu4j.api.x86_64.X86_64CreateConfig;
import org.vcpu4j.api.x86_64.X86_64State;

/**
 * Issue 11 item 11 on the real /dev/kvm: what the library decides once for every backend (the emulator's
 * BackendAgreementTest checks the same): register writes while a load awaits its value, vCPU ids beyond
 * the backend's limit, and memory of a confined arena.
 */
class KvmBackendAgreementTest {

    @Test
    void registerWritesWhileAMmioOrPortLoadAwaitsItsValueAreRefusedAndReadsAreNot() {
        X86Guest.Code c = new X86Guest.Code().movRbx(X86Guest.MMIO).bytes(0x48, 0x8B, 0x0B) // mov rcx, [rbx]
                .movDx(0x60).bytes(0xEC).hlt(); // in al, dx
        try (X86Guest g = X86Guest.start(c.build())) {
            assertEquals(new VCpuExit.MmioRead(X86Guest.MMIO, AccessWidth.QWORD, 0, AccessWidth.QWORD, false),
                    g.vcpu.run());
            IllegalVCpuStateException e = assertThrows(IllegalVCpuStateException.class, () -> g.vcpu.setGpr(1, 9));
            assertTrue(e.getMessage().contains("completeMmioRead"), e.getMessage());
            assertThrows(IllegalVCpuStateException.class, () -> g.vcpu.setGpr(0, 9), "another register");
            assertThrows(IllegalVCpuStateException.class, () -> g.vcpu.setEntry(X86Guest.CODE));
            assertThrows(IllegalVCpuStateException.class, () -> g.vcpu.setReturnValue(9));
            assertThrows(IllegalArgumentException.class, () -> g.vcpu.setGpr(16, 1), "a bad index is still that");
            assertEquals(X86Guest.MMIO, g.vcpu.gpr(3), "reads are allowed");
            g.vcpu.saveState();
            g.vcpu.completeMmioRead(0x42);
            g.vcpu.setGpr(6, 0x66);
            assertEquals(new VCpuExit.IoRead(0x60, AccessWidth.BYTE), g.vcpu.run());
            assertThrows(IllegalVCpuStateException.class, () -> g.vcpu.setGpr(0, 9), "at an IN too");
            assertThrows(IllegalVCpuStateException.class, () -> g.vcpu.setReturnValue(9));
            g.vcpu.completeIoRead(0x77);
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
            assertEquals(0x42, g.vcpu.gpr(1), "the refused writes changed nothing");
            assertEquals(0x77, g.vcpu.gpr(0) & 0xFF, "AL from the IN");
            assertEquals(0x66, g.vcpu.gpr(6), "RSI from the write after the MMIO completion");
        }
    }

    @Test
    void restoreStateStillDropsAPendingLoad() {
        X86Guest.Code c = new X86Guest.Code().movRbx(X86Guest.MMIO);
        long load = c.here();
        c.bytes(0x48, 0x8B, 0x0B).hlt(); // mov rcx, [rbx]
        try (X86Guest g = X86Guest.start(c.build())) {
            assertInstanceOf(VCpuExit.MmioRead.class, g.vcpu.run());
            X86_64State s = (X86_64State) g.vcpu.saveState();
            g.vcpu.restoreState(s.toBuilder().rip(load).build());
            g.vcpu.setGpr(1, 7);
            assertInstanceOf(VCpuExit.MmioRead.class, g.vcpu.run(), "the load again, from the restored RIP");
        }
    }

    @Test
    void aVCpuIdAboveKvmsLimitIsAnIllegalArgumentAndTheVmStaysUsable() {
        try (X86Guest g = X86Guest.start(new X86Guest.Code().hlt().build())) {
            int max = g.vm.maxVCpuId();
            assertTrue(max > 0 && max < Integer.MAX_VALUE, "KVM_CAP_MAX_VCPU_ID - 1: " + max);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> g.vm.createVCpu(Integer.MAX_VALUE, new X86_64CreateConfig(1)));
            assertTrue(e.getMessage().contains(String.valueOf(max)), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> g.vm.createVCpu(max + 1, new X86_64CreateConfig(1)));
            assertEquals(max, g.vm.createVCpu(max, new X86_64CreateConfig(2)).id(), "the limit itself is accepted");
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run(), "the VM stays usable");
        }
    }

    @Test
    void ramOfAConfinedArenaIsRefusedAtMapNotInRun() {
        X86Guest.Code c = new X86Guest.Code().movRbx(0x40_0000).bytes(0x8B, 0x03).hlt(); // mov eax, [rbx]
        try (X86Guest g = X86Guest.start(c.build()); Arena confined = Arena.ofConfined();
                Arena shared = Arena.ofShared()) {
            MemoryMapException e = assertThrows(MemoryMapException.class,
                    () -> g.vm.map(MemoryRegion.ram(0x40_0000, confined.allocate(4096, 4096))));
            assertTrue(e.getMessage().contains("confined"), e.getMessage());
            assertTrue(g.vm.memory().regionAt(0x40_0000).isEmpty(), "nothing was mapped");
            var host = shared.allocate(4096, 4096);
            host.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, 0x1234);
            g.vm.map(MemoryRegion.ram(0x40_0000, host));
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
            assertEquals(0x1234, g.vcpu.gpr(0), "the VM stays usable");
        }
    }
}
