package org.vcpu4j.backend.kvm.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.vcpu4j.api.MemoryMapException;
import org.vcpu4j.spi.GuestRamAllocator;

/**
 * Guest RAM as rust-vmm's vm-memory and Firecracker reserve it: {@code mmap(NULL, size, PROT_READ |
 * PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)} (mmap(2)). Nothing is committed or
 * accounted until a page is touched; an untouched page reads as zero (the shared zero page); the first
 * write faults in a zeroed page. The arena's close calls {@code munmap}. KVM maps such memory into a slot
 * like any other user memory ({@code KVM_SET_USER_MEMORY_REGION}).
 */
@SuppressWarnings("restricted")
public final class NoReserveRam implements GuestRamAllocator {
    /** The allocator. */
    public static final NoReserveRam INSTANCE = new NoReserveRam();

    /** mmap returns multiples of the page size, which is at least this. */
    private static final long PAGE = 4096;

    private NoReserveRam() {}

    @Override
    public MemorySegment reserve(long size, long alignment, Arena arena) {
        long length = size + (alignment > PAGE ? alignment - PAGE : 0);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Libc.allocateErrno(call);
            MemorySegment mapping = Libc.mmap(errno, length, Libc.PROT_READ | Libc.PROT_WRITE,
                    Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_NORESERVE, -1);
            if (mapping.equals(MemorySegment.NULL)) {
                throw new MemoryMapException(String.format("cannot reserve 0x%x bytes of guest RAM: mmap(MAP_NORESERVE) "
                        + "failed with %s", size, Libc.describeErrno(Libc.errno(errno))));
            }
            // The cleanup runs once, when the region's arena closes: after KVM dropped the slot (unmap) or
            // the VM fd (close), so no vCPU can reach the pages any more.
            MemorySegment owned = mapping.reinterpret(arena, unused -> unmap(mapping));
            return owned.asSlice(-owned.address() & (alignment - 1), size);
        }
    }

    private static void unmap(MemorySegment mapping) {
        try (Arena call = Arena.ofConfined()) {
            Libc.munmap(Libc.allocateErrno(call), mapping); // EINVAL only for a bad range, which this is not
        }
    }
}
