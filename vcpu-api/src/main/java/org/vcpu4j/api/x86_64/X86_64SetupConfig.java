package org.vcpu4j.api.x86_64;

import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.VCpuSetupConfig;

/**
 * Parameters for {@code setup} of an x86-64 vCPU: the backend enters the guest in 64-bit long mode,
 * paging on with every mapped RAM region identity-mapped, at the entry point.
 *
 * @param systemTablesAddress a 4 KiB-aligned guest-physical address in RAM, with {@link #SYSTEM_TABLES_SIZE}
 *     free bytes, where setup writes the page tables and the GDT
 */
public record X86_64SetupConfig(long systemTablesAddress) implements VCpuSetupConfig {
    /** The bytes setup needs at {@link #systemTablesAddress()}: PML4, PDPT, 4 page directories, GDT. */
    public static final long SYSTEM_TABLES_SIZE = 0x7000;

    /** Validates the alignment. */
    public X86_64SetupConfig {
        if ((systemTablesAddress & 0xFFF) != 0 || systemTablesAddress < 0) {
            throw new IllegalArgumentException(String.format(
                    "system tables address 0x%x must be 4 KiB-aligned", systemTablesAddress));
        }
    }

    @Override
    public GuestIsa isa() {
        return GuestIsa.X86_64;
    }
}
