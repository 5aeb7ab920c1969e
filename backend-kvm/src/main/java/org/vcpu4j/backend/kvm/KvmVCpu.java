package org.vcpu4j.backend.kvm;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import org.vcpu4j.backend.kvm.sys.KvmIoctls;
import org.vcpu4j.backend.kvm.sys.KvmRun;
import org.vcpu4j.backend.kvm.sys.Libc;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.spi.ArchVCpu;

/**
 * What every KVM vCPU shares: the vCPU fd and its {@code kvm_run} mapping, the thread binding, and
 * {@code KVM_RUN} with the exit request protocol. A request sets {@code kvm_run.immediate_exit} (KVM
 * checks it at entry, so a request between runs is sticky) and, when the bound thread is inside
 * {@code KVM_RUN}, sends it the kick signal so the running ioctl returns EINTR.
 */
abstract class KvmVCpu implements ArchVCpu {
    /** The system calls. */
    protected final KvmCalls calls;
    /** The vCPU fd. */
    protected final int fd;
    /** The shared {@code struct kvm_run}. */
    protected final MemorySegment run;

    private final Object threadLock = new Object();
    private long boundThread;
    private boolean bound;
    private boolean closed;
    private volatile boolean exitRequested;
    private volatile boolean inKvmRun;

    /** KVM has yet to retire the instruction of the last I/O or MMIO exit (it does so on the next KVM_RUN). */
    protected boolean instructionPending;
    /** The pending instruction is a load whose value the VMM has not completed yet. */
    protected boolean loadAwaitingValue;

    KvmVCpu(KvmCalls calls, int fd, MemorySegment run) {
        this.calls = calls;
        this.fd = fd;
        this.run = run;
    }

    @Override
    public void bind() {
        synchronized (threadLock) {
            boundThread = calls.currentThread();
            bound = true;
        }
    }

    @Override
    public void unbind() {
        synchronized (threadLock) {
            bound = false;
        }
    }

    @Override
    public void requestExit() {
        // Under the lock so a concurrent close() cannot unmap kvm_run between the check and the write.
        synchronized (threadLock) {
            if (closed) {
                return;
            }
            exitRequested = true;
            KvmRun.immediate_exit(run, (byte) 1);
            VarHandle.fullFence();
            if (bound && inKvmRun) {
                calls.kick(boundThread);
            }
        }
    }

    /**
     * Enters the guest until KVM returns an exit in {@code kvm_run} or an exit request stops it. Spurious
     * EINTRs (a signal that was not a request) enter again.
     *
     * @return {@code true} for an exit in {@code kvm_run}, {@code false} for a request (now cleared)
     */
    protected final boolean enter() {
        while (true) {
            inKvmRun = true;
            if (exitRequested) {
                KvmRun.immediate_exit(run, (byte) 1);
            }
            int rc = calls.run(fd);
            inKvmRun = false;
            if (rc == 0 && KvmRun.exit_reason(run) == KvmIoctls.KVM_EXIT_INTR) {
                rc = -Libc.EINTR;
            }
            if (rc == -Libc.EINTR) {
                if (exitRequested) {
                    exitRequested = false;
                    KvmRun.immediate_exit(run, (byte) 0);
                    return false;
                }
                KvmRun.immediate_exit(run, (byte) (exitRequested ? 1 : 0));
                continue;
            }
            if (rc < 0) {
                throw new KvmException("KVM_RUN(vCPU fd " + fd + ")", -rc);
            }
            return true;
        }
    }

    /**
     * Lets KVM finish an instruction whose MMIO or port access it handed to user space, without entering
     * the guest: {@code KVM_RUN} with {@code immediate_exit = 1} (as QEMU does before reading registers).
     *
     * @return {@code true} if KVM stopped on a further exit instead (now in {@code kvm_run})
     */
    protected final boolean completePendingInstruction() {
        KvmRun.immediate_exit(run, (byte) 1);
        int rc = calls.run(fd);
        KvmRun.immediate_exit(run, (byte) (exitRequested ? 1 : 0));
        if (rc == 0) {
            return KvmRun.exit_reason(run) != KvmIoctls.KVM_EXIT_INTR;
        }
        if (rc != -Libc.EINTR) {
            throw new KvmException("KVM_RUN(vCPU fd " + fd + ", immediate_exit)", -rc);
        }
        return false;
    }

    @Override
    public void close() {
        synchronized (threadLock) {
            if (closed) {
                return;
            }
            closed = true;
            bound = false;
        }
        try {
            calls.unmapRun(run);
        } finally {
            calls.close(fd);
        }
    }

    /**
     * Decodes a {@code KVM_EXIT_MMIO} (linux/kvm.h {@code struct kvm_run.mmio}): {@code data} holds the
     * stored bytes as a store to a byte array would leave them, and KVM finishes the instruction on the
     * next {@code KVM_RUN}.
     *
     * @param registerWidth the destination register width this ISA reports for a load of {@code width}
     * @return the exit
     */
    protected final VCpuExit decodeMmio(java.util.function.UnaryOperator<AccessWidth> registerWidth) {
        long address = KvmRun.mmio_phys_addr(run);
        int len = KvmRun.mmio_len(run);
        if (len != 1 && len != 2 && len != 4 && len != 8) {
            return new VCpuExit.InternalError(KvmIoctls.KVM_EXIT_MMIO, String.format(
                    "MMIO access of %d bytes at 0x%x: only 1, 2, 4 and 8-byte accesses are supported", len, address));
        }
        AccessWidth width = AccessWidth.ofBytes(len);
        instructionPending = true;
        if (KvmRun.mmio_is_write(run) != 0) {
            return new VCpuExit.MmioWrite(address, width, KvmRun.mmio_data(run));
        }
        loadAwaitingValue = true;
        return new VCpuExit.MmioRead(address, width, 0, registerWidth.apply(width), false);
    }
}
