package org.vcpu4j.backend.emulated.cpu;

/**
 * The Advanced SIMD structure loads and stores, LD1-LD4 and ST1-ST4 (Arm ARM C4.1.88, "Advanced SIMD
 * load/store multiple structures" and "single structure").
 */
final class StructureTransfer {
    private StructureTransfer() {}

    /**
     * Executes one structure load or store.
     *
     * @param cpu the CPU
     * @param in the instruction, bits 31 and 29:25 = 0 00110
     */
    static void execute(Cpu cpu, int in) {
        throw cpu.undefined();
    }
}
