package org.vcpu4j.gdb;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.spi.Backends;

/**
 * Emulated AArch64 vCPUs looping over {@link #LOOP} (each stores its count to its own data word), each run
 * by a VMM loop on its own thread that reports to a {@link GdbStub} on a free loopback port.
 */
final class StubbedGuest implements AutoCloseable {
    static final long RAM = 0x4000_0000L;
    static final long DATA = RAM + 0x800;
    static final int[] LOOP = {
        0xd2800000, // 0x00 mov x0, #0
        0x91000400, // 0x04 loop: add x0, x0, #1
        0x91000821, // 0x08 add x1, x1, #2
        0xf9000040, // 0x0c str x0, [x2]
        0x17fffffd, // 0x10 b loop
    };

    final Hypervisor hypervisor;
    final VirtualMachine vm;
    final List<VCpu> vcpus = new ArrayList<>();
    final GdbStub stub;
    final List<Thread> threads = new ArrayList<>();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final CountDownLatch ended;
    private volatile boolean closing;

    StubbedGuest(int count, boolean wait) throws IOException {
        hypervisor = Backends.open("emulated");
        vm = hypervisor.createVirtualMachine();
        vm.mapRam(RAM, 1 << 20);
        byte[] code = new byte[LOOP.length * 4];
        for (int i = 0; i < LOOP.length; i++) {
            for (int b = 0; b < 4; b++) {
                code[4 * i + b] = (byte) (LOOP[i] >>> (8 * b));
            }
        }
        vm.memory().write(RAM, code);
        for (int i = 0; i < count; i++) {
            VCpu v = vm.createVCpu(i, Aarch64CreateConfig.ofMpidr(i));
            v.setEntry(RAM);
            v.setup(Aarch64SetupConfig.defaults());
            v.setGpr(2, DATA + 0x100L * i);
            vcpus.add(v);
        }
        stub = GdbStub.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), vm::memory, vcpus, wait);
        ended = new CountDownLatch(count);
        for (VCpu v : vcpus) {
            Thread t = Thread.ofPlatform().name("vcpu-" + v.id()).start(() -> vmmLoop(v));
            threads.add(t);
        }
    }

    private void vmmLoop(VCpu v) {
        try {
            v.bind();
            if (!stub.vcpuStarting(v)) {
                return;
            }
            while (true) {
                VCpuExit exit = v.run();
                GdbStub.Verdict verdict = stub.onExit(v, exit);
                if (verdict == GdbStub.Verdict.KILL) {
                    return;
                }
                if (verdict == GdbStub.Verdict.NOT_MINE && exit instanceof VCpuExit.Interrupted && closing) {
                    return;
                }
                if (verdict == GdbStub.Verdict.NOT_MINE && !(exit instanceof VCpuExit.Interrupted)) {
                    throw new AssertionError("unexpected exit " + exit);
                }
            }
        } catch (Throwable t) {
            failure.set(t);
        } finally {
            try {
                v.unbind();
            } catch (RuntimeException e) {
                // the test's problem is elsewhere
            }
            ended.countDown();
        }
    }

    int port() {
        return stub.address().getPort();
    }

    boolean awaitEnd(long seconds) throws InterruptedException {
        return ended.await(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        closing = true;
        stub.close();
        for (VCpu v : vcpus) {
            v.requestExit();
        }
        try {
            ended.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        hypervisor.close();
    }
}
