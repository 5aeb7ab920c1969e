package org.vcpu4j.backend.kvm.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

/**
 * x86_64 {@code struct kvm_cpuid2} (asm/kvm.h): nent u32, padding u32, then {@code nent} entries of
 * {@code struct kvm_cpuid_entry2} (40 bytes: function, index, flags, eax, ebx, ecx, edx, padding[3]).
 */
public final class KvmCpuid2 {
    private KvmCpuid2() {}

    private static final GroupLayout HEADER = MemoryLayout.structLayout(JAVA_INT.withName("nent"),
            JAVA_INT.withName("padding")).withName("kvm_cpuid2");
    private static final GroupLayout ENTRY = MemoryLayout.structLayout(JAVA_INT.withName("function"),
            JAVA_INT.withName("index"), JAVA_INT.withName("flags"), JAVA_INT.withName("eax"), JAVA_INT.withName("ebx"),
            JAVA_INT.withName("ecx"), JAVA_INT.withName("edx"), MemoryLayout.sequenceLayout(3, JAVA_INT).withName("padding"))
            .withName("kvm_cpuid_entry2");

    /** Register fields of an entry, in order. */
    public enum Register {
        /** EAX. */ EAX,
        /** EBX. */ EBX,
        /** ECX. */ ECX,
        /** EDX. */ EDX
    }

    /** {@return the header layout ({@code sizeof(struct kvm_cpuid2)}, 8 bytes)} */
    public static GroupLayout layout() {
        return HEADER;
    }

    /** {@return the entry layout ({@code sizeof(struct kvm_cpuid_entry2)}, 40 bytes)} */
    public static GroupLayout entryLayout() {
        return ENTRY;
    }

    /**
     * {@return the offset of an entry field}
     *
     * @param field function, index, flags, eax, ebx, ecx, edx or padding
     */
    public static long entryOffsetOf(String field) {
        return ENTRY.byteOffset(groupElement(field));
    }

    /**
     * {@return the bytes a {@code kvm_cpuid2} with {@code entries} entries needs}
     *
     * @param entries the number of entries
     */
    public static long sizeFor(int entries) {
        return HEADER.byteSize() + ENTRY.byteSize() * entries;
    }

    /** {@return {@code nent}} @param s a kvm_cpuid2 segment */
    public static int nent(MemorySegment s) {
        return s.get(JAVA_INT, 0);
    }

    /** Sets {@code nent}. @param s a kvm_cpuid2 segment @param value the count */
    public static void nent(MemorySegment s, int value) {
        s.set(JAVA_INT, 0, value);
    }

    private static long entry(int i) {
        return HEADER.byteSize() + ENTRY.byteSize() * i;
    }

    /** {@return {@code entries[i].function}} @param s a kvm_cpuid2 segment @param i the entry */
    public static int function(MemorySegment s, int i) {
        return s.get(JAVA_INT, entry(i));
    }

    /** {@return {@code entries[i].index}} @param s a kvm_cpuid2 segment @param i the entry */
    public static int index(MemorySegment s, int i) {
        return s.get(JAVA_INT, entry(i) + 4);
    }

    /**
     * {@return a register of {@code entries[i]}}
     *
     * @param s a kvm_cpuid2 segment
     * @param i the entry
     * @param r the register
     */
    public static int register(MemorySegment s, int i, Register r) {
        return s.get(JAVA_INT, entry(i) + 12 + 4L * r.ordinal());
    }

    /**
     * Sets a register of {@code entries[i]}.
     *
     * @param s a kvm_cpuid2 segment
     * @param i the entry
     * @param r the register
     * @param value the value
     */
    public static void register(MemorySegment s, int i, Register r, int value) {
        s.set(JAVA_INT, entry(i) + 12 + 4L * r.ordinal(), value);
    }
}
