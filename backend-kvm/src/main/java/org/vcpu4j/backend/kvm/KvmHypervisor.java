package org.vcpu4j.backend.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vcpu4j.api.BackendException;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.backend.kvm.sys.KvmCpuid2;
import org.vcpu4j.backend.kvm.sys.KvmIoctls;
import org.vcpu4j.backend.kvm.sys.Libc;
import org.vcpu4j.spi.Availability;
import org.vcpu4j.spi.HypervisorBackend;
import org.vcpu4j.spi.VmBackend;

/** An open {@code /dev/kvm}: creates VMs. Holds the system fd until {@link #close()}. */
final class KvmHypervisor implements HypervisorBackend {
    private static final Logger LOG = LoggerFactory.getLogger(KvmHypervisor.class);
    /** errno E2BIG (asm-generic/errno-base.h): KVM_GET_SUPPORTED_CPUID needs more entries. */
    private static final int E2BIG = 7;

    private final KvmCalls calls;
    private final int kvmFd;
    private final GuestIsa isa;
    private final long runMmapSize;
    private final boolean readonlyMemory;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment supportedCpuid;
    private boolean closed;

    KvmHypervisor(KvmCalls calls, int kvmFd, GuestIsa isa) {
        this.calls = calls;
        this.kvmFd = kvmFd;
        this.isa = isa;
        try {
            int version = calls.ioctl(kvmFd, KvmIoctls.KVM_GET_API_VERSION, 0L);
            if (version != KvmIoctls.KVM_API_VERSION) {
                throw new BackendException("KVM_GET_API_VERSION returned " + version + "; vcpu4j needs "
                        + KvmIoctls.KVM_API_VERSION);
            }
            runMmapSize = calls.ioctl(kvmFd, KvmIoctls.KVM_GET_VCPU_MMAP_SIZE, 0L);
            readonlyMemory = calls.ioctl(kvmFd, KvmIoctls.KVM_CHECK_EXTENSION, KvmIoctls.KVM_CAP_READONLY_MEM) > 0;
            supportedCpuid = isa == GuestIsa.X86_64 ? supportedCpuid(calls, kvmFd, arena) : MemorySegment.NULL;
        } catch (RuntimeException e) {
            arena.close();
            calls.close(kvmFd);
            throw e;
        }
        LOG.debug("KVM opened: fd {}, kvm_run mmap size {}, read-only memory {}", kvmFd, runMmapSize, readonlyMemory);
    }

    /**
     * Opens the device.
     *
     * @param device the path, {@code /dev/kvm}
     * @param calls the system calls
     * @param isa the guest ISA (the host's)
     * @return the hypervisor
     */
    static KvmHypervisor open(String device, KvmCalls calls, GuestIsa isa) {
        return new KvmHypervisor(calls, openDevice(device), isa);
    }

    private static int openDevice(String device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.allocateErrno(arena);
            int fd = Libc.open(errno, arena.allocateFrom(device), Libc.O_RDWR | Libc.O_CLOEXEC);
            if (fd < 0) {
                throw new KvmException("open(" + device + ")", Libc.errno(errno));
            }
            return fd;
        }
    }

    /**
     * Opens the device, checks the API version and closes it again.
     *
     * @param device the path
     * @return the availability, with the errno text when the device does not open
     */
    static Availability probeDevice(String device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.allocateErrno(arena);
            int fd = Libc.open(errno, arena.allocateFrom(device), Libc.O_RDWR | Libc.O_CLOEXEC);
            if (fd < 0) {
                int e = Libc.errno(errno);
                return Availability.unavailable(device + " cannot be opened read-write: " + Libc.describeErrno(e)
                        + (e == 13 ? " (run as a user in the kvm group, or as root)" : ""));
            }
            try {
                int version = Libc.ioctl(errno, fd, KvmIoctls.KVM_GET_API_VERSION, 0L);
                if (version != KvmIoctls.KVM_API_VERSION) {
                    return Availability.unavailable(device + ": KVM_GET_API_VERSION returned " + version
                            + (version < 0 ? " (" + Libc.describeErrno(Libc.errno(errno)) + ")" : "")
                            + ", expected " + KvmIoctls.KVM_API_VERSION);
                }
                int vcpus = Libc.ioctl(errno, fd, KvmIoctls.KVM_CHECK_EXTENSION, KvmIoctls.KVM_CAP_NR_VCPUS);
                return Availability.available(device + " opened, API version " + version
                        + ", recommended vCPUs " + vcpus);
            } finally {
                Libc.close(errno, fd);
            }
        }
    }

    /** {@return KVM_GET_SUPPORTED_CPUID: every CPUID leaf KVM can give a guest on this host (x86_64)} */
    private static MemorySegment supportedCpuid(KvmCalls calls, int kvmFd, Arena arena) {
        for (int entries = 128; ; entries *= 2) {
            MemorySegment cpuid = arena.allocate(KvmCpuid2.sizeFor(entries), 8);
            KvmCpuid2.nent(cpuid, entries);
            try {
                calls.ioctl(kvmFd, KvmIoctls.KVM_GET_SUPPORTED_CPUID, cpuid);
                return cpuid;
            } catch (KvmException e) {
                if (e.errno() != E2BIG || entries >= 4096) {
                    throw e;
                }
            }
        }
    }

    /** {@return the kvm_run mapping size} */
    long runMmapSize() {
        return runMmapSize;
    }

    @Override
    public synchronized VmBackend createVm() {
        if (closed) {
            throw new IllegalStateException("the KVM backend is closed");
        }
        int vmFd = calls.ioctl(kvmFd, KvmIoctls.KVM_CREATE_VM, 0L);
        try {
            return new KvmVm(calls, vmFd, isa, runMmapSize, readonlyMemory, supportedCpuid);
        } catch (RuntimeException e) {
            calls.close(vmFd);
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                calls.close(kvmFd);
            } finally {
                arena.close();
            }
        }
    }
}
