package org.vcpu4j.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.MemoryMapException;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.x86_64.X86_64CreateConfig;
import org.vcpu4j.api.x86_64.X86_64SetupConfig;
import org.vcpu4j.spi.Backends;

/**
 * Guest RAM on KVM is {@code mmap(MAP_NORESERVE)}: reserved, committed page by page as the guest touches
 * it, and unmapped with its region (issue 11, item 5).
 */
class KvmLazyGuestRamTest {
    private static final long GIB = 1L << 30;
    private static final Path PROC_STATUS = Path.of("/proc/self/status");

    @Test
    void mapRamOfOneTebibyteIsRefusedWithMemoryMapException() {
        X86Guest.requireKvm();
        try (Hypervisor h = Backends.open(new KvmBackendProvider()); VirtualMachine vm = h.createVirtualMachine()) {
            var e = assertThrows(MemoryMapException.class, () -> vm.mapRam(0, 1L << 40));
            assertTrue(e.getMessage().contains("limit"), e.getMessage());
            assertEquals(0, vm.memory().regions().size());
            vm.mapRam(0, 2 << 20); // the VM is still usable
        }
    }

    @Test
    void aGuestWritesAndReadsAtTheEndOf16GibOfRamThatReadsZeroAndCostsWhatItTouches() throws IOException {
        X86Guest.requireKvm();
        long rssBefore = procStatusKib("VmRSS:");
        try (Hypervisor h = Backends.open(new KvmBackendProvider()); VirtualMachine vm = h.createVirtualMachine()) {
            vm.mapRam(0, 16 * GIB);
            long last = 16 * GIB - 8;
            byte[] code = new X86Guest.Code()
                    .bytes(0x48, 0xB8).imm64(last) // movabs rax, last
                    .movRbx(0x0123_4567_89AB_CDEFL)
                    .bytes(0x48, 0x89, 0x18) // mov [rax], rbx
                    .bytes(0x48, 0x8B, 0x08) // mov rcx, [rax]
                    .bytes(0x48, 0xBE).imm64(8 * GIB) // movabs rsi, 8 GiB
                    .bytes(0x48, 0x8B, 0x16) // mov rdx, [rsi]
                    .hlt().build();
            vm.memory().write(X86Guest.CODE, code);
            VCpu v = vm.createVCpu(0, X86_64CreateConfig.bootstrap());
            v.setEntry(X86Guest.CODE);
            v.setup(new X86_64SetupConfig(X86Guest.TABLES));
            v.setGpr(4, X86Guest.STACK);
            mapWith2MibPages(vm, 8, 15);
            v.bind();
            v.setGpr(2, -1); // rdx
            assertEquals(new VCpuExit.Halt(), v.run());
            assertEquals(0x0123_4567_89AB_CDEFL, v.gpr(1), "rcx: the guest read back what it wrote at RAM's end");
            assertEquals(0, v.gpr(2), "rdx: untouched RAM reads zero");
            assertEquals(0x0123_4567_89AB_CDEFL, vm.memory().readLong(last), "the host sees the guest's store");
            assertEquals(0, vm.memory().readLong(12 * GIB));
            long grownMib = (procStatusKib("VmRSS:") - rssBefore) >> 10;
            assertTrue(grownMib < 100, "16 GiB of guest RAM grew the resident set by " + grownMib + " MiB");
            v.unbind();
        }
    }

    @Test
    void unmapReleasesTheReservationAndARefusedMapRamKeepsNone() throws IOException {
        X86Guest.requireKvm();
        try (Hypervisor h = Backends.open(new KvmBackendProvider()); VirtualMachine vm = h.createVirtualMachine()) {
            long before = procStatusKib("VmSize:");
            vm.mapRam(0, 16 * GIB);
            long mappedMib = (procStatusKib("VmSize:") - before) >> 10;
            assertTrue(mappedMib >= 16 << 10, "16 GiB reserved, the address space grew by " + mappedMib + " MiB");
            for (int i = 0; i < 24; i++) {
                long at = (i % 4) * (16L << 20); // every one overlaps the first region
                assertThrows(MemoryMapException.class, () -> vm.mapRam(at, 64L << 20));
            }
            long afterRefusalsMib = (procStatusKib("VmSize:") - before) >> 10;
            assertTrue(afterRefusalsMib - mappedMib < 512, "24 refused 64 MiB maps grew the address space by "
                    + (afterRefusalsMib - mappedMib) + " MiB");
            vm.unmap(0);
            long unmappedMib = (procStatusKib("VmSize:") - before) >> 10;
            assertTrue(unmappedMib < 512, "after unmap() the address space is still " + unmappedMib + " MiB larger");
        }
    }

    /**
     * Maps GiBs above 4 GiB with 2 MiB pages instead of the 1 GiB pages setup() writes there: KVM gives the
     * guest no 1 GiB pages on hosts whose CPUID lacks Page1GB (80000001H:EDX bit 26, clear here under
     * nested virtualisation), and a 1 GiB PDPTE then faults (Intel SDM Vol. 3A 4.5, table 4-16). One page
     * directory per GiB, at 1 MiB + 4 KiB x index; PDPT at TABLES + 0x1000 (X86SystemTables' layout).
     */
    private static void mapWith2MibPages(VirtualMachine vm, int... gibs) {
        for (int n = 0; n < gibs.length; n++) {
            long gib = gibs[n];
            long pd = 0x10_0000L + 0x1000L * n;
            for (int i = 0; i < 512; i++) {
                vm.memory().writeLong(pd + 8L * i, (gib << 30) + ((long) i << 21) | 0x83); // present, writable, PS
            }
            vm.memory().writeLong(X86Guest.TABLES + 0x1000 + 8 * gib, pd | 0x3);
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
