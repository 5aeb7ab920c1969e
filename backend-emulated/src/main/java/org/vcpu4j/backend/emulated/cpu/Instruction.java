package org.vcpu4j.backend.emulated.cpu;

/**
 * A decoded instruction: what {@link Cpu}'s loop runs, one virtual call per instruction. Each kind of
 * operation is its own small class, so that the JIT compiles every one with its helpers inlined and the
 * loop's call site dispatches through the vtable, as a switch would through its jump table.
 *
 * <p>The register numbers are taken from the word at the positions every A64 class uses (Rd/Rt 4:0,
 * Rn 9:5, Rm 20:16, Ra/Rt2 14:10); {@link #operand} is what {@link Decoder} worked out ahead of time.
 */
abstract class Instruction {
    /** The {@link Decoder} operation. */
    final int operation;
    /** The instruction word. */
    final int word;
    /** Rd or Rt (bits 4:0). */
    final int rd;
    /** Rn (bits 9:5). */
    final int rn;
    /** Rm (bits 20:16). */
    final int rm;
    /** Ra or Rt2 (bits 14:10). */
    final int ra;
    /** The precomputed operand (see the operation's constant in {@link Decoder}). */
    final long operand;

    Instruction(int operation, int word, long operand) {
        this.operation = operation;
        this.word = word;
        this.rd = word & 0x1F;
        this.rn = (word >>> 5) & 0x1F;
        this.rm = (word >>> 16) & 0x1F;
        this.ra = (word >>> 10) & 0x1F;
        this.operand = operand;
    }

    /**
     * Runs the instruction; the PC already points past it.
     *
     * @param cpu the CPU
     */
    abstract void execute(Cpu cpu);
}
