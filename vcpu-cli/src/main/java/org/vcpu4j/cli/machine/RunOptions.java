package org.vcpu4j.cli.machine;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@code vcpu run} was asked for.
 *
 * @param memorySize the RAM size in bytes
 * @param maxInstructions stop after this many guest instructions (backends that count them)
 * @param timeout stop after this much wall time
 * @param stats print statistics to standard error
 * @param gdb where to listen for gdb ({@code --gdb}), if at all
 * @param gdbWait whether the guest waits for gdb before its first instruction ({@code --gdb-wait})
 */
public record RunOptions(long memorySize, OptionalLong maxInstructions, Optional<Duration> timeout, boolean stats,
        Optional<InetSocketAddress> gdb, boolean gdbWait) {
    /** The default RAM size: 128 MiB, as QEMU's virt board. */
    public static final long DEFAULT_MEMORY = 128L << 20;

    /**
     * Options without a debugger.
     *
     * @param memorySize the RAM size in bytes
     * @param maxInstructions stop after this many guest instructions
     * @param timeout stop after this much wall time
     * @param stats print statistics to standard error
     */
    public RunOptions(long memorySize, OptionalLong maxInstructions, Optional<Duration> timeout, boolean stats) {
        this(memorySize, maxInstructions, timeout, stats, Optional.empty(), false);
    }
}
