package org.vcpu4j.backend.kvm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.vcpu4j.api.AccessKind;
import org.vcpu4j.api.GuestMemory;
import org.vcpu4j.api.MemoryRegion;
import org.vcpu4j.api.x86_64.X86_64SetupConfig;

/**
 * The identity-mapping page tables and the GDT that x86_64 {@code setup} writes at the setup config's
 * system-tables address (Intel SDM Vol. 3A 4.5 "4-level paging", 3.4.5 "segment descriptors"):
 * <pre>
 *   +0x0000 PML4   entry 0 -> PDPT
 *   +0x1000 PDPT   entries 0-3 -> the page directories; entries 4-511: 1 GiB pages for GiBs holding RAM
 *   +0x2000 PD 0-3 512 x 2 MiB pages each: identity map of the first 4 GiB (RAM and MMIO holes alike)
 *   +0x6000 GDT    null, 0x08 flat 64-bit code, 0x10 flat data
 * </pre>
 */
final class X86SystemTables {
    private X86SystemTables() {}

    /** GDT offset in the tables. */
    static final long GDT_OFFSET = 0x6000;
    /** GDT limit: three 8-byte descriptors. */
    static final int GDT_LIMIT = 3 * 8 - 1;
    /** Code selector. */
    static final int CODE_SELECTOR = 0x08;
    /** Data selector. */
    static final int DATA_SELECTOR = 0x10;
    /** CR0: PG | AM | WP | NE | ET | MP | PE (SDM 2.5). */
    static final long CR0 = 0x8005_0033L;
    /** CR4: PAE | OSFXSR | OSXMMEXCPT (SDM 2.5). */
    static final long CR4 = 0x620L;
    /** EFER: LMA | LME (SDM 2.2.1). */
    static final long EFER = 0x500L;

    /** Page-table entry bits: present, writable; PS (bit 7) for a large page. */
    private static final long PRESENT_WRITABLE = 0x3;
    private static final long LARGE_PAGE = 0x83;
    /** Descriptors (SDM 3.4.5): 64-bit code (L=1, P, S, type 0xB, G) and data (D/B=1, P, S, type 0x3, G). */
    private static final long CODE64_DESCRIPTOR = 0x00AF_9B00_0000_FFFFL;
    private static final long DATA_DESCRIPTOR = 0x00CF_9300_0000_FFFFL;
    private static final ValueLayout.OfLong LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Writes the tables.
     *
     * @param memory the VM's memory map
     * @param tables the system-tables address
     * @throws IllegalArgumentException if the tables do not fit in writable RAM
     */
    static void write(GuestMemory memory, long tables) {
        MemoryRegion region = memory.regionAt(tables).orElseThrow(() -> new IllegalArgumentException(String.format(
                "system tables address 0x%x is not in mapped RAM; map RAM there first", tables)));
        if (tables + X86_64SetupConfig.SYSTEM_TABLES_SIZE > region.end() || !region.allows(AccessKind.WRITE)) {
            throw new IllegalArgumentException(String.format(
                    "system tables [0x%x, 0x%x) need 0x%x bytes of writable RAM inside one region; region %s %s",
                    tables, tables + X86_64SetupConfig.SYSTEM_TABLES_SIZE, X86_64SetupConfig.SYSTEM_TABLES_SIZE,
                    region.describe(), region.permissions()));
        }
        MemorySegment t = memory.slice(tables, X86_64SetupConfig.SYSTEM_TABLES_SIZE);
        t.fill((byte) 0);
        long pdpt = tables + 0x1000;
        t.set(LE, 0, pdpt | PRESENT_WRITABLE);
        for (int gib = 0; gib < 4; gib++) {
            long pd = tables + 0x2000 + 0x1000L * gib;
            t.set(LE, 0x1000 + 8L * gib, pd | PRESENT_WRITABLE);
            for (int i = 0; i < 512; i++) {
                t.set(LE, 0x2000 + 0x1000L * gib + 8L * i, ((long) gib << 30) + ((long) i << 21) | LARGE_PAGE);
            }
        }
        for (MemoryRegion r : memory.regions()) {
            for (long gib = Math.max(4, r.guestAddress() >>> 30); gib <= (r.end() - 1) >>> 30 && gib < 512; gib++) {
                t.set(LE, 0x1000 + 8L * gib, (gib << 30) | LARGE_PAGE);
            }
        }
        t.set(LE, GDT_OFFSET + CODE_SELECTOR, CODE64_DESCRIPTOR);
        t.set(LE, GDT_OFFSET + DATA_SELECTOR, DATA_DESCRIPTOR);
    }
}
