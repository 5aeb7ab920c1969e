package org.vcpu4j.spi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.vcpu4j.spi.internal.SparseFileRam;

/**
 * Supplies the host memory behind {@link org.vcpu4j.api.VirtualMachine#mapRam}: zeroed, read-write
 * memory that is only reserved, not committed, so that a page costs host memory when the guest (or the
 * VMM) first touches it, as QEMU's and rust-vmm's guest RAM does. A backend returns its allocator from
 * {@link VmBackend#ramAllocator()}; {@link #sparseFile()} is the pure-Java default.
 *
 * <p>The library validates the region (alignment, the backend's address limit, overlaps and the host's
 * memory) before it calls {@link #reserve}, and it owns what comes back: it closes {@code arena} when the
 * map is refused, when the region is unmapped, and when the VM closes.
 */
@FunctionalInterface
public interface GuestRamAllocator {

    /**
     * Reserves guest RAM.
     *
     * @param size the size in bytes, a positive multiple of {@code alignment}
     * @param alignment the alignment of the host address, a power of two, at least 4096
     * @param arena a shared arena the library made for this region alone; the memory must be released
     *     when it closes, and the returned segment must belong to it
     * @return zeroed, readable and writable memory of exactly {@code size} bytes at an address aligned to
     *     {@code alignment}
     * @throws org.vcpu4j.api.MemoryMapException if the host cannot reserve it, with the reason
     */
    MemorySegment reserve(long size, long alignment, Arena arena);

    /**
     * {@return the pure-Java allocator: a private ({@code FileChannel.MapMode.PRIVATE}) mapping of a
     * sparse temporary file, deleted as soon as it is open, in {@code java.io.tmpdir}} Reading a page
     * never written gives zeros; writing one gives the process a private copy-on-write page and never
     * reaches the file, so nothing is written to disk. It needs no native access.
     */
    static GuestRamAllocator sparseFile() {
        return SparseFileRam.INSTANCE;
    }
}
