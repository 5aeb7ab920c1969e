package org.vcpu4j.backend.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.vcpu4j.backend.kvm.sys.KvmIoctls;
import org.vcpu4j.backend.kvm.sys.Libc;
import org.vcpu4j.backend.kvm.sys.Sigaction;

/**
 * {@link KvmCalls} on the real kernel through {@link Libc}. Each thread has its own errno capture
 * segment, so no call allocates after the first on a thread. The kick signal is {@code SIGRTMIN + 5};
 * its handler, installed once without {@code SA_RESTART}, is libc's {@code labs}: a native function
 * that touches no memory, so a kick that lands while the thread runs Java code cannot disturb the JVM
 * (an FFM upcall would re-enter the VM from an arbitrary instruction).
 */
final class LinuxKvmCalls implements KvmCalls {
    private static final ThreadLocal<MemorySegment> ERRNO =
            ThreadLocal.withInitial(() -> Libc.allocateErrno(Arena.ofAuto()));

    /** The process-wide instance. */
    static final LinuxKvmCalls INSTANCE = new LinuxKvmCalls();

    private final int kickSignal;

    private LinuxKvmCalls() {
        kickSignal = Libc.sigrtmin() + 5;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment action = arena.allocate(Sigaction.layout());
            Sigaction.fill(action, Libc.noOpSignalHandler(), 0);
            MemorySegment errno = ERRNO.get();
            if (Libc.sigaction(errno, kickSignal, action, MemorySegment.NULL) != 0) {
                throw new KvmException("sigaction(SIGRTMIN+5)", Libc.errno(errno));
            }
        }
    }

    /** {@return the signal used to kick vCPU threads} */
    int kickSignal() {
        return kickSignal;
    }

    @Override
    public int ioctl(int fd, long request, long arg) {
        MemorySegment errno = ERRNO.get();
        int rc = Libc.ioctl(errno, fd, request, arg);
        if (rc < 0) {
            throw new KvmException(KvmIoctls.requestName(request) + "(fd " + fd + ", " + arg + ")", Libc.errno(errno));
        }
        return rc;
    }

    @Override
    public int ioctl(int fd, long request, MemorySegment arg) {
        MemorySegment errno = ERRNO.get();
        int rc = Libc.ioctl(errno, fd, request, arg);
        if (rc < 0) {
            throw new KvmException(KvmIoctls.requestName(request) + "(fd " + fd + ")", Libc.errno(errno));
        }
        return rc;
    }

    @Override
    public int run(int vcpuFd) {
        MemorySegment errno = ERRNO.get();
        int rc = Libc.ioctl(errno, vcpuFd, KvmIoctls.KVM_RUN, 0L);
        return rc < 0 ? -Libc.errno(errno) : rc;
    }

    @Override
    public MemorySegment mapRun(int vcpuFd, long size) {
        MemorySegment errno = ERRNO.get();
        MemorySegment run = Libc.mmap(errno, size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, vcpuFd);
        if (run.equals(MemorySegment.NULL)) {
            throw new KvmException("mmap(kvm_run, " + size + " bytes, vCPU fd " + vcpuFd + ")", Libc.errno(errno));
        }
        return run;
    }

    @Override
    public void unmapRun(MemorySegment run) {
        MemorySegment errno = ERRNO.get();
        if (Libc.munmap(errno, run) != 0) {
            throw new KvmException("munmap(kvm_run)", Libc.errno(errno));
        }
    }

    @Override
    public void close(int fd) {
        MemorySegment errno = ERRNO.get();
        if (Libc.close(errno, fd) != 0) {
            throw new KvmException("close(" + fd + ")", Libc.errno(errno));
        }
    }

    @Override
    public long currentThread() {
        return Libc.pthreadSelf();
    }

    @Override
    public void kick(long thread) {
        int rc = Libc.pthreadKill(thread, kickSignal);
        if (rc != 0) {
            throw new KvmException("pthread_kill(SIGRTMIN+5)", rc);
        }
    }
}
