package org.vcpu4j.backend.emulated.cpu;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.spi.aarch64.GicV3Model;

/**
 * The system-instruction half of the CPU: MRS/MSR of the EL0/EL1 registers (with the EL0 access
 * checks and the traps to EL2 the VMM asked for), MSR of PSTATE fields, hints, barriers, cache and
 * TLB maintenance, exception-generating instructions, ERET, a minimal GICv3 CPU interface and the
 * generic timer.
 */
public abstract class SystemUnit extends Mmu {
    /** Trap kind for {@link #setupTraps}: nothing. */
    private static final int[] NO_TRAPS = new int[0];

    /** Key of a system register: the 16-bit {@code op0:op1:CRn:CRm:op2} (instruction bits 20:5). */
    static int key(int op0, int op1, int crn, int crm, int op2) {
        return op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2;
    }

    // Arm ARM D23 (system register index); keys in instruction-field order.
    static final int K_NZCV = key(3, 3, 4, 2, 0);
    static final int K_DAIF = key(3, 3, 4, 2, 1);
    static final int K_FPCR = key(3, 3, 4, 4, 0);
    static final int K_FPSR = key(3, 3, 4, 4, 1);
    static final int K_SPSEL = key(3, 0, 4, 2, 0);
    static final int K_CURRENTEL = key(3, 0, 4, 2, 2);
    static final int K_SPSR_EL1 = key(3, 0, 4, 0, 0);
    static final int K_ELR_EL1 = key(3, 0, 4, 0, 1);
    static final int K_SP_EL0 = key(3, 0, 4, 1, 0);
    static final int K_MIDR = key(3, 0, 0, 0, 0);
    static final int K_REVIDR = key(3, 0, 0, 0, 6);
    static final int K_ID_AA64PFR0 = key(3, 0, 0, 4, 0);
    static final int K_ID_AA64ISAR0 = key(3, 0, 0, 6, 0);
    static final int K_ID_AA64MMFR0 = key(3, 0, 0, 7, 0);
    static final int K_CTR = key(3, 3, 0, 0, 1);
    static final int K_DCZID = key(3, 3, 0, 0, 7);
    static final int K_CLIDR = key(3, 1, 0, 0, 1);
    static final int K_CCSIDR = key(3, 1, 0, 0, 0);
    static final int K_CSSELR = key(3, 2, 0, 0, 0);
    static final int K_AIDR = key(3, 1, 0, 0, 7);
    static final int K_AFSR0 = key(3, 0, 5, 1, 0);
    static final int K_AFSR1 = key(3, 0, 5, 1, 1);
    static final int K_MDSCR = key(2, 0, 0, 2, 2);
    static final int K_OSLAR = key(2, 0, 1, 0, 4);
    static final int K_OSLSR = key(2, 0, 1, 1, 4);
    static final int K_OSDLR = key(2, 0, 1, 3, 4);
    static final int K_CNTFRQ = key(3, 3, 14, 0, 0);
    static final int K_CNTPCT = key(3, 3, 14, 0, 1);
    static final int K_CNTVCT = key(3, 3, 14, 0, 2);
    static final int K_CNTP_TVAL = key(3, 3, 14, 2, 0);
    static final int K_CNTP_CTL = key(3, 3, 14, 2, 1);
    static final int K_CNTP_CVAL = key(3, 3, 14, 2, 2);
    static final int K_CNTV_TVAL = key(3, 3, 14, 3, 0);
    static final int K_CNTV_CTL = key(3, 3, 14, 3, 1);
    static final int K_CNTV_CVAL = key(3, 3, 14, 3, 2);
    static final int K_ICC_PMR = key(3, 0, 4, 6, 0);
    static final int K_ICC_IAR1 = key(3, 0, 12, 12, 0);
    static final int K_ICC_EOIR1 = key(3, 0, 12, 12, 1);
    static final int K_ICC_HPPIR1 = key(3, 0, 12, 12, 2);
    static final int K_ICC_BPR1 = key(3, 0, 12, 12, 3);
    static final int K_ICC_CTLR = key(3, 0, 12, 12, 4);
    static final int K_ICC_SRE = key(3, 0, 12, 12, 5);
    static final int K_ICC_IGRPEN1 = key(3, 0, 12, 12, 7);
    static final int K_ICC_DIR = key(3, 0, 12, 11, 1);
    static final int K_ICC_RPR = key(3, 0, 12, 11, 3);
    static final int K_ICC_SGI1R = key(3, 0, 12, 11, 5);
    static final int K_ICC_AP1R0 = key(3, 0, 12, 9, 0);

    /** CNTFRQ_EL0: 62.5 MHz, as QEMU's virt board. */
    public static final long COUNTER_FREQUENCY = 62_500_000L;
    /** The virtual timer's PPI. */
    public static final int VIRTUAL_TIMER_PPI = 27;
    /** The interrupt id ICC_IAR1_EL1 returns when nothing is pending. */
    static final int SPURIOUS = 1023;

    /** Index+1 into sys[] of each {@link SystemRegister}, by key. */
    private static final byte[] STATE_REGISTER = new byte[1 << 16];

    static {
        for (SystemRegister r : SystemRegister.values()) {
            STATE_REGISTER[r.encoding()] = (byte) (r.ordinal() + 1);
        }
    }

    // ---- GICv3 CPU interface (ICC_*) and storage registers
    /** Pending interrupt ids. */
    protected final BitSet pendingInterrupts = new BitSet();
    /** Active interrupt ids (acknowledged and not yet ended). */
    protected final BitSet activeInterrupts = new BitSet();
    private long iccPmr;
    private long iccBpr1;
    private long iccCtlr;
    private long iccSre = 0x7;
    private long iccIgrpen1;
    private long iccAp1r0;
    private long csselr;
    private long afsr0;
    private long afsr1;
    private long mdscr;
    private long osdlr;
    private long oslsr = 0x8;

    // ---- the VM's GICv3, when it has one (VirtualMachine.createInterruptController)
    /** This CPU's redistributor and CPU interface, or null: then the minimal model above answers. */
    protected GicV3Model.Cpu gic;
    private boolean virtualTimerLevel;
    private boolean physicalTimerLevel;
    /** The thread sleeping in WFI, for {@link #wakeUp()}. */
    private volatile Thread sleeper;
    /** Set by {@link #wakeUp()} so a wake-up between the check and the park is not lost. */
    private volatile boolean wakeRequested;

    // ---- traps configured by setup
    private int[] trappedRegisters = NO_TRAPS;
    private boolean trapPhysicalTimer;

    /** Instructions left in the current block; an instruction that must end the block sets it to 0. */
    protected int budget;

    /**
     * @param physicalSource the VM's current guest-physical map
     * @param counterEpoch the {@link System#nanoTime()} at which the physical count was 0
     */
    protected SystemUnit(Supplier<PhysicalMap> physicalSource, long counterEpoch) {
        super(physicalSource, counterEpoch);
    }

    /**
     * Configures the traps to EL2 that setup asks for.
     *
     * @param issAddresses the ISS-format addresses of registers whose MRS/MSR exit to the VMM
     * @param passthroughTimer whether the guest owns the physical timer (else CNTP_* and CNTPCT_EL0 trap)
     */
    public final void setupTraps(Set<Long> issAddresses, boolean passthroughTimer) {
        trappedRegisters = issAddresses.stream().mapToInt(Long::intValue).sorted().toArray();
        trapPhysicalTimer = !passthroughTimer;
    }

    // ------------------------------------------------------------------ interrupts

    /**
     * Connects this CPU to its part of the VM's GICv3: from then on the ICC_* registers, the timer's PPIs,
     * SGIs and WFI go through it.
     *
     * @param cpu the redistributor and CPU interface of this vCPU
     */
    public final void attachGic(GicV3Model.Cpu cpu) {
        gic = cpu;
    }

    /** Wakes the CPU from WFI and ends its block; called from any thread (the GIC's wake hook). */
    public final void wakeUp() {
        wakeRequested = true;
        budget = 0;
        Thread t = sleeper;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Makes an interrupt pending.
     *
     * @param intid the interrupt id
     */
    public final void pend(int intid) {
        pendingInterrupts.set(intid);
        budget = 0;
    }

    /**
     * Updates the timers' PPIs from CNTV_CTL_EL0/CNTV_CVAL_EL0 and CNTP_* (level-sensitive lines): the
     * output is high while ENABLE is 1, IMASK is 0 and the count has reached the compare value (Arm ARM
     * D11.2.4, "Operation of the CompareValue views").
     */
    protected final void updateTimer() {
        if (gic != null) {
            boolean v = timerCondition(sys[CNTV_CTL], virtualCount(), sys[CNTV_CVAL]);
            if (v != virtualTimerLevel) {
                virtualTimerLevel = v;
                gic.setPpiLevel(GicV3Model.VIRTUAL_TIMER_PPI, v);
            }
            boolean p = !trapPhysicalTimer && timerCondition(sys[CNTP_CTL], physicalCount(), sys[CNTP_CVAL]);
            if (p != physicalTimerLevel) {
                physicalTimerLevel = p;
                gic.setPpiLevel(GicV3Model.PHYSICAL_TIMER_PPI, p);
            }
            return;
        }
        long ctl = sys[CNTV_CTL];
        if ((ctl & 1) != 0) {
            boolean fire = (ctl & 2) == 0 && virtualCount() - sys[CNTV_CVAL] >= 0;
            if (fire && !activeInterrupts.get(VIRTUAL_TIMER_PPI)) {
                pendingInterrupts.set(VIRTUAL_TIMER_PPI);
            } else if (!fire) {
                pendingInterrupts.clear(VIRTUAL_TIMER_PPI);
            }
        }
    }

    private static boolean timerCondition(long ctl, long count, long compare) {
        return (ctl & 3) == 1 && count - compare >= 0; // ENABLE, not IMASK, ISTATUS
    }

    /** {@return whether an interrupt would be signalled to the CPU (pending, and none active)} */
    protected final boolean irqSignalled() {
        if (gic != null) {
            return gic.irq() || gic.fiq();
        }
        return !pendingInterrupts.isEmpty() && activeInterrupts.isEmpty();
    }

    /** Takes a signalled IRQ (or, with a GIC, FIQ) if PSTATE.I (F) allows it. */
    protected final void pollInterrupts() {
        if (gic != null) {
            if ((daif & 1) == 0 && gic.fiq()) {
                enterException(-1, pc, 0x100);
            } else if ((daif & 2) == 0 && gic.irq()) {
                enterException(-1, pc, 0x80);
            }
            return;
        }
        if ((daif & 2) == 0 && irqSignalled()) {
            enterException(-1, pc, 0x80);
        }
    }

    /**
     * WFI with a GIC: sleeps on the host (no spinning) until an interrupt is signalled, an enabled timer
     * reaches its deadline, or the VMM asks for an exit; WFI may complete early (Arm ARM D1.6.2).
     */
    private void waitForInterrupt() {
        sleeper = Thread.currentThread();
        try {
            while (true) {
                updateTimer();
                if (irqSignalled() || wakeRequested || exitPending()) {
                    break;
                }
                long ticks = ticksToTimerDeadline();
                if (ticks <= 0) {
                    continue;
                }
                if (instructionCountedTime() && ticks != Long.MAX_VALUE) {
                    skipTicks(ticks); // nothing happens in between that the count could see: jump to the deadline
                    continue;
                }
                LockSupport.parkNanos(this, ticksToNanos(ticks));
            }
        } finally {
            sleeper = null;
            wakeRequested = false;
        }
        budget = 0;
    }

    /** {@return whether the VMM asked run() to return} */
    protected abstract boolean exitPending();

    /** {@return counter ticks until the earlier enabled, unmasked timer fires; Long.MAX_VALUE if none} */
    private long ticksToTimerDeadline() {
        long wait = Long.MAX_VALUE;
        if ((sys[CNTV_CTL] & 3) == 1) {
            wait = Math.min(wait, Math.max(0, sys[CNTV_CVAL] - virtualCount()));
        }
        if (!trapPhysicalTimer && (sys[CNTP_CTL] & 3) == 1) {
            wait = Math.min(wait, Math.max(0, sys[CNTP_CVAL] - physicalCount()));
        }
        return wait;
    }

    /** 62.5 MHz: 16 ns per tick, rounded so the count has surely passed the compare value. */
    private static long ticksToNanos(long ticks) {
        if (ticks <= 0) {
            return 0;
        }
        return ticks >= Long.MAX_VALUE / 16 ? Long.MAX_VALUE : ticks * 16 + 16;
    }

    private long acknowledge() {
        if (!irqSignalled()) {
            return SPURIOUS;
        }
        int intid = pendingInterrupts.nextSetBit(0);
        pendingInterrupts.clear(intid);
        activeInterrupts.set(intid);
        return intid;
    }

    // ------------------------------------------------------------------ system instructions

    /** Executes an instruction of the system class (Arm ARM C4.1.66, bits 31:22 = 0b1101010100). */
    protected final void system(int in) {
        boolean read = (in & (1 << 21)) != 0;
        int op0 = (in >>> 19) & 3;
        if (op0 >= 2) {
            if (read) {
                mrs(in);
            } else {
                msr(in);
            }
            return;
        }
        if (op0 == 1) {
            if (read) {
                throw undefined();
            }
            sysInstruction(in);
            return;
        }
        if (read) {
            throw undefined();
        }
        int op1 = (in >>> 16) & 7;
        int crn = (in >>> 12) & 0xF;
        int crm = (in >>> 8) & 0xF;
        int op2 = (in >>> 5) & 7;
        int rt = in & 0x1F;
        switch (crn) {
            case 2 -> {
                if (op1 != 3 || rt != 31) {
                    throw undefined();
                }
                hint(crm << 3 | op2);
            }
            case 3 -> {
                // CLREX (op2 2), DSB (4), DMB (5), ISB (6), SB (7): no effect on this in-order CPU.
                if (op1 != 3 || rt != 31 || op2 < 2 || op2 == 3) {
                    throw undefined();
                }
                if (op2 == 2) {
                    clearExclusive();
                }
            }
            case 4 -> {
                if (rt != 31) {
                    throw undefined();
                }
                msrImmediate(op1, op2, crm);
            }
            default -> throw undefined();
        }
    }

    /** Clears the local exclusive monitor (CLREX, exception entry and return). */
    protected abstract void clearExclusive();

    private void hint(int op) {
        if (op == 3) { // WFI (Arm ARM C6.2.389)
            if (gic != null) {
                waitForInterrupt();
                return;
            }
            updateTimer();
            // A pending IRQ is a WFI wake-up event whatever PSTATE.I says (Arm ARM D1, "Wait for
            // Interrupt"): the idle loop "mask; check for work; WFI; unmask" relies on it.
            if (irqSignalled()) {
                budget = 0;
                return;
            }
            // ESR_EL2 ISS for EC 0x01: CV=1, COND=0xE, TI=0 (WFI)
            throw trapToEl2(0x01, 1 << 24 | 0xE << 20, insnPc);
        }
        // NOP, YIELD, WFE, SEV, SEVL and every other hint (PAC, BTI ...) have no effect here.
    }

    private void msrImmediate(int op1, int op2, int crm) {
        if (op1 == 0 && op2 == 5) { // SPSel
            if (el() == 0) {
                throw undefined();
            }
            setMode((mode & ~1) | (crm & 1));
            return;
        }
        if (op1 == 3 && (op2 == 6 || op2 == 7)) { // DAIFSet, DAIFClr
            if (el() == 0 && (sys[SCTLR] & (1 << 9)) == 0) {
                throw syncException(0x18, msrImmediateIss(op1, op2, crm));
            }
            daif = op2 == 6 ? daif | crm : daif & ~crm;
            budget = 0;
            return;
        }
        throw undefined();
    }

    private static int msrImmediateIss(int op1, int op2, int crm) {
        return op2 << 17 | op1 << 14 | 4 << 10 | 31 << 5 | crm << 1;
    }

    /** SYS: DC, IC, AT and TLBI (Arm ARM C5.3); unknown operations are UNDEFINED. */
    private void sysInstruction(int in) {
        int op1 = (in >>> 16) & 7;
        int crn = (in >>> 12) & 0xF;
        int crm = (in >>> 8) & 0xF;
        int op2 = (in >>> 5) & 7;
        int rt = in & 0x1F;
        boolean el0 = el() == 0;
        if (crn == 8) { // TLBI
            if (el0 || op1 != 0) {
                throw undefined();
            }
            flushTlb();
            invalidateCode();
            budget = 0;
            return;
        }
        if (crn != 7) {
            throw undefined();
        }
        long value = x[rt];
        if (op1 == 3) { // EL0-accessible cache maintenance
            switch (crm << 3 | op2) {
                case 4 << 3 | 1 -> { // DC ZVA
                    if (el0 && (sys[SCTLR] & (1 << 14)) == 0) {
                        throw syncException(0x18, sysIss(in));
                    }
                    zeroBlock(value);
                }
                case 5 << 3 | 1 -> { // IC IVAU
                    if (el0 && (sys[SCTLR] & (1 << 26)) == 0) {
                        throw syncException(0x18, sysIss(in));
                    }
                    invalidateCode();
                    budget = 0;
                }
                case 10 << 3 | 1, 11 << 3 | 1, 12 << 3 | 1, 13 << 3 | 1, 14 << 3 | 1 -> { // DC CVAC/CVAU/CVAP/CVADP/CIVAC
                    if (el0 && (sys[SCTLR] & (1 << 26)) == 0) {
                        throw syncException(0x18, sysIss(in));
                    }
                }
                default -> throw undefined();
            }
            return;
        }
        if (op1 != 0 || el0) {
            throw undefined();
        }
        switch (crm << 3 | op2) {
            case 1 << 3, 5 << 3 -> { // IC IALLUIS, IC IALLU
                invalidateCode();
                budget = 0;
            }
            case 6 << 3 | 1, 6 << 3 | 2, 10 << 3 | 2, 14 << 3 | 2 -> { } // DC IVAC, ISW, CSW, CISW
            case 8 << 3, 8 << 3 | 1, 8 << 3 | 2, 8 << 3 | 3 -> sys[PAR] = addressTranslate(value, op2);
            default -> throw undefined();
        }
    }

    /**
     * DC ZVA: zeroes the 64-byte block holding {@code address}; on Device memory it is an alignment fault
     * reported at the register's address, whatever its alignment (Arm ARM, DC ZVA and AArch64.DC).
     */
    private void zeroBlock(long address) {
        long va = address & ~63L;
        if (isDevice(va, WRITE)) {
            abort(address, WRITE, 0x21);
        }
        probe(va, 64, true);
        for (int i = 0; i < 64; i += 8) {
            write64(va + i, 0);
        }
    }

    /** Drops decoded code (IC maintenance, TLBI). */
    protected abstract void invalidateCode();

    private int sysIss(int in) {
        int op0 = (in >>> 19) & 3;
        int op1 = (in >>> 16) & 7;
        int crn = (in >>> 12) & 0xF;
        int crm = (in >>> 8) & 0xF;
        int op2 = (in >>> 5) & 7;
        int rt = in & 0x1F;
        int dir = (in >>> 21) & 1;
        return op0 << 20 | op2 << 17 | op1 << 14 | crn << 10 | rt << 5 | crm << 1 | dir;
    }

    // ------------------------------------------------------------------ MRS / MSR

    /** {@return whether an access must trap to EL2 (configured registers, the physical timer, SGIs)} */
    private boolean trapsToEl2(int k, int iss) {
        if (k == K_ICC_SGI1R) {
            return gic == null; // with a GIC the SGI reaches its targets here, as on hardware
        }
        if (trapPhysicalTimer && (k == K_CNTPCT || k == K_CNTP_CTL || k == K_CNTP_CVAL || k == K_CNTP_TVAL)) {
            return true;
        }
        return trappedRegisters.length != 0 && Arrays.binarySearch(trappedRegisters, iss & 0x3FFC1E) >= 0;
    }

    /** EL0 access rules (Arm ARM D1.2, and the SCTLR_EL1/CNTKCTL_EL1 enables); traps to EL1 as EC 0x18. */
    private void checkEl0(int k, int iss, boolean write) {
        int op1 = (k >>> 11) & 7;
        if ((k >>> 14) != 3 || op1 != 3) {
            throw undefined();
        }
        long cntkctl = sys[CNTKCTL];
        boolean allowed;
        if (k == K_DAIF) {
            allowed = (sys[SCTLR] & (1 << 9)) != 0;
        } else if (k == K_CTR) {
            allowed = (sys[SCTLR] & (1 << 15)) != 0;
        } else if (k == K_CNTPCT) {
            allowed = (cntkctl & 1) != 0;
        } else if (k == K_CNTVCT) {
            allowed = (cntkctl & 2) != 0;
        } else if (k == K_CNTFRQ) {
            allowed = (cntkctl & 3) != 0;
        } else if (k == K_CNTV_CTL || k == K_CNTV_CVAL || k == K_CNTV_TVAL) {
            allowed = (cntkctl & (1 << 8)) != 0;
        } else if (k == K_CNTP_CTL || k == K_CNTP_CVAL || k == K_CNTP_TVAL) {
            allowed = (cntkctl & (1 << 9)) != 0;
        } else if (k == SystemRegister.TPIDRRO_EL0.encoding()) {
            if (write) {
                throw undefined();
            }
            allowed = true;
        } else {
            allowed = true;
        }
        if (!allowed) {
            throw syncException(0x18, iss);
        }
    }

    private void mrs(int in) {
        int k = (in >>> 5) & 0xFFFF;
        int rt = in & 0x1F;
        int iss = sysIss(in);
        if (el() == 0) {
            checkEl0(k, iss, false);
        }
        if (k == K_ICC_SGI1R) {
            throw undefined(); // write-only (GICv3 ICC_SGI1R_EL1)
        }
        if (trapsToEl2(k, iss)) {
            throw trapToEl2(0x18, iss, insnPc);
        }
        long value = gic != null && GicV3Model.Cpu.handles(k) ? gic.readRegister(k) : readSystemRegister(k);
        if (rt != 31) {
            x[rt] = value;
        }
    }

    private void msr(int in) {
        int k = (in >>> 5) & 0xFFFF;
        int iss = sysIss(in);
        if (el() == 0) {
            checkEl0(k, iss, true);
        }
        if (trapsToEl2(k, iss)) {
            throw trapToEl2(0x18, iss, insnPc);
        }
        if (gic != null && GicV3Model.Cpu.handles(k)) {
            gic.writeRegister(k, x[in & 0x1F]);
            budget = 0; // a write may unmask or end an interrupt: poll at once
            return;
        }
        writeSystemRegister(k, x[in & 0x1F]);
    }

    /** FP/SIMD access check (CPACR_EL1.FPEN, Arm ARM D1.13.1): EC 0x07 to EL1 when disabled. */
    protected final void checkFpAccess() {
        int fpen = (int) (sys[CPACR] >>> 20) & 3;
        if (fpen == 0 || fpen == 2 || (fpen == 1 && el() == 0)) {
            throw syncException(0x07, 0x1E00000);
        }
    }

    private long readSystemRegister(int k) {
        if (k == K_NZCV) {
            return (long) nzcv << 28;
        } else if (k == K_DAIF) {
            return (long) daif << 6;
        } else if (k == K_FPCR) {
            checkFpAccess();
            return fpcr;
        } else if (k == K_FPSR) {
            checkFpAccess();
            return fpsr;
        }
        int state = STATE_REGISTER[k];
        if (state != 0) {
            return readStateRegister(state - 1);
        }
        if (k >= key(3, 0, 0, 1, 0) && k <= key(3, 0, 0, 7, 7)) {
            return idRegister(k);
        }
        return readOtherRegister(k);
    }

    private long readStateRegister(int index) {
        if (index == CNTVCT) {
            return virtualCount();
        } else if (index == CNTV_CTL) {
            long ctl = sys[CNTV_CTL] & 3;
            return ctl | ((ctl & 1) != 0 && virtualCount() - sys[CNTV_CVAL] >= 0 ? 4 : 0);
        } else if (index == CNTP_CTL) {
            long ctl = sys[CNTP_CTL] & 3;
            return ctl | ((ctl & 1) != 0 && physicalCount() - sys[CNTP_CVAL] >= 0 ? 4 : 0);
        }
        return sys[index];
    }

    /** The ID register space (op0 3, op1 0, CRn 0, CRm 1-7): what this CPU implements, 0 elsewhere. */
    private static long idRegister(int k) {
        if (k == K_ID_AA64PFR0) {
            // EL0 and EL1 AArch64 only (1), EL2/EL3 not implemented (0), FP and AdvSIMD present (0), GIC sysregs (1)
            return 0x1L << 24 | 0x11;
        } else if (k == K_ID_AA64ISAR0) {
            return 0x2L << 20 | 0x1L << 16; // Atomic 0b0010: FEAT_LSE; CRC32 0b0001: FEAT_CRC32
        } else if (k == K_ID_AA64MMFR0) {
            // PARange 48 bits (5), ASIDBits 16 (2), TGran4 supported (0), TGran64 not (0xF), TGran16 not (0)
            return 0xFL << 24 | 0x2L << 4 | 0x5;
        }
        return 0;
    }

    private long readOtherRegister(int k) {
        if (k == K_SPSEL) {
            return mode & 1;
        } else if (k == K_CURRENTEL) {
            return (long) el() << 2;
        } else if (k == K_SPSR_EL1) {
            return spsrEl1;
        } else if (k == K_ELR_EL1) {
            return elrEl1;
        } else if (k == K_SP_EL0) {
            if ((mode & 1) == 0) {
                throw undefined();
            }
            return spEl0();
        } else if (k == K_MIDR) {
            return 0x410F_D034L; // an Arm Cortex-A53 r0p4, as a guest expects a real part number
        } else if (k == K_REVIDR || k == K_AIDR) {
            return 0;
        } else if (k == K_CTR) {
            return 0x8444_C004L; // 64-byte lines, PIPT I-cache
        } else if (k == K_DCZID) {
            return 4; // DC ZVA allowed, 64-byte blocks
        } else if (k == K_CLIDR) {
            return 0x0A20_0023L;
        } else if (k == K_CCSIDR) {
            return 0x700F_E01AL;
        } else if (k == K_CSSELR) {
            return csselr;
        } else if (k == K_CNTFRQ) {
            return COUNTER_FREQUENCY;
        } else if (k == K_CNTPCT) {
            return physicalCount();
        } else if (k == K_CNTV_TVAL) {
            return (int) (sys[CNTV_CVAL] - virtualCount()) & 0xFFFF_FFFFL;
        } else if (k == K_CNTP_TVAL) {
            return (int) (sys[CNTP_CVAL] - physicalCount()) & 0xFFFF_FFFFL;
        }
        return readGicOrDebug(k);
    }

    private long readGicOrDebug(int k) {
        if (k == K_ICC_IAR1) {
            return acknowledge();
        } else if (k == K_ICC_HPPIR1) {
            return irqSignalled() ? pendingInterrupts.nextSetBit(0) : SPURIOUS;
        } else if (k == K_ICC_PMR) {
            return iccPmr;
        } else if (k == K_ICC_BPR1) {
            return iccBpr1;
        } else if (k == K_ICC_CTLR) {
            return iccCtlr;
        } else if (k == K_ICC_SRE) {
            return iccSre;
        } else if (k == K_ICC_IGRPEN1) {
            return iccIgrpen1;
        } else if (k == K_ICC_RPR) {
            return activeInterrupts.isEmpty() ? 0xFF : 0;
        } else if (k == K_ICC_AP1R0) {
            return iccAp1r0;
        } else if (k == K_AFSR0) {
            return afsr0;
        } else if (k == K_AFSR1) {
            return afsr1;
        } else if (k == K_MDSCR) {
            return mdscr;
        } else if (k == K_OSLSR) {
            return oslsr;
        } else if (k == K_OSDLR) {
            return osdlr;
        }
        throw undefined();
    }

    private void writeSystemRegister(int k, long value) {
        if (k == K_NZCV) {
            nzcv = (int) (value >>> 28) & 0xF;
            return;
        } else if (k == K_DAIF) {
            daif = (int) (value >>> 6) & 0xF;
            budget = 0;
            return;
        } else if (k == K_FPCR) {
            checkFpAccess();
            fpcr = value & 0xFFFF_FFFFL;
            return;
        } else if (k == K_FPSR) {
            checkFpAccess();
            fpsr = value & 0xFFFF_FFFFL;
            return;
        }
        int state = STATE_REGISTER[k];
        if (state != 0) {
            writeStateRegister(state - 1, value);
            return;
        }
        writeOtherRegister(k, value);
    }

    private void writeStateRegister(int index, long value) {
        if (index == MPIDR || index == CNTVCT) {
            throw undefined();
        }
        sys[index] = value;
        if (index == SCTLR || index == TTBR0 || index == TTBR1 || index == TCR) {
            flushTlb();
            invalidateCode();
            budget = 0;
        } else if (index == CNTV_CTL || index == CNTV_CVAL) {
            budget = 0;
        }
    }

    private void writeOtherRegister(int k, long value) {
        if (k == K_SPSEL) {
            setMode((mode & ~1) | (int) (value & 1));
        } else if (k == K_SPSR_EL1) {
            spsrEl1 = value;
        } else if (k == K_ELR_EL1) {
            elrEl1 = value;
        } else if (k == K_SP_EL0) {
            if ((mode & 1) == 0) {
                throw undefined();
            }
            setSpEl0(value);
        } else if (k == K_CSSELR) {
            csselr = value & 0xF;
        } else if (k == K_CNTV_TVAL) {
            sys[CNTV_CVAL] = virtualCount() + (int) value;
            budget = 0;
        } else if (k == K_CNTP_TVAL) {
            sys[CNTP_CVAL] = physicalCount() + (int) value;
        } else {
            writeGicOrDebug(k, value);
        }
    }

    private void writeGicOrDebug(int k, long value) {
        if (k == K_ICC_EOIR1 || k == K_ICC_DIR) {
            activeInterrupts.clear((int) value & 0xFF_FFFF);
            budget = 0;
        } else if (k == K_ICC_PMR) {
            iccPmr = value & 0xFF;
        } else if (k == K_ICC_BPR1) {
            iccBpr1 = value & 7;
        } else if (k == K_ICC_CTLR) {
            iccCtlr = value;
        } else if (k == K_ICC_SRE) {
            iccSre = value | 1;
        } else if (k == K_ICC_IGRPEN1) {
            iccIgrpen1 = value & 1;
        } else if (k == K_ICC_AP1R0) {
            iccAp1r0 = value;
        } else if (k == K_AFSR0) {
            afsr0 = value;
        } else if (k == K_AFSR1) {
            afsr1 = value;
        } else if (k == K_MDSCR) {
            mdscr = value;
        } else if (k == K_OSLAR) {
            oslsr = (oslsr & ~2L) | (value & 1) << 1;
        } else if (k == K_OSDLR) {
            osdlr = value & 1;
        } else {
            throw undefined();
        }
    }

    // ------------------------------------------------------------------ exceptions and ERET

    /** Exception generation (Arm ARM C4.1.66.3): SVC, HVC, SMC, BRK; the rest is UNDEFINED. */
    protected final void exceptionGeneration(int in) {
        int opc = (in >>> 21) & 7;
        int ll = in & 3;
        int imm16 = (in >>> 5) & 0xFFFF;
        if (((in >>> 2) & 7) != 0) {
            throw undefined();
        }
        if (opc == 0) {
            switch (ll) {
                case 1 -> { // SVC: preferred return is the next instruction
                    enterException(0x15L << 26 | IL | imm16, pc, 0);
                    stopReason = STOP_CONTINUE;
                    throw STOP;
                }
                case 2 -> { // HVC: to the virtual EL2, ELR_EL2 past the HVC
                    if (el() == 0) {
                        throw undefined();
                    }
                    throw trapToEl2(0x16, imm16, pc);
                }
                case 3 -> { // SMC trapped by HCR_EL2.TSC: ELR_EL2 at the SMC
                    if (el() == 0) {
                        throw undefined();
                    }
                    throw trapToEl2(0x17, imm16, insnPc);
                }
                default -> throw undefined();
            }
        }
        if (opc == 1 && ll == 0) {
            throw syncException(0x3C, imm16);
        }
        throw undefined();
    }

    /** ERET (Arm ARM C6.2.84): PC = ELR_EL1, PSTATE = SPSR_EL1; an illegal return sets PSTATE.IL. */
    protected final void exceptionReturn() {
        if (el() == 0) {
            throw undefined();
        }
        long spsr = spsrEl1;
        int m = (int) spsr & 0x1F;
        clearExclusive();
        if (m == 0 || m == 4 || m == 5) {
            setPstate(spsr);
        } else {
            // Illegal exception return (Arm ARM D1.10.5): stay at EL1, keep M, set IL.
            nzcv = (int) (spsr >>> 28) & 0xF;
            daif = (int) (spsr >>> 6) & 0xF;
            pstateOther = (spsr & PSTATE_OTHER) | PSTATE_IL;
        }
        pc = elrEl1;
        budget = 0;
    }
}
