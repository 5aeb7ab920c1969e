package org.vcpu4j.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vcpu4j.api.BackendException;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VCpuState;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.x86_64.X86_64CreateConfig;
import org.vcpu4j.backend.kvm.sys.KvmIoctls;
import org.vcpu4j.api.x86_64.X86_64State;
import org.vcpu4j.spi.Backends;

/** The real system-call layer: errors name the call and errno; kicks interrupt KVM_RUN every time. */
class LinuxKvmCallsTest {

    @Test
    void aFailingIoctlNamesTheRequestAndTheErrno() {
        X86Guest.requireKvm();
        KvmException e = assertThrows(KvmException.class,
                () -> LinuxKvmCalls.INSTANCE.ioctl(-1, KvmIoctls.KVM_CHECK_EXTENSION, 3));
        assertEquals("KVM_CHECK_EXTENSION(fd -1, 3) failed: EBADF (9): Bad file descriptor", e.getMessage());
        assertEquals(9, e.errno());
        assertInstanceOf(BackendException.class, e);
    }

    @Test
    void kvmRefusalsSurfaceAsBackendExceptions() {
        X86Guest.requireKvm();
        try (Hypervisor h = Backends.open(new KvmBackendProvider()); VirtualMachine vm = h.createVirtualMachine()) {
            KvmHypervisor raw = KvmHypervisor.open(KvmBackendProvider.DEVICE, LinuxKvmCalls.INSTANCE,
                    org.vcpu4j.api.GuestIsa.X86_64);
            try (KvmVm kvmVm = (KvmVm) raw.createVm()) {
                kvmVm.createVCpu(7, X86_64CreateConfig.bootstrap()).close();
                var first = kvmVm.createVCpu(8, X86_64CreateConfig.bootstrap());
                BackendException e = assertThrows(BackendException.class,
                        () -> kvmVm.createVCpu(8, X86_64CreateConfig.bootstrap()));
                assertTrue(e.getMessage().startsWith("KVM_CREATE_VCPU("), e.getMessage());
                assertTrue(e.getMessage().contains("EEXIST (17)"), e.getMessage());
                first.close();
            } finally {
                raw.close();
            }
            assertEquals(org.vcpu4j.api.GuestIsa.X86_64, vm.isa());
        }
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyKickInterruptsARunningGuestAndNothingIsLost() throws Exception {
        // inc rax; jmp .-5 : runs until kicked; RAX counts the loop.
        X86Guest.Code c = new X86Guest.Code().bytes(0x48, 0xFF, 0xC0, 0xEB, 0xFB);
        try (X86Guest g = X86Guest.start(c.build())) {
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger runsStarted = new AtomicInteger();
            Thread kicker = Thread.ofPlatform().daemon().start(() -> {
                int kicked = 0;
                while (!done.get()) {
                    // One request per run: the run number tells run k+1 from run k, whose RUNNING state it
                    // may still see (the READY between two runs can be too short to observe).
                    int run = runsStarted.get();
                    if (run != kicked && g.vcpu.state() == VCpuState.RUNNING) {
                        g.vcpu.requestExit();
                        kicked = run;
                    }
                    Thread.onSpinWait();
                }
            });
            long previous = 0;
            for (int i = 0; i < 300; i++) {
                runsStarted.incrementAndGet();
                assertInstanceOf(VCpuExit.Interrupted.class, g.vcpu.run(), "run " + i);
                X86_64State s = (X86_64State) g.vcpu.saveState();
                assertTrue(s.gpr(0) >= previous, "the guest's counter never goes back");
                assertTrue(s.rip() == X86Guest.CODE || s.rip() == X86Guest.CODE + 3, "RIP at an instruction boundary");
                previous = s.gpr(0);
            }
            done.set(true);
            kicker.join();
            assertTrue(previous > 0, "the guest ran between the kicks");
        }
    }
}
