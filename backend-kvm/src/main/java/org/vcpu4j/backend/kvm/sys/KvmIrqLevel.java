package org.vcpu4j.backend.kvm.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

/**
 * {@code struct kvm_irq_level} (linux/kvm.h), 8 bytes: {@code union { u32 irq; s32 status; }}, level u32.
 * On arm64 {@code irq} packs type (bits 27:24), vCPU index (23:16) and interrupt number (15:0) (see
 * {@link KvmIoctls#armIrq}).
 */
public final class KvmIrqLevel {
    private KvmIrqLevel() {}

    private static final GroupLayout LAYOUT = MemoryLayout.structLayout(JAVA_INT.withName("irq"),
            JAVA_INT.withName("level")).withName("kvm_irq_level");

    /** {@return the layout} */
    public static GroupLayout layout() {
        return LAYOUT;
    }

    /** {@return {@code sizeof}, 8} */
    public static long sizeof() {
        return LAYOUT.byteSize();
    }

    /** {@return the offset of a field} @param field irq or level */
    public static long offsetOf(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }

    /**
     * Fills the struct.
     *
     * @param s a segment of {@link #sizeof()} bytes
     * @param irq the line
     * @param level 1 to raise it, 0 to lower it
     */
    public static void fill(MemorySegment s, int irq, int level) {
        s.set(JAVA_INT, 0, irq);
        s.set(JAVA_INT, 4, level);
    }

    /** {@return {@code irq}} @param s a kvm_irq_level segment */
    public static int irq(MemorySegment s) {
        return s.get(JAVA_INT, 0);
    }

    /** {@return {@code level}} @param s a kvm_irq_level segment */
    public static int level(MemorySegment s) {
        return s.get(JAVA_INT, 4);
    }
}
