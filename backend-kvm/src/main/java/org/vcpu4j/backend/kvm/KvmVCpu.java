package org.vcpu4j.backend.kvm;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import org.vcpu4j.backend.kvm.sys.KvmIoctls;
import org.vcpu4j.backend.kvm.sys.KvmRun;
import org.vcpu4j.backend.kvm.sys.Libc;
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
}
