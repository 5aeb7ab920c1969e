package org.vcpu4j.backend.kvm.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

/**
 * arm64 {@code struct kvm_smccc_filter} (asm/kvm.h), 24 bytes: base u32, nr_functions u32, action u8,
 * pad u8[15]; the payload of {@code KVM_ARM_VM_SMCCC_FILTER}.
 */
public final class KvmSmcccFilter {
    private KvmSmcccFilter() {}

    private static final GroupLayout LAYOUT = MemoryLayout.structLayout(JAVA_INT.withName("base"),
            JAVA_INT.withName("nr_functions"), JAVA_BYTE.withName("action"),
            MemoryLayout.sequenceLayout(15, JAVA_BYTE).withName("pad")).withName("kvm_smccc_filter");

    /** {@return the layout} */
    public static GroupLayout layout() {
        return LAYOUT;
    }

    /** {@return {@code sizeof}, 24} */
    public static long sizeof() {
        return LAYOUT.byteSize();
    }

    /** {@return the offset of a field} @param field base, nr_functions, action or pad */
    public static long offsetOf(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }

    /**
     * Fills the struct.
     *
     * @param s a segment of {@link #sizeof()} bytes
     * @param base the first function id
     * @param count the number of ids
     * @param action a {@code KVM_SMCCC_FILTER_*} action
     */
    public static void fill(MemorySegment s, int base, int count, int action) {
        s.fill((byte) 0);
        s.set(JAVA_INT, 0, base);
        s.set(JAVA_INT, 4, count);
        s.set(JAVA_BYTE, 8, (byte) action);
    }

    /** {@return {@code base}} @param s a filter segment */
    public static int base(MemorySegment s) {
        return s.get(JAVA_INT, 0);
    }

    /** {@return {@code nr_functions}} @param s a filter segment */
    public static int nrFunctions(MemorySegment s) {
        return s.get(JAVA_INT, 4);
    }

    /** {@return {@code action}} @param s a filter segment */
    public static int action(MemorySegment s) {
        return s.get(JAVA_BYTE, 8);
    }
}
