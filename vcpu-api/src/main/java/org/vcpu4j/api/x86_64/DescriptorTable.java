package org.vcpu4j.api.x86_64;

/**
 * A descriptor-table register (GDTR or IDTR).
 *
 * @param base the linear base address
 * @param limit the limit, 0-0xFFFF
 */
public record DescriptorTable(long base, int limit) {
    /** Validates the limit. */
    public DescriptorTable {
        if ((limit & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("descriptor table limit must be 0..0xFFFF, not " + limit);
        }
    }

    /** An empty table. */
    public static final DescriptorTable EMPTY = new DescriptorTable(0, 0);
}
