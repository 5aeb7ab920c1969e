package org.vcpu4j.tck.generators;

import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.property.Gen;
import org.vcpu4j.tck.asm.A64LoadStore;
import org.vcpu4j.tck.asm.X86MemAccess;

/** A guest load or store to an address with nothing behind it: the instruction and its target address. */
public sealed interface MmioCase permits MmioCase.A64, MmioCase.X86 {

    /** {@return the guest-physical address accessed} */
    long address();

    /** {@return whether the access is a load} */
    boolean isLoad();

    /** {@return how many bytes the access moves} */
    AccessWidth width();

    /**
     * An AArch64 load or store; the base register will hold {@code address - offset}.
     *
     * @param access the instruction
     * @param address the target address (aligned to the access width)
     */
    record A64(A64LoadStore access, long address) implements MmioCase {
        /** Validates the alignment (MMIO accesses with the MMU off are Device accesses and must be aligned). */
        public A64 {
            if (address % access.width().bytes() != 0) {
                throw new IllegalArgumentException("address 0x" + Long.toHexString(address) + " is not aligned to "
                        + access.width());
            }
        }

        @Override
        public boolean isLoad() {
            return access.isLoad();
        }

        @Override
        public AccessWidth width() {
            return access.width();
        }

        @Override
        public String toString() {
            return access.assembly() + String.format(" -> 0x%x", address);
        }
    }

    /**
     * An x86-64 move with an absolute address.
     *
     * @param access the instruction
     */
    record X86(X86MemAccess access) implements MmioCase {
        @Override
        public long address() {
            return access.address();
        }

        @Override
        public boolean isLoad() {
            return !access.store();
        }

        @Override
        public AccessWidth width() {
            return access.memoryWidth();
        }

        @Override
        public String toString() {
            return access.assembly();
        }
    }

    /**
     * {@return AArch64 cases}
     *
     * @param addresses 8-byte aligned unmapped addresses
     */
    static Gen<MmioCase> a64(Gen<Long> addresses) {
        return Gen.combine(A64Generators.loadStores(), addresses).as(MmioCase.A64::new);
    }

    /**
     * {@return x86-64 cases}
     *
     * @param addresses 8-byte aligned unmapped addresses below 2 GiB
     */
    static Gen<MmioCase> x86(Gen<Long> addresses) {
        return X86Generators.memoryAccesses(addresses).map(MmioCase.X86::new);
    }
}
