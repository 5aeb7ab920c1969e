package org.vcpu4j.backend.kvm.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

/**
 * glibc's {@code struct sigaction} on x86_64 and arm64 Linux (bits/sigaction.h), 152 bytes:
 * sa_handler at 0, sa_mask (sigset_t, 128 bytes) at 8, sa_flags (int) at 136, sa_restorer at 144.
 */
public final class Sigaction {
    private Sigaction() {}

    private static final GroupLayout LAYOUT = MemoryLayout.structLayout(ADDRESS.withName("sa_handler"),
            MemoryLayout.sequenceLayout(16, JAVA_LONG).withName("sa_mask"), JAVA_INT.withName("sa_flags"),
            MemoryLayout.paddingLayout(4), ADDRESS.withName("sa_restorer")).withName("sigaction");

    /** {@return the layout} */
    public static GroupLayout layout() {
        return LAYOUT;
    }

    /** {@return {@code sizeof(struct sigaction)}, 152} */
    public static long sizeof() {
        return LAYOUT.byteSize();
    }

    /** {@return the offset of a field} @param field sa_handler, sa_mask, sa_flags or sa_restorer */
    public static long offsetOf(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }

    /**
     * Fills the struct with a handler, an empty mask and flags.
     *
     * @param s a segment of {@link #sizeof()} bytes
     * @param handler the handler function
     * @param flags {@code SA_*} flags (0: no SA_RESTART, so an interrupted KVM_RUN returns EINTR)
     */
    public static void fill(MemorySegment s, MemorySegment handler, int flags) {
        s.fill((byte) 0);
        s.set(ADDRESS, 0, handler);
        s.set(JAVA_INT, offsetOf("sa_flags"), flags);
    }

    /** {@return {@code sa_handler}} @param s a sigaction segment */
    public static MemorySegment handler(MemorySegment s) {
        return s.get(ADDRESS, 0);
    }
}
