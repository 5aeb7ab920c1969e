package org.vcpu4j.backend.hvf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.BackendException;
import org.vcpu4j.api.IllegalVCpuStateException;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VCpuState;
import org.vcpu4j.backend.hvf.sys.HvReg;
import org.vcpu4j.backend.hvf.sys.HvSysReg;
import org.vcpu4j.backend.hvf.sys.HvVcpuExit;
import org.vcpu4j.spi.aarch64.Esr;

/** The framework's thread rules as the backend keeps them: create on bind, one owner, kick from anywhere. */
class HvfThreadingTest {

    private static <T> T on(ExecutorService thread, java.util.concurrent.Callable<T> task) throws Exception {
        return thread.submit(task).get(20, TimeUnit.SECONDS);
    }

    @Test
    void theNativeVCpuIsCreatedLazilyOnTheBindingThreadAndCachedWritesAreFlushed() throws Exception {
        ExecutorService worker = Executors.newSingleThreadExecutor();
        try (Rig r = Rig.unbound()) {
            r.cpu.setEntry(0x4008_0000L);
            r.cpu.setGpr(5, 0x55);
            r.cpu.setGpr(31, 0x99);
            assertEquals(0x55, r.cpu.gpr(5), "pre-bind reads see pre-bind writes");
            assertEquals(0, r.cpu.gpr(31));
            assertTrue(r.api.created.isEmpty(), "no hv_vcpu_create before bind");
            Thread bound = on(worker, () -> {
                r.cpu.bind();
                return Thread.currentThread();
            });
            FakeHvfApi.VCpu v = r.fake();
            assertSame(bound, v.owner, "created on the thread that bound it");
            assertEquals(0x4008_0000L, v.regs[HvReg.PC]);
            assertEquals(0x55, v.regs[5]);
            assertEquals(0x4800_0000L, v.regs[0], "x0 holds the device tree address from the create config");
            assertEquals(0x3C5, v.regs[HvReg.CPSR], "setup leaves EL1h with DAIF masked");
            assertEquals(0x30C5_0830L, v.sys(HvSysReg.SCTLR_EL1.code()));
            assertEquals(0x8000_0101L, v.sys(HvSysReg.MPIDR_EL1.code()), "MPIDR with RES1 bit 31");
            assertEquals(r.api.clock, v.vtimerOffset, "the virtual count starts at 0 when the VM is created");
            on(worker, () -> {
                r.cpu.unbind();
                return null;
            });
        } finally {
            worker.shutdownNow();
        }
    }

    @Test
    void runAndRegisterAccessFromAnotherThreadAreRefused() throws Exception {
        ExecutorService worker = Executors.newSingleThreadExecutor();
        try (Rig r = Rig.unbound()) {
            on(worker, () -> {
                r.cpu.bind();
                return null;
            });
            IllegalVCpuStateException e = assertThrows(IllegalVCpuStateException.class, r.cpu::run);
            assertTrue(e.getMessage().contains("must be called on the thread"), e.getMessage());
            assertThrows(IllegalVCpuStateException.class, () -> r.cpu.gpr(1));
            assertThrows(IllegalVCpuStateException.class, () -> r.cpu.setGpr(1, 2));
            assertThrows(IllegalVCpuStateException.class, r.cpu::saveState);
            assertEquals(VCpuState.READY, r.cpu.state(), "a refused call leaves the state alone");
            on(worker, () -> {
                r.cpu.unbind();
                return null;
            });
        } finally {
            worker.shutdownNow();
        }
    }

    @Test
    void theBackendItselfRefusesForeignThreadsWhileItOwnsANativeVCpu() throws Exception {
        FakeHvfApi api = new FakeHvfApi();
        HvfBackend backend = new HvfBackend(api);
        HvfVm vm = (HvfVm) backend.createVm();
        HvfVCpu cpu = (HvfVCpu) vm.createVCpu(0, org.vcpu4j.api.aarch64.Aarch64CreateConfig.ofMpidr(0));
        ExecutorService worker = Executors.newSingleThreadExecutor();
        try {
            on(worker, () -> {
                cpu.bind();
                return null;
            });
            IllegalVCpuStateException e = assertThrows(IllegalVCpuStateException.class, () -> cpu.gpr(0));
            assertTrue(e.getMessage().contains("owns its Hypervisor.framework vCPU"), e.getMessage());
            assertThrows(IllegalVCpuStateException.class, cpu::bind);
            BackendException close = assertThrows(BackendException.class, cpu::close);
            assertTrue(close.getMessage().contains("destroys a vCPU only on its own thread"), close.getMessage());
            on(worker, () -> {
                cpu.close();
                return null;
            });
        } finally {
            worker.shutdownNow();
            vm.close();
        }
        assertFalse(api.vmExists);
    }

    @Test
    void unbindKeepsTheStateAndBindOnAnotherThreadRecreatesTheVCpuThere() throws Exception {
        ExecutorService first = Executors.newSingleThreadExecutor();
        ExecutorService second = Executors.newSingleThreadExecutor();
        try (Rig r = Rig.unbound()) {
            on(first, () -> {
                r.cpu.bind();
                r.fake().regs[9] = 0x99;
                r.fake().sysRegs.put(HvSysReg.VBAR_EL1.code(), 0x8000L);
                r.fake().simd[6] = 0x3FF0_0000_0000_0000L;
                r.cpu.unbind();
                return null;
            });
            FakeHvfApi.VCpu old = r.api.created.get(0);
            assertTrue(old.destroyed, "unbind destroys the native vCPU on its thread");
            Thread t2 = on(second, () -> {
                r.cpu.bind();
                return Thread.currentThread();
            });
            FakeHvfApi.VCpu now = r.fake();
            assertSame(t2, now.owner);
            assertEquals(0x99, now.regs[9]);
            assertEquals(0x8000L, now.sys(HvSysReg.VBAR_EL1.code()));
            assertEquals(0x3FF0_0000_0000_0000L, now.simd[6]);
            on(second, () -> {
                r.cpu.unbind();
                return null;
            });
        } finally {
            first.shutdownNow();
            second.shutdownNow();
        }
    }

    @Test
    void aVectorWithBitsAbove63IsCarriedToTheNewVCpuThroughTheGuestStub() throws Exception {
        ExecutorService first = Executors.newSingleThreadExecutor();
        try (Rig r = Rig.unbound()) {
            on(first, () -> {
                r.cpu.bind();
                r.fake().simd[2 * 4 + 1] = 1;
                r.cpu.unbind();
                return null;
            });
            r.cpu.bind();
            assertEquals(1, r.fake().simd[2 * 4 + 1]);
            assertEquals(1, r.api.stubRuns);
            assertEquals(0x4800_0000L, r.fake().regs[0], "X0 is the guest's again");
        } finally {
            first.shutdownNow();
        }
    }

    @Test
    void requestExitFromAnotherThreadStopsARunningGuest() throws Exception {
        try (Rig r = Rig.bound()) {
            r.api.exit(FakeHvfApi.WAIT_FOR_KICK, 0, 0, 0);
            long id = r.fake().id;
            Future<?> kicker = CompletableFuture.runAsync(() -> {
                while (!r.api.running(id)) {
                    Thread.onSpinWait();
                }
                r.cpu.requestExit();
            });
            assertEquals(new VCpuExit.Interrupted(), r.cpu.run());
            kicker.get(20, TimeUnit.SECONDS);
            assertTrue(r.api.calls.contains("hv_vcpus_exit"));
            r.api.exception(Esr.encode(Esr.EC_WFX, true, 0), 0);
            assertEquals(new VCpuExit.Halt(), r.cpu.run(), "the request was consumed");
        }
    }

    @Test
    void aRequestBeforeRunIsNotLostAndDoesNotEnterTheGuest() {
        try (Rig r = Rig.bound()) {
            r.cpu.requestExit();
            assertEquals(new VCpuExit.Interrupted(), r.cpu.run());
            assertTrue(r.fake().irqAtRun.isEmpty(), "hv_vcpu_run was not called");
            assertFalse(r.api.calls.contains("hv_vcpus_exit"), "nothing to kick while not in the guest");
        }
    }

    @Test
    void aRequestBeforeBindIsKeptForTheFirstRun() {
        try (Rig r = Rig.unbound()) {
            r.cpu.requestExit();
            r.cpu.bind();
            assertEquals(new VCpuExit.Interrupted(), r.cpu.run());
        }
    }

    @Test
    void aStaleCancelReentersTheGuest() {
        try (Rig r = Rig.bound()) {
            r.api.exit(HvVcpuExit.REASON_CANCELED, 0, 0, 0).exception(Esr.encode(Esr.EC_WFX, true, 0), 0);
            assertEquals(new VCpuExit.Halt(), r.cpu.run());
            assertEquals(2, r.fake().irqAtRun.size(), "entered twice");
        }
    }

    @Test
    void aForeignInjectionIsAssertedAtTheNextRun() throws Exception {
        try (Rig r = Rig.bound()) {
            CompletableFuture.runAsync(() -> r.cpu.injectInterrupt(40)).get(20, TimeUnit.SECONDS);
            r.api.exception(Esr.encode(Esr.EC_WFX, true, 0), 0);
            assertInstanceOf(VCpuExit.Halt.class, r.cpu.run());
            assertEquals(java.util.List.of(true), r.fake().irqAtRun);
        }
    }
}
