package org.vcpu4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.MemoryMapException;
import org.vcpu4j.api.MemoryRegion;
import org.vcpu4j.api.VirtualMachine;

/** Memory maps through a VM: refused regions never reach the backend. */
class GuestMemoryMapTest {

    @Test
    void badRegionsAreRefusedBeforeTheBackendSeesThem() {
        FakeBackend backend = new FakeBackend();
        try (Hypervisor h = Backends.open(backend); Arena arena = Arena.ofShared()) {
            VirtualMachine vm = h.createVirtualMachine();
            vm.mapRam(0x4000_0000L, 0x10_0000);
            var overlap = assertThrows(MemoryMapException.class, () -> vm.mapRam(0x400F_F000L, 0x2000));
            assertTrue(overlap.getMessage().contains("overlaps region [0x40000000, 0x40100000)"), overlap.getMessage());
            var misaligned = assertThrows(MemoryMapException.class,
                    () -> vm.map(MemoryRegion.ram(0x123, arena.allocate(0x1000, 4096))));
            assertTrue(misaligned.getMessage().contains("misaligned"), misaligned.getMessage());
            var beyond = assertThrows(MemoryMapException.class, () -> vm.mapRam(1L << 40, 0x1000));
            assertTrue(beyond.getMessage().contains("limit"), beyond.getMessage());
            assertThrows(MemoryMapException.class, () -> vm.unmap(0x5000_0000L));
            assertEquals(1, backend.calls.stream().filter(c -> c.startsWith("map")).count(), backend.calls.toString());
            vm.unmap(0x4000_0000L);
            assertTrue(vm.memory().regions().isEmpty());
        }
    }

    @Test
    void loaderWritesLandInTheRightRegion() {
        try (Hypervisor h = Backends.open(new FakeBackend())) {
            VirtualMachine vm = h.createVirtualMachine();
            vm.mapRam(0, 0x1000);
            vm.mapRam(0x4000_0000L, 0x2000);
            vm.memory().write(0x4000_1FF8L, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            assertEquals(0x0807_0605_0403_0201L, vm.memory().readLong(0x4000_1FF8L));
            assertThrows(MemoryMapException.class, () -> vm.memory().write(0x4000_1FFCL, new byte[8]));
        }
    }
}
