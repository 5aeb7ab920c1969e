package org.vcpu4j.api.x86_64;

/**
 * A segment register with its hidden descriptor cache (the fields of KVM's {@code kvm_segment}).
 *
 * @param base the base address
 * @param limit the limit, in bytes (expanded by granularity)
 * @param selector the visible selector
 * @param type the 4-bit descriptor type
 * @param present P
 * @param dpl the descriptor privilege level, 0-3
 * @param db D/B (default operand size)
 * @param s S (1 for code or data)
 * @param l L (64-bit code)
 * @param g G (granularity)
 * @param avl AVL
 * @param unusable whether the segment is unusable (a null selector loaded)
 */
public record Segment(long base, int limit, int selector, int type, boolean present, int dpl, boolean db,
        boolean s, boolean l, boolean g, boolean avl, boolean unusable) {

    /** Validates the bit fields. */
    public Segment {
        if ((selector & ~0xFFFF) != 0 || (type & ~0xF) != 0 || (dpl & ~3) != 0) {
            throw new IllegalArgumentException(String.format(
                    "segment fields out of range: selector=0x%x type=0x%x dpl=%d", selector, type, dpl));
        }
    }

    /** The null (unusable) segment. */
    public static final Segment NULL = new Segment(0, 0, 0, 0, false, 0, false, false, false, false, false, true);

    /**
     * {@return a flat 64-bit code segment (type 0xB execute/read accessed, L=1)}
     *
     * @param selector the selector
     */
    public static Segment flatCode64(int selector) {
        return new Segment(0, 0xFFFF_FFFF, selector, 0xB, true, 0, false, true, true, true, false, false);
    }

    /**
     * {@return a flat data segment (type 0x3 read/write accessed, D/B=1)}
     *
     * @param selector the selector
     */
    public static Segment flatData(int selector) {
        return new Segment(0, 0xFFFF_FFFF, selector, 0x3, true, 0, true, true, false, true, false, false);
    }
}
