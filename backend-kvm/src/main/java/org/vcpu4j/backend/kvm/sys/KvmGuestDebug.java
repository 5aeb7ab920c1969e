package org.vcpu4j.backend.kvm.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

/**
 * x86 {@code struct kvm_guest_debug} (linux/kvm.h with arch/x86/include/uapi/asm/kvm.h), the argument of
 * {@code KVM_SET_GUEST_DEBUG}, 72 bytes: control u32, pad u32, arch.debugreg[8] u64 (Documentation/virt/
 * kvm/api.rst, "KVM_SET_GUEST_DEBUG").
 */
public final class KvmGuestDebug {
    private KvmGuestDebug() {}

    /** {@code KVM_GUESTDBG_ENABLE}: debugging is on. */
    public static final int ENABLE = 0x1;
    /** {@code KVM_GUESTDBG_SINGLESTEP}: exit with KVM_EXIT_DEBUG (#DB) after each instruction. */
    public static final int SINGLESTEP = 0x2;
    /** {@code KVM_GUESTDBG_USE_SW_BP} (x86: 0x00010000): INT3 (#BP) exits with KVM_EXIT_DEBUG. */
    public static final int USE_SW_BP = 0x0001_0000;
    /** {@code KVM_GUESTDBG_USE_HW_BP} (x86: 0x00020000): the debug registers of {@code arch.debugreg} apply. */
    public static final int USE_HW_BP = 0x0002_0000;

    private static final GroupLayout LAYOUT = MemoryLayout.structLayout(JAVA_INT.withName("control"),
            JAVA_INT.withName("pad"), MemoryLayout.sequenceLayout(8, JAVA_LONG).withName("debugreg"))
            .withName("kvm_guest_debug");

    /** {@return the layout} */
    public static GroupLayout layout() {
        return LAYOUT;
    }

    /** {@return {@code sizeof(struct kvm_guest_debug)}, 72 on x86} */
    public static long sizeof() {
        return LAYOUT.byteSize();
    }

    /** {@return the offset of a field} @param field control, pad or debugreg */
    public static long offsetOf(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }

    /**
     * Sets one of {@code arch.debugreg[8]} (DR0-DR3 addresses, DR7 control).
     *
     * @param s the struct
     * @param n 0-7
     * @param value the value
     */
    public static void debugRegister(MemorySegment s, int n, long value) {
        s.set(JAVA_LONG, 8 + 8L * n, value);
    }

    /** Sets the control word and clears the debug registers. @param s the struct @param control the flags */
    public static void control(MemorySegment s, int control) {
        s.fill((byte) 0);
        s.set(JAVA_INT, 0, control);
    }
}
