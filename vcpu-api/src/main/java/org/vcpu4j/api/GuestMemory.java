package org.vcpu4j.api;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * An immutable map of guest-physical memory: the regions a VM's guests see, the stage-2 (EPT) root of
 * axvcpu in value form. {@link #with} and {@link #without} return new maps and refuse overlapping,
 * misaligned or out-of-range regions with a {@link MemoryMapException} that names the addresses.
 *
 * <p>A VM holds the current map ({@link VirtualMachine#memory()}); change it through {@link
 * VirtualMachine#map} and {@link VirtualMachine#unmap}, which also tell the backend.
 */
public final class GuestMemory {
    private final long granule;
    private final long addressLimit;
    private final MemoryRegion[] regions; // sorted by guest address, disjoint

    private GuestMemory(long granule, long addressLimit, MemoryRegion[] regions) {
        this.granule = granule;
        this.addressLimit = addressLimit;
        this.regions = regions;
    }

    /**
     * {@return an empty map}
     *
     * @param granule the alignment of region addresses and sizes, a power of two (4 KiB, 16 KiB on HVF)
     * @param addressLimit the first guest-physical address a region may not reach
     */
    public static GuestMemory empty(long granule, long addressLimit) {
        if (granule <= 0 || Long.bitCount(granule) != 1) {
            throw new IllegalArgumentException("granule must be a power of two, not " + granule);
        }
        if (addressLimit <= 0) {
            throw new IllegalArgumentException("address limit must be positive, not " + addressLimit);
        }
        return new GuestMemory(granule, addressLimit, new MemoryRegion[0]);
    }

    /** {@return the alignment of region addresses and sizes in bytes} */
    public long granule() {
        return granule;
    }

    /** {@return the first guest-physical address a region may not reach} */
    public long addressLimit() {
        return addressLimit;
    }

    /** {@return the regions, sorted by guest-physical address} */
    public List<MemoryRegion> regions() {
        return List.of(regions);
    }

    /**
     * {@return the region holding a guest-physical address, if any}
     *
     * @param address a guest-physical address
     */
    public Optional<MemoryRegion> regionAt(long address) {
        int lo = 0;
        int hi = regions.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            MemoryRegion r = regions[mid];
            if (address < r.guestAddress()) {
                hi = mid - 1;
            } else if (address >= r.end()) {
                lo = mid + 1;
            } else {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /**
     * Checks that a region may join this map.
     *
     * @param region the candidate
     * @throws MemoryMapException if it is misaligned, out of range or overlaps a region
     */
    public void checkInsertable(MemoryRegion region) {
        long start = region.guestAddress();
        long size = region.size();
        if ((start & (granule - 1)) != 0 || (size & (granule - 1)) != 0) {
            throw new MemoryMapException(String.format(
                    "region %s (0x%x bytes) is misaligned: address and size must be multiples of 0x%x",
                    region.describe(), size, granule));
        }
        if (region.host().isNative() && (region.host().address() & (granule - 1)) != 0) {
            throw new MemoryMapException(String.format(
                    "region %s: host memory at 0x%x is not aligned to 0x%x (allocate it with that alignment)",
                    region.describe(), region.host().address(), granule));
        }
        if (Long.compareUnsigned(region.end(), addressLimit) > 0) {
            throw new MemoryMapException(String.format(
                    "region %s reaches beyond the guest-physical limit 0x%x of this backend",
                    region.describe(), addressLimit));
        }
        for (MemoryRegion r : regions) {
            if (start < r.end() && r.guestAddress() < region.end()) {
                throw new MemoryMapException("region " + region.describe() + " overlaps region " + r.describe());
            }
        }
    }

    /**
     * {@return this map with one more region}
     *
     * @param region the region to add
     * @throws MemoryMapException if it is misaligned, out of range or overlaps a region
     */
    public GuestMemory with(MemoryRegion region) {
        checkInsertable(region);
        MemoryRegion[] next = Arrays.copyOf(regions, regions.length + 1);
        next[regions.length] = region;
        Arrays.sort(next, Comparator.comparingLong(MemoryRegion::guestAddress));
        return new GuestMemory(granule, addressLimit, next);
    }

    /**
     * {@return this map without the region that starts at {@code guestAddress}}
     *
     * @param guestAddress the start of a mapped region
     * @throws MemoryMapException if no region starts there
     */
    public GuestMemory without(long guestAddress) {
        List<MemoryRegion> next = new ArrayList<>(List.of(regions));
        if (!next.removeIf(r -> r.guestAddress() == guestAddress)) {
            throw new MemoryMapException(String.format("no region starts at 0x%x", guestAddress));
        }
        return new GuestMemory(granule, addressLimit, next.toArray(MemoryRegion[]::new));
    }

    /**
     * {@return the host memory behind {@code [address, address + length)}, which must lie in one region}
     *
     * @param address a guest-physical address
     * @param length the number of bytes
     * @throws MemoryMapException if the range is not inside one region
     */
    public MemorySegment slice(long address, long length) {
        MemoryRegion r = regionAt(address).orElseThrow(() ->
                new MemoryMapException(String.format("no memory at guest-physical 0x%x", address)));
        if (length < 0 || address + length > r.end() || address + length < address) {
            throw new MemoryMapException(String.format(
                    "[0x%x, +0x%x) runs past the end of region %s", address, length, r.describe()));
        }
        return r.host().asSlice(address - r.guestAddress(), length);
    }

    /**
     * Copies bytes into guest memory (a loader's write: permissions do not apply).
     *
     * @param address the guest-physical address
     * @param bytes the bytes to copy
     */
    public void write(long address, byte[] bytes) {
        MemorySegment.copy(bytes, 0, slice(address, bytes.length), ValueLayout.JAVA_BYTE, 0, bytes.length);
    }

    /**
     * {@return {@code length} bytes read from guest memory}
     *
     * @param address the guest-physical address
     * @param length the number of bytes
     */
    public byte[] read(long address, int length) {
        return slice(address, length).toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * {@return the little-endian 64-bit value at a guest-physical address}
     *
     * @param address the guest-physical address
     */
    public long readLong(long address) {
        return slice(address, 8).get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0);
    }

    /**
     * Writes a little-endian 64-bit value at a guest-physical address.
     *
     * @param address the guest-physical address
     * @param value the value
     */
    public void writeLong(long address, long value) {
        slice(address, 8).set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0, value);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("GuestMemory[");
        for (int i = 0; i < regions.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(regions[i].describe()).append(regions[i].permissions());
        }
        return sb.append(']').toString();
    }
}
