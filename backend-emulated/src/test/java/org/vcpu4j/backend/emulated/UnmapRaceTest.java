package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.MemoryRegion;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.spi.Backends;

/**
 * Issue 11 item 3: once {@code vm.unmap()} returns, a vCPU running on another thread stores nothing more
 * into the region; its next store there is an MMIO exit.
 */
class UnmapRaceTest {
    private static final int TRIES = 1000;
    private static final long RAM = 0x4000_0000L;
    private static final long DATA = 0x5000_0000L;
    /** loop: str x1, [x2]; add x1, x1, #1; b loop (Arm ARM C6.2.322, C6.2.4, C6.2.26). */
    private static final int[] STORE_LOOP = {0xF900_0041, 0x9100_0421, 0x17FF_FFFE};

    @Test
    void noStoreLandsInARegionAfterUnmapReturns() throws Exception {
        for (int i = 0; i < TRIES; i++) {
            tryOnce(i);
        }
    }

    private static void tryOnce(int attempt) throws Exception {
        try (Hypervisor h = Backends.open(new EmulatedBackendProvider());
                VirtualMachine vm = h.createVirtualMachine();
                Arena arena = Arena.ofShared()) {
            vm.mapRam(RAM, 0x1_0000);
            ByteBuffer code = ByteBuffer.allocate(4 * STORE_LOOP.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int w : STORE_LOOP) {
                code.putInt(w);
            }
            vm.memory().write(RAM, code.array());
            MemorySegment data = arena.allocate(4096, 4096);
            vm.map(MemoryRegion.ram(DATA, data));
            VCpu vcpu = vm.createVCpu(0, Aarch64CreateConfig.ofMpidr(0));
            vcpu.setEntry(RAM);
            vcpu.setup(Aarch64SetupConfig.defaults());
            vcpu.setGpr(1, 1);
            vcpu.setGpr(2, DATA);
            AtomicReference<VCpuExit> exit = new AtomicReference<>();
            AtomicReference<Throwable> wrong = new AtomicReference<>();
            Thread runner = Thread.ofPlatform().start(() -> {
                try {
                    vcpu.bind();
                    VCpuExit e;
                    while ((e = vcpu.run()) instanceof VCpuExit.Interrupted) {
                        // keep running
                    }
                    exit.set(e);
                    vcpu.unbind();
                } catch (Throwable t) {
                    wrong.set(t);
                }
            });
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (data.get(ValueLayout.JAVA_LONG, 0) < 1 + attempt % 64) {
                assertTrue(System.nanoTime() < deadline, "the guest never stored");
                Thread.onSpinWait();
            }
            vm.unmap(DATA);
            long atUnmap = data.get(ValueLayout.JAVA_LONG, 0);
            runner.join(10_000);
            assertFalse(runner.isAlive(), "the guest's next store did not exit");
            assertNull(wrong.get(), () -> "the runner saw " + wrong.get());
            assertEquals(atUnmap, data.get(ValueLayout.JAVA_LONG, 0),
                    "try " + attempt + ": the guest stored into the region after unmap() returned");
            VCpuExit.MmioWrite w = assertInstanceOf(VCpuExit.MmioWrite.class, exit.get());
            assertEquals(DATA, w.address());
        }
    }
}
