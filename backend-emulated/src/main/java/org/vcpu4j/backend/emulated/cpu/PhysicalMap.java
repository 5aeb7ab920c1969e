package org.vcpu4j.backend.emulated.cpu;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.vcpu4j.api.AccessKind;
import org.vcpu4j.api.GuestMemory;
import org.vcpu4j.api.MemoryRegion;

/**
 * An immutable snapshot of a VM's guest-physical memory in the form the CPU searches: parallel arrays
 * sorted by address, with a generation number that changes on every map or unmap.
 */
public final class PhysicalMap {
    /** The map with no memory, generation 0. */
    public static final PhysicalMap EMPTY = new PhysicalMap(List.of(), 0);

    private final long[] starts;
    private final long[] ends;
    private final MemorySegment[] hosts;
    private final boolean[] readable;
    private final boolean[] writable;
    private final boolean[] executable;
    private final long generation;

    private PhysicalMap(List<MemoryRegion> regions, long generation) {
        int n = regions.size();
        starts = new long[n];
        ends = new long[n];
        hosts = new MemorySegment[n];
        readable = new boolean[n];
        writable = new boolean[n];
        executable = new boolean[n];
        for (int i = 0; i < n; i++) {
            MemoryRegion r = regions.get(i);
            starts[i] = r.guestAddress();
            ends[i] = r.end();
            hosts[i] = r.host();
            readable[i] = r.allows(AccessKind.READ);
            writable[i] = r.allows(AccessKind.WRITE);
            executable[i] = r.allows(AccessKind.EXECUTE);
        }
        this.generation = generation;
    }

    /**
     * {@return a snapshot of a memory map}
     *
     * @param memory the map (its regions are sorted and disjoint)
     * @param generation the snapshot's generation
     */
    public static PhysicalMap of(GuestMemory memory, long generation) {
        return new PhysicalMap(memory.regions(), generation);
    }

    /** {@return the generation: it differs between any two snapshots of one VM} */
    public long generation() {
        return generation;
    }

    /**
     * {@return the index of the region holding a guest-physical address, or -1}
     *
     * @param pa a guest-physical address
     */
    public int find(long pa) {
        int lo = 0;
        int hi = starts.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(pa, starts[mid]) < 0) {
                hi = mid - 1;
            } else if (Long.compareUnsigned(pa, ends[mid]) >= 0) {
                lo = mid + 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /**
     * {@return the host memory of a region}
     *
     * @param index a region index from {@link #find}
     */
    public MemorySegment host(int index) {
        return hosts[index];
    }

    /**
     * {@return the guest-physical address of a region's first byte}
     *
     * @param index a region index from {@link #find}
     */
    public long start(int index) {
        return starts[index];
    }

    /**
     * {@return whether a region allows an access}
     *
     * @param index a region index from {@link #find}
     * @param kind the access: {@link Cpu#READ}, {@link Cpu#WRITE} or {@link Cpu#EXECUTE}
     */
    public boolean allows(int index, int kind) {
        return switch (kind) {
            case Cpu.READ -> readable[index];
            case Cpu.WRITE -> writable[index];
            default -> executable[index];
        };
    }
}
