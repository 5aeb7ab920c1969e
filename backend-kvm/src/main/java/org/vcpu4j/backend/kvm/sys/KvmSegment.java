package org.vcpu4j.backend.kvm.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import org.vcpu4j.api.x86_64.Segment;

/**
 * x86_64 {@code struct kvm_segment} (asm/kvm.h), 24 bytes: base u64, limit u32, selector u16, then
 * the u8 fields type, present, dpl, db, s, l, g, avl, unusable, padding.
 */
public final class KvmSegment {
    private KvmSegment() {}

    private static final GroupLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("base"), JAVA_INT.withName("limit"), JAVA_SHORT.withName("selector"),
            JAVA_BYTE.withName("type"), JAVA_BYTE.withName("present"), JAVA_BYTE.withName("dpl"),
            JAVA_BYTE.withName("db"), JAVA_BYTE.withName("s"), JAVA_BYTE.withName("l"), JAVA_BYTE.withName("g"),
            JAVA_BYTE.withName("avl"), JAVA_BYTE.withName("unusable"), JAVA_BYTE.withName("padding"))
            .withName("kvm_segment");

    private static final long BASE = LAYOUT.byteOffset(groupElement("base"));
    private static final long LIMIT = LAYOUT.byteOffset(groupElement("limit"));
    private static final long SELECTOR = LAYOUT.byteOffset(groupElement("selector"));
    private static final long TYPE = LAYOUT.byteOffset(groupElement("type"));

    /** {@return the layout} */
    public static GroupLayout layout() {
        return LAYOUT;
    }

    /** {@return {@code sizeof(struct kvm_segment)}, 24} */
    public static long sizeof() {
        return LAYOUT.byteSize();
    }

    /**
     * {@return the offset of a field by name}
     *
     * @param field base, limit, selector, type, present, dpl, db, s, l, g, avl, unusable
     */
    public static long offsetOf(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }

    /**
     * {@return the segment held at {@code offset} of {@code segment}}
     *
     * @param segment the memory holding the struct
     * @param offset the struct's offset
     */
    public static Segment read(MemorySegment segment, long offset) {
        return new Segment(segment.get(JAVA_LONG, offset + BASE), segment.get(JAVA_INT, offset + LIMIT),
                Short.toUnsignedInt(segment.get(JAVA_SHORT, offset + SELECTOR)),
                segment.get(JAVA_BYTE, offset + TYPE) & 0xF, flag(segment, offset, 1), segment.get(JAVA_BYTE, offset + TYPE + 2) & 3,
                flag(segment, offset, 3), flag(segment, offset, 4), flag(segment, offset, 5),
                flag(segment, offset, 6), flag(segment, offset, 7), flag(segment, offset, 8));
    }

    /**
     * Writes a segment at {@code offset} of {@code segment}.
     *
     * @param segment the memory holding the struct
     * @param offset the struct's offset
     * @param value the segment register
     */
    public static void write(MemorySegment segment, long offset, Segment value) {
        segment.set(JAVA_LONG, offset + BASE, value.base());
        segment.set(JAVA_INT, offset + LIMIT, value.limit());
        segment.set(JAVA_SHORT, offset + SELECTOR, (short) value.selector());
        byte[] fields = {(byte) value.type(), bit(value.present()), (byte) value.dpl(), bit(value.db()), bit(value.s()),
            bit(value.l()), bit(value.g()), bit(value.avl()), bit(value.unusable()), 0};
        for (int i = 0; i < fields.length; i++) {
            segment.set(JAVA_BYTE, offset + TYPE + i, fields[i]);
        }
    }

    private static boolean flag(MemorySegment segment, long offset, int index) {
        return segment.get(JAVA_BYTE, offset + TYPE + index) != 0;
    }

    private static byte bit(boolean b) {
        return (byte) (b ? 1 : 0);
    }
}
