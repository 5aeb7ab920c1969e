package org.vcpu4j.backend.emulated.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The A64 interpreter: the run loop with its decoded instructions and blocks, and the decoders of the
 * data-processing, branch and SIMD&amp;FP move groups (Arm ARM C4.1, "A64 instruction set encoding").
 * Loads and stores live in {@link LoadStoreUnit}, system instructions in {@link SystemUnit}, memory
 * access, registers and exception entry in {@link CpuCore}.
 */
public final class Cpu extends LoadStoreUnit {
    /** {@link #run()} result: stopped by {@link #requestExit()} or the instruction limit. */
    public static final int EXIT_INTERRUPTED = 0;
    /** {@link #run()} result: a trap to EL2, described by {@link #trapEsr} and {@link #trapIpa}. */
    public static final int EXIT_TRAP = 1;
    /** {@link #run()} result: PSTATE names a mode this CPU cannot run (EL2, EL3 or AArch32). */
    public static final int EXIT_BAD_MODE = 2;
    /** {@link #run()} result: a debug stop, described by {@link #debugReason}. */
    public static final int EXIT_DEBUG = 3;

    /** {@link #debugReason}: one instruction ran with single-step on. */
    public static final int DEBUG_STEP = 0;
    /** {@link #debugReason}: the PC reached a breakpoint. */
    public static final int DEBUG_BREAKPOINT = 1;
    /** {@link #debugReason}: an access hit a watchpoint ({@link #watchHitAddress}). */
    public static final int DEBUG_WATCHPOINT = 2;

    /** Instructions run between checks of exit requests, interrupts and the memory map. */
    private static final int BLOCK = 4096;

    private volatile boolean exitRequested;
    /** Instructions run so far ({@link Block}s count theirs as they go). */
    long retired;
    private long instructionLimit = Long.MAX_VALUE;

    // ---- pending external abort (completeMmioWithExternalAbort)
    private boolean externalAbortPending;
    private long externalAbortVa;
    private boolean externalAbortWrite;

    // ---- debugging (issue 14): the run loop checks debugLoop once per BLOCK, never per instruction
    private long[] breakpoints = {};
    private boolean singleStep;
    /** Whether the one-instruction-at-a-time loop with breakpoint checks runs instead of the fast one. */
    private boolean debugLoop;
    /** Whether the next run's first instruction is the one that hit a watchpoint (it runs unwatched). */
    private boolean resumeOverWatch;
    /** Why the last {@link #EXIT_DEBUG} happened: {@link #DEBUG_STEP}, {@link #DEBUG_BREAKPOINT}, ... */
    public int debugReason;

    // ---- block compile budget (mayCompileBlock)
    private static final int BLOCK_BURST = Math.max(0, Integer.getInteger("vcpu4j.emulated.blockBurst", 64));
    private static final int BLOCK_REFILL_SHIFT = 22;
    private int blockBudget = BLOCK_BURST;
    private long blockBudgetClock;

    // ---- instruction-cache maintenance shared by the VM's CPUs
    private final AtomicLong codeGeneration;
    private long seenCodeGeneration;

    /**
     * @param physicalSource the VM's current guest-physical map
     * @param counterEpoch the {@link System#nanoTime()} at which the physical count was 0
     * @param codeGeneration the VM's count of IC invalidations, shared by its CPUs
     */
    public Cpu(Supplier<PhysicalMap> physicalSource, long counterEpoch, AtomicLong codeGeneration) {
        super(physicalSource, counterEpoch);
        this.codeGeneration = codeGeneration;
        this.seenCodeGeneration = codeGeneration.get();
    }

    // ------------------------------------------------------------------ control from the glue

    /** Makes {@link #run()} return {@link #EXIT_INTERRUPTED} at the next block boundary; any thread. */
    public void requestExit() {
        exitRequested = true;
        wakeUp();
    }

    @Override
    protected boolean exitPending() {
        return exitRequested;
    }

    /** {@return the number of instructions executed so far} */
    public long retired() {
        return retired;
    }

    @Override
    protected long retiredInstructions() {
        return retired;
    }

    /** @param limit the retired count at which {@link #run()} returns {@link #EXIT_INTERRUPTED} */
    public void setInstructionLimit(long limit) {
        instructionLimit = limit;
    }

    /**
     * Arranges a synchronous external abort for the access that just trapped to EL2 as MMIO: the PC
     * goes back to the access and the abort is taken at the next {@link #run()}.
     */
    public void externalAbortOnLastAccess() {
        cancelSplit(); // a piece of a split access: the rest is not done (QEMU stops at the failing piece)
        pc -= 4;
        externalAbortPending = true;
        externalAbortVa = trapVa;
        externalAbortWrite = trapWrite;
    }

    /** Forgets an external abort arranged for the next run (the state is being replaced). */
    public void cancelPendingAbort() {
        externalAbortPending = false;
        cancelSplit();
    }

    /** @param enabled whether each {@link #run()} runs one instruction and returns {@link #EXIT_DEBUG} */
    public void setSingleStep(boolean enabled) {
        singleStep = enabled;
        debugLoop = singleStep || breakpoints.length != 0;
    }

    /**
     * Adds or removes a breakpoint (any number; kept sorted for a binary search per instruction while any
     * is set).
     *
     * @param address the virtual address
     * @param insert whether to add it (else remove it)
     */
    public void setBreakpoint(long address, boolean insert) {
        int at = java.util.Arrays.binarySearch(breakpoints, address);
        if (insert && at < 0) {
            int i = -at - 1;
            long[] b = new long[breakpoints.length + 1];
            System.arraycopy(breakpoints, 0, b, 0, i);
            b[i] = address;
            System.arraycopy(breakpoints, i, b, i + 1, breakpoints.length - i);
            breakpoints = b;
        } else if (!insert && at >= 0) {
            long[] b = new long[breakpoints.length - 1];
            System.arraycopy(breakpoints, 0, b, 0, at);
            System.arraycopy(breakpoints, at + 1, b, at, b.length - at);
            breakpoints = b;
        }
        debugLoop = singleStep || breakpoints.length != 0;
    }

    /** {@return the AArch64 SPSR-format PSTATE.M, for messages} */
    public int mode() {
        return mode;
    }

    /**
     * Runs until a trap to EL2, an exit request or the instruction limit.
     *
     * @return {@link #EXIT_INTERRUPTED}, {@link #EXIT_TRAP} or {@link #EXIT_BAD_MODE}
     */
    public int run() {
        if (!modeIsValid()) {
            return EXIT_BAD_MODE;
        }
        if (externalAbortPending) {
            externalAbortPending = false;
            int lower = el() == 0 ? 0x24 : 0x25;
            sys[FAR] = externalAbortVa;
            enterException((long) lower << 26 | IL | (externalAbortWrite ? 1 << 6 : 0) | 0x10, pc, 0);
        }
        if (splitActive()) { // the next piece of a split access, before any instruction
            try {
                continueSplit();
            } catch (Stop stop) {
                if (stopReason == STOP_TRAP) {
                    return EXIT_TRAP;
                }
            }
        }
        staleCode(); // the host may have written guest code since the last run
        if (debugLoop || resumeOverWatch) {
            return runDebugging(); // (set only between runs, so the fast loop below never checks)
        }
        while (true) {
            if (!readyForBlock()) {
                return EXIT_INTERRUPTED;
            }
            try {
                runBlock();
            } catch (Stop stop) {
                if (stopReason == STOP_TRAP) {
                    return EXIT_TRAP;
                }
                if (stopReason == STOP_DEBUG) {
                    return debugStop();
                }
            }
        }
    }

    /**
     * What both run loops do before each block: honour an exit request and the instruction limit, pick up
     * a new memory map and invalidated code, take a pending illegal-state exception (Arm ARM D1.4: EC 0x0E
     * at the next instruction), update the timer and interrupts, and set the block's budget.
     *
     * @return false when run() must return {@link #EXIT_INTERRUPTED}
     */
    private boolean readyForBlock() {
        if (exitRequested) {
            exitRequested = false;
            return false;
        }
        long remaining = instructionLimit - retired;
        if (remaining <= 0) {
            return false;
        }
        refreshPhysical();
        long generation = codeGeneration.get();
        if (generation != seenCodeGeneration) {
            seenCodeGeneration = generation;
            staleCode();
        }
        if ((pstateOther & PSTATE_IL) != 0) {
            insnPc = pc;
            enterException(0x0EL << 26 | IL, pc, 0);
        }
        updateTimer();
        pollInterrupts();
        budget = (int) Math.min(remaining, BLOCK);
        return true;
    }

    /** {@link #run()} while breakpoints or single-step are set, or a watched access is being resumed. */
    private int runDebugging() {
        boolean firstOfRun = true;
        while (true) {
            if (!readyForBlock()) {
                return EXIT_INTERRUPTED;
            }
            try {
                if (!debugLoop && !resumeOverWatch) {
                    runBlock(); // only watchpoints, and the watched access is resumed: on at full speed
                } else if (runDebugBlock(firstOfRun)) {
                    return EXIT_DEBUG;
                }
            } catch (Stop stop) {
                watchSuppressed = false; // (the resumed access of a watchpoint hit may have trapped)
                if (stopReason == STOP_TRAP) {
                    return EXIT_TRAP;
                }
                if (stopReason == STOP_DEBUG || singleStep) {
                    return debugStop();
                }
            }
            firstOfRun = false;
        }
    }


    /** {@return {@link #EXIT_DEBUG} for a watchpoint hit, or for a step that took an exception (it ends at the vector)} */
    private int debugStop() {
        watchSuppressed = false;
        if (stopReason == STOP_DEBUG) {
            resumeOverWatch = true;
            debugReason = DEBUG_WATCHPOINT;
        } else {
            debugReason = DEBUG_STEP;
        }
        return EXIT_DEBUG;
    }

    /**
     * The debugging loop: instructions one at a time, never as blocks, each checked against the
     * breakpoints before it runs (except the first of a run, so a debugger can continue from a
     * breakpoint), one only when single-stepping.
     *
     * @param first whether this is the first loop of a {@link #run()}
     * @return whether a debug stop ends the run ({@link #debugReason})
     */
    private boolean runDebugBlock(boolean first) {
        watchSuppressed = false;
        boolean check = !first;
        if (resumeOverWatch) {
            resumeOverWatch = false;
            watchSuppressed = true; // the access that stopped last time now goes ahead
            budget = 1;
        }
        while (--budget >= 0) {
            long at = pc;
            if (check && breakpoints.length != 0 && java.util.Arrays.binarySearch(breakpoints, at) >= 0) {
                debugReason = DEBUG_BREAKPOINT;
                return true;
            }
            check = true;
            insnPc = at;
            retired++;
            if ((at >>> 12) != fetchPage || (at & 3) != 0) {
                selectCodePage(at);
            }
            int i = (int) (at >>> 2) & 1023;
            Instruction instruction = fetchInstructions[i];
            if (instruction == null) {
                instruction = decodeAt(i, at);
            }
            Instruction single = instruction instanceof Candidate c ? c.single
                    : instruction instanceof Block b ? b.first : instruction;
            pc = at + 4;
            single.execute(this);
            watchSuppressed = false;
            if (singleStep) {
                debugReason = DEBUG_STEP;
                return true;
            }
        }
        return false;
    }

    /**
     * Runs up to {@link #budget} instructions, each decoded once per copy of its code page into an
     * {@link Instruction} and run with one virtual call.
     */
    private void runBlock() {
        while (--budget >= 0) {
            long at = pc;
            insnPc = at;
            retired++;
            if ((at >>> 12) != fetchPage || (at & 3) != 0) {
                selectCodePage(at);
            }
            int i = (int) (at >>> 2) & 1023;
            Instruction instruction = fetchInstructions[i];
            if (instruction == null) {
                instruction = decodeAt(i, at);
            }
            pc = at + 4;
            instruction.execute(this);
        }
    }

    /** Decodes the word in slot {@code i} of the current code page; one that may start a block is watched. */
    private Instruction decodeAt(int i, long at) {
        Instruction instruction = Decoder.decode(freshWord(i), at);
        Instruction slot = Decoder.compilable(instruction.operation) ? new Candidate(instruction, at) : instruction;
        fetchInstructions[i] = slot;
        return slot;
    }

    /**
     * An instruction that counts its runs and, once hot, has a {@link Block} compiled from it to the next
     * branch put in its place, and runs that block at once.
     */
    static final class Candidate extends Instruction {
        /**
         * Runs before a candidate is compiled into a block: 4,096, or the system property
         * {@code vcpu4j.emulated.blockThreshold} (at least 1; 1 compiles every run the first time it
         * runs, which the build uses to hold blocks to the differential test). A block pays for its
         * class only once the JIT has compiled it, after thousands of runs: only code that hot is worth
         * it (benchmarks/README.md, "Cold and warm code").
         */
        static final int THRESHOLD = Math.max(1, Integer.getInteger("vcpu4j.emulated.blockThreshold", 4096));

        final Instruction single;
        private final long address;
        private int countdown = THRESHOLD;

        Candidate(Instruction single, long address) {
            super(single.operation, single.word, single.operand);
            this.single = single;
            this.address = address;
        }

        @Override
        void execute(Cpu c) {
            if (--countdown == 0) {
                Instruction replacement = c.compileBlock(this, address);
                if (replacement != null) {
                    replacement.execute(c); // a block, like a candidate, starts counted
                    return;
                }
                countdown = THRESHOLD; // over the compile budget: ask again later
            }
            single.execute(c);
        }
    }

    /**
     * The compile budget: each block is a class the JVM must load and JIT-compile, and a block runs
     * slower than the instructions one by one until the JIT has compiled it, so a guest whose warm code
     * is large would otherwise flood the JIT (ColdCodeBenchmarks: 2,048 blocks made 30,000 passes over
     * 64 KiB of code three times slower). A vCPU may compile {@link #BLOCK_BURST} blocks at once (64, or
     * the system property {@code vcpu4j.emulated.blockBurst}) and one more per 2^{@value
     * #BLOCK_REFILL_SHIFT} instructions it retires.
     *
     * @return whether a block may be compiled now (and the budget is spent)
     */
    private boolean mayCompileBlock() {
        long earned = (retired - blockBudgetClock) >>> BLOCK_REFILL_SHIFT;
        if (earned > 0) {
            blockBudget = (int) Math.min(BLOCK_BURST, blockBudget + earned);
            blockBudgetClock += earned << BLOCK_REFILL_SHIFT;
        }
        if (blockBudget == 0) {
            return false;
        }
        blockBudget--;
        return true;
    }

    /**
     * Replaces a hot candidate in the current code page with the block that starts there (or with its
     * plain instruction when the run is shorter than two instructions).
     *
     * @return what now runs the candidate's instruction, or null when the compile budget is spent (the
     *     candidate stays)
     */
    private Instruction compileBlock(Candidate candidate, long address) {
        int start = (int) (address >>> 2) & 1023;
        if ((address >>> 12) != fetchPage || fetchInstructions[start] != candidate) {
            return candidate.single;
        }
        List<Instruction> parts = new ArrayList<>();
        boolean[] needsPc = new boolean[Block.MAX_LENGTH];
        boolean endsWithBranch = false;
        boolean loops = false;
        for (int j = start; j < 1024 && parts.size() < Block.MAX_LENGTH && !endsWithBranch; j++) {
            Instruction entry = fetchInstructions[j];
            if (entry == null) {
                entry = decodeAt(j, (address & ~0xFFFL) + 4L * j);
            }
            Instruction single = entry instanceof Candidate c ? c.single : entry instanceof Block b ? b.first : entry;
            int op = single.operation;
            if (!Decoder.compilable(op)) {
                break;
            }
            needsPc[parts.size()] = Decoder.accessesMemory(op);
            endsWithBranch = Decoder.isBranch(op);
            loops = endsWithBranch && Decoder.isDirectBranch(op) && single.operand == address;
            parts.add(single);
        }
        Instruction compiled = candidate.single;
        if (parts.size() >= 2) {
            if (!mayCompileBlock()) {
                return null;
            }
            try {
                compiled = Block.compile(parts, needsPc, address, endsWithBranch, loops);
                coverCode(start, parts.size());
            } catch (ReflectiveOperationException | LinkageError e) {
                // a JVM that cannot define the class: the instructions run one by one
            }
        }
        fetchInstructions[start] = compiled;
        return compiled;
    }

    // ------------------------------------------------------------------ handlers of decoded operations

    void addsX(int rd, long a, long b) {
        long r = a + b;
        nzcv = Alu.addFlags64(a, b, r);
        setX(rd, r);
    }

    void addsW(int rd, int a, int b) {
        int r = a + b;
        nzcv = Alu.addFlags32(a, b, r);
        setX(rd, r & 0xFFFF_FFFFL);
    }

    void subsX(int rd, long a, long b) {
        long r = a - b;
        nzcv = Alu.subFlags64(a, b, r);
        setX(rd, r);
    }

    void subsW(int rd, int a, int b) {
        int r = a - b;
        nzcv = Alu.subFlags32(a, b, r);
        setX(rd, r & 0xFFFF_FFFFL);
    }

    void andsX(int rd, long r) {
        nzcv = Alu.logicFlags64(r);
        setX(rd, r);
    }

    void andsW(int rd, int r) {
        nzcv = Alu.logicFlags32(r);
        setX(rd, r & 0xFFFF_FFFFL);
    }

    @Override
    protected void invalidateCode() {
        codeGeneration.incrementAndGet();
        staleCode();
    }

    // ------------------------------------------------------------------ data processing, immediate

    void dataProcessingImmediate(int in) {
        switch ((in >>> 23) & 7) {
            case 0, 1 -> pcRelative(in);
            case 2 -> addSubImmediate(in);
            case 4 -> logicalImmediate(in);
            case 5 -> moveWide(in);
            case 6 -> bitfield(in);
            case 7 -> extract(in);
            default -> throw undefined();
        }
    }

    /** ADR, ADRP (Arm ARM C6.2.10-11). */
    private void pcRelative(int in) {
        long imm = ((long) (in << 8) >> 11 & ~3L) | ((in >>> 29) & 3);
        int rd = in & 0x1F;
        if (in < 0) {
            setX(rd, (insnPc & ~0xFFFL) + (imm << 12));
        } else {
            setX(rd, insnPc + imm);
        }
    }

    /** ADD/ADDS/SUB/SUBS (immediate). */
    private void addSubImmediate(int in) {
        boolean sf = in < 0;
        boolean sub = (in & (1 << 30)) != 0;
        boolean setFlags = (in & (1 << 29)) != 0;
        long imm = (in >>> 10) & 0xFFF;
        if ((in & (1 << 22)) != 0) {
            imm <<= 12;
        }
        int rn = (in >>> 5) & 0x1F;
        int rd = in & 0x1F;
        long a = xs(rn);
        long r = addSub(a, imm, sub, setFlags, sf);
        if (setFlags) {
            setR(rd, r, sf);
        } else {
            setXs(rd, sf ? r : r & 0xFFFF_FFFFL);
        }
    }

    /** {@return a + b or a - b, setting NZCV if asked} */
    private long addSub(long a, long b, boolean sub, boolean setFlags, boolean sf) {
        return addWithCarry(a, sub ? ~b : b, sub ? 1 : 0, setFlags, sf);
    }

    /** {@return a + b + C, setting NZCV if asked (ADC/SBC with b already inverted for SBC)} */
    private long addCarry(long a, long b, boolean setFlags, boolean sf) {
        return addWithCarry(a, b, (nzcv >>> 1) & 1, setFlags, sf);
    }

    /** {@return a + b + carry, 64- or 32-bit, setting NZCV if asked (AddWithCarry, Arm ARM J1.1.3)} */
    private long addWithCarry(long a, long b, long carry, boolean setFlags, boolean sf) {
        if (sf) {
            long r = a + b + carry;
            if (setFlags) {
                nzcv = Alu.addFlags64(a, b, r);
            }
            return r;
        }
        int r = (int) a + (int) b + (int) carry;
        if (setFlags) {
            nzcv = Alu.addFlags32((int) a, (int) b, r);
        }
        return r & 0xFFFF_FFFFL;
    }

    /** AND/ORR/EOR/ANDS (immediate), with the bitmask decode. */
    private void logicalImmediate(int in) {
        boolean sf = in < 0;
        int n = (in >>> 22) & 1;
        if (!sf && n != 0) {
            throw undefined();
        }
        long imm = Alu.logicalImmediate(n, (in >>> 10) & 0x3F, (in >>> 16) & 0x3F, sf);
        if (imm == 0) {
            throw undefined();
        }
        int rn = (in >>> 5) & 0x1F;
        int rd = in & 0x1F;
        long a = x[rn];
        int opc = (in >>> 29) & 3;
        long r = switch (opc) {
            case 0, 3 -> a & imm;
            case 1 -> a | imm;
            default -> a ^ imm;
        };
        if (!sf) {
            r &= 0xFFFF_FFFFL;
        }
        if (opc == 3) {
            nzcv = sf ? Alu.logicFlags64(r) : Alu.logicFlags32((int) r);
            setX(rd, r);
        } else {
            setXs(rd, r);
        }
    }

    /** MOVN/MOVZ/MOVK. */
    private void moveWide(int in) {
        boolean sf = in < 0;
        int opc = (in >>> 29) & 3;
        int hw = (in >>> 21) & 3;
        if (opc == 1 || (!sf && hw >= 2)) {
            throw undefined();
        }
        int shift = hw * 16;
        long imm = (long) ((in >>> 5) & 0xFFFF) << shift;
        int rd = in & 0x1F;
        long r = switch (opc) {
            case 0 -> ~imm;
            case 2 -> imm;
            default -> (x[rd] & ~(0xFFFFL << shift)) | imm;
        };
        setR(rd, r, sf);
    }

    /** SBFM/BFM/UBFM (Arm ARM C6.2.261, C6.2.33, C6.2.374). */
    private void bitfield(int in) {
        boolean sf = in < 0;
        int opc = (in >>> 29) & 3;
        int n = (in >>> 22) & 1;
        int immr = (in >>> 16) & 0x3F;
        int imms = (in >>> 10) & 0x3F;
        int size = sf ? 64 : 32;
        if (opc == 3 || n != (sf ? 1 : 0) || (!sf && (immr >= 32 || imms >= 32))) {
            throw undefined();
        }
        int rn = (in >>> 5) & 0x1F;
        int rd = in & 0x1F;
        long src = x[rn];
        int width;
        int srcLsb;
        int dstLsb;
        if (imms >= immr) {
            width = imms - immr + 1;
            srcLsb = immr;
            dstLsb = 0;
        } else {
            width = imms + 1;
            srcLsb = 0;
            dstLsb = size - immr;
        }
        long ones = width == 64 ? -1L : (1L << width) - 1;
        long field = (src >>> srcLsb) & ones;
        long r;
        if (opc == 0) {
            long signed = (field << (64 - width)) >> (64 - width);
            r = signed << dstLsb;
        } else if (opc == 2) {
            r = field << dstLsb;
        } else {
            r = (x[rd] & ~(ones << dstLsb)) | (field << dstLsb);
        }
        setR(rd, r, sf);
    }

    /** EXTR. */
    private void extract(int in) {
        boolean sf = in < 0;
        int n = (in >>> 22) & 1;
        int lsb = (in >>> 10) & 0x3F;
        if (((in >>> 29) & 3) != 0 || ((in >>> 21) & 1) != 0 || n != (sf ? 1 : 0) || (!sf && lsb >= 32)) {
            throw undefined();
        }
        long hi = x[(in >>> 5) & 0x1F];
        long lo = x[(in >>> 16) & 0x1F];
        long r;
        if (sf) {
            r = lsb == 0 ? lo : (lo >>> lsb) | (hi << (64 - lsb));
        } else {
            long both = (hi & 0xFFFF_FFFFL) << 32 | (lo & 0xFFFF_FFFFL);
            r = both >>> lsb;
        }
        setR(in & 0x1F, r, sf);
    }

    // ------------------------------------------------------------------ data processing, register

    void dataProcessingRegister(int in) {
        if ((in & (1 << 28)) == 0) {
            if ((in & (1 << 24)) == 0) {
                logicalShifted(in);
            } else if ((in & (1 << 21)) == 0) {
                addSubShifted(in);
            } else {
                addSubExtended(in);
            }
            return;
        }
        switch ((in >>> 21) & 0xF) {
            case 0 -> addSubCarry(in);
            case 2 -> conditionalCompare(in);
            case 4 -> conditionalSelect(in);
            case 6 -> {
                if ((in & (1 << 30)) != 0) {
                    dataProcessing1(in);
                } else {
                    dataProcessing2(in);
                }
            }
            case 8, 9, 10, 11, 12, 13, 14, 15 -> dataProcessing3(in);
            default -> throw undefined();
        }
    }

    private void logicalShifted(int in) {
        boolean sf = in < 0;
        int amount = (in >>> 10) & 0x3F;
        if (!sf && amount >= 32) {
            throw undefined();
        }
        long b = Alu.shift(x[(in >>> 16) & 0x1F], (in >>> 22) & 3, amount, sf);
        if ((in & (1 << 21)) != 0) {
            b = ~b;
        }
        long a = x[(in >>> 5) & 0x1F];
        int opc = (in >>> 29) & 3;
        long r = switch (opc) {
            case 0, 3 -> a & b;
            case 1 -> a | b;
            default -> a ^ b;
        };
        if (!sf) {
            r &= 0xFFFF_FFFFL;
        }
        if (opc == 3) {
            nzcv = sf ? Alu.logicFlags64(r) : Alu.logicFlags32((int) r);
        }
        setX(in & 0x1F, r);
    }

    private void addSubShifted(int in) {
        boolean sf = in < 0;
        int type = (in >>> 22) & 3;
        int amount = (in >>> 10) & 0x3F;
        if (type == 3 || (!sf && amount >= 32)) {
            throw undefined();
        }
        long b = Alu.shift(x[(in >>> 16) & 0x1F], type, amount, sf);
        long a = x[(in >>> 5) & 0x1F];
        long r = addSub(a, b, (in & (1 << 30)) != 0, (in & (1 << 29)) != 0, sf);
        setR(in & 0x1F, r, sf);
    }

    private void addSubExtended(int in) {
        boolean sf = in < 0;
        int shift = (in >>> 10) & 7;
        if (shift > 4 || ((in >>> 22) & 3) != 0) {
            throw undefined();
        }
        long b = Alu.extend(x[(in >>> 16) & 0x1F], (in >>> 13) & 7, shift);
        long a = xs((in >>> 5) & 0x1F);
        boolean setFlags = (in & (1 << 29)) != 0;
        long r = addSub(a, b, (in & (1 << 30)) != 0, setFlags, sf);
        int rd = in & 0x1F;
        if (setFlags) {
            setR(rd, r, sf);
        } else {
            setXs(rd, sf ? r : r & 0xFFFF_FFFFL);
        }
    }

    /** ADC/ADCS/SBC/SBCS. */
    private void addSubCarry(int in) {
        if (((in >>> 10) & 0x3F) != 0) {
            throw undefined();
        }
        boolean sf = in < 0;
        long b = x[(in >>> 16) & 0x1F];
        if ((in & (1 << 30)) != 0) {
            b = ~b;
        }
        long r = addCarry(x[(in >>> 5) & 0x1F], b, (in & (1 << 29)) != 0, sf);
        setR(in & 0x1F, r, sf);
    }

    /** CCMN/CCMP (register and immediate). */
    private void conditionalCompare(int in) {
        if ((in & (1 << 29)) == 0 || (in & (1 << 10)) != 0 || (in & (1 << 4)) != 0) {
            throw undefined();
        }
        boolean sf = in < 0;
        int cond = (in >>> 12) & 0xF;
        if (Alu.condition(cond, nzcv)) {
            long b = (in & (1 << 11)) != 0 ? (in >>> 16) & 0x1F : x[(in >>> 16) & 0x1F];
            addSub(x[(in >>> 5) & 0x1F], b, (in & (1 << 30)) != 0, true, sf);
        } else {
            nzcv = in & 0xF;
        }
    }

    /** CSEL/CSINC/CSINV/CSNEG. */
    private void conditionalSelect(int in) {
        if ((in & (1 << 29)) != 0 || (in & (1 << 11)) != 0) {
            throw undefined();
        }
        boolean sf = in < 0;
        int cond = (in >>> 12) & 0xF;
        long r;
        if (Alu.condition(cond, nzcv)) {
            r = x[(in >>> 5) & 0x1F];
        } else {
            long m = x[(in >>> 16) & 0x1F];
            int op = ((in >>> 29) & 2) | ((in >>> 10) & 1);
            r = switch (op) {
                case 0 -> m;
                case 1 -> m + 1;
                case 2 -> ~m;
                default -> -m;
            };
        }
        setR(in & 0x1F, r, sf);
    }

    /** UDIV/SDIV/LSLV/LSRV/ASRV/RORV. */
    private void dataProcessing2(int in) {
        if ((in & (1 << 29)) != 0) {
            throw undefined();
        }
        boolean sf = in < 0;
        long a = x[(in >>> 5) & 0x1F];
        long b = x[(in >>> 16) & 0x1F];
        int opcode = (in >>> 10) & 0x3F;
        if ((opcode & 0x38) == 0x10) {
            crc32(in, sf, (int) a, b, opcode);
            return;
        }
        long r;
        if (sf) {
            r = switch (opcode) {
                case 2 -> b == 0 ? 0 : Long.divideUnsigned(a, b);
                case 3 -> b == 0 ? 0 : (a == Long.MIN_VALUE && b == -1) ? a : a / b;
                case 8 -> a << b;
                case 9 -> a >>> b;
                case 10 -> a >> b;
                case 11 -> Long.rotateRight(a, (int) b);
                default -> throw undefined();
            };
        } else {
            int wa = (int) a;
            int wb = (int) b;
            r = switch (opcode) {
                case 2 -> wb == 0 ? 0 : Integer.divideUnsigned(wa, wb);
                case 3 -> wb == 0 ? 0 : (wa == Integer.MIN_VALUE && wb == -1) ? wa : wa / wb;
                case 8 -> wa << wb;
                case 9 -> wa >>> wb;
                case 10 -> wa >> wb;
                case 11 -> Integer.rotateRight(wa, wb);
                default -> throw undefined();
            };
        }
        setR(in & 0x1F, r, sf);
    }

    /**
     * CRC32{B,H,W,X} and CRC32C{B,H,W,X} (Arm ARM C6.2.89/C6.2.90, FEAT_CRC32): opcode 0b010 C sz; the X
     * forms need sf = 1 and sz = 0b11, the others sf = 0. The reflected CRC of the low 8 << sz bits of Rm
     * into Wn, without inversion, as the pseudocode's BitReverse(Poly32Mod2(...)) computes it.
     */
    private void crc32(int in, boolean sf, int acc, long value, int opcode) {
        int size = opcode & 3;
        if (sf != (size == 3)) {
            throw undefined();
        }
        int poly = (opcode & 4) != 0 ? 0x82F63B78 : 0xEDB88320; // CRC-32C (Castagnoli) or CRC-32, reflected
        int crc = acc;
        for (int i = 0; i < 1 << size; i++) {
            crc ^= (int) (value >>> (8 * i)) & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc >>> 1) ^ (poly & -(crc & 1));
            }
        }
        setR(in & 0x1F, crc & 0xFFFF_FFFFL, false);
    }

    /** RBIT/REV16/REV32/REV/CLZ/CLS. */
    private void dataProcessing1(int in) {
        if ((in & (1 << 29)) != 0 || ((in >>> 16) & 0x1F) != 0) {
            throw undefined();
        }
        boolean sf = in < 0;
        long a = x[(in >>> 5) & 0x1F];
        int opcode = (in >>> 10) & 0x3F;
        long r;
        if (sf) {
            r = switch (opcode) {
                case 0 -> Long.reverse(a);
                case 1 -> ((a >>> 8) & 0x00FF_00FF_00FF_00FFL) | ((a & 0x00FF_00FF_00FF_00FFL) << 8);
                case 2 -> Long.rotateRight(Long.reverseBytes(a), 32);
                case 3 -> Long.reverseBytes(a);
                case 4 -> Long.numberOfLeadingZeros(a);
                case 5 -> Alu.cls64(a);
                default -> throw undefined();
            };
        } else {
            int w = (int) a;
            r = switch (opcode) {
                case 0 -> Integer.reverse(w);
                case 1 -> ((w >>> 8) & 0x00FF_00FF) | ((w & 0x00FF_00FF) << 8);
                case 2 -> Integer.reverseBytes(w);
                case 4 -> Integer.numberOfLeadingZeros(w);
                case 5 -> Alu.cls32(w);
                default -> throw undefined();
            };
        }
        setR(in & 0x1F, r, sf);
    }

    /** MADD/MSUB/SMADDL/SMSUBL/UMADDL/UMSUBL/SMULH/UMULH. */
    private void dataProcessing3(int in) {
        boolean sf = in < 0;
        int op31 = (in >>> 21) & 7;
        boolean o0 = (in & (1 << 15)) != 0;
        if (((in >>> 29) & 3) != 0) {
            throw undefined();
        }
        long n = x[(in >>> 5) & 0x1F];
        long m = x[(in >>> 16) & 0x1F];
        long a = x[(in >>> 10) & 0x1F];
        long r;
        switch (op31) {
            case 0 -> r = o0 ? a - n * m : a + n * m;
            case 1, 5 -> {
                if (!sf) {
                    throw undefined();
                }
                long p = op31 == 1 ? (long) (int) n * (int) m : (n & 0xFFFF_FFFFL) * (m & 0xFFFF_FFFFL);
                r = o0 ? a - p : a + p;
            }
            case 2, 6 -> {
                if (!sf || o0) { // Ra is "(11111)", should-be-one: ignored, as hardware does
                    throw undefined();
                }
                r = op31 == 2 ? Math.multiplyHigh(n, m) : Alu.umulh(n, m);
            }
            default -> throw undefined();
        }
        setR(in & 0x1F, r, sf);
    }

    // ------------------------------------------------------------------ branches, exceptions, system

    void branchExceptionSystem(int in) {
        int top = in >>> 24;
        switch (top) {
            case 0x14, 0x15, 0x16, 0x17 -> pc = insnPc + ((long) (in << 6) >> 4);
            case 0x94, 0x95, 0x96, 0x97 -> {
                x[30] = insnPc + 4;
                pc = insnPc + ((long) (in << 6) >> 4);
            }
            case 0x34, 0x35, 0xB4, 0xB5 -> compareBranch(in);
            case 0x36, 0x37, 0xB6, 0xB7 -> testBranch(in);
            case 0x54 -> conditionalBranch(in);
            default -> exceptionSystemOrRegisterBranch(in, top);
        }
    }

    /** B.cond (BC.cond, FEAT_HBC, is not implemented). */
    private void conditionalBranch(int in) {
        if ((in & 0x10) != 0) {
            throw undefined();
        }
        if (Alu.condition(in & 0xF, nzcv)) {
            pc = insnPc + ((long) (in << 8) >> 11 & ~3L);
        }
    }

    /** Kept apart from the immediate branches so that those stay small enough for the JIT to inline. */
    private void exceptionSystemOrRegisterBranch(int in, int top) {
        switch (top) {
            case 0xD4 -> exceptionGeneration(in);
            case 0xD5 -> {
                if ((in & 0x00C0_0000) != 0) {
                    throw undefined();
                }
                system(in);
            }
            case 0xD6 -> branchRegister(in);
            default -> throw undefined();
        }
    }

    private void compareBranch(int in) {
        long value = in < 0 ? x[in & 0x1F] : x[in & 0x1F] & 0xFFFF_FFFFL;
        boolean nonZero = (in & (1 << 24)) != 0;
        if ((value != 0) == nonZero) {
            pc = insnPc + ((long) (in << 8) >> 11 & ~3L);
        }
    }

    private void testBranch(int in) {
        int bit = ((in >>> 26) & 0x20) | ((in >>> 19) & 0x1F);
        boolean set = ((x[in & 0x1F] >>> bit) & 1) != 0;
        boolean nonZero = (in & (1 << 24)) != 0;
        if (set == nonZero) {
            pc = insnPc + ((long) (in << 13) >> 16 & ~3L);
        }
    }

    /** BR/BLR/RET/ERET (Arm ARM C4.1.66.6). */
    private void branchRegister(int in) {
        int opc = (in >>> 21) & 0xF;
        if (((in >>> 16) & 0x1F) != 0x1F || ((in >>> 10) & 0x3F) != 0 || (in & 0x1F) != 0) {
            throw undefined();
        }
        long target = x[(in >>> 5) & 0x1F];
        switch (opc) {
            case 0, 2 -> pc = target;
            case 1 -> {
                x[30] = insnPc + 4;
                pc = target;
            }
            case 4 -> {
                if (((in >>> 5) & 0x1F) != 0x1F) {
                    throw undefined();
                }
                exceptionReturn();
            }
            default -> throw undefined();
        }
    }

    // ------------------------------------------------------------------ SIMD and FP

    /**
     * The SIMD&amp;FP data-processing space: only the moves are implemented (FMOV between general and
     * FP registers, MOVI/MVNI/ORR/BIC/FMOV immediate, DUP/INS/UMOV/SMOV); the arithmetic is not.
     */
    void simdFp(int in) {
        checkFpAccess();
        if ((in & 0x7F20_FC00) == 0x1E20_0000) {
            fpIntegerMove(in);
        } else if ((in & 0x9FF8_0C00) == 0x0F00_0400) {
            modifiedImmediate(in);
        } else if ((in & 0x9FE0_8400) == 0x0E00_0400) {
            copy(in);
        } else {
            throw undefined();
        }
    }

    /** FMOV between general and FP registers (Arm ARM C7.2.131, "FMOV (general)"). */
    private void fpIntegerMove(int in) {
        int key = (in >>> 31) << 6 | ((in >>> 22) & 3) << 4 | ((in >>> 19) & 3) << 3 | ((in >>> 16) & 7);
        int rn = (in >>> 5) & 0x1F;
        int rd = in & 0x1F;
        switch (key) {
            case 0b0_00_0_110 -> setX(rd, v[2 * rn] & 0xFFFF_FFFFL); // FMOV Wd, Sn
            case 0b0_00_0_111 -> setV(rd, x[rn] & 0xFFFF_FFFFL, 0); // FMOV Sd, Wn
            case 0b1_01_0_110 -> setX(rd, v[2 * rn]); // FMOV Xd, Dn
            case 0b1_01_0_111 -> setV(rd, x[rn], 0); // FMOV Dd, Xn
            case 0b1_10_1_110 -> setX(rd, v[2 * rn + 1]); // FMOV Xd, Vn.D[1]
            case 0b1_10_1_111 -> v[2 * rd + 1] = x[rn]; // FMOV Vd.D[1], Xn
            default -> throw undefined();
        }
    }

    /** MOVI, MVNI, ORR, BIC (vector, immediate) and FMOV (vector, immediate): AdvSIMDExpandImm. */
    private void modifiedImmediate(int in) {
        boolean q = (in & (1 << 30)) != 0;
        boolean op = (in & (1 << 29)) != 0;
        int cmode = (in >>> 12) & 0xF;
        int imm8 = ((in >>> 11) & 0xE0) | ((in >>> 5) & 0x1F);
        int rd = in & 0x1F;
        long imm;
        switch (cmode >>> 1) {
            case 0, 1, 2, 3 -> imm = replicate32((long) imm8 << (8 * (cmode >>> 1)));
            case 4, 5 -> imm = replicate16((long) imm8 << (8 * ((cmode >>> 1) & 1)));
            case 6 -> imm = replicate32((cmode & 1) == 0 ? (long) imm8 << 8 | 0xFF : (long) imm8 << 16 | 0xFFFF);
            default -> {
                if ((cmode & 1) == 0) {
                    imm = op ? byteMask(imm8) : replicate8(imm8);
                } else if (!op) {
                    imm = replicate32(fpImmediate32(imm8));
                } else {
                    if (!q) {
                        throw undefined();
                    }
                    imm = fpImmediate64(imm8);
                }
            }
        }
        boolean logical = cmode < 12 && (cmode & 1) == 1;
        long low = v[2 * rd];
        long high = v[2 * rd + 1];
        long newLow;
        long newHigh;
        if (logical) {
            newLow = op ? low & ~imm : low | imm;
            newHigh = op ? high & ~imm : high | imm;
        } else {
            boolean invert = op && cmode < 14;
            newLow = invert ? ~imm : imm;
            newHigh = newLow;
        }
        setV(rd, newLow, q ? newHigh : 0);
    }

    private static long replicate32(long v32) {
        long w = v32 & 0xFFFF_FFFFL;
        return w | w << 32;
    }

    private static long replicate16(long v16) {
        long h = v16 & 0xFFFF;
        return replicate32(h | h << 16);
    }

    private static long replicate8(long v8) {
        long b = v8 & 0xFF;
        return replicate16(b | b << 8);
    }

    /** Each bit of imm8 becomes a byte of 0x00 or 0xFF (MOVI 64-bit). */
    private static long byteMask(int imm8) {
        long r = 0;
        for (int i = 0; i < 8; i++) {
            if ((imm8 & (1 << i)) != 0) {
                r |= 0xFFL << (8 * i);
            }
        }
        return r;
    }

    /** VFPExpandImm for single precision: a:NOT(b):bbbbb:cdefgh:Zeros(19). */
    private static long fpImmediate32(int imm8) {
        long a = (imm8 >>> 7) & 1;
        long b = (imm8 >>> 6) & 1;
        long exp = (b ^ 1) << 7 | (b == 1 ? 0x7C : 0) | ((imm8 >>> 4) & 3);
        return a << 31 | exp << 23 | (long) (imm8 & 0xF) << 19;
    }

    /** VFPExpandImm for double precision: a:NOT(b):bbbbbbbb:cdefgh:Zeros(48). */
    private static long fpImmediate64(int imm8) {
        long a = (imm8 >>> 7) & 1;
        long b = (imm8 >>> 6) & 1;
        long exp = (b ^ 1) << 10 | (b == 1 ? 0x3FC : 0) | ((imm8 >>> 4) & 3);
        return a << 63 | exp << 52 | (long) (imm8 & 0xF) << 48;
    }

    /** DUP (element, general), INS (element, general), UMOV, SMOV (Arm ARM C4.1.95, "copy"). */
    private void copy(int in) {
        boolean q = (in & (1 << 30)) != 0;
        boolean op = (in & (1 << 29)) != 0;
        int imm5 = (in >>> 16) & 0x1F;
        int imm4 = (in >>> 11) & 0xF;
        int rn = (in >>> 5) & 0x1F;
        int rd = in & 0x1F;
        int size = Integer.numberOfTrailingZeros(imm5);
        if (size > 3) {
            throw undefined();
        }
        int index = imm5 >>> (size + 1);
        if (op) { // INS (element)
            if (!q) {
                throw undefined();
            }
            long value = element(rn, imm4 >>> size, size);
            setElement(rd, index, size, value);
            return;
        }
        switch (imm4) {
            case 0 -> dup(rd, q, size, element(rn, index, size)); // DUP (element)
            case 1 -> dup(rd, q, size, x[rn]); // DUP (general)
            case 3 -> { // INS (general)
                if (!q) {
                    throw undefined();
                }
                setElement(rd, index, size, x[rn]);
            }
            case 5 -> { // SMOV
                if (size == 3 || (size == 2 && !q)) {
                    throw undefined();
                }
                long value = signExtend(element(rn, index, size), size);
                setR(rd, value, q);
            }
            case 7 -> { // UMOV
                if ((size == 3) != q) {
                    throw undefined();
                }
                setX(rd, element(rn, index, size));
            }
            default -> throw undefined();
        }
    }

    private long element(int reg, int index, int size) {
        int bits = 8 << size;
        int bit = index * bits;
        long word = v[2 * reg + (bit >>> 6)];
        long mask = size == 3 ? -1L : (1L << bits) - 1;
        return (word >>> (bit & 63)) & mask;
    }

    private void setElement(int reg, int index, int size, long value) {
        int bits = 8 << size;
        int bit = index * bits;
        int slot = 2 * reg + (bit >>> 6);
        long mask = size == 3 ? -1L : (1L << bits) - 1;
        v[slot] = (v[slot] & ~(mask << (bit & 63))) | (value & mask) << (bit & 63);
    }

    private void dup(int rd, boolean q, int size, long value) {
        if (size == 3 && !q) {
            throw undefined();
        }
        long r = switch (size) {
            case 0 -> replicate8(value);
            case 1 -> replicate16(value);
            case 2 -> replicate32(value);
            default -> value;
        };
        setV(rd, r, q ? r : 0);
    }
}
