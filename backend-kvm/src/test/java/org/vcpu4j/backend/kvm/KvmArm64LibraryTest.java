package org.vcpu4j.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VCpuState;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.backend.kvm.sys.KvmIoctls;
import org.vcpu4j.backend.kvm.sys.KvmRun;
import org.vcpu4j.spi.Availability;
import org.vcpu4j.spi.Backends;
import org.vcpu4j.spi.HypervisorBackend;
import org.vcpu4j.spi.VCpuBackendProvider;

/**
 * The arm64 vGIC path as users reach it, through the library's wrappers ({@link Backends#open}): the
 * wrapper's queue of injections from other threads, refusals that reach the caller, and vCPU creation
 * after the first run, over {@link FakeKvmCalls}.
 */
class KvmArm64LibraryTest {
    private final FakeKvmCalls fake = new FakeKvmCalls();
    private final Hypervisor hypervisor = Backends.open(new VCpuBackendProvider() {
        @Override
        public String id() {
            return "kvm-arm64-fake";
        }

        @Override
        public GuestIsa guestIsa() {
            return GuestIsa.AARCH64;
        }

        @Override
        public int priority() {
            return 0;
        }

        @Override
        public Availability availability() {
            return Availability.available("a fake arm64 KVM");
        }

        @Override
        public HypervisorBackend open() {
            return new KvmHypervisor(fake, 3, GuestIsa.AARCH64);
        }
    });
    private final VirtualMachine vm = hypervisor.createVirtualMachine();

    @AfterEach
    void close() {
        vm.close();
        hypervisor.close();
    }

    private VCpu vcpu(int id) {
        VCpu v = vm.createVCpu(id, Aarch64CreateConfig.ofMpidr(id));
        v.setEntry(0x4000_0000L);
        v.setup(Aarch64SetupConfig.defaults());
        return v;
    }

    private void queueExit() {
        fake.exits.add(run -> {
            KvmRun.exit_reason(run, KvmIoctls.KVM_EXIT_MMIO);
            KvmRun.mmio_phys_addr(run, 0x900_0000L);
            KvmRun.mmio_len(run, 1);
            KvmRun.mmio_is_write(run, (byte) 1);
        });
    }

    private List<String> lines() {
        List<String> l = new ArrayList<>();
        for (String s : fake.log) {
            if (s.startsWith("KVM_IRQ_LINE") || s.equals("KVM_RUN") || s.contains("(vgic 4/0")) {
                l.add(s);
            }
        }
        return l;
    }

    @Test
    void anInjectionFromAnotherThreadIsRaisedBeforeTheNextEntry() throws Exception {
        VCpu v = vcpu(0);
        v.bind();
        queueExit();
        assertInstanceOf(VCpuExit.MmioWrite.class, v.run());
        fake.log.clear();
        Thread other = Thread.ofPlatform().start(() -> v.injectInterrupt(44));
        other.join();
        assertTrue(lines().isEmpty(), "the wrapper queues it: no ioctl on the injecting thread");
        queueExit();
        v.run();
        assertEquals(List.of("KVM_IRQ_LINE(0x0100002c, 1)", "KVM_IRQ_LINE(0x0100002c, 0)", "KVM_RUN"), lines());
        v.unbind();
    }

    @Test
    void injectionsBeforeTheFirstRunAreRaisedAfterCtrlInit() {
        VCpu v = vcpu(0);
        v.injectInterrupt(33);
        v.bind();
        v.injectInterrupt(17);
        fake.log.clear();
        queueExit();
        v.run();
        assertEquals(List.of("KVM_SET_DEVICE_ATTR(vgic 4/0 = 0x0)", "KVM_IRQ_LINE(0x01000021, 1)",
                "KVM_IRQ_LINE(0x01000021, 0)", "KVM_IRQ_LINE(0x02000011, 1)", "KVM_IRQ_LINE(0x02000011, 0)",
                "KVM_RUN"), lines());
        v.unbind();
    }

    @Test
    void refusalsReachTheCallerAndLeaveTheVCpuUsable() {
        VCpu v = vcpu(0);
        v.bind();
        IllegalArgumentException sgi = assertThrows(IllegalArgumentException.class, () -> v.injectInterrupt(7));
        assertTrue(sgi.getMessage().contains("SGI"), sgi.getMessage());
        assertEquals(VCpuState.READY, v.state());
        queueExit();
        assertInstanceOf(VCpuExit.MmioWrite.class, v.run());
        IllegalStateException late = assertThrows(IllegalStateException.class, () -> vcpu(1));
        assertTrue(late.getMessage().contains("before the first run()"), late.getMessage());
        assertEquals(List.of(v), vm.vcpus(), "the refused vCPU is not in the VM");
        v.unbind();
    }
}
