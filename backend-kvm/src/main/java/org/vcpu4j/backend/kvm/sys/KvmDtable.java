package org.vcpu4j.backend.kvm.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import org.vcpu4j.api.x86_64.DescriptorTable;

/** x86_64 {@code struct kvm_dtable} (asm/kvm.h), 16 bytes: base u64, limit u16, padding u16[3]. */
public final class KvmDtable {
    private KvmDtable() {}

    private static final GroupLayout LAYOUT = MemoryLayout.structLayout(JAVA_LONG.withName("base"),
            JAVA_SHORT.withName("limit"), MemoryLayout.sequenceLayout(3, JAVA_SHORT).withName("padding"))
            .withName("kvm_dtable");
    private static final long BASE = LAYOUT.byteOffset(groupElement("base"));
    private static final long LIMIT = LAYOUT.byteOffset(groupElement("limit"));

    /** {@return the layout} */
    public static GroupLayout layout() {
        return LAYOUT;
    }

    /** {@return {@code sizeof(struct kvm_dtable)}, 16} */
    public static long sizeof() {
        return LAYOUT.byteSize();
    }

    /** {@return the offset of {@code limit}} */
    public static long limit$offset() {
        return LIMIT;
    }

    /**
     * {@return the table held at {@code offset}}
     *
     * @param segment the memory holding the struct
     * @param offset the struct's offset
     */
    public static DescriptorTable read(MemorySegment segment, long offset) {
        return new DescriptorTable(segment.get(JAVA_LONG, offset + BASE),
                Short.toUnsignedInt(segment.get(JAVA_SHORT, offset + LIMIT)));
    }

    /**
     * Writes a table at {@code offset}.
     *
     * @param segment the memory holding the struct
     * @param offset the struct's offset
     * @param value the table
     */
    public static void write(MemorySegment segment, long offset, DescriptorTable value) {
        segment.set(JAVA_LONG, offset + BASE, value.base());
        segment.set(JAVA_SHORT, offset + LIMIT, (short) value.limit());
    }
}
