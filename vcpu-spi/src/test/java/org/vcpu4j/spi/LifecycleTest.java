package org.vcpu4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.BackendException;
import org.vcpu4j.api.IllegalVCpuStateException;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VCpuState;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.api.x86_64.X86_64SetupConfig;

/** The library's state machine around a backend: every legal and illegal transition. */
class LifecycleTest extends FakeVmFixture {
    private VCpu vcpuIn(VCpuState state) {
        VCpu v = vm.createVCpu(vm.vcpus().size(), Aarch64CreateConfig.ofMpidr(0));
        switch (state) {
            case CREATED -> { }
            case FREE -> v.setup(Aarch64SetupConfig.defaults());
            case READY -> {
                v.setup(Aarch64SetupConfig.defaults());
                v.bind();
            }
            case CLOSED -> v.close();
            case INVALID -> {
                backend.failNext = new BackendException("injected");
                assertThrows(BackendException.class, () -> v.setup(Aarch64SetupConfig.defaults()));
            }
            case RUNNING -> throw new IllegalArgumentException("RUNNING is only observable from inside run()");
        }
        assertEquals(state, v.state());
        return v;
    }

    /** The operations and the states each accepts (RUNNING is tested separately). */
    private static final Map<String, EnumSet<VCpuState>> LEGAL = Map.of(
            "setup", EnumSet.of(VCpuState.CREATED),
            "bind", EnumSet.of(VCpuState.FREE),
            "unbind", EnumSet.of(VCpuState.READY),
            "run", EnumSet.of(VCpuState.READY),
            "setEntry", EnumSet.of(VCpuState.CREATED, VCpuState.FREE, VCpuState.READY),
            "setGpr", EnumSet.of(VCpuState.CREATED, VCpuState.FREE, VCpuState.READY),
            "saveState", EnumSet.of(VCpuState.CREATED, VCpuState.FREE, VCpuState.READY),
            "setReturnValue", EnumSet.of(VCpuState.CREATED, VCpuState.FREE, VCpuState.READY));

    private static Consumer<VCpu> operation(String name) {
        return switch (name) {
            case "setup" -> v -> v.setup(Aarch64SetupConfig.defaults());
            case "bind" -> VCpu::bind;
            case "unbind" -> VCpu::unbind;
            case "run" -> VCpu::run;
            case "setEntry" -> v -> v.setEntry(0x4000_0000L);
            case "setGpr" -> v -> v.setGpr(1, 2);
            case "saveState" -> VCpu::saveState;
            case "setReturnValue" -> v -> v.setReturnValue(0);
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest
    @EnumSource(value = VCpuState.class, names = {"CREATED", "FREE", "READY", "CLOSED", "INVALID"})
    void everyOperationIsAcceptedExactlyInItsStates(VCpuState state) {
        for (var e : LEGAL.entrySet()) {
            VCpu v = vcpuIn(state);
            FakeBackend.FakeVCpu arch = backend.vcpus.getLast();
            arch.exits.add(new VCpuExit.Halt());
            if (e.getValue().contains(state)) {
                operation(e.getKey()).accept(v);
            } else {
                var ex = assertThrows(IllegalVCpuStateException.class, () -> operation(e.getKey()).accept(v),
                        e.getKey() + " in " + state);
                assertEquals(state, ex.current());
                assertEquals(e.getValue(), ex.expected());
                assertTrue(ex.getMessage().contains(state.name()) && ex.getMessage().contains(e.getKey()),
                        ex.getMessage());
                assertEquals(state, v.state(), "a refused call leaves the state alone");
            }
        }
    }

    @Test
    void legalPathWalksTheStateMachine() {
        VCpu v = vcpuIn(VCpuState.CREATED);
        v.setup(Aarch64SetupConfig.defaults());
        assertEquals(VCpuState.FREE, v.state());
        v.bind();
        assertEquals(VCpuState.READY, v.state());
        backend.vcpus.getFirst().exits.add(new VCpuExit.Halt());
        assertEquals(new VCpuExit.Halt(), v.run());
        assertEquals(VCpuState.READY, v.state());
        v.unbind();
        assertEquals(VCpuState.FREE, v.state());
        v.bind();
        v.close();
        assertEquals(VCpuState.CLOSED, v.state());
    }

    @Test
    void stateIsRunningInsideRunAndCloseIsRefusedThen() throws Exception {
        VCpu v = vcpuIn(VCpuState.FREE);
        backend.vcpus.getLast().exits.add(new VCpuExit.Halt());
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        backend.runHook = () -> {
            started.countDown();
            awaitQuietly(release);
        };
        var runner = new Thread(() -> {
            v.bind();
            v.run();
        });
        runner.start();
        started.await();
        assertEquals(VCpuState.RUNNING, v.state());
        var ex = assertThrows(IllegalVCpuStateException.class, v::close);
        assertTrue(ex.getMessage().contains("requestExit"), ex.getMessage());
        assertThrows(IllegalVCpuStateException.class, () -> v.setGpr(0, 1));
        assertThrows(IllegalVCpuStateException.class, vm::close);
        release.countDown();
        runner.join();
        assertEquals(VCpuState.READY, v.state());
    }

    @Test
    void runAndUnbindMustComeFromTheBoundThread() throws Exception {
        VCpu v = vcpuIn(VCpuState.READY);
        backend.vcpus.getLast().exits.add(new VCpuExit.Halt());
        Throwable fromOther = onOtherThread(v::run);
        var ex = assertInstanceOf(IllegalVCpuStateException.class, fromOther);
        assertTrue(ex.getMessage().contains("bound"), ex.getMessage());
        assertInstanceOf(IllegalVCpuStateException.class, onOtherThread(v::unbind));
        assertInstanceOf(IllegalVCpuStateException.class, onOtherThread(() -> v.gpr(0)));
        assertEquals(new VCpuExit.Halt(), v.run());
    }

    @Test
    void bindRefusesVirtualThreads() throws Exception {
        VCpu v = vcpuIn(VCpuState.FREE);
        var result = new CompletableFuture<Throwable>();
        Thread.ofVirtual().start(() -> {
            try {
                v.bind();
                result.complete(null);
            } catch (Throwable t) {
                result.complete(t);
            }
        }).join();
        var ex = assertInstanceOf(IllegalVCpuStateException.class, result.get());
        assertTrue(ex.getMessage().contains("platform thread"), ex.getMessage());
        assertEquals(VCpuState.FREE, v.state());
    }

    @Test
    void aBackendFailureDuringATransitionLeavesTheVCpuInvalid() {
        VCpu v = vcpuIn(VCpuState.FREE);
        backend.failNext = new BackendException("injected bind failure");
        assertThrows(BackendException.class, v::bind);
        assertEquals(VCpuState.INVALID, v.state());
        assertThrows(IllegalVCpuStateException.class, () -> v.setup(Aarch64SetupConfig.defaults()));
        v.close();
        assertEquals(VCpuState.CLOSED, v.state());
    }

    @Test
    void aBackendFailureDuringRunLeavesTheVCpuInvalid() {
        VCpu v = vcpuIn(VCpuState.READY);
        backend.failNext = new BackendException("injected run failure");
        assertThrows(BackendException.class, v::run);
        assertEquals(VCpuState.INVALID, v.state());
    }

    @Test
    void aLoadExitMustBeCompletedBeforeTheNextRun() {
        VCpu v = vcpuIn(VCpuState.READY);
        var arch = backend.vcpus.getLast();
        arch.exits.add(new VCpuExit.MmioRead(0x900_0000L, AccessWidth.BYTE, 3, AccessWidth.DWORD, true));
        arch.exits.add(new VCpuExit.Halt());
        v.run();
        var ex = assertThrows(IllegalVCpuStateException.class, v::run);
        assertTrue(ex.getMessage().contains("completeMmioRead") && ex.getMessage().contains("0x9000000"),
                ex.getMessage());
        assertThrows(IllegalVCpuStateException.class, () -> v.completeSysRegRead(1));
        v.completeMmioRead(0x80);
        assertEquals(0xFFFF_FF80L, v.gpr(3), "sign-extended byte into a W register");
        assertThrows(IllegalVCpuStateException.class, () -> v.completeMmioRead(1), "completed twice");
        assertEquals(new VCpuExit.Halt(), v.run());
    }

    @Test
    void anMmioWriteMayBeAnsweredWithAnExternalAbortOnce() {
        VCpu v = vcpuIn(VCpuState.READY);
        var arch = backend.vcpus.getLast();
        arch.exits.add(new VCpuExit.MmioWrite(0x100, AccessWidth.DWORD, 1));
        v.run();
        v.completeMmioWithExternalAbort();
        assertTrue(backend.calls.contains("abort MmioWrite"));
        assertThrows(IllegalVCpuStateException.class, v::completeMmioWithExternalAbort);
    }

    @Test
    void registerIndicesAreCheckedAndXzrIsHandledByTheLibrary() {
        VCpu v = vcpuIn(VCpuState.CREATED);
        v.setGpr(31, 42);
        assertEquals(0, v.gpr(31));
        var ex = assertThrows(IllegalArgumentException.class, () -> v.setGpr(32, 1));
        assertTrue(ex.getMessage().contains("32") && ex.getMessage().contains("0..31"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> v.gpr(-1));
        v.setGpr(30, 7);
        assertEquals(7, v.gpr(30));
    }

    @Test
    void configsOfAnotherIsaAreRefused() {
        VCpu v = vcpuIn(VCpuState.CREATED);
        var ex = assertThrows(IllegalArgumentException.class, () -> v.setup(new X86_64SetupConfig(0x1000)));
        assertTrue(ex.getMessage().contains("x86_64"), ex.getMessage());
        assertEquals(VCpuState.CREATED, v.state());
    }

    @Test
    void duplicateAndNegativeVCpuIdsAreRefused() {
        vm.createVCpu(0, Aarch64CreateConfig.ofMpidr(0));
        assertThrows(IllegalArgumentException.class, () -> vm.createVCpu(0, Aarch64CreateConfig.ofMpidr(0)));
        assertThrows(IllegalArgumentException.class, () -> vm.createVCpu(-1, Aarch64CreateConfig.ofMpidr(0)));
    }

    @Test
    void interruptsFromOtherThreadsAreHandedOverAtTheNextRun() throws Exception {
        VCpu v = vcpuIn(VCpuState.READY);
        var arch = backend.vcpus.getLast();
        assertEquals(null, onOtherThread(() -> v.injectInterrupt(365)));
        assertTrue(arch.interrupts.isEmpty());
        arch.exits.add(new VCpuExit.Halt());
        v.run();
        assertEquals(java.util.List.of(365), arch.interrupts, "the INTID is never truncated");
    }

    @Test
    void aBadInterruptIdFromAnotherThreadFailsThereAndLeavesTheVCpuUsable() throws Exception {
        VCpu v = vcpuIn(VCpuState.READY);
        var arch = backend.vcpus.getLast();
        Throwable e = onOtherThread(() -> v.injectInterrupt(5000));
        assertTrue(e instanceof IllegalArgumentException && e.getMessage().contains("0-1019"), String.valueOf(e));
        arch.exits.add(new VCpuExit.Halt());
        v.run();
        assertEquals(VCpuState.READY, v.state());
        assertTrue(arch.interrupts.isEmpty(), "nothing was queued");
        assertThrows(IllegalArgumentException.class, () -> v.injectInterrupt(5000), "on the bound thread too");
    }

    @Test
    void closingTheVmClosesItsVCpusAndTheBackend() {
        VCpu v = vcpuIn(VCpuState.READY);
        vm.close();
        assertEquals(VCpuState.CLOSED, v.state());
        assertTrue(backend.calls.containsAll(java.util.List.of("vcpu close", "vm close")), backend.calls.toString());
        vm.close();
    }

    private static Throwable onOtherThread(Runnable r) throws InterruptedException, ExecutionException {
        var f = new CompletableFuture<Throwable>();
        Thread t = new Thread(() -> {
            try {
                r.run();
                f.complete(null);
            } catch (Throwable e) {
                f.complete(e);
            }
        });
        t.start();
        t.join();
        return f.get();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
