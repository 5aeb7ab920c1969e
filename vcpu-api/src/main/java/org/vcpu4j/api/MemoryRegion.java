package org.vcpu4j.api;

import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Host memory placed at a guest-physical address, with the accesses the guest may make to it.
 *
 * @param guestAddress the guest-physical address of the first byte
 * @param host the host memory; native memory for hardware backends
 * @param permissions what the guest may do there (not empty)
 */
public record MemoryRegion(long guestAddress, MemorySegment host, Set<AccessKind> permissions) {

    /** Validates the fields and copies the permissions. */
    public MemoryRegion {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(permissions, "permissions");
        if (permissions.isEmpty()) {
            throw new MemoryMapException("region at 0x" + Long.toHexString(guestAddress) + " has no permissions");
        }
        permissions = Set.copyOf(EnumSet.copyOf(permissions));
        if (host.byteSize() == 0) {
            throw new MemoryMapException("region at 0x" + Long.toHexString(guestAddress) + " is empty");
        }
        if (guestAddress < 0 || guestAddress + host.byteSize() < 0) {
            throw new MemoryMapException(String.format(
                    "region at 0x%x of 0x%x bytes does not fit in the 63-bit guest-physical space",
                    guestAddress, host.byteSize()));
        }
    }

    /**
     * {@return a readable, writable, executable region}
     *
     * @param guestAddress the guest-physical address
     * @param host the host memory
     */
    public static MemoryRegion ram(long guestAddress, MemorySegment host) {
        return new MemoryRegion(guestAddress, host, EnumSet.allOf(AccessKind.class));
    }

    /**
     * {@return a read-only, executable region}
     *
     * @param guestAddress the guest-physical address
     * @param host the host memory
     */
    public static MemoryRegion rom(long guestAddress, MemorySegment host) {
        return new MemoryRegion(guestAddress, host, EnumSet.of(AccessKind.READ, AccessKind.EXECUTE));
    }

    /** {@return the size in bytes} */
    public long size() {
        return host.byteSize();
    }

    /** {@return the guest-physical address one past the last byte} */
    public long end() {
        return guestAddress + host.byteSize();
    }

    /**
     * {@return whether the guest-physical address lies inside this region}
     *
     * @param address a guest-physical address
     */
    public boolean contains(long address) {
        return address >= guestAddress && address < end();
    }

    /**
     * {@return whether the guest may make accesses of this kind here}
     *
     * @param kind the access
     */
    public boolean allows(AccessKind kind) {
        return permissions.contains(kind);
    }

    /** {@return {@code [start, end)} in hex, for messages} */
    public String describe() {
        return String.format("[0x%x, 0x%x)", guestAddress, end());
    }
}
