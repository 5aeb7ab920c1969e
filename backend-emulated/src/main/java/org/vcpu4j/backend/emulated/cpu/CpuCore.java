package org.vcpu4j.backend.emulated.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Supplier;
import org.vcpu4j.api.aarch64.SystemRegister;

/**
 * The CPU's architectural state and the machinery every instruction uses: guest memory access through
 * a software TLB, stage-1 translation, stage-2 (guest-physical) faults that leave to the virtual EL2,
 * and exception entry at EL1.
 *
 * <p>Control leaves an instruction early by throwing the preallocated {@link #STOP}: after a trap to
 * EL2 ({@link #stopReason} {@link #STOP_TRAP}, syndrome in {@link #trapEsr}) or after the CPU took a
 * guest exception and simply continues ({@link #STOP_CONTINUE}).
 */
public abstract class CpuCore {
    /** Access kind: data read. */
    public static final int READ = 0;
    /** Access kind: data write. */
    public static final int WRITE = 1;
    /** Access kind: instruction fetch. */
    public static final int EXECUTE = 2;

    /** Stop reason: continue at the block boundary (a guest exception was taken, or state changed). */
    public static final int STOP_CONTINUE = 0;
    /** Stop reason: trap to the virtual EL2; see {@link #trapEsr} and {@link #trapIpa}. */
    public static final int STOP_TRAP = 1;
    /** Stop reason: a watchpoint was hit before the access; see {@link #watchHitAddress}. */
    public static final int STOP_DEBUG = 2;

    /** The exception that unwinds an instruction; preallocated and without a stack trace. */
    protected static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stop() {
            super("guest control transfer", null, false, false);
        }
    }

    /** The one {@link Stop} instance. */
    protected static final Stop STOP = new Stop();

    static final ValueLayout.OfLong LE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt LE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfByte LE8 = ValueLayout.JAVA_BYTE;
    /** Atomic access to aligned little-endian words of native guest memory: (segment, offset). */
    private static final VarHandle ATOMIC64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    /** The locks of {@link #atomicLock}, shared by every vCPU. */
    private static final Object[] ATOMIC_STRIPES = java.util.stream.Stream.generate(Object::new).limit(64).toArray();
    private static final VarHandle ATOMIC32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    // System register indices into sys[] (the SystemRegister ordinals).
    static final int MPIDR = SystemRegister.MPIDR_EL1.ordinal();
    static final int SCTLR = SystemRegister.SCTLR_EL1.ordinal();
    static final int CPACR = SystemRegister.CPACR_EL1.ordinal();
    static final int TTBR0 = SystemRegister.TTBR0_EL1.ordinal();
    static final int TTBR1 = SystemRegister.TTBR1_EL1.ordinal();
    static final int TCR = SystemRegister.TCR_EL1.ordinal();
    static final int ESR = SystemRegister.ESR_EL1.ordinal();
    static final int FAR = SystemRegister.FAR_EL1.ordinal();
    static final int PAR = SystemRegister.PAR_EL1.ordinal();
    static final int MAIR = SystemRegister.MAIR_EL1.ordinal();
    static final int VBAR = SystemRegister.VBAR_EL1.ordinal();
    static final int CNTVCT = SystemRegister.CNTVCT_EL0.ordinal();
    static final int CNTV_CTL = SystemRegister.CNTV_CTL_EL0.ordinal();
    static final int CNTV_CVAL = SystemRegister.CNTV_CVAL_EL0.ordinal();
    static final int CNTP_CTL = SystemRegister.CNTP_CTL_EL0.ordinal();
    static final int CNTP_CVAL = SystemRegister.CNTP_CVAL_EL0.ordinal();
    static final int CNTKCTL = SystemRegister.CNTKCTL_EL1.ordinal();

    /** ESR_ELx.IL: a 32-bit instruction. */
    static final long IL = 1L << 25;
    /** PSTATE.IL (illegal execution state), SPSR bit 20. */
    static final long PSTATE_IL = 1L << 20;
    /** The bits of PSTATE kept verbatim (everything but NZCV, DAIF and M[4:0]). */
    static final long PSTATE_OTHER = 0xFFFF_FFFF_0FFF_FC20L;

    private static final int TLB_BITS = 8;
    private static final int TLB_SIZE = 1 << TLB_BITS;
    private static final int TLB_MASK = TLB_SIZE - 1;

    // ---- general-purpose state
    /** X0-X30; x[31] is always 0 (XZR). */
    public final long[] x = new long[32];
    /** The stack pointer selected by PSTATE (SP_EL0 or SP_EL1). */
    protected long sp;
    /** SP_EL0 while it is not selected. */
    protected long spEl0;
    /** SP_EL1 while it is not selected. */
    protected long spEl1;
    /** The address of the next instruction (during execution: of the one after the current one). */
    public long pc;
    /** The address of the instruction being executed. */
    protected long insnPc;
    /** PSTATE.{N,Z,C,V} in bits 3:0. */
    protected int nzcv;
    /** PSTATE.{D,A,I,F} in bits 3:0. */
    protected int daif;
    /** PSTATE M[4:0]: EL in bits 3:2, SP selection in bit 0. */
    protected int mode = 0x5;
    /** The other PSTATE bits, kept as written. */
    protected long pstateOther;
    /** ELR_EL1. */
    protected long elrEl1;
    /** SPSR_EL1. */
    protected long spsrEl1;
    /** V0-V31, two longs each (low, high). */
    public final long[] v = new long[64];
    /** FPCR. */
    protected long fpcr;
    /** FPSR. */
    protected long fpsr;
    /** The system registers of {@link SystemRegister}, by ordinal (CNTVCT_EL0 is computed). */
    protected final long[] sys = new long[SystemRegister.values().length];

    // ---- counter: 62.5 MHz like QEMU virt, one tick per 16 ns, or one per retired instruction
    private final long counterEpoch;
    private boolean instructionCountedTime;
    /** Ticks WFI skipped to reach a timer deadline (instruction-counted time only). */
    private long skippedTicks;
    /** CNTVOFF: physical count minus virtual count. */
    protected long cntvoff;

    // ---- exits
    /** Why the last {@link #STOP} was thrown. */
    protected int stopReason;
    /** ESR_EL2 of the last trap. */
    public long trapEsr;
    /** The faulting guest-physical address of the last trap (aborts only). */
    public long trapIpa;
    /** The faulting virtual address of the last data abort to EL2. */
    public long trapVa;
    /** Whether the last data abort to EL2 was a write. */
    public boolean trapWrite;

    // ---- watchpoints (issue 14): checked only where a TLB entry is filled, never on a TLB hit
    private static final long[] NO_WATCH = {};
    /** First and last watched virtual address of each watchpoint, and its kinds (bit 0 read, bit 1 write). */
    private long[] watchFirst = NO_WATCH;
    private long[] watchLast = NO_WATCH;
    private int[] watchKinds = {};
    /** While set, a watched access does not stop (the instruction that hit one is being resumed). */
    protected boolean watchSuppressed;
    /** The virtual address of the access that hit a watchpoint ({@link #STOP_DEBUG}). */
    public long watchHitAddress;
    /** Whether that access was a store. */
    public boolean watchHitWrite;

    // ---- memory
    private final Supplier<PhysicalMap> physicalSource;
    /** The guest-physical map the TLB was filled from. */
    protected PhysicalMap physical;
    /** Whether a thread is inside {@code run()} (published for {@link #awaitMapGeneration}). */
    private volatile boolean inRun;
    /** The generation of {@link #physical}, published when the vCPU picks up a new map. */
    private volatile long mapGenerationInUse;
    private final long[] tlbTag = new long[3 * TLB_SIZE];
    private final MemorySegment[] tlbHost = new MemorySegment[3 * TLB_SIZE];
    private final long[] tlbOffset = new long[3 * TLB_SIZE];
    private final long[] tlbPhysicalPage = new long[3 * TLB_SIZE];
    /** For a write entry: the code set holding a copy of its page (stores patch it), or -1. */
    private final int[] tlbCodeSet = new int[3 * TLB_SIZE];
    /** Whether the entry maps Device memory (its data accesses must be aligned). */
    private final boolean[] tlbDevice = new boolean[3 * TLB_SIZE];

    // ---- decoded code: a copy of each guest page instructions are fetched from, with each word's
    // Instruction (decoded when the word first runs) and the Blocks compiled from hot runs. Stores by
    // this CPU are seen from the next instruction (a Block already running finishes first, which the Arm
    // ARM's "Concurrent modification and execution of instructions" allows without IC maintenance);
    // host writes at the next run; other CPUs' writes after IC maintenance.
    private static final int CODE_SETS = 256;
    private final long[] codeTag = new long[CODE_SETS];
    private final long[] codePhysicalPage = new long[CODE_SETS];
    private final int[][] codeWords = new int[CODE_SETS][];
    /** {@link #codeWords} as bytes (native order: the same bytes as guest memory on little-endian hosts). */
    private final MemorySegment[] codeWordBytes = new MemorySegment[CODE_SETS];
    private final Instruction[][] codeInstructions = new Instruction[CODE_SETS][];
    /** Per code copy, the lowest and highest index of a word decoded since the copy was made. */
    private final int[] codeDecodedLow = new int[CODE_SETS];
    private final int[] codeDecodedHigh = new int[CODE_SETS];
    /** Per code copy, a bit per word that some {@link Block} runs. */
    private final long[][] codeBlockCover = new long[CODE_SETS][];
    private final int[] codeStamp = new int[CODE_SETS];
    private int currentCodeStamp = 1;
    /** The virtual page number of the code page being run, or -1 when it must be looked up again. */
    protected long fetchPage = -1;
    /** The instruction words of {@link #fetchPage}. */
    protected int[] fetchWords;
    /** The decoded instructions of {@link #fetchPage} (null until first run). */
    Instruction[] fetchInstructions;
    /** The code set of {@link #fetchPage}. */
    private int fetchSet;

    /**
     * @param physicalSource the VM's current guest-physical map
     * @param counterEpoch the {@link System#nanoTime()} at which the physical count was 0
     */
    protected CpuCore(Supplier<PhysicalMap> physicalSource, long counterEpoch) {
        this.physicalSource = physicalSource;
        this.counterEpoch = counterEpoch;
        this.physical = physicalSource.get();
        this.mapGenerationInUse = physical.generation();
        Arrays.fill(tlbTag, -1);
        Arrays.fill(codeTag, -1);
    }

    // ------------------------------------------------------------------ register access for instructions

    /** {@return Xn, or SP for n = 31 (the "Xn|SP" operand)} @param n the register number */
    final long xs(int n) {
        return n == 31 ? sp : x[n];
    }

    /** Writes Xd, or SP for n = 31. @param n the register number @param value the value */
    final void setXs(int n, long value) {
        if (n == 31) {
            sp = value;
        } else {
            x[n] = value;
        }
    }

    /** Writes Xd; n = 31 is XZR and ignores it. @param n the register number @param value the value */
    final void setX(int n, long value) {
        if (n != 31) {
            x[n] = value;
        }
    }

    /** Writes Wd (the upper half cleared); n = 31 is WZR. @param n the register @param value the value */
    final void setW(int n, long value) {
        if (n != 31) {
            x[n] = value & 0xFFFF_FFFFL;
        }
    }

    /** Writes Xd or Wd by sf; n = 31 is the zero register. @param n @param value @param sf 64-bit */
    final void setR(int n, long value, boolean sf) {
        if (n != 31) {
            x[n] = sf ? value : value & 0xFFFF_FFFFL;
        }
    }

    /** Writes a 128-bit vector register. @param n the register @param low bits 63:0 @param high bits 127:64 */
    final void setV(int n, long low, long high) {
        v[2 * n] = low;
        v[2 * n + 1] = high;
    }

    /**
     * {@return the base address register of a load or store: SP when Rn = 31, checked for 16-byte
     * alignment (SCTLR_EL1.SA/SA0; an SP alignment fault, Arm ARM D1.3.6)}
     *
     * @param rn the register number
     */
    final long baseRegister(int rn) {
        if (rn != 31) {
            return x[rn];
        }
        if ((sp & 15) != 0 && (sys[SCTLR] & (el() == 0 ? 1 << 4 : 1 << 3)) != 0) {
            throw syncException(0x26, 0); // SP alignment fault (Arm ARM D1.3.6)
        }
        return sp;
    }

    // ------------------------------------------------------------------ registers and PSTATE

    /** {@return the current exception level, 0 or 1} */
    protected final int el() {
        return (mode >>> 2) & 3;
    }

    /** {@return PSTATE in SPSR format} */
    public final long pstate() {
        return pstateOther | (long) nzcv << 28 | (long) daif << 6 | mode;
    }

    /**
     * Replaces PSTATE (SPSR format), switching the stack pointer if the selection changes.
     *
     * @param value PSTATE in SPSR format
     */
    public final void setPstate(long value) {
        nzcv = (int) (value >>> 28) & 0xF;
        daif = (int) (value >>> 6) & 0xF;
        pstateOther = value & PSTATE_OTHER;
        setMode((int) value & 0x1F);
    }

    /**
     * Changes PSTATE.M, banking the stack pointer.
     *
     * @param newMode M[4:0]
     */
    protected final void setMode(int newMode) {
        if (usesSpEl1(mode)) {
            spEl1 = sp;
        } else {
            spEl0 = sp;
        }
        int oldEl = el();
        mode = newMode;
        sp = usesSpEl1(newMode) ? spEl1 : spEl0;
        if (oldEl != el() && (sys[SCTLR] & 1) != 0) {
            flushTlb(); // EL0 and EL1 permissions differ only with the MMU on
        }
    }

    private static boolean usesSpEl1(int m) {
        return (m & 1) != 0 && (m & 0xC) != 0;
    }

    /** {@return SP_EL0} */
    public final long spEl0() {
        return usesSpEl1(mode) ? spEl0 : sp;
    }

    /** {@return SP_EL1} */
    public final long spEl1() {
        return usesSpEl1(mode) ? sp : spEl1;
    }

    /** @param value SP_EL0 */
    public final void setSpEl0(long value) {
        if (usesSpEl1(mode)) {
            spEl0 = value;
        } else {
            sp = value;
        }
    }

    /** @param value SP_EL1 */
    public final void setSpEl1(long value) {
        if (usesSpEl1(mode)) {
            sp = value;
        } else {
            spEl1 = value;
        }
    }

    /** {@return whether PSTATE.M names a state this CPU runs: EL0t, EL1t or EL1h} */
    public final boolean modeIsValid() {
        return mode == 0 || mode == 4 || mode == 5;
    }

    /** {@return ELR_EL1} */
    public final long elrEl1() {
        return elrEl1;
    }

    /** @param value ELR_EL1 */
    public final void setElrEl1(long value) {
        elrEl1 = value;
    }

    /** {@return SPSR_EL1} */
    public final long spsrEl1() {
        return spsrEl1;
    }

    /** @param value SPSR_EL1 */
    public final void setSpsrEl1(long value) {
        spsrEl1 = value;
    }

    /** {@return FPCR} */
    public final long fpcr() {
        return fpcr;
    }

    /** @param value FPCR */
    public final void setFpcr(long value) {
        fpcr = value;
    }

    /** {@return FPSR} */
    public final long fpsr() {
        return fpsr;
    }

    /** @param value FPSR */
    public final void setFpsr(long value) {
        fpsr = value;
    }

    /**
     * {@return a system register as the state holds it (CNTVCT_EL0: the virtual count)}
     *
     * @param r the register
     */
    public final long systemRegister(SystemRegister r) {
        return r.ordinal() == CNTVCT ? virtualCount() : sys[r.ordinal()];
    }

    /**
     * Sets a system register as the state holds it (CNTVCT_EL0: sets the virtual offset).
     *
     * @param r the register
     * @param value the value
     */
    public final void setSystemRegister(SystemRegister r, long value) {
        if (r.ordinal() == CNTVCT) {
            setVirtualCount(value);
        } else {
            sys[r.ordinal()] = value;
        }
        flushTlb();
    }

    // ------------------------------------------------------------------ counter

    /** {@return the physical count (CNTPCT_EL0)} */
    protected final long physicalCount() {
        if (instructionCountedTime) {
            return retiredInstructions() + skippedTicks;
        }
        return (System.nanoTime() - counterEpoch) >>> 4;
    }

    /**
     * Makes the physical count one tick per retired instruction (plus what WFI skips to reach a timer
     * deadline) instead of the host clock's 62.5 MHz: deterministic time for record/replay and tests.
     */
    public final void countTimeInInstructions() {
        instructionCountedTime = true;
    }

    /** {@return whether the count is instruction-counted ({@link #countTimeInInstructions})} */
    protected final boolean instructionCountedTime() {
        return instructionCountedTime;
    }

    /**
     * Advances an instruction-counted count by {@code ticks} (a WFI waiting for a timer deadline).
     *
     * @param ticks at least 1
     */
    protected final void skipTicks(long ticks) {
        skippedTicks += ticks;
    }

    /** {@return the instructions retired so far (the instruction-counted clock)} */
    protected abstract long retiredInstructions();

    /** {@return the virtual count (CNTVCT_EL0)} */
    public final long virtualCount() {
        return physicalCount() - cntvoff;
    }

    /** @param value the virtual count to read from now on */
    public final void setVirtualCount(long value) {
        cntvoff = physicalCount() - value;
    }

    // ------------------------------------------------------------------ exceptions

    /**
     * Takes an exception to EL1 (Arm ARM D1.10.2 "Exception entry"): SPSR_EL1 = PSTATE, ELR_EL1 = the
     * preferred return address, PSTATE = EL1h with DAIF masked, PC = VBAR_EL1 + the vector offset (0x0
     * current EL with SP_EL0, 0x200 current EL with SP_ELx, 0x400 lower EL in AArch64; + 0x80 for IRQ).
     *
     * @param syndrome ESR_EL1 for a synchronous exception, or -1 for an interrupt (ESR unchanged)
     * @param returnAddress ELR_EL1
     * @param kindOffset 0 synchronous, 0x80 IRQ, 0x100 FIQ, 0x180 SError
     */
    protected final void enterException(long syndrome, long returnAddress, int kindOffset) {
        int base = el() == 0 ? 0x400 : (mode & 1) != 0 ? 0x200 : 0;
        spsrEl1 = pstate();
        elrEl1 = returnAddress;
        if (syndrome >= 0) {
            sys[ESR] = syndrome;
        }
        daif = 0xF;
        pstateOther &= ~(PSTATE_IL | 1L << 21); // IL and SS cleared on entry
        setMode(0x5);
        pc = (sys[VBAR] & ~0x7FFL) + base + kindOffset;
    }

    /**
     * Takes a synchronous exception to EL1 for the current instruction and unwinds it.
     *
     * @param ec the exception class
     * @param iss the ISS
     * @return never; declared so callers can write {@code throw syncException(...)}
     */
    protected final Stop syncException(int ec, int iss) {
        enterException((long) ec << 26 | IL | iss, insnPc, 0);
        stopReason = STOP_CONTINUE;
        throw STOP;
    }

    /** {@return never: takes the undefined-instruction exception (EC 0x00)} */
    protected final Stop undefined() {
        return syncException(0x00, 0);
    }

    /**
     * Traps the current instruction to the virtual EL2 and unwinds it.
     *
     * @param ec the ESR_EL2 exception class
     * @param iss the ISS
     * @param returnAddress the PC to leave (ELR_EL2)
     * @return never
     */
    protected final Stop trapToEl2(int ec, int iss, long returnAddress) {
        trapEsr = (long) ec << 26 | IL | iss;
        pc = returnAddress;
        stopReason = STOP_TRAP;
        throw STOP;
    }

    // ------------------------------------------------------------------ translation

    /** Drops every cached translation (TLBI, translation-register writes, map changes, EL changes). */
    public final void flushTlb() {
        Arrays.fill(tlbTag, -1);
        staleCode(); // a code copy is kept only if its page translates to the same physical page
    }

    /**
     * Makes every code page copy be checked against guest memory before its next use (host writes, IC
     * maintenance, translation changes): words that changed are copied again and decoded afresh.
     */
    protected final void staleCode() {
        currentCodeStamp++;
        fetchPage = -1;
    }

    /**
     * {@return the code set holding a copy of this physical page, or -1}; copies of the page under
     * other virtual addresses are dropped, so that one set stays the only copy stores must patch.
     */
    private int codeSetOf(long physicalPage) {
        int found = -1;
        for (int i = 0; i < CODE_SETS; i++) {
            if (codePhysicalPage[i] == physicalPage && codeTag[i] != -1) {
                if (found < 0) {
                    found = i;
                } else {
                    codeTag[i] = -1;
                    codePhysicalPage[i] = -1;
                }
            }
        }
        return found;
    }

    /** A store changed {@code [va, va + bytes)} of a page with a code copy: copies the changed words. */
    private void patchCode(int slot, long va, int bytes) {
        int set = tlbCodeSet[slot];
        int[] words = codeWords[set];
        Instruction[] decoded = codeInstructions[set];
        int first = (int) (va & 0xFFF) >>> 2;
        int last = (int) ((va + bytes - 1) & 0xFFF) >>> 2;
        MemorySegment host = tlbHost[slot];
        long base = tlbOffset[slot];
        for (int w = first; w <= last; w++) {
            words[w] = host.get(LE32, base + 4L * w);
            forget(set, decoded, w);
        }
    }

    /**
     * Drops what was decoded from word {@code w} of a code copy: its instruction and every {@link Block}
     * that runs it (a block already running finishes with the old word, which the Arm ARM's "Concurrent
     * modification and execution of instructions" allows for code modified without IC maintenance).
     */
    private void forget(int set, Instruction[] decoded, int w) {
        decoded[w] = null;
        long[] cover = codeBlockCover[set];
        if ((cover[w >>> 6] & 1L << w) != 0) {
            for (int k = Math.max(0, w - Block.MAX_LENGTH + 1); k < w; k++) {
                if (decoded[k] instanceof Block block && k + block.length > w) {
                    decoded[k] = null;
                }
            }
        }
    }

    /**
     * Records that a block covers words {@code [start, start + length)} of the current code page.
     *
     * @param start the slot of its first instruction
     * @param length its number of instructions
     */
    final void coverCode(int start, int length) {
        long[] cover = codeBlockCover[fetchSet];
        for (int w = start; w < start + length; w++) {
            cover[w >>> 6] |= 1L << w;
        }
    }

    /** Drops cached translations if the VM's memory map changed. */
    protected final void refreshPhysical() {
        PhysicalMap now = physicalSource.get();
        if (now != physical) {
            physical = now;
            flushTlb();
            mapGenerationInUse = now.generation();
        }
    }

    /**
     * Marks the start or end of {@code run()}. Entering writes {@code inRun} before the first {@link
     * #refreshPhysical()} reads the VM's map; with both volatile, either a concurrent {@link
     * #awaitMapGeneration} sees this vCPU in run or the vCPU sees the new map.
     *
     * @param running true on entry, false on return
     */
    public final void setInRun(boolean running) {
        inRun = running;
    }

    /**
     * Waits (spinning: at most one block of {@code BLOCK} instructions) until this vCPU is outside
     * {@code run()} or has picked up a map of at least {@code generation}; called by the VM after it
     * published a map without some region, so that no access reaches that region afterwards.
     *
     * @param generation the generation of the map just published
     */
    public final void awaitMapGeneration(long generation) {
        while (inRun && mapGenerationInUse < generation) {
            Thread.onSpinWait();
        }
    }

    /**
     * Translates a virtual address (stage 1), taking the guest's abort on a fault.
     *
     * @param va the virtual address
     * @param kind READ, WRITE or EXECUTE
     * @return the guest-physical address
     */
    protected abstract long translate(long va, int kind);

    /**
     * {@return whether the last successful {@link #translate} mapped Device memory} (every data access
     * with the MMU off; with it on, a MAIR_EL1 attribute of the form 0b0000xxxx)
     */
    protected abstract boolean translatedToDevice();

    /**
     * Finds the host memory of a page, filling a TLB entry; a guest-physical address with no region
     * (or without the permission) traps to EL2.
     */
    private int fill(long va, int kind) {
        long pa = translate(va, kind);
        PhysicalMap map = physical;
        int r = map.find(pa);
        if (r < 0 || !map.allows(r, kind)) {
            stage2Fault(va, pa, kind, r < 0 ? 0x07 : 0x0F);
        }
        int slot = kind * TLB_SIZE + ((int) (va >>> 12) & TLB_MASK);
        tlbTag[slot] = va >>> 12;
        tlbHost[slot] = map.host(r);
        tlbOffset[slot] = (pa & ~0xFFFL) - map.start(r);
        tlbPhysicalPage[slot] = pa >>> 12;
        tlbCodeSet[slot] = kind == WRITE ? codeSetOf(pa >>> 12) : -1;
        tlbDevice[slot] = translatedToDevice();
        if (watchFirst.length != 0 && kind != EXECUTE) {
            checkWatchpoints(va, kind, slot);
        }
        return slot;
    }

    /**
     * Keeps a page with a watchpoint out of the TLB (so its every access comes back here) and stops before
     * an access that may touch watched bytes. The access size is not known here: an access is taken to
     * cover the 8 bytes from its address, so a store next to a watched range can stop too (gdb ignores a
     * write watchpoint whose value did not change).
     */
    private void checkWatchpoints(long va, int kind, int slot) {
        long page = va >>> 12;
        int want = kind == WRITE ? 2 : 1;
        for (int w = 0; w < watchFirst.length; w++) {
            long first = watchFirst[w];
            long last = watchLast[w];
            if (Long.compareUnsigned(page, first >>> 12) < 0 || Long.compareUnsigned(page, last >>> 12) > 0) {
                continue;
            }
            tlbTag[slot] = -1; // not cached: the next access to the page is checked again
            boolean overlaps = Long.compareUnsigned(va, last) <= 0 && Long.compareUnsigned(va + 7, first) >= 0;
            if (!watchSuppressed && overlaps && (watchKinds[w] & want) != 0) {
                watchHitAddress = Long.compareUnsigned(va, first) < 0 ? first : va;
                watchHitWrite = kind == WRITE;
                pc = insnPc;
                stopReason = STOP_DEBUG;
                throw STOP;
            }
        }
    }

    /**
     * Adds or removes a watchpoint on {@code [first, last]}.
     *
     * @param first the first byte
     * @param last the last byte
     * @param kinds bit 0 reads, bit 1 writes
     * @param insert whether to add (else remove the one with these bounds and kinds)
     */
    public final void setWatchpoint(long first, long last, int kinds, boolean insert) {
        int n = watchFirst.length;
        for (int w = 0; w < n; w++) {
            if (watchFirst[w] == first && watchLast[w] == last && watchKinds[w] == kinds) {
                if (!insert) {
                    watchFirst = removeAt(watchFirst, w);
                    watchLast = removeAt(watchLast, w);
                    int[] k = new int[n - 1];
                    System.arraycopy(watchKinds, 0, k, 0, w);
                    System.arraycopy(watchKinds, w + 1, k, w, n - 1 - w);
                    watchKinds = k;
                    flushTlb();
                }
                return;
            }
        }
        if (insert) {
            watchFirst = Arrays.copyOf(watchFirst, n + 1);
            watchLast = Arrays.copyOf(watchLast, n + 1);
            watchKinds = Arrays.copyOf(watchKinds, n + 1);
            watchFirst[n] = first;
            watchLast[n] = last;
            watchKinds[n] = kinds;
            flushTlb(); // entries cached before must be filled (and checked) again
        }
    }

    private static long[] removeAt(long[] a, int i) {
        long[] r = new long[a.length - 1];
        System.arraycopy(a, 0, r, 0, i);
        System.arraycopy(a, i + 1, r, i, a.length - 1 - i);
        return r;
    }

    /**
     * A guest-physical access with no memory behind it: an instruction abort or data abort to EL2 with
     * the syndrome hardware would give (Arm ARM D24.2.40, ISS for EC 0x20 and 0x24).
     */
    private void stage2Fault(long va, long pa, int kind, int faultStatus) {
        if (kind == EXECUTE) {
            trapIpa = pa;
            trapToEl2(0x20, faultStatus, insnPc);
        }
        trapIpa = pa;
        trapVa = va;
        trapWrite = kind == WRITE;
        int iss = dataAbortSyndrome(currentInstruction()) | (kind == WRITE ? 1 << 6 : 0) | faultStatus;
        trapToEl2(0x24, iss, insnPc);
    }

    /**
     * {@return ISV, SAS, SSE, SRT, SF and AR of a data abort on this instruction (0 when the instruction
     * is not a single general-purpose register load or store without writeback)}
     *
     * @param instruction the instruction
     */
    protected abstract int dataAbortSyndrome(int instruction);

    // ------------------------------------------------------------------ memory access

    /** {@return the word of the instruction at {@link #insnPc}, or 0 if it is not in the page being run} */
    private int currentInstruction() {
        return (insnPc >>> 12) == fetchPage ? fetchWords[(int) (insnPc >>> 2) & 1023] : 0;
    }

    /**
     * Makes the code page holding {@code va} the one {@link #fetchWords} and {@link #fetchInstructions}
     * describe, copying it from guest memory if needed; a misaligned PC takes
     * the PC alignment fault, a page without executable memory its abort.
     *
     * @param va the PC
     */
    protected final void selectCodePage(long va) {
        fetchPage = -1;
        if ((va & 3) != 0) {
            sys[FAR] = va;
            syncException(0x22, 0);
        }
        long page = va >>> 12;
        int set = (int) page & (CODE_SETS - 1);
        if (codeTag[set] != page) {
            copyCode(va, set);
        } else if (codeStamp[set] != currentCodeStamp) {
            revalidateCode(va, set);
        }
        fetchWords = codeWords[set];
        fetchInstructions = codeInstructions[set];
        fetchSet = set;
        fetchPage = page;
    }

    /** Copies a page of instructions and keeps stores to it on the path that drops the copy. */
    private void copyCode(long va, int set) {
        int slot = fill(va, EXECUTE);
        long physicalPage = tlbPhysicalPage[slot];
        int alias = codeSetOf(physicalPage);
        if (alias >= 0 && alias != set) {
            codeTag[alias] = -1;
            codePhysicalPage[alias] = -1;
        }
        int[] words = codeWords[set];
        if (words == null) {
            words = new int[1024];
            codeWords[set] = words;
            codeWordBytes[set] = MemorySegment.ofArray(words);
            codeInstructions[set] = new Instruction[1024];
            codeBlockCover[set] = new long[1024 / 64];
        }
        MemorySegment.copy(tlbHost[slot], LE32, tlbOffset[slot], words, 0, 1024);
        Arrays.fill(codeInstructions[set], null);
        Arrays.fill(codeBlockCover[set], 0);
        codeDecodedLow[set] = 1024;
        codeDecodedHigh[set] = -1;
        codeTag[set] = va >>> 12;
        codePhysicalPage[set] = physicalPage;
        codeStamp[set] = currentCodeStamp;
        for (int i = WRITE * TLB_SIZE; i < (WRITE + 1) * TLB_SIZE; i++) {
            if (tlbPhysicalPage[i] == physicalPage) {
                tlbCodeSet[i] = set; // stores to the page patch this copy
            } else if (tlbCodeSet[i] == set) {
                tlbCodeSet[i] = -1; // the set now holds another page
            }
        }
    }

    /**
     * Brings a stale code copy up to date: translated again, and the words from which something was
     * decoded compared with guest memory (one vectorized mismatch when nothing changed); only the words
     * that changed are copied and decoded afresh. Words never decoded are read again when they are
     * ({@link #freshWord}), so they need no check here: a guest that exits often (MMIO) pays for the
     * few words it runs, not for the page.
     */
    private void revalidateCode(long va, int set) {
        int slot = slot(va, EXECUTE);
        if (tlbPhysicalPage[slot] != codePhysicalPage[set]) {
            copyCode(va, set);
            return;
        }
        codeStamp[set] = currentCodeStamp;
        int low = codeDecodedLow[set];
        int high = codeDecodedHigh[set];
        if (low > high) {
            return;
        }
        MemorySegment host = tlbHost[slot];
        long base = tlbOffset[slot];
        long first = MemorySegment.mismatch(host, base + 4L * low, base + 4L * (high + 1), codeWordBytes[set],
                4L * low, 4L * (high + 1));
        if (first >= 0) {
            int[] words = codeWords[set];
            Instruction[] decoded = codeInstructions[set];
            for (int w = low + ((int) first >>> 2); w <= high; w++) {
                int now = host.get(LE32, base + 4L * w);
                if (now != words[w]) {
                    words[w] = now;
                    forget(set, decoded, w);
                }
            }
        }
    }

    /**
     * {@return word {@code i} of the current code page as guest memory holds it now}, kept in the copy,
     * which is then checked at each revalidation; called when the word is decoded.
     *
     * @param i the word's index in the page
     */
    final int freshWord(int i) {
        int slot = slot((fetchPage << 12) + 4L * i, EXECUTE);
        int word = tlbHost[slot].get(LE32, tlbOffset[slot] + 4L * i);
        fetchWords[i] = word;
        if (i < codeDecodedLow[fetchSet]) {
            codeDecodedLow[fetchSet] = i;
        }
        if (i > codeDecodedHigh[fetchSet]) {
            codeDecodedHigh[fetchSet] = i;
        }
        return word;
    }

    private int slot(long va, int kind) {
        int slot = kind * TLB_SIZE + ((int) (va >>> 12) & TLB_MASK);
        return tlbTag[slot] == va >>> 12 ? slot : fill(va, kind);
    }

    /**
     * Takes a stage-1 abort at EL1: instruction abort (EC 0x20/0x21) or data abort (EC 0x24/0x25) with
     * FAR_EL1 = the virtual address.
     *
     * @param va the faulting virtual address
     * @param kind READ, WRITE or EXECUTE
     * @param faultStatus the IFSC/DFSC
     */
    protected final void abort(long va, int kind, int faultStatus) {
        sys[FAR] = va;
        int lower = el() == 0 ? 0 : 1;
        if (kind == EXECUTE) {
            throw syncException(0x20 + lower, faultStatus);
        }
        throw syncException(0x24 + lower, (kind == WRITE ? 1 << 6 : 0) | faultStatus);
    }

    /**
     * The alignment check of an access that is not aligned to its size (Arm ARM B2, "Alignment of data
     * accesses"): with SCTLR_EL1.A set, an alignment fault (DFSC 0x21) that comes before any
     * translation fault; otherwise the access faults only if it is to Device memory, which translation
     * decides, so a translation fault comes first there (AArch64.CheckAlignment, then the memory type
     * check after the stage-1 walk).
     */
    private void misaligned(long va, int kind) {
        if ((sys[SCTLR] & 2) != 0 || isDevice(va, kind)) {
            abort(va, kind, 0x21);
        }
    }

    /**
     * {@return whether a data access to {@code va} is to Device memory}, from the TLB or, on a miss, from a
     * stage-1 translation (which takes its fault; a stage-2 fault is not checked here, as the alignment
     * fault of a stage-1 Device mapping comes before it).
     *
     * @param va the address
     * @param kind READ or WRITE
     */
    protected final boolean isDevice(long va, int kind) {
        int slot = kind * TLB_SIZE + ((int) (va >>> 12) & TLB_MASK);
        if (tlbTag[slot] == va >>> 12) {
            return tlbDevice[slot];
        }
        translate(va, kind);
        return translatedToDevice();
    }

    /**
     * Checks a SIMD&amp;FP Q access, which SCTLR_EL1.A requires to be 16-byte aligned.
     *
     * @param va the address
     * @param write whether it is a store
     */
    protected final void checkQuadAlignment(long va, boolean write) {
        if ((va & 15) != 0) {
            misaligned(va, write ? WRITE : READ);
        }
    }

    /** {@return the byte at a virtual address, zero-extended} @param va the address */
    protected final long read8(long va) {
        int slot = slot(va, READ);
        return tlbHost[slot].get(LE8, tlbOffset[slot] + (va & 0xFFF)) & 0xFFL;
    }

    /** {@return the 16-bit value at a virtual address, zero-extended} @param va the address */
    protected final long read16(long va) {
        if ((va & 1) != 0) {
            misaligned(va, READ);
        }
        if ((va & 0xFFF) > 0xFFE) {
            return crossingRead(va, 2);
        }
        int slot = slot(va, READ);
        return tlbHost[slot].get(LE16, tlbOffset[slot] + (va & 0xFFF)) & 0xFFFFL;
    }

    /** {@return the 32-bit value at a virtual address, zero-extended} @param va the address */
    protected final long read32(long va) {
        if ((va & 3) != 0) {
            misaligned(va, READ);
        }
        if ((va & 0xFFF) > 0xFFC) {
            return crossingRead(va, 4);
        }
        int slot = slot(va, READ);
        return tlbHost[slot].get(LE32, tlbOffset[slot] + (va & 0xFFF)) & 0xFFFF_FFFFL;
    }

    /** {@return the 64-bit value at a virtual address} @param va the address */
    protected final long read64(long va) {
        if ((va & 7) != 0) {
            misaligned(va, READ);
        }
        if ((va & 0xFFF) > 0xFF8) {
            return crossingRead(va, 8);
        }
        int slot = slot(va, READ);
        return tlbHost[slot].get(LE64, tlbOffset[slot] + (va & 0xFFF));
    }

    /**
     * {@return a value of {@code 1 << log2} bytes, zero-extended}
     *
     * @param va the address
     * @param log2 0-3
     */
    protected final long read(long va, int log2) {
        return switch (log2) {
            case 0 -> read8(va);
            case 1 -> read16(va);
            case 2 -> read32(va);
            default -> read64(va);
        };
    }

    /** @param va the address @param value the byte to write (low 8 bits) */
    protected final void write8(long va, long value) {
        int slot = slot(va, WRITE);
        tlbHost[slot].set(LE8, tlbOffset[slot] + (va & 0xFFF), (byte) value);
        if (tlbCodeSet[slot] >= 0) {
            patchCode(slot, va, 1);
        }
    }

    /** @param va the address @param value the value to write (low 16 bits) */
    protected final void write16(long va, long value) {
        if ((va & 1) != 0) {
            misaligned(va, WRITE);
        }
        if ((va & 0xFFF) > 0xFFE) {
            crossingWrite(va, 2, value);
            return;
        }
        int slot = slot(va, WRITE);
        tlbHost[slot].set(LE16, tlbOffset[slot] + (va & 0xFFF), (short) value);
        if (tlbCodeSet[slot] >= 0) {
            patchCode(slot, va, 2);
        }
    }

    /** @param va the address @param value the value to write (low 32 bits) */
    protected final void write32(long va, long value) {
        if ((va & 3) != 0) {
            misaligned(va, WRITE);
        }
        if ((va & 0xFFF) > 0xFFC) {
            crossingWrite(va, 4, value);
            return;
        }
        int slot = slot(va, WRITE);
        tlbHost[slot].set(LE32, tlbOffset[slot] + (va & 0xFFF), (int) value);
        if (tlbCodeSet[slot] >= 0) {
            patchCode(slot, va, 4);
        }
    }

    /** @param va the address @param value the value to write */
    protected final void write64(long va, long value) {
        if ((va & 7) != 0) {
            misaligned(va, WRITE);
        }
        if ((va & 0xFFF) > 0xFF8) {
            crossingWrite(va, 8, value);
            return;
        }
        int slot = slot(va, WRITE);
        tlbHost[slot].set(LE64, tlbOffset[slot] + (va & 0xFFF), value);
        if (tlbCodeSet[slot] >= 0) {
            patchCode(slot, va, 8);
        }
    }

    /**
     * Writes {@code 1 << log2} bytes.
     *
     * @param va the address
     * @param log2 0-3
     * @param value the value (low bits)
     */
    protected final void write(long va, int log2, long value) {
        switch (log2) {
            case 0 -> write8(va, value);
            case 1 -> write16(va, value);
            case 2 -> write32(va, value);
            default -> write64(va, value);
        }
    }

    /** Whether the last {@link #readPhysical64} found no readable memory (it then returned 0). */
    protected boolean physicalMissing;

    /**
     * {@return the little-endian 64-bit value at a guest-physical address (a table walk's read), or 0
     * with {@link #physicalMissing} set when no readable region holds it}
     *
     * @param pa an 8-byte aligned guest-physical address
     */
    protected final long readPhysical64(long pa) {
        PhysicalMap map = physical;
        int r = map.find(pa);
        physicalMissing = r < 0 || !map.allows(r, READ);
        return physicalMissing ? 0 : map.host(r).get(LE64, pa - map.start(r));
    }

    /**
     * Atomically replaces a naturally aligned value if it equals {@code expected}, as other vCPU threads
     * see it (the way QEMU implements exclusives and LSE atomics: a host compare-and-exchange). Byte and
     * halfword values are exchanged within their aligned 32-bit word. Heap-backed guest memory, which
     * is not shared with other threads this way, is updated with plain accesses.
     *
     * @param va the address, aligned to the size
     * @param log2 0-3
     * @param expected the value the memory must hold (low bits)
     * @param value the new value (low bits)
     * @return the value the memory held (zero-extended); the exchange happened iff it equals {@code expected}
     */
    protected final long compareAndExchange(long va, int log2, long expected, long value) {
        int slot = slot(va, WRITE);
        slot(va, READ);
        MemorySegment host = tlbHost[slot];
        long offset = tlbOffset[slot] + (va & 0xFFF);
        long mask = log2 == 3 ? -1L : (1L << (8 << log2)) - 1;
        expected &= mask;
        synchronized (atomicLock(va)) {
            if (!host.isNative()) {
                long old = read(va, log2);
                if (old == expected) {
                    write(va, log2, value);
                }
                return old;
            }
            long old = exchange(host, offset, log2, mask, expected, value);
            if (old == expected && tlbCodeSet[slot] >= 0) {
                patchCode(slot, va, 1 << log2);
            }
            return old;
        }
    }

    /**
     * {@return the lock every atomic update of the 16 bytes holding {@code va} takes}: a guest's 128-bit
     * atomics (CASP, STXP) are a check and two stores under it, so they are atomic against each other
     * and against every single-register atomic, on any vCPU. Plain stores do not take it. Stripes are
     * chosen by physical address, so aliases share one.
     *
     * @param va a writable virtual address
     */
    protected final Object atomicLock(long va) {
        long pa = tlbPhysicalPage[slot(va, WRITE)] << 12 | (va & 0xFFF);
        return ATOMIC_STRIPES[(int) (pa >>> 4) & (ATOMIC_STRIPES.length - 1)];
    }

    private static long exchange(MemorySegment host, long offset, int log2, long mask, long expected, long value) {
        if (log2 == 3) {
            return (long) ATOMIC64.compareAndExchange(host, offset, expected, value);
        }
        if (log2 == 2) {
            return (int) ATOMIC32.compareAndExchange(host, offset, (int) expected, (int) value) & 0xFFFF_FFFFL;
        }
        long wordOffset = offset & ~3L;
        int shift = (int) (offset & 3) * 8;
        int fieldMask = (int) mask << shift;
        while (true) {
            int word = (int) ATOMIC32.getVolatile(host, wordOffset);
            long old = (word & fieldMask) >>> shift;
            if (old != expected) {
                return old;
            }
            int next = (word & ~fieldMask) | ((int) value << shift & fieldMask);
            if ((int) ATOMIC32.compareAndExchange(host, wordOffset, word, next) == word) {
                return old;
            }
        }
    }

    // ------------------------------------------------------------------ accesses that cross a page

    // A single-register access split between RAM and guest-physical space with nothing behind it (an
    // MMIO part): the state between the exits of its pieces. See crossingRead.
    private boolean splitActive;
    private boolean splitPieceInFlight;
    private boolean splitWrite;
    private long splitVa;
    /** The guest-physical address of splitVa and of the second page's first byte. */
    private long splitPa0;
    private long splitPa1;
    private int splitBytes;
    private int splitDone;
    private int splitPiece;
    /** A load: the bytes gathered so far; a store: the value stored. */
    private long splitValue;
    /** The data abort ISS of the instruction (ISV, SAS, SSE, SRT, SF, AR). */
    private int splitSyndrome;
    private long splitReturn;

    /**
     * {@return a value of {@code bytes} bytes at {@code va} that crosses a page boundary}
     *
     * <p>The access is split into its two page parts, as hardware and QEMU split an unaligned access
     * to Normal memory (Arm ARM B2.2.1 "Alignment of data accesses" and B2.2.2 "Single-copy atomicity":
     * an unaligned access is single-copy atomic only per byte, and each part is an access of its own;
     * QEMU accel/tcg/cputlb.c mmu_lookup): both pages are translated first (a stage-1 fault of the
     * first page, then of the second, FAR = the part's first byte), then each part goes where its page
     * goes. When both are RAM that is RAM; when a part has nothing behind it, see {@link #split}.
     */
    private long crossingRead(long va, int bytes) {
        long next = (va | 0xFFF) + 1;
        boolean first = present(va, READ);
        boolean second = present(next, READ);
        if (!first || !second) {
            split(va, next, bytes, false, 0, first);
        }
        long value = 0;
        for (int i = 0; i < bytes; i++) {
            value |= read8(va + i) << (8 * i);
        }
        return value;
    }

    /** Stores {@code bytes} bytes at {@code va} across a page boundary, as {@link #crossingRead} loads them. */
    private void crossingWrite(long va, int bytes, long value) {
        long next = (va | 0xFFF) + 1;
        boolean first = present(va, WRITE);
        boolean second = present(next, WRITE);
        if (!first || !second) {
            split(va, next, bytes, true, value, first);
        }
        for (int i = 0; i < bytes; i++) {
            write8(va + i, value >>> (8 * i));
        }
    }

    /**
     * {@return whether the page of {@code va} is memory the access may use}, taking a stage-1 fault;
     * false when the guest-physical address has no region (or one without the permission).
     */
    private boolean present(long va, int kind) {
        int slot = kind * TLB_SIZE + ((int) (va >>> 12) & TLB_MASK);
        if (tlbTag[slot] == va >>> 12) {
            return true;
        }
        PhysicalMap map = physical;
        int r = map.find(translate(va, kind));
        if (r < 0 || !map.allows(r, kind)) {
            return false;
        }
        fill(va, kind);
        return true;
    }

    /**
     * A page-crossing access with a part that has no memory behind it. QEMU does the RAM part against RAM
     * and sends the rest to the bus in naturally aligned pieces (do_ld_mmio_beN / do_st_mmio_leN: piece
     * size = lowest set bit of remaining | address | 8), low address first; a store's RAM part is written
     * even when the bus then aborts (checked against qemu-system-aarch64, see PageCrossingMmioTest).
     * Here the bus is the VMM:
     * <ul>
     * <li>an instruction with a valid syndrome (a single general-purpose register, no writeback) does
     *     exactly that: RAM parts against RAM, and one MMIO exit per piece, at the piece's address with
     *     its width; a load's register is written once, from the gathered bytes, when its last piece is
     *     completed. The PC is past the instruction from the first exit on, as for every MMIO exit.</li>
     * <li>any other instruction (pairs, SIMD&amp;FP, writeback) cannot be emulated by a VMM from the
     *     syndrome (ISV = 0): a {@code NestedPageFault} at the first byte outside memory, nothing done.</li>
     * </ul>
     */
    private void split(long va, long next, int bytes, boolean write, long value, boolean firstPresent) {
        int kind = write ? WRITE : READ;
        int syndrome = dataAbortSyndrome(currentInstruction());
        if ((syndrome & 1 << 24) == 0) {
            long at = firstPresent ? next : va;
            long pa = translate(at, kind);
            int r = physical.find(pa);
            stage2Fault(at, pa, kind, r < 0 ? 0x07 : 0x0F);
        }
        splitPa0 = translate(va, kind);
        splitPa1 = translate(next, kind);
        splitActive = true;
        splitPieceInFlight = false;
        splitWrite = write;
        splitVa = va;
        splitBytes = bytes;
        splitDone = 0;
        splitValue = write ? value : 0;
        splitSyndrome = syndrome;
        splitReturn = insnPc + 4;
        continueSplit();
    }

    /**
     * Carries a split access on (at its start and at each {@code run()} while it is unfinished): RAM
     * parts are done, the next MMIO piece traps; when nothing is left, a load writes its register.
     */
    protected final void continueSplit() {
        if (splitPieceInFlight) { // a store's piece went out with its exit
            splitPieceInFlight = false;
            splitDone += splitPiece;
        }
        int kind = splitWrite ? WRITE : READ;
        int firstPart = (int) (((splitVa | 0xFFF) + 1) - splitVa);
        while (splitDone < splitBytes) {
            boolean firstPage = splitDone < firstPart;
            long va = splitVa + splitDone;
            long pa = firstPage ? splitPa0 + splitDone : splitPa1 + (splitDone - firstPart);
            int partEnd = firstPage ? firstPart : splitBytes;
            PhysicalMap map = physical;
            int r = map.find(pa);
            if (r >= 0 && map.allows(r, kind)) {
                for (; splitDone < partEnd; splitDone++) {
                    long at = splitVa + splitDone;
                    if (splitWrite) {
                        write8(at, splitValue >>> (8 * splitDone));
                    } else {
                        splitValue |= read8(at) << (8 * splitDone);
                    }
                }
                continue;
            }
            splitPiece = Integer.lowestOneBit((partEnd - splitDone) | (int) va | 8);
            splitPieceInFlight = true;
            trapIpa = pa;
            trapVa = va;
            trapWrite = splitWrite;
            int iss = splitSyndrome & ~(3 << 22 | 1 << 21) | Integer.numberOfTrailingZeros(splitPiece) << 22
                    | (splitWrite ? 1 << 6 : 0) | (r < 0 ? 0x07 : 0x0F);
            trapToEl2(0x24, iss, splitReturn);
        }
        splitActive = false;
        if (!splitWrite) {
            finishSplitLoad();
        }
    }

    /** Writes a split load's register as the instruction would (SSE sign-extends, SF = 0 is a W register). */
    private void finishSplitLoad() {
        int rt = (splitSyndrome >>> 16) & 0x1F;
        long value = splitValue;
        int shift = 64 - 8 * splitBytes;
        if ((splitSyndrome & 1 << 21) != 0) {
            value = (value << shift) >> shift;
        }
        if ((splitSyndrome & 1 << 15) == 0) {
            value &= 0xFFFF_FFFFL;
        }
        if (rt != 31) {
            x[rt] = value;
        }
    }

    /** {@return whether the last trap is a piece of a split access (its PC is already past the instruction)} */
    public final boolean splitPieceInFlight() {
        return splitActive && splitPieceInFlight;
    }

    /** {@return whether a split access is unfinished: {@code run()} carries it on first} */
    protected final boolean splitActive() {
        return splitActive;
    }

    /** {@return the data of the store piece in flight, zero-extended} */
    public final long splitPieceData() {
        long data = splitValue >>> (8 * splitDone);
        return splitPiece == 8 ? data : data & ((1L << (8 * splitPiece)) - 1);
    }

    /**
     * Completes the load piece in flight with a device's value (only its low piece-width bytes count);
     * after the last piece the register is written at once.
     *
     * @param value the device's value
     */
    public final void completeSplitRead(long value) {
        long piece = splitPiece == 8 ? value : value & ((1L << (8 * splitPiece)) - 1);
        splitValue |= piece << (8 * splitDone);
        splitDone += splitPiece;
        splitPieceInFlight = false;
        if (splitDone == splitBytes) {
            splitActive = false;
            finishSplitLoad();
        }
    }

    /** Forgets an unfinished split access (the state is replaced, or its piece took an external abort). */
    protected final void cancelSplit() {
        splitActive = false;
        splitPieceInFlight = false;
    }

    /**
     * Checks that {@code [va, va + size)} is readable (and writable if asked) before a multi-part
     * access, so that a fault in a later part leaves registers and memory unchanged.
     *
     * @param va the address
     * @param size the number of bytes
     * @param write whether the access writes
     */
    protected final void probe(long va, int size, boolean write) {
        int kind = write ? WRITE : READ;
        slot(va, kind);
        long last = va + size - 1;
        if (((last ^ va) & ~0xFFFL) != 0) {
            // The second page is checked at its first byte, so that a fault there names the first byte of
            // the access that faulted: FAR_ELx and the IPA hold the lowest faulting address (Arm ARM D24,
            // FAR_EL1: "the faulting Virtual Address"; a multi-access or page-crossing access faults as
            // the part in the faulting page, as QEMU's mmu_lookup faults on page[1].addr, the page start).
            slot(last & ~0xFFFL, kind);
        }
    }
}
