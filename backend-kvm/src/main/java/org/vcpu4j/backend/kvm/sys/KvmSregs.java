package org.vcpu4j.backend.kvm.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import org.vcpu4j.api.x86_64.X86_64State.SegmentRegister;

/**
 * x86_64 {@code struct kvm_sregs} (asm/kvm.h), 312 bytes: cs, ds, es, fs, gs, ss, tr, ldt ({@link
 * KvmSegment}), gdt, idt ({@link KvmDtable}), cr0, cr2, cr3, cr4, cr8, efer, apic_base, then
 * {@code interrupt_bitmap[(KVM_NR_INTERRUPTS + 63) / 64]} (4 u64).
 */
public final class KvmSregs {
    private KvmSregs() {}

    private static final GroupLayout LAYOUT = MemoryLayout.structLayout(
            KvmSegment.layout().withName("cs"), KvmSegment.layout().withName("ds"), KvmSegment.layout().withName("es"),
            KvmSegment.layout().withName("fs"), KvmSegment.layout().withName("gs"), KvmSegment.layout().withName("ss"),
            KvmSegment.layout().withName("tr"), KvmSegment.layout().withName("ldt"),
            KvmDtable.layout().withName("gdt"), KvmDtable.layout().withName("idt"),
            JAVA_LONG.withName("cr0"), JAVA_LONG.withName("cr2"), JAVA_LONG.withName("cr3"), JAVA_LONG.withName("cr4"),
            JAVA_LONG.withName("cr8"), JAVA_LONG.withName("efer"), JAVA_LONG.withName("apic_base"),
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("interrupt_bitmap")).withName("kvm_sregs");

    /** {@return the layout} */
    public static GroupLayout layout() {
        return LAYOUT;
    }

    /** {@return {@code sizeof(struct kvm_sregs)}, 312} */
    public static long sizeof() {
        return LAYOUT.byteSize();
    }

    /**
     * {@return the offset of a field by name (cs ... ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, apic_base,
     * interrupt_bitmap)}
     *
     * @param field the field
     */
    public static long offsetOf(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }

    /**
     * {@return the offset of a segment register's {@code kvm_segment}}
     *
     * @param r the register
     */
    public static long segmentOffset(SegmentRegister r) {
        return offsetOf(r.name().toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * {@return a u64 field}
     *
     * @param sregs a kvm_sregs segment
     * @param field cr0, cr2, cr3, cr4, cr8, efer or apic_base
     */
    public static long get(MemorySegment sregs, String field) {
        return sregs.get(JAVA_LONG, offsetOf(field));
    }

    /**
     * Sets a u64 field.
     *
     * @param sregs a kvm_sregs segment
     * @param field cr0, cr2, cr3, cr4, cr8, efer or apic_base
     * @param value the value
     */
    public static void set(MemorySegment sregs, String field, long value) {
        sregs.set(JAVA_LONG, offsetOf(field), value);
    }
}
