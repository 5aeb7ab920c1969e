package org.vcpu4j.backend.kvm.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

/**
 * {@code struct kvm_create_device} (linux/kvm.h), 12 bytes: type u32 (in), fd u32 (out), flags u32 (in,
 * {@code KVM_CREATE_DEVICE_TEST} or 0).
 */
public final class KvmCreateDevice {
    private KvmCreateDevice() {}

    private static final GroupLayout LAYOUT = MemoryLayout.structLayout(JAVA_INT.withName("type"),
            JAVA_INT.withName("fd"), JAVA_INT.withName("flags")).withName("kvm_create_device");

    /** {@return the layout} */
    public static GroupLayout layout() {
        return LAYOUT;
    }

    /** {@return {@code sizeof}, 12} */
    public static long sizeof() {
        return LAYOUT.byteSize();
    }

    /** {@return the offset of a field} @param field type, fd or flags */
    public static long offsetOf(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }

    /**
     * Fills the struct for a real creation ({@code flags} 0, {@code fd} cleared).
     *
     * @param s a segment of {@link #sizeof()} bytes
     * @param type a {@code KVM_DEV_TYPE_*}
     */
    public static void fill(MemorySegment s, int type) {
        s.set(JAVA_INT, 0, type);
        s.set(JAVA_INT, 4, -1);
        s.set(JAVA_INT, 8, 0);
    }

    /** {@return {@code type}} @param s a kvm_create_device segment */
    public static int type(MemorySegment s) {
        return s.get(JAVA_INT, 0);
    }

    /** {@return {@code fd}, the new device's descriptor after the ioctl} @param s a kvm_create_device segment */
    public static int fd(MemorySegment s) {
        return s.get(JAVA_INT, 4);
    }

    /** Sets {@code fd} (what the kernel does). @param s a kvm_create_device segment @param fd the descriptor */
    public static void fd(MemorySegment s, int fd) {
        s.set(JAVA_INT, 4, fd);
    }

    /** {@return {@code flags}} @param s a kvm_create_device segment */
    public static int flags(MemorySegment s) {
        return s.get(JAVA_INT, 8);
    }
}
