package org.vcpu4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.MemoryMapException;
import org.vcpu4j.api.MemoryRegion;

/**
 * {@code mapRam} through the library with the default (pure-Java) guest RAM (issue 11, item 5):
 * validated before anything is reserved, reserved lazily, freed on a refusal, on unmap and on close.
 */
class GuestRamTest extends FakeVmFixture {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;


    @Test
    void ramLargerThanTheHostCouldHoldIsRefusedWithMemoryMapExceptionBeforeAnythingIsMapped() {
        // 1 TiB fits the fake's 2^40 guest-physical space exactly; no test host has 1 TiB of memory and swap.
        var e = assertThrows(MemoryMapException.class, () -> vm.mapRam(0, 1L << 40));
        assertTrue(e.getMessage().contains("host"), e.getMessage());
        assertEquals(List.of(), vm.memory().regions());
        assertTrue(backend.calls.stream().noneMatch(c -> c.startsWith("map")), backend.calls.toString());
    }

    @Test
    void misplacedRamIsRefusedWithTheReason() {
        assertTrue(assertThrows(MemoryMapException.class, () -> vm.mapRam(0x800, 4096)).getMessage()
                .contains("misaligned"));
        assertTrue(assertThrows(MemoryMapException.class, () -> vm.mapRam((1L << 40) - 4096, 8192)).getMessage()
                .contains("limit"));
        assertTrue(assertThrows(MemoryMapException.class, () -> vm.mapRam(-4096, 4096)).getMessage()
                .contains("0x"));
        assertTrue(assertThrows(MemoryMapException.class, () -> vm.mapRam(Long.MAX_VALUE - 4095, 1L << 40))
                .getMessage().contains("limit"));
        vm.mapRam(0x10000, 0x10000);
        var e = assertThrows(MemoryMapException.class, () -> vm.mapRam(0x1000, 0x10000));
        assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
    }

    @Test
    void sixteenGibOfRamIsReservedLazilyReadsZeroAndKeepsWhatIsWrittenAtItsEnd() throws IOException {
        assumeTrue(Files.isReadable(PROC_STATUS), "needs /proc/self/status (Linux)");
        long before = procStatusKib("VmRSS:");
        MemoryRegion ram = vm.mapRam(0, 16 * GIB);
        long end = 16 * GIB;
        assertEquals(0, ram.host().get(ValueLayout.JAVA_LONG, end - 8));
        assertEquals(0, ram.host().get(ValueLayout.JAVA_LONG, end / 2));
        vm.memory().writeLong(end - 8, 0x1122_3344_5566_7788L);
        assertEquals(0x1122_3344_5566_7788L, vm.memory().readLong(end - 8));
        long grownMib = (procStatusKib("VmRSS:") - before) >> 10;
        assertTrue(grownMib < 100, "16 GiB of untouched RAM grew the resident set by " + grownMib + " MiB");
    }

    @Test
    void refusedMapRamFreesItsMemoryAtOnce() throws IOException {
        assumeTrue(Files.isReadable(PROC_STATUS), "needs /proc/self/status (Linux)");
        long before = procStatusKib("VmSize:");
        for (int i = 0; i < 24; i++) {
            backend.failNextMap = new MemoryMapException("injected refusal " + i);
            assertThrows(MemoryMapException.class, () -> vm.mapRam(0, 64 * MIB));
        }
        long grownMib = (procStatusKib("VmSize:") - before) >> 10;
        assertTrue(grownMib < 512, "24 refused 64 MiB maps grew the address space by " + grownMib + " MiB");
        assertEquals(List.of(), vm.memory().regions());
        vm.mapRam(0, 64 * MIB); // the place is free again
    }

    @Test
    void unmapFreesTheMemoryOfMapRamAndCloseFreesTheRest() {
        MemoryRegion first = vm.mapRam(0, 64 * 1024);
        MemoryRegion second = vm.mapRam(0x10_0000, 64 * 1024);
        vm.unmap(0);
        assertFalse(first.host().scope().isAlive(), "mapRam memory belongs to the VM and goes with unmap()");
        assertTrue(second.host().scope().isAlive());
        vm.close();
        assertFalse(second.host().scope().isAlive(), "close() frees the VM's RAM");
    }

    private static final Path PROC_STATUS = Path.of("/proc/self/status");

    /** {@return a "kB" field of /proc/self/status, e.g. VmRSS (proc(5))} */
    static long procStatusKib(String field) throws IOException {
        for (String line : Files.readAllLines(PROC_STATUS)) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no " + field + " in " + PROC_STATUS);
    }
}
