package org.vcpu4j.backend.kvm.sys;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * x86_64 {@code struct kvm_regs} (arch/x86/include/uapi/asm/kvm.h): 18 unsigned 64-bit fields, 144
 * bytes, in the order rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8-r15, rip, rflags. That order is not
 * the instruction-encoding order: {@link #gprOffset(int)} maps an encoding index to its field.
 */
public final class KvmRegs {
    private KvmRegs() {}

    /** Field names in declaration order. */
    public static final List<String> FIELDS = List.of("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp",
            "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags");

    private static final GroupLayout LAYOUT = MemoryLayout.structLayout(
            FIELDS.stream().map(JAVA_LONG::withName).toArray(MemoryLayout[]::new)).withName("kvm_regs");

    /** Encoding order (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8-r15) to the kvm_regs field index. */
    private static final int[] ENCODING_TO_FIELD = {0, 2, 3, 1, 6, 7, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15};

    private static final long RIP = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("rip"));
    private static final long RFLAGS = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("rflags"));

    /** {@return the layout} */
    public static GroupLayout layout() {
        return LAYOUT;
    }

    /** {@return {@code sizeof(struct kvm_regs)}, 144} */
    public static long sizeof() {
        return LAYOUT.byteSize();
    }

    /**
     * {@return the offset of a field by name}
     *
     * @param field a name from {@link #FIELDS}
     */
    public static long offsetOf(String field) {
        return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /**
     * {@return the offset of the GPR with instruction-encoding index {@code n}}
     *
     * @param n 0-15 (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8-r15)
     */
    public static long gprOffset(int n) {
        return 8L * ENCODING_TO_FIELD[n];
    }

    /** {@return the offset of {@code rip}} */
    public static long rip$offset() {
        return RIP;
    }

    /** {@return the offset of {@code rflags}} */
    public static long rflags$offset() {
        return RFLAGS;
    }

    /** {@return a GPR} @param regs a kvm_regs segment @param n the encoding index */
    public static long gpr(MemorySegment regs, int n) {
        return regs.get(JAVA_LONG, gprOffset(n));
    }

    /** Sets a GPR. @param regs a kvm_regs segment @param n the encoding index @param value the value */
    public static void gpr(MemorySegment regs, int n, long value) {
        regs.set(JAVA_LONG, gprOffset(n), value);
    }

    /** {@return {@code rip}} @param regs a kvm_regs segment */
    public static long rip(MemorySegment regs) {
        return regs.get(JAVA_LONG, RIP);
    }

    /** Sets {@code rip}. @param regs a kvm_regs segment @param value the value */
    public static void rip(MemorySegment regs, long value) {
        regs.set(JAVA_LONG, RIP, value);
    }

    /** {@return {@code rflags}} @param regs a kvm_regs segment */
    public static long rflags(MemorySegment regs) {
        return regs.get(JAVA_LONG, RFLAGS);
    }

    /** Sets {@code rflags}. @param regs a kvm_regs segment @param value the value */
    public static void rflags(MemorySegment regs, long value) {
        regs.set(JAVA_LONG, RFLAGS, value);
    }
}
