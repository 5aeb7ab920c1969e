package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.MemoryMapException;
import org.vcpu4j.api.MemoryRegion;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.spi.Backends;

/**
 * Guest RAM on the emulator is reserved, not allocated (issue 11, item 5): a big RAM costs what the guest
 * touches, a size the host could never hold is a {@link MemoryMapException}, and a refused map keeps
 * nothing.
 */
class LazyGuestRamTest {
    private static final long GIB = 1L << 30;
    private static final long RAM = 0x4000_0000L;
    private static final Path PROC_STATUS = Path.of("/proc/self/status");

    @Test
    void mapRamOfOneTebibyteIsRefusedWithMemoryMapException() {
        try (Hypervisor h = Backends.open(new EmulatedBackendProvider()); VirtualMachine vm = h.createVirtualMachine()) {
            var e = assertThrows(MemoryMapException.class, () -> vm.mapRam(RAM, 1L << 40));
            assertTrue(e.getMessage().contains("host"), e.getMessage());
            assertEquals(0, vm.memory().regions().size());
            vm.mapRam(RAM, 1 << 20); // the VM is still usable
        }
    }

    @Test
    void aGuestWritesAndReadsAtTheEndOf16GibOfRamThatReadsZeroAndCostsWhatItTouches() throws IOException {
        assumeTrue(Files.isReadable(PROC_STATUS), "needs /proc/self/status (Linux)");
        long rssBefore = procStatusKib("VmRSS:");
        try (Hypervisor h = Backends.open(new EmulatedBackendProvider()); VirtualMachine vm = h.createVirtualMachine()) {
            MemoryRegion ram = vm.mapRam(RAM, 16 * GIB);
            long last = RAM + 16 * GIB - 8;
            var le = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            int[] code = {
                0xF9000041, // str x1, [x2]
                0xF9400043, // ldr x3, [x2]
                0xF94000A4, // ldr x4, [x5]
                0xD4000002, // hvc #0
            };
            for (int i = 0; i < code.length; i++) {
                ram.host().set(le, 4L * i, code[i]);
            }
            VCpu v = vm.createVCpu(0, Aarch64CreateConfig.ofMpidr(0));
            v.setEntry(RAM);
            v.setup(Aarch64SetupConfig.defaults());
            v.bind();
            v.setGpr(1, 0x0123_4567_89AB_CDEFL);
            v.setGpr(2, last);
            v.setGpr(5, RAM + 8 * GIB);
            v.setGpr(4, -1);
            assertInstanceOf(VCpuExit.Hypercall.class, v.run());
            assertEquals(0x0123_4567_89AB_CDEFL, v.gpr(3), "the guest read back what it wrote at RAM's end");
            assertEquals(0, v.gpr(4), "untouched RAM reads zero");
            assertEquals(0x0123_4567_89AB_CDEFL, vm.memory().readLong(last), "the host sees the guest's store");
            assertEquals(0, vm.memory().readLong(RAM + 12 * GIB));
            long grownMib = (procStatusKib("VmRSS:") - rssBefore) >> 10;
            assertTrue(grownMib < 100, "16 GiB of guest RAM grew the resident set by " + grownMib + " MiB");
            v.unbind();
        }
    }

    @Test
    void refusedMapRamKeepsNoMemory() throws IOException {
        assumeTrue(Files.isReadable(PROC_STATUS), "needs /proc/self/status (Linux)");
        try (Hypervisor h = Backends.open(new EmulatedBackendProvider()); VirtualMachine vm = h.createVirtualMachine()) {
            vm.mapRam(RAM, 64L << 20);
            long before = procStatusKib("VmSize:");
            for (int i = 0; i < 24; i++) {
                long at = RAM + (i % 4) * (16L << 20); // every one overlaps the first region
                assertThrows(MemoryMapException.class, () -> vm.mapRam(at, 64L << 20));
            }
            long grownMib = (procStatusKib("VmSize:") - before) >> 10;
            assertTrue(grownMib < 512, "24 refused 64 MiB maps grew the address space by " + grownMib + " MiB");
            assertEquals(1, vm.memory().regions().size());
        }
    }

    /** {@return a "kB" field of /proc/self/status (proc(5)), e.g. VmRSS, VmSize} */
    static long procStatusKib(String field) throws IOException {
        for (String line : Files.readAllLines(PROC_STATUS)) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no " + field + " in " + PROC_STATUS);
    }
}
