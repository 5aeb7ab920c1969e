package org.vcpu4j.backend.kvm.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

/** {@code struct kvm_device_attr} (linux/kvm.h), 24 bytes: flags u32, group u32, attr u64, addr u64. */
public final class KvmDeviceAttr {
    private KvmDeviceAttr() {}

    private static final GroupLayout LAYOUT = MemoryLayout.structLayout(JAVA_INT.withName("flags"),
            JAVA_INT.withName("group"), JAVA_LONG.withName("attr"), JAVA_LONG.withName("addr"))
            .withName("kvm_device_attr");

    /** {@return the layout} */
    public static GroupLayout layout() {
        return LAYOUT;
    }

    /** {@return {@code sizeof}, 24} */
    public static long sizeof() {
        return LAYOUT.byteSize();
    }

    /** {@return the offset of a field} @param field flags, group, attr or addr */
    public static long offsetOf(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }

    /**
     * Fills the struct.
     *
     * @param s a segment of {@link #sizeof()} bytes
     * @param group the attribute group
     * @param attr the attribute
     * @param addr the payload
     */
    public static void fill(MemorySegment s, int group, long attr, MemorySegment addr) {
        s.set(JAVA_INT, 0, 0);
        s.set(JAVA_INT, 4, group);
        s.set(JAVA_LONG, 8, attr);
        s.set(JAVA_LONG, 16, addr.address());
    }

    /** {@return {@code group}} @param s a kvm_device_attr segment */
    public static int group(MemorySegment s) {
        return s.get(JAVA_INT, 4);
    }

    /** {@return {@code attr}} @param s a kvm_device_attr segment */
    public static long attr(MemorySegment s) {
        return s.get(JAVA_LONG, 8);
    }

    /** {@return {@code addr}} @param s a kvm_device_attr segment */
    public static long addr(MemorySegment s) {
        return s.get(JAVA_LONG, 16);
    }
}
