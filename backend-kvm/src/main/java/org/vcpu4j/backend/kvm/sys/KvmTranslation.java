package org.vcpu4j.backend.kvm.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

/**
 * x86 {@code struct kvm_translation} (linux/kvm.h), the argument of {@code KVM_TRANSLATE}, 24 bytes: in
 * linear_address u64; out physical_address u64, valid u8, writeable u8, usermode u8, pad u8[5].
 */
public final class KvmTranslation {
    private KvmTranslation() {}

    private static final GroupLayout LAYOUT = MemoryLayout.structLayout(JAVA_LONG.withName("linear_address"),
            JAVA_LONG.withName("physical_address"), JAVA_BYTE.withName("valid"), JAVA_BYTE.withName("writeable"),
            JAVA_BYTE.withName("usermode"), MemoryLayout.sequenceLayout(5, JAVA_BYTE).withName("pad"))
            .withName("kvm_translation");
    private static final long LINEAR = LAYOUT.byteOffset(groupElement("linear_address"));
    private static final long PHYSICAL = LAYOUT.byteOffset(groupElement("physical_address"));
    private static final long VALID = LAYOUT.byteOffset(groupElement("valid"));

    /** {@return the layout} */
    public static GroupLayout layout() {
        return LAYOUT;
    }

    /** {@return {@code sizeof(struct kvm_translation)}, 24} */
    public static long sizeof() {
        return LAYOUT.byteSize();
    }

    /**
     * {@return the offset of a field}
     *
     * @param field linear_address, physical_address, valid, writeable or usermode
     */
    public static long offsetOf(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }

    /**
     * Sets the linear address to translate and clears the outputs.
     *
     * @param segment the struct
     * @param linearAddress the guest-linear address
     */
    public static void linearAddress(MemorySegment segment, long linearAddress) {
        segment.fill((byte) 0);
        segment.set(JAVA_LONG, LINEAR, linearAddress);
    }

    /** {@return whether KVM found a mapping} @param segment the struct after the ioctl */
    public static boolean valid(MemorySegment segment) {
        return segment.get(JAVA_BYTE, VALID) != 0;
    }

    /** {@return the guest-physical address} @param segment the struct after the ioctl */
    public static long physicalAddress(MemorySegment segment) {
        return segment.get(JAVA_LONG, PHYSICAL);
    }
}
