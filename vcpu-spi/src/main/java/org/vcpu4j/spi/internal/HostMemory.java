package org.vcpu4j.spi.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the host could ever give one guest RAM region: its memory plus swap. That is Linux's own bound for
 * one private mapping under the default heuristic overcommit ({@code vm.overcommit_memory = 0}:
 * mm/util.c {@code __vm_enough_memory} refuses more pages than {@code totalram_pages() +
 * total_swap_pages}), so a size the library accepts can be reserved by every allocator, and QEMU refuses
 * the same {@code -m} sizes on such a host. Read from {@code /proc/meminfo} (proc(5): MemTotal,
 * SwapTotal); on hosts without it there is no bound beyond the backend's address limit.
 */
final class HostMemory {
    /** Memory plus swap in bytes, or {@link Long#MAX_VALUE} where unknown. */
    static final long RESERVABLE = read(Path.of("/proc/meminfo"));

    private HostMemory() {}

    static long read(Path meminfo) {
        try {
            List<String> lines = Files.readAllLines(meminfo);
            long total = kib(lines, "MemTotal:");
            long swap = kib(lines, "SwapTotal:");
            return total <= 0 ? Long.MAX_VALUE : (total + Math.max(swap, 0)) << 10;
        } catch (IOException | RuntimeException e) {
            return Long.MAX_VALUE;
        }
    }

    private static long kib(List<String> lines, String field) {
        for (String line : lines) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    /** {@return a size as "N GiB" / "N MiB" for messages, e.g. "23.5 GiB"} @param bytes the size */
    static String describe(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
}
