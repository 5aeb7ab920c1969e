package org.vcpu4j.backend.kvm;

import java.lang.foreign.MemorySegment;

/**
 * The system calls the backend makes on KVM file descriptors: a seam between the VM/vCPU logic and the
 * kernel, so the arm64 path (which this project's x86_64 machines cannot run) is unit-tested with a
 * fake that returns {@code kvm_run} images. {@link LinuxKvmCalls} is the real one.
 */
interface KvmCalls {
    /**
     * {@return the ioctl's non-negative result}
     *
     * @param fd the descriptor
     * @param request the request (a {@link org.vcpu4j.backend.kvm.sys.KvmIoctls} constant)
     * @param arg the integer argument
     * @throws KvmException if it fails
     */
    int ioctl(int fd, long request, long arg);

    /**
     * {@return the ioctl's non-negative result}
     *
     * @param fd the descriptor
     * @param request the request
     * @param arg the structure
     * @throws KvmException if it fails
     */
    int ioctl(int fd, long request, MemorySegment arg);

    /**
     * Calls {@code KVM_RUN}: the hot path, allocation-free and without exceptions for EINTR.
     *
     * @param vcpuFd the vCPU descriptor
     * @return 0, or the negated errno
     */
    int run(int vcpuFd);

    /**
     * {@return the vCPU's {@code kvm_run} page(s), mapped shared}
     *
     * @param vcpuFd the vCPU descriptor
     * @param size {@code KVM_GET_VCPU_MMAP_SIZE}
     */
    MemorySegment mapRun(int vcpuFd, long size);

    /** @param run a segment {@link #mapRun} returned */
    void unmapRun(MemorySegment run);

    /** @param fd a descriptor to close */
    void close(int fd);

    /** {@return an id of the calling thread that {@link #kick} accepts ({@code pthread_self})} */
    long currentThread();

    /**
     * Sends the kick signal to a thread, interrupting a blocking {@code KVM_RUN} there with EINTR.
     *
     * @param thread an id from {@link #currentThread()}
     */
    void kick(long thread);
}
