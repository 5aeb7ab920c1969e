package org.vcpu4j.gdb;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Supplier;
import org.vcpu4j.api.GuestMemory;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.gdb.internal.Session;

/**
 * A gdb remote serial protocol server for the vCPUs of one VM (QEMU's {@code -gdb tcp::1234}): each vCPU
 * is a gdb thread, breakpoints, watchpoints and single-step go through the vCPU contract's debug
 * operations ({@link VCpu#debugCapabilities()}), registers through {@link VCpu#saveState()}, memory
 * through the guest's own translation ({@link VCpu#translateGva}) and the VM's {@link GuestMemory}.
 *
 * <p>The VMM keeps running its vCPU loops and tells the stub what happens, on each vCPU's own (bound)
 * thread: {@link #vcpuStarting} before the first {@code run()}, {@link #onExit} after every {@code run()},
 * {@link #vcpuFinished} when the loop ends. While gdb has the guest stopped (all-stop mode), the vCPU
 * threads wait inside these calls and carry out gdb's requests, as the contract's thread rules require.
 *
 * <pre>{@code
 * try (GdbStub gdb = GdbStub.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1234),
 *         vm::memory, List.of(vcpu), true)) {
 *     vcpu.bind();
 *     if (!gdb.vcpuStarting(vcpu)) return;           // killed while waiting for gdb
 *     while (true) {
 *         VCpuExit exit = vcpu.run();
 *         switch (gdb.onExit(vcpu, exit)) {
 *             case RUN_AGAIN -> { continue; }
 *             case KILL -> { return; }
 *             case NOT_MINE -> { handle(exit); }       // the VMM's own exits
 *         }
 *     }
 * }
 * }</pre>
 */
public final class GdbStub implements AutoCloseable {
    /** What the VMM does with an exit after {@link #onExit}. */
    public enum Verdict {
        /** The stub handled it (a debug stop, or a stop gdb asked for): run the vCPU again. */
        RUN_AGAIN,
        /** Not the debugger's: the VMM handles the exit as it would without a debugger. */
        NOT_MINE,
        /** gdb killed the guest ({@code k}): end the vCPU's loop. */
        KILL
    }

    private final Session session;

    private GdbStub(Session session) {
        this.session = session;
    }

    /**
     * Starts listening. The guest is stopped when gdb connects (as QEMU does) and keeps running after gdb
     * detaches; a later connection attaches again.
     *
     * @param address where to listen (use a loopback address unless the network is trusted: the protocol
     *     has no authentication); port 0 picks a free port, see {@link #address()}
     * @param memory the VM's current memory map ({@code vm::memory})
     * @param vcpus the VM's vCPUs, all of one ISA; gdb thread {@code n + 1} is {@code vcpus.get(n)}
     * @param waitForDebugger whether the vCPUs wait in {@link #vcpuStarting} until gdb resumes them (QEMU's
     *     {@code -S})
     * @return the running stub
     * @throws IOException if the address cannot be bound
     * @throws IllegalArgumentException if there are no vCPUs or they mix ISAs
     */
    public static GdbStub listen(InetSocketAddress address, Supplier<GuestMemory> memory, List<VCpu> vcpus,
            boolean waitForDebugger) throws IOException {
        return new GdbStub(Session.start(address, memory, vcpus, waitForDebugger));
    }

    /** {@return the address the stub listens on (with the port chosen, if 0 was given)} */
    public InetSocketAddress address() {
        return session.address();
    }

    /**
     * Called on the vCPU's bound thread before its first {@code run()}. With {@code waitForDebugger}, or
     * while gdb has the guest stopped, it waits here (serving gdb) until gdb resumes it.
     *
     * @param vcpu one of the stub's vCPUs
     * @return false if gdb killed the guest meanwhile (the VMM ends the loop)
     */
    public boolean vcpuStarting(VCpu vcpu) {
        return session.starting(vcpu);
    }

    /**
     * Called on the vCPU's bound thread after every {@code run()}: a {@link VCpuExit.DebugStop} (and an
     * {@link VCpuExit.Interrupted} the stub asked for) is the stub's; it waits here while gdb has the guest
     * stopped.
     *
     * @param vcpu one of the stub's vCPUs
     * @param exit what {@code run()} returned
     * @return what the VMM does next
     */
    public Verdict onExit(VCpu vcpu, VCpuExit exit) {
        return session.onExit(vcpu, exit);
    }

    /**
     * Called on the vCPU's thread when its loop ends for a reason of the VMM's (the guest powered off):
     * gdb sees the thread gone, and the process exit when every vCPU has finished.
     *
     * @param vcpu one of the stub's vCPUs
     */
    public void vcpuFinished(VCpu vcpu) {
        session.finished(vcpu);
    }

    /** Stops listening, drops the connection and lets every waiting vCPU run on. Idempotent. */
    @Override
    public void close() {
        session.close();
    }
}
