package org.vcpu4j.backend.kvm.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

/**
 * {@code struct kvm_userspace_memory_region} (linux/kvm.h), 32 bytes: slot u32, flags u32,
 * guest_phys_addr u64, memory_size u64 (0 deletes the slot), userspace_addr u64.
 */
public final class KvmUserspaceMemoryRegion {
    private KvmUserspaceMemoryRegion() {}

    private static final GroupLayout LAYOUT = MemoryLayout.structLayout(JAVA_INT.withName("slot"),
            JAVA_INT.withName("flags"), JAVA_LONG.withName("guest_phys_addr"), JAVA_LONG.withName("memory_size"),
            JAVA_LONG.withName("userspace_addr")).withName("kvm_userspace_memory_region");

    /** {@return the layout} */
    public static GroupLayout layout() {
        return LAYOUT;
    }

    /** {@return {@code sizeof}, 32} */
    public static long sizeof() {
        return LAYOUT.byteSize();
    }

    /** {@return the offset of a field} @param field slot, flags, guest_phys_addr, memory_size, userspace_addr */
    public static long offsetOf(String field) {
        return LAYOUT.byteOffset(groupElement(field));
    }

    /**
     * Fills the struct.
     *
     * @param s a segment of {@link #sizeof()} bytes
     * @param slot the slot
     * @param flags {@code KVM_MEM_*} flags
     * @param guestPhysAddr the guest-physical address
     * @param memorySize the size, 0 to delete
     * @param userspaceAddr the host address
     */
    public static void fill(MemorySegment s, int slot, int flags, long guestPhysAddr, long memorySize,
            long userspaceAddr) {
        s.set(JAVA_INT, 0, slot);
        s.set(JAVA_INT, 4, flags);
        s.set(JAVA_LONG, 8, guestPhysAddr);
        s.set(JAVA_LONG, 16, memorySize);
        s.set(JAVA_LONG, 24, userspaceAddr);
    }
}
