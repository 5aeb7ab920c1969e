package org.vcpu4j.cli.image;

import java.util.List;
import java.util.Optional;
import org.vcpu4j.api.GuestIsa;

/**
 * A guest image ready to load: segments at guest-physical addresses and an entry point.
 *
 * @param name where the image came from, for messages
 * @param isa the image's ISA, or empty for a raw image (the backend's ISA applies)
 * @param segments the bytes to place in guest memory
 * @param entry the entry point, or empty for a raw image (it starts at the RAM base)
 */
public record GuestImage(String name, Optional<GuestIsa> isa, List<Segment> segments, Optional<Long> entry) {

    /**
     * A loadable segment.
     *
     * @param address the guest-physical address, or {@link #AT_RAM_BASE}
     * @param bytes the file bytes
     * @param memorySize the size in memory (at least {@code bytes.length}; the rest is zero)
     */
    public record Segment(long address, byte[] bytes, long memorySize) {
        /** The address of a raw image's segment: wherever the machine's RAM starts. */
        public static final long AT_RAM_BASE = -1;
    }

    /** Copies the segment list. */
    public GuestImage {
        segments = List.copyOf(segments);
    }
}
