package org.vcpu4j.backend.kvm.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

/** arm64 {@code struct kvm_vcpu_init} (arch/arm64/include/uapi/asm/kvm.h), 32 bytes: target u32, features u32[7]. */
public final class KvmVcpuInit {
    private KvmVcpuInit() {}

    private static final GroupLayout LAYOUT = MemoryLayout.structLayout(JAVA_INT.withName("target"),
            MemoryLayout.sequenceLayout(7, JAVA_INT).withName("features")).withName("kvm_vcpu_init");

    /** {@return the layout} */
    public static GroupLayout layout() {
        return LAYOUT;
    }

    /** {@return {@code sizeof}, 32} */
    public static long sizeof() {
        return LAYOUT.byteSize();
    }

    /** {@return the offset of a field} @param field target or features */
    public static long offsetOf(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }

    /** {@return {@code target}} @param s a kvm_vcpu_init segment */
    public static int target(MemorySegment s) {
        return s.get(JAVA_INT, 0);
    }

    /** Sets {@code target}. @param s a kvm_vcpu_init segment @param value the value */
    public static void target(MemorySegment s, int value) {
        s.set(JAVA_INT, 0, value);
    }

    /** {@return {@code features[i]}} @param s a kvm_vcpu_init segment @param i 0-6 */
    public static int features(MemorySegment s, int i) {
        return s.get(JAVA_INT, 4 + 4L * i);
    }

    /** Sets {@code features[i]}. @param s a kvm_vcpu_init segment @param i 0-6 @param value the bits */
    public static void features(MemorySegment s, int i, int value) {
        s.set(JAVA_INT, 4 + 4L * i, value);
    }
}
