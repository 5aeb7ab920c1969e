package org.vcpu4j.backend.kvm.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

/** {@code struct kvm_one_reg} (linux/kvm.h), 16 bytes: id u64, addr u64 (a pointer to the value). */
public final class KvmOneReg {
    private KvmOneReg() {}

    private static final GroupLayout LAYOUT = MemoryLayout.structLayout(JAVA_LONG.withName("id"),
            JAVA_LONG.withName("addr")).withName("kvm_one_reg");

    /** {@return the layout} */
    public static GroupLayout layout() {
        return LAYOUT;
    }

    /** {@return {@code sizeof}, 16} */
    public static long sizeof() {
        return LAYOUT.byteSize();
    }

    /** {@return the offset of a field} @param field id or addr */
    public static long offsetOf(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }

    /** {@return {@code id}} @param s a kvm_one_reg segment */
    public static long id(MemorySegment s) {
        return s.get(JAVA_LONG, 0);
    }

    /** {@return {@code addr}} @param s a kvm_one_reg segment */
    public static long addr(MemorySegment s) {
        return s.get(JAVA_LONG, 8);
    }

    /**
     * Fills the struct.
     *
     * @param s a kvm_one_reg segment
     * @param id the register id
     * @param value the memory holding the value
     */
    public static void fill(MemorySegment s, long id, MemorySegment value) {
        s.set(JAVA_LONG, 0, id);
        s.set(JAVA_LONG, 8, value.address());
    }
}
