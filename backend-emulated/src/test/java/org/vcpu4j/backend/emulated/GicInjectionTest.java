package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.InterruptControllerConfig;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.spi.Backends;

/**
 * injectInterrupt on a VM with a GICv3 (issue 13): the id goes into the GIC at once from any thread, and an
 * SPI beyond the configured ones is refused instead of being dropped silently.
 */
class GicInjectionTest {
    @Test
    void idsBeyondTheConfiguredSpisAreRefusedOnEveryThreadAndOthersAreTaken() throws Exception {
        InterruptControllerConfig.GicV3 config = new InterruptControllerConfig.GicV3(
                InterruptControllerConfig.GicV3.QEMU_VIRT_DISTRIBUTOR, InterruptControllerConfig.GicV3.QEMU_VIRT_REDISTRIBUTOR,
                32);
        try (Hypervisor hv = Backends.open(new EmulatedBackendProvider());
                VirtualMachine vm = hv.createVirtualMachine()) {
            vm.mapRam(Guest.RAM, Guest.RAM_SIZE);
            vm.createInterruptController(config);
            VCpu cpu = vm.createVCpu(0, Aarch64CreateConfig.ofMpidr(0));
            cpu.setEntry(Guest.RAM);
            cpu.setup(Aarch64SetupConfig.defaults());
            cpu.bind();
            IllegalArgumentException here = assertThrows(IllegalArgumentException.class, () -> cpu.injectInterrupt(64));
            assertEquals("INTID 64 is beyond this VM's GICv3, which has INTIDs 0-63 (32 + its configured SPIs)",
                    here.getMessage());
            AtomicReference<Throwable> elsewhere = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    cpu.injectInterrupt(64);
                } catch (Throwable e) {
                    elsewhere.set(e);
                }
            });
            t.join();
            assertInstanceOf(IllegalArgumentException.class, elsewhere.get());
            assertDoesNotThrow(() -> cpu.injectInterrupt(63));
        }
    }
}
