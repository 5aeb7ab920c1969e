package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.IllegalVCpuStateException;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.spi.Backends;

/**
 * Issue 11 item 2 on the emulator: {@code VirtualMachine.close()} and {@code Hypervisor.close()} racing a spinning
 * guest's {@code run()} on another thread either refuse (and change nothing: the guest keeps running) or
 * close everything (and {@code run()} is refused from then on); a second close is a no-op.
 */
class CloseRaceTest {
    private static final int TRIES = 1000;
    private static final int MAX_REFUSALS = 100;
    private static final long RAM = 0x4000_0000L;

    @Test
    void closeRacingRunIsAtomicAndLeaksNothing() throws Exception {
        long seed = 0x11A2L;
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 10; i++) {
            race(i % 2 == 0, random); // warm-up
        }
        int refusals = 0;
        for (int i = 0; i < TRIES; i++) {
            refusals += race(i % 2 == 0, random);
        }
        assertTrue(refusals > 0, "the race was never hit: close() always found the vCPU outside run()");
    }

    /** One race; returns how many close() calls were refused before one succeeded. */
    private static int race(boolean closeTheVm, SplittableRandom random) throws Exception {
        Hypervisor h = Backends.open(new EmulatedBackendProvider());
        VirtualMachine vm = h.createVirtualMachine();
        vm.mapRam(RAM, 0x1_0000);
        vm.memory().write(RAM, new byte[] {0, 0, 0, 0x14}); // b . (0x14000000, Arm ARM C6.2.26)
        VCpu vcpu = vm.createVCpu(0, Aarch64CreateConfig.ofMpidr(0));
        vcpu.setEntry(RAM);
        vcpu.setup(Aarch64SetupConfig.defaults());
        AtomicReference<Throwable> wrong = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread runner = Thread.ofPlatform().start(() -> {
            try {
                try {
                    vcpu.bind();
                } catch (IllegalVCpuStateException closedFirst) {
                    return; // close() won before the runner started
                }
                while (true) {
                    VCpuExit exit;
                    try {
                        exit = vcpu.run();
                    } catch (IllegalStateException | IllegalVCpuStateException closed) {
                        return; // the VM was closed between two runs: refused, as it must be
                    }
                    if (!(exit instanceof VCpuExit.Interrupted)) {
                        throw new AssertionError("a spinning guest exited with " + exit);
                    }
                    if (stop.get()) {
                        return; // the closing thread gave up racing: it closes once this thread is out of run()
                    }
                }
            } catch (Throwable t) {
                wrong.set(t);
            }
        });
        for (int spin = random.nextInt(20_000); spin > 0; spin--) {
            Thread.onSpinWait();
        }
        int refusals = 0;
        while (true) {
            try {
                if (closeTheVm) {
                    vm.close();
                } else {
                    h.close();
                }
                break;
            } catch (IllegalVCpuStateException running) {
                refusals++;
                // A runner that re-enters run() at once can win every round on a loaded host; after
                // MAX_REFUSALS the closer asks it to stop, so the loop ends (close() between two runs is
                // still raced in the rounds before).
                stop.set(refusals >= MAX_REFUSALS);
                vcpu.requestExit();
            }
        }
        runner.join(10_000);
        assertTrue(!runner.isAlive(), "the runner still runs after close()");
        assertNull(wrong.get(), () -> "the runner saw " + wrong.get());
        vm.close(); // idempotent
        h.close();
        h.close();
        return refusals;
    }
}
