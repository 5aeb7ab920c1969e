package org.vcpu4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.IllegalVCpuStateException;
import org.vcpu4j.api.MemoryMapException;
import org.vcpu4j.api.MemoryRegion;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VCpuState;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;

/** Who owns guest memory, and which thread may close a vCPU (issue 11, items 1, 4 and 11). */
class OwnershipTest extends FakeVmFixture {
    @Test
    void mapRefusesMemoryWhoseArenaIsClosed() {
        Arena arena = Arena.ofShared();
        MemorySegment host = arena.allocate(4096, 4096);
        arena.close();
        var e = assertThrows(MemoryMapException.class, () -> vm.map(MemoryRegion.ram(0x1000, host)));
        assertTrue(e.getMessage().contains("freed"), e.getMessage());
        assertEquals(List.of(), vm.memory().regions(), "a refused map changes nothing");
        assertTrue(backend.calls.stream().noneMatch(c -> c.startsWith("map")), backend.calls.toString());
    }

    @Test
    void mapRefusesMemoryOfAConfinedArena() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(4096, 4096);
            var e = assertThrows(MemoryMapException.class, () -> vm.map(MemoryRegion.ram(0x1000, host)));
            assertTrue(e.getMessage().contains("confined") && e.getMessage().contains("Arena.ofShared()"),
                    e.getMessage());
            assertEquals(List.of(), vm.memory().regions());
        }
    }

    @Test
    void runRefusesToStartOnceAMappedRegionsArenaIsClosed() {
        Arena arena = Arena.ofShared();
        vm.map(MemoryRegion.ram(0x1000, arena.allocate(4096, 4096)));
        VCpu v = readyVCpu();
        backend.vcpus.getLast().exits.add(new VCpuExit.Halt());
        arena.close();
        var e = assertThrows(IllegalStateException.class, v::run);
        assertTrue(e.getMessage().contains("freed") && e.getMessage().contains("0x1000"), e.getMessage());
        assertEquals(VCpuState.READY, v.state(), "the refused run() changed nothing");
        assertTrue(backend.calls.stream().noneMatch("run"::equals), "the backend never ran: " + backend.calls);
        vm.unmap(0x1000);
        assertEquals(new VCpuExit.Halt(), v.run(), "after unmap() the vCPU runs again");
    }

    @Test
    void closeOfABoundVCpuFromAnotherThreadIsRefused() throws Exception {
        VCpu v = readyVCpu();
        var e = assertThrows(ExecutionException.class, () -> CompletableFuture.runAsync(v::close).get());
        var refused = (IllegalVCpuStateException) e.getCause();
        assertTrue(refused.getMessage().contains("close()") && refused.getMessage().contains("bound"),
                refused.getMessage());
        assertEquals(VCpuState.READY, v.state());
        assertTrue(backend.calls.stream().noneMatch(c -> c.contains("close")), backend.calls.toString());
        v.close();
        assertEquals(VCpuState.CLOSED, v.state(), "the bound thread may close it");
    }

    @Test
    void unboundVCpuMayBeClosedFromAnyThreadAndTheVmClosesBoundOnes() throws Exception {
        VCpu free = vm.createVCpu(7, Aarch64CreateConfig.ofMpidr(7));
        free.setup(Aarch64SetupConfig.defaults());
        CompletableFuture.runAsync(free::close).get();
        assertEquals(VCpuState.CLOSED, free.state());
        VCpu bound = readyVCpu();
        CompletableFuture.runAsync(vm::close).get();
        assertEquals(VCpuState.CLOSED, bound.state(), "VM close() releases bound vCPUs from any thread");
    }

    private VCpu readyVCpu() {
        VCpu v = vm.createVCpu(vm.vcpus().size(), Aarch64CreateConfig.ofMpidr(0));
        v.setup(Aarch64SetupConfig.defaults());
        v.bind();
        return v;
    }
}
