package org.vcpu4j.backend.emulated.difftest;

/**
 * Addresses and sizes shared by the QEMU harness ({@code src/test/native/difftest/harness.h}) and the
 * emulator side: the snippet and the scratch buffer live at the same addresses in both worlds.
 */
final class DifftestLayout {
    /** Start of the code page (harness: MAP_FIXED RWX; emulator: start of the RAM region). */
    static final long CODE_BASE = 0x1000_0000L;
    /** Address of the snippet's first word. */
    static final long SNIPPET = CODE_BASE + 0x1000;
    /** Start of the scratch buffer. */
    static final long SCRATCH_BASE = 0x1001_0000L;
    /** Size of the scratch buffer in bytes (it ends where the emulator's RAM region ends). */
    static final int SCRATCH_SIZE = 0x1_0000;
    /**
     * Size of the emulator's RAM region: exactly what the harness maps (the code page and the scratch buffer),
     * so an access outside both faults in both worlds.
     */
    static final long RAM_SIZE = SCRATCH_BASE + SCRATCH_SIZE - CODE_BASE;
    /** The stack pointer both worlds start the snippet with (inside the scratch buffer, 16-aligned). */
    static final long INITIAL_SP = SCRATCH_BASE + 0x4000;

    private DifftestLayout() {}

    /**
     * {@return the initial 8-byte words of the scratch buffer for a seed (splitmix64, as in harness.c)}
     *
     * @param seed the seed
     */
    static long[] scratchFill(long seed) {
        long[] words = new long[SCRATCH_SIZE / 8];
        long state = seed;
        for (int i = 0; i < words.length; i++) {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            words[i] = z ^ (z >>> 31);
        }
        return words;
    }
}
