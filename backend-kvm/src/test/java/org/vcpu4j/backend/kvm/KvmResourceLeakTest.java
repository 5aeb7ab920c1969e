package org.vcpu4j.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.x86_64.X86_64CreateConfig;
import org.vcpu4j.api.x86_64.X86_64SetupConfig;
import org.vcpu4j.spi.Backends;

/** Closing VMs releases every fd and mapping: 1,000 VMs with a vCPU each leave the process as they found it. */
class KvmResourceLeakTest {
    private static final int VMS = 1000;

    private static long openFds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> maps() {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long kvmMaps() {
        return maps().stream().filter(l -> l.contains("kvm")).count();
    }

    private static void cycle(Hypervisor h) {
        try (VirtualMachine vm = h.createVirtualMachine()) {
            vm.mapRam(0, 0x10_0000);
            vm.memory().write(0x1000, new byte[] {(byte) 0xF4});
            VCpu vcpu = vm.createVCpu(0, X86_64CreateConfig.bootstrap());
            vcpu.setEntry(0x1000);
            vcpu.setup(new X86_64SetupConfig(0x8000));
            vcpu.bind();
            if (!(vcpu.run() instanceof VCpuExit.Halt)) {
                throw new AssertionError("the guest did not halt");
            }
            vcpu.unbind();
        }
    }

    @Test
    void thousandVmsReleaseEveryFdAndMapping() {
        X86Guest.requireKvm();
        try (Hypervisor h = Backends.open(new KvmBackendProvider())) {
            for (int i = 0; i < 20; i++) {
                cycle(h); // warm-up: class loading, JIT, malloc arenas
            }
            long fds = openFds();
            int mapLines = maps().size();
            long kvm = kvmMaps();
            for (int i = 0; i < VMS; i++) {
                cycle(h);
            }
            assertEquals(fds, openFds(), "open fds after " + VMS + " VMs");
            assertEquals(kvm, kvmMaps(), "kvm mappings after " + VMS + " VMs");
            int after = maps().size();
            assertTrue(Math.abs(after - mapLines) <= 16, "/proc/self/maps lines " + mapLines + " -> " + after);
        }
    }
}
