package org.vcpu4j.backend.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.OptionalLong;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.MemoryMapException;
import org.vcpu4j.api.RegisterState;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VCpuSetupConfig;
import org.vcpu4j.api.x86_64.DescriptorTable;
import org.vcpu4j.api.x86_64.Segment;
import org.vcpu4j.api.x86_64.X86_64SetupConfig;
import org.vcpu4j.api.x86_64.X86_64State;
import org.vcpu4j.api.x86_64.X86_64State.SegmentRegister;
import org.vcpu4j.backend.kvm.sys.KvmCpuid2;
import org.vcpu4j.backend.kvm.sys.KvmDtable;
import org.vcpu4j.backend.kvm.sys.KvmIoctls;
import org.vcpu4j.backend.kvm.sys.KvmRegs;
import org.vcpu4j.backend.kvm.sys.KvmRun;
import org.vcpu4j.backend.kvm.sys.KvmSegment;
import org.vcpu4j.backend.kvm.sys.KvmSregs;
import org.vcpu4j.backend.kvm.sys.KvmFpu;
import org.vcpu4j.backend.kvm.sys.KvmGuestDebug;
import org.vcpu4j.backend.kvm.sys.KvmTranslation;
import org.vcpu4j.backend.kvm.x86.InstructionLength;

/**
 * An x86_64 KVM vCPU. Registers go through {@code KVM_GET/SET_REGS} and {@code KVM_GET/SET_SREGS}
 * (cached until the next run); exits are decoded from {@code kvm_run}.
 *
 * <p>PC contract: KVM leaves RIP past HLT before it exits, but finishes an IN, OUT or MMIO instruction
 * (and advances RIP) only on the next {@code KVM_RUN}. The fast path (run, exit, complete, run) needs
 * nothing more; when registers are read or written in between, the vCPU first lets KVM finish the
 * instruction with a {@code KVM_RUN} whose {@code immediate_exit} is set, as QEMU does. A load (IN, MMIO
 * read) cannot be finished before its value is completed, since KVM consumes the value then: until the
 * completion, {@link #saveState()} presents RIP plus the length of the instruction at RIP ({@link
 * InstructionLength}, read through {@code KVM_TRANSLATE} from guest memory), while KVM's own RIP stays at
 * the instruction so that its next {@code KVM_RUN} retires it with the value. String I/O: OUTS arrives
 * one element per exit; a REP INS arrives in batches (KVM reads ahead up to a page, {@code kvm_run.io.count}
 * elements at {@code data_offset}, api.rst KVM_EXIT_IO), which this class hands out as one {@code IoRead}
 * per element without entering KVM in between ({@link #ioCount}). At an element the state is that of the
 * interrupted REP instruction with the elements before it done (RCX, RDI, and the completed elements in
 * guest RAM); RIP stays at the instruction unless the element is the last, as for any interrupted REP
 * instruction. {@code restoreState} or a register write in the middle of a batch abandons what KVM holds
 * ({@link #abandonPendingExit}): nothing of an abandoned instruction runs after it.
 */
final class KvmX86VCpu extends KvmVCpu {
    private static final VCpuExit HALT = new VCpuExit.Halt();
    private static final VCpuExit INTERRUPTED = new VCpuExit.Interrupted();
    /** EFER.LMA, bit 10: IA-32e mode active (SDM Vol. 3A section 2.2.1). */
    private static final long EFER_LMA = 1L << 10;
    /** The smallest x86 page: translations hold at least this far (SDM Vol. 3A section 4.1). */
    private static final long PAGE_SIZE = 4096;
    /** RFLAGS.DF, bit 10: string instructions step down (SDM Vol. 1 section 3.4.3.2). */
    private static final long RFLAGS_DF = 1L << 10;

    private final KvmVm vm;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment regs = arena.allocate(KvmRegs.layout());
    /** KVM's registers at an exit being abandoned ({@link #abandonPendingExit}). */
    private final MemorySegment regsAtExit = arena.allocate(KvmRegs.layout());
    private final MemorySegment sregs = arena.allocate(KvmSregs.layout());
    private final MemorySegment irq = arena.allocate(ValueLayout.JAVA_INT);
    private final MemorySegment translation = arena.allocate(KvmTranslation.layout());
    private final MemorySegment fpu = arena.allocate(KvmFpu.layout());
    private final MemorySegment guestDebug = arena.allocate(KvmGuestDebug.layout());
    /** Breakpoints (guest-linear addresses), in DR0-DR3. */
    private final java.util.Set<Long> breakpoints = new java.util.LinkedHashSet<>();
    private boolean singleStep;
    private final ArrayDeque<Integer> pendingInterrupts = new ArrayDeque<>();
    private boolean regsValid;
    private boolean deferredExit;
    private long ioDataOffset;
    /** Elements of the IN or OUT KVM handed over at the last I/O exit (0 once KVM is entered again). */
    private int ioCount;
    /** The element of that exit presented now, 0 to {@link #ioCount} - 1. */
    private int ioElement;
    private int ioSize;
    private int ioPort;
    /** For a REP INS batch: RCX and RDI at its exit (KVM's, unchanged until the batch completes). */
    private long batchRcx;
    private long batchRdi;
    /** For a REP INS batch: the mask of the address size RCX and RDI count in, and DF's step. */
    private long batchAddressMask;
    private long batchStep;
    /** For a REP INS batch: ES's base outside 64-bit mode (SDM Vol. 1 section 3.4.2), else 0. */
    private long batchSegmentBase;
    /**
     * An MMIO exit of 3, 5, 6 or 7 bytes (the part of an access past the end of a memslot: KVM's
     * emulator_read_write does the page with memory itself and hands over the rest as one fragment of its
     * length) is presented in QEMU's naturally aligned pieces, as the emulated backend does: its length, the
     * bytes presented so far, the piece presented now, its address and direction, and the store's data or
     * the load's gathered bytes. Active while {@link #splitLength} is above 0.
     */
    private int splitLength;
    private int splitDone;
    private int splitPiece;
    private long splitAddress;
    private boolean splitWrite;
    private long splitData;
    /** How far RIP is presented past KVM's at the load awaiting its value, once decoded (-1: not yet). */
    private int pendingLoadLength = -1;
    private long entry;
    private boolean setUp;
    private final int apicId;

    KvmX86VCpu(KvmCalls calls, int fd, MemorySegment run, KvmVm vm, MemorySegment supportedCpuid, int apicId) {
        super(calls, fd, run);
        this.vm = vm;
        this.apicId = apicId;
        if (supportedCpuid.byteSize() > 0) {
            setCpuid(supportedCpuid, apicId);
        }
    }

    /**
     * Gives the guest every CPUID leaf KVM supports on this host (as kvmtool and QEMU's -cpu host do),
     * with the create config's APIC id in leaf 1 EBX[31:24] and in the x2APIC id of leaves 0xB and 0x1F.
     */
    private void setCpuid(MemorySegment supported, int apicId) {
        MemorySegment cpuid = arena.allocate(supported.byteSize(), 8);
        cpuid.copyFrom(supported);
        for (int i = 0; i < KvmCpuid2.nent(cpuid); i++) {
            int function = KvmCpuid2.function(cpuid, i);
            if (function == 1) {
                int ebx = KvmCpuid2.register(cpuid, i, KvmCpuid2.Register.EBX);
                KvmCpuid2.register(cpuid, i, KvmCpuid2.Register.EBX, (ebx & 0x00FF_FFFF) | (apicId << 24));
            } else if (function == 0xB || function == 0x1F) {
                KvmCpuid2.register(cpuid, i, KvmCpuid2.Register.EDX, apicId);
            }
        }
        calls.ioctl(fd, KvmIoctls.KVM_SET_CPUID2, cpuid);
    }

    @Override
    public void setEntry(long guestAddress) {
        entry = guestAddress;
        if (setUp) {
            prepareRegisterWrite("setEntry");
            KvmRegs.rip(regs, guestAddress);
            storeRegs();
        }
    }

    @Override
    public void setup(VCpuSetupConfig config) {
        long tables = ((X86_64SetupConfig) config).systemTablesAddress();
        X86SystemTables.write(vm.memory(), tables);
        calls.ioctl(fd, KvmIoctls.KVM_GET_SREGS, sregs);
        KvmSegment.write(sregs, KvmSregs.segmentOffset(SegmentRegister.CS), Segment.flatCode64(X86SystemTables.CODE_SELECTOR));
        for (SegmentRegister r : new SegmentRegister[] {SegmentRegister.DS, SegmentRegister.ES, SegmentRegister.FS,
            SegmentRegister.GS, SegmentRegister.SS}) {
            KvmSegment.write(sregs, KvmSregs.segmentOffset(r), Segment.flatData(X86SystemTables.DATA_SELECTOR));
        }
        KvmDtable.write(sregs, KvmSregs.offsetOf("gdt"),
                new DescriptorTable(tables + X86SystemTables.GDT_OFFSET, X86SystemTables.GDT_LIMIT));
        KvmSregs.set(sregs, "cr0", X86SystemTables.CR0);
        KvmSregs.set(sregs, "cr3", tables);
        KvmSregs.set(sregs, "cr4", X86SystemTables.CR4);
        KvmSregs.set(sregs, "efer", X86SystemTables.EFER);
        calls.ioctl(fd, KvmIoctls.KVM_SET_SREGS, sregs);
        loadRegs();
        KvmRegs.rip(regs, entry);
        KvmRegs.rflags(regs, 0x2);
        storeRegs();
        setUp = true;
    }

    @Override
    public VCpuExit run() {
        regsValid = false;
        pendingLoadLength = -1;
        if (splitLength > 0) {
            if (splitWrite) {
                splitDone += splitPiece;
            }
            if (splitDone < splitLength) {
                return splitPieceExit();
            }
            splitLength = 0;
        }
        if (instructionPending && ioElement + 1 < ioCount && KvmRun.exit_reason(run) == KvmIoctls.KVM_EXIT_IO) {
            ioElement++; // the next element of the batch KVM handed over: KVM needs them all before it runs on
            return ioElementExit();
        }
        if (deferredExit) {
            deferredExit = false;
            VCpuExit exit = decode();
            if (exit != null) {
                return exit;
            }
        }
        boolean overBreakpoint = false;
        if (!breakpoints.isEmpty() && !instructionPending) { // (after an exit KVM has an instruction to finish)
            overBreakpoint = breakpoints.contains(currentRip());
            regsValid = false;
        }
        while (true) {
            if (!pendingInterrupts.isEmpty()) {
                offerInterrupt();
            }
            instructionPending = false;
            loadAwaitingValue = false;
            pendingLoadLength = -1;
            ioCount = 0;
            if (overBreakpoint) {
                // a run that starts at a breakpoint runs its instruction (the contract): one step with the
                // breakpoints off (an instruction breakpoint is a fault, SDM Vol. 3B section 18.3.1.1)
                overBreakpoint = false;
                setGuestDebug(true, false);
                boolean entered;
                try {
                    entered = enter();
                } finally {
                    setGuestDebug(singleStep, true);
                }
                if (!entered) {
                    return INTERRUPTED;
                }
                if (!singleStep && KvmRun.exit_reason(run) == KvmIoctls.KVM_EXIT_DEBUG) {
                    regsValid = false;
                    continue; // the stepped-over instruction is done: on with the run
                }
            } else if (!enter()) {
                return INTERRUPTED;
            }
            VCpuExit exit = decode();
            if (exit != null) {
                return exit;
            }
        }
    }

    // ------------------------------------------------------------------ debugging (issue 14)

    /**
     * Breakpoints of both kinds use the debug registers DR0-DR3 ({@code KVM_GUESTDBG_USE_HW_BP}): an INT3
     * written into guest memory ({@code KVM_GUESTDBG_USE_SW_BP}) is not reliable under every KVM (on a
     * nested host here KVM emulated the INT3 and failed with KVM_INTERNAL_ERROR_EMULATION), and debug
     * registers leave guest memory untouched. So at most four breakpoints at once.
     */
    private static final java.util.Set<org.vcpu4j.api.DebugCapability> DEBUG_CAPABILITIES =
            java.util.Collections.unmodifiableSet(java.util.EnumSet.of(org.vcpu4j.api.DebugCapability.SINGLE_STEP,
                    org.vcpu4j.api.DebugCapability.SOFTWARE_BREAKPOINTS,
                    org.vcpu4j.api.DebugCapability.HARDWARE_BREAKPOINTS, org.vcpu4j.api.DebugCapability.TRANSLATE_GVA));
    /** DR0-DR3: the instruction breakpoints the hardware has (SDM Vol. 3B section 18.2). */
    private static final int DEBUG_REGISTERS = 4;
    /** {@code kvm_run.debug.arch} (x86 {@code struct kvm_debug_exit_arch}: exception u32, pad u32, pc u64, dr6, dr7) in the exit union at 32. */
    private static final long DEBUG_EXCEPTION_OFFSET = 32;
    /** {@code kvm_run.debug.arch.dr6}. */
    private static final long DEBUG_DR6_OFFSET = 48;
    /** DR6.B0-B3: which breakpoint condition was met (SDM Vol. 3B section 18.2.3). */
    private static final long DR6_BREAKPOINTS = 0xF;

    @Override
    public java.util.Set<org.vcpu4j.api.DebugCapability> debugCapabilities() {
        return DEBUG_CAPABILITIES;
    }

    @Override
    public void setSingleStep(boolean enabled) {
        singleStep = enabled;
        setGuestDebug(enabled, true);
    }

    @Override
    public void insertBreakpoint(org.vcpu4j.api.BreakpointKind kind, long address) {
        if (breakpoints.contains(address)) {
            return;
        }
        if (breakpoints.size() == DEBUG_REGISTERS) {
            throw new IllegalArgumentException(String.format("no breakpoint at 0x%x: KVM x86 breakpoints use the debug "
                    + "registers DR0-DR3, and all %d hold one (%s)", address, DEBUG_REGISTERS, breakpoints.stream()
                    .map(a -> "0x" + Long.toHexString(a)).toList()));
        }
        breakpoints.add(address);
        setGuestDebug(singleStep, true);
    }

    @Override
    public void removeBreakpoint(org.vcpu4j.api.BreakpointKind kind, long address) {
        if (breakpoints.remove(address)) {
            setGuestDebug(singleStep, true);
        }
    }

    @Override
    public OptionalLong translateGva(long guestVirtual) {
        KvmTranslation.linearAddress(translation, guestVirtual);
        calls.ioctl(fd, KvmIoctls.KVM_TRANSLATE, translation);
        return KvmTranslation.valid(translation) ? OptionalLong.of(KvmTranslation.physicalAddress(translation))
                : OptionalLong.empty();
    }

    /**
     * KVM_SET_GUEST_DEBUG: #DB after each instruction when stepping; the breakpoints in DR0-DR3 with DR7's
     * local enables L0-L3 and R/W = 00, LEN = 00 (instruction execution; SDM Vol. 3B section 18.2.4).
     */
    private void setGuestDebug(boolean step, boolean withBreakpoints) {
        int control = 0;
        boolean hw = withBreakpoints && !breakpoints.isEmpty();
        if (step || hw) {
            control = KvmGuestDebug.ENABLE | (step ? KvmGuestDebug.SINGLESTEP : 0) | (hw ? KvmGuestDebug.USE_HW_BP : 0);
        }
        KvmGuestDebug.control(guestDebug, control);
        if (hw) {
            long dr7 = 0;
            int i = 0;
            for (long address : breakpoints) {
                KvmGuestDebug.debugRegister(guestDebug, i, address);
                dr7 |= 1L << (2 * i);
                i++;
            }
            KvmGuestDebug.debugRegister(guestDebug, 7, dr7);
        }
        calls.ioctl(fd, KvmIoctls.KVM_SET_GUEST_DEBUG, guestDebug);
    }

    private long currentRip() {
        loadRegs();
        return KvmRegs.rip(regs);
    }

    /** KVM_EXIT_DEBUG: a breakpoint (DR6.Bn; RIP at its instruction) or a single step (RIP at the next). */
    private VCpuExit debugExit() {
        regsValid = false;
        long rip = currentRip();
        long dr6 = run.get(ValueLayout.JAVA_LONG, DEBUG_DR6_OFFSET);
        if ((dr6 & DR6_BREAKPOINTS) != 0 && breakpoints.contains(rip)) {
            return new VCpuExit.DebugStop(VCpuExit.DebugStop.Reason.BREAKPOINT, rip, rip);
        }
        return new VCpuExit.DebugStop(VCpuExit.DebugStop.Reason.STEP, rip, rip);
    }

    /** {@return the exit in kvm_run, or null when it was handled here and the guest should run on} */
    private VCpuExit decode() {
        int reason = KvmRun.exit_reason(run);
        return switch (reason) {
            case KvmIoctls.KVM_EXIT_IO -> decodeIo();
            case KvmIoctls.KVM_EXIT_MMIO -> decodeMmioInPieces();
            case KvmIoctls.KVM_EXIT_HLT -> HALT;
            case KvmIoctls.KVM_EXIT_DEBUG -> debugExit();
            case KvmIoctls.KVM_EXIT_IRQ_WINDOW_OPEN -> null;
            case KvmIoctls.KVM_EXIT_SHUTDOWN -> new VCpuExit.InternalError(reason,
                    "triple fault (KVM_EXIT_SHUTDOWN): the guest took an exception it could not deliver");
            case KvmIoctls.KVM_EXIT_FAIL_ENTRY -> new VCpuExit.FailEntry(
                    KvmRun.fail_entry_hardware_entry_failure_reason(run));
            case KvmIoctls.KVM_EXIT_INTERNAL_ERROR -> internalError();
            case KvmIoctls.KVM_EXIT_SYSTEM_EVENT -> systemEvent(KvmRun.system_event_type(run));
            default -> new VCpuExit.InternalError(reason, "unexpected " + KvmIoctls.exitName(reason));
        };
    }

    /**
     * Decodes an MMIO exit; one of a length that is not a power of two starts the pieces ({@link
     * #splitLength}), each of size lowest set bit of (bytes left | address | 8), low address first (QEMU
     * accel/tcg/cputlb.c do_ld_mmio_beN / do_st_mmio_leN).
     */
    private VCpuExit decodeMmioInPieces() {
        int len = KvmRun.mmio_len(run);
        if (len < 1 || len > 8 || Integer.bitCount(len) == 1) {
            return decodeMmio(w -> w);
        }
        instructionPending = true;
        splitLength = len;
        splitDone = 0;
        splitAddress = KvmRun.mmio_phys_addr(run);
        splitWrite = KvmRun.mmio_is_write(run) != 0;
        splitData = splitWrite ? KvmRun.mmio_data(run) & (-1L >>> (64 - 8 * len)) : 0;
        return splitPieceExit();
    }

    /** {@return the exit of the piece at {@link #splitDone}} */
    private VCpuExit splitPieceExit() {
        long address = splitAddress + splitDone;
        splitPiece = Integer.lowestOneBit((splitLength - splitDone) | (int) address | 8);
        AccessWidth width = AccessWidth.ofBytes(splitPiece);
        instructionPending = true;
        if (splitWrite) {
            return new VCpuExit.MmioWrite(address, width, splitData >>> (8 * splitDone) & width.mask());
        }
        loadAwaitingValue = true;
        return new VCpuExit.MmioRead(address, width, 0, width, false);
    }

    /** {@return whether a load's pieces are under way and not all completed} */
    private boolean splitLoadUnfinished() {
        return splitLength > 0 && !splitWrite;
    }

    private VCpuExit decodeIo() {
        int size = KvmRun.io_size(run);
        int port = Short.toUnsignedInt(KvmRun.io_port(run));
        int count = KvmRun.io_count(run);
        boolean out = KvmRun.io_direction(run) == KvmIoctls.KVM_EXIT_IO_OUT;
        instructionPending = true; // whatever comes of it, KVM holds the I/O until the next KVM_RUN
        long dataOffset = KvmRun.io_data_offset(run);
        if (count < 1 || (out && count != 1) || (size != 1 && size != 2 && size != 4)
                || dataOffset <= 0 || dataOffset + (long) size * count > run.byteSize()) {
            ioCount = 0;
            return new VCpuExit.InternalError(KvmIoctls.KVM_EXIT_IO, String.format(
                    "port I/O (%s) of %d x %d bytes at port 0x%x: KVM hands OUTS over one element at a time",
                    out ? "OUTS" : "INS", count, size, port));
        }
        ioCount = count;
        ioElement = 0;
        ioSize = size;
        ioPort = port;
        ioDataOffset = dataOffset;
        if (count > 1) {
            startInsBatch();
        }
        return ioElementExit();
    }

    /** {@return the exit of element {@link #ioElement} of the last I/O exit} */
    private VCpuExit ioElementExit() {
        AccessWidth width = AccessWidth.ofBytes(ioSize);
        long offset = KvmRun.io_data_offset(run) + (long) ioElement * ioSize;
        ioDataOffset = offset;
        instructionPending = true;
        if (KvmRun.io_direction(run) == KvmIoctls.KVM_EXIT_IO_OUT) {
            long data = switch (ioSize) {
                case 1 -> run.get(ValueLayout.JAVA_BYTE, offset);
                case 2 -> run.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset);
                default -> run.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
            };
            return new VCpuExit.IoWrite(ioPort, width, data);
        }
        loadAwaitingValue = true;
        return new VCpuExit.IoRead(ioPort, width);
    }

    /**
     * Notes where a REP INS batch stores: KVM's RCX and RDI (the batch's first element), the address size
     * they count in (SDM Vol. 1 section 3.6; 67 selects the other one) and DF (SDM Vol. 1 section 3.4.3.2).
     */
    private void startInsBatch() {
        InstructionLength.Mode mode = fetchRegisters();
        byte[] code = new byte[InstructionLength.MAX_LENGTH];
        int length = currentInstruction(code, mode);
        boolean prefix67 = length > 0 && InstructionLength.hasAddressSizePrefix(code, length);
        int addressBits = switch (mode) {
            case BITS_64 -> prefix67 ? 32 : 64;
            case BITS_32 -> prefix67 ? 16 : 32;
            case BITS_16 -> prefix67 ? 32 : 16;
        };
        batchAddressMask = addressBits == 64 ? -1L : (1L << addressBits) - 1;
        batchRcx = KvmRegs.gpr(regs, 1);
        batchRdi = KvmRegs.gpr(regs, 7);
        batchStep = (KvmRegs.rflags(regs) & RFLAGS_DF) != 0 ? -ioSize : ioSize;
        batchSegmentBase = mode == InstructionLength.Mode.BITS_64 ? 0
                : KvmSegment.read(sregs, KvmSregs.segmentOffset(SegmentRegister.ES)).base();
    }

    /** Reads KVM's general and segment registers into {@code regs}/{@code sregs}; {@return the code mode} */
    private InstructionLength.Mode fetchRegisters() {
        calls.ioctl(fd, KvmIoctls.KVM_GET_REGS, regs);
        calls.ioctl(fd, KvmIoctls.KVM_GET_SREGS, sregs);
        return codeMode();
    }

    /** Reads the instruction at RIP (registers fetched) into {@code code}; {@return its length, or 0 or less} */
    private int currentInstruction(byte[] code, InstructionLength.Mode mode) {
        return InstructionLength.of(code, 0, readCode(linearCodeAddress(KvmRegs.rip(regs), mode), code), mode);
    }

    /** {@return register {@code value} counted on by {@code delta} in the batch's address size} */
    private long batchAdvance(long value, long delta) {
        return (value & ~batchAddressMask) | ((value + delta) & batchAddressMask);
    }

    /** {@return whether an element of a REP INS batch of several elements is presented} */
    private boolean insideInsBatch() {
        return instructionPending && ioCount > 1 && KvmRun.exit_reason(run) == KvmIoctls.KVM_EXIT_IO;
    }

    /**
     * {@return a register as the state at the presented batch element has it} KVM's RCX and RDI are the
     * batch's first element's; {@code done} elements before are finished.
     */
    private long presentedGpr(int index, long kvmValue) {
        if (!insideInsBatch() || (index != 1 && index != 7)) {
            return kvmValue;
        }
        int done = loadAwaitingValue ? ioElement : ioElement + 1;
        return index == 1 ? batchAdvance(batchRcx, -done) : batchAdvance(batchRdi, done * batchStep);
    }

    private VCpuExit internalError() {
        int suberror = KvmRun.internal_suberror(run);
        String name = switch (suberror) {
            case 1 -> "KVM_INTERNAL_ERROR_EMULATION";
            case 2 -> "KVM_INTERNAL_ERROR_SIMUL_EX";
            case 3 -> "KVM_INTERNAL_ERROR_DELIVERY_EV";
            case 4 -> "KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON";
            default -> "suberror " + suberror;
        };
        StringBuilder data = new StringBuilder();
        int n = Math.min(Math.max(KvmRun.internal_ndata(run), 0), 16);
        for (int i = 0; i < n; i++) {
            data.append(i == 0 ? "" : ", ").append("0x").append(Long.toHexString(KvmRun.internal_data(run, i)));
        }
        return new VCpuExit.InternalError(suberror, "KVM internal error " + name + " (suberror " + suberror
                + "), data [" + data + "]");
    }

    static VCpuExit systemEvent(int type) {
        return switch (type) {
            case KvmIoctls.KVM_SYSTEM_EVENT_SHUTDOWN -> new VCpuExit.SystemDown();
            case KvmIoctls.KVM_SYSTEM_EVENT_RESET -> new VCpuExit.SystemReset();
            default -> new VCpuExit.InternalError(KvmIoctls.KVM_EXIT_SYSTEM_EVENT,
                    "KVM system event of type " + type + (type == KvmIoctls.KVM_SYSTEM_EVENT_CRASH ? " (crash)" : ""));
        };
    }

    private void offerInterrupt() {
        if (KvmRun.ready_for_interrupt_injection(run) != 0) {
            irq.set(ValueLayout.JAVA_INT, 0, pendingInterrupts.poll());
            calls.ioctl(fd, KvmIoctls.KVM_INTERRUPT, irq);
        }
        KvmRun.request_interrupt_window(run, (byte) (pendingInterrupts.isEmpty() ? 0 : 1));
    }

    /** Lets KVM finish a pending IN/OUT/MMIO instruction before registers are touched. */
    private void finishPendingInstruction() {
        if (instructionPending && !loadAwaitingValue && ioElement + 1 < ioCount
                && KvmRun.exit_reason(run) == KvmIoctls.KVM_EXIT_IO) {
            // Registers are wanted between two elements of a batch: KVM can only finish the batch whole, so
            // abandon it and let KVM's registers say what is done; the guest's REP INS goes on from there.
            int done = ioElement + 1;
            abandonPendingExit();
            KvmRegs.gpr(regsAtExit, 1, batchAdvance(batchRcx, -done));
            KvmRegs.gpr(regsAtExit, 7, batchAdvance(batchRdi, done * batchStep));
            calls.ioctl(fd, KvmIoctls.KVM_SET_REGS, regsAtExit);
            return;
        }
        if (instructionPending && !loadAwaitingValue) {
            instructionPending = false;
            regsValid = false;
            deferredExit = completePendingInstruction();
        }
    }

    private void loadRegs() {
        finishPendingInstruction();
        if (!regsValid) {
            calls.ioctl(fd, KvmIoctls.KVM_GET_REGS, regs);
            regsValid = true;
        }
    }

    private void checkNoLoadAwaitingValue(String operation) {
        if (loadAwaitingValue) {
            throw new IllegalStateException(operation + ": complete the pending IN or MMIO load first; KVM writes "
                    + "its destination register on the next entry and would lose a register write made before");
        }
    }

    /**
     * Readies {@link #regs} for a write: finishes a completed instruction, and abandons a further load exit
     * that finishing it raised (the next element of a REP string read, which the caller has not seen yet):
     * KVM would otherwise complete that load on the next entry against the registers written now. A further
     * store exit stays: KVM has already written its registers back, and the store reaches the VMM.
     */
    private void prepareRegisterWrite(String operation) {
        if (splitLoadUnfinished() && splitDone > 0 && loadAwaitingValue) {
            // Between pieces of a load (the library sees no load pending): KVM would lose a register written
            // before it retires the load, so the rest of the load is dropped as by a restore of the state the
            // user sees (RIP past the load, its register unchanged), and the write applies to that.
            restoreState(saveState());
        }
        checkNoLoadAwaitingValue(operation);
        loadRegs();
        if (deferredExit && pendingExitIsLoad()) {
            abandonPendingExit();
            loadRegs();
        }
    }

    private boolean pendingExitIsLoad() {
        int reason = KvmRun.exit_reason(run);
        return (reason == KvmIoctls.KVM_EXIT_MMIO && KvmRun.mmio_is_write(run) == 0)
                || (reason == KvmIoctls.KVM_EXIT_IO && KvmRun.io_direction(run) == KvmIoctls.KVM_EXIT_IO_IN);
    }

    /**
     * Abandons the exit KVM holds in {@code kvm_run} (an IN or MMIO instruction it has not retired, or a
     * further exit its completion raised), so that KVM has nothing pending and its registers are the ones it
     * had at the exit: whatever is written next is exactly what runs. KVM cannot drop a pending operation;
     * api.rst (KVM_RUN) has user space complete it with a {@code KVM_RUN} whose {@code immediate_exit} is set.
     * The completion is made harmless. A REP string instruction gets RCX = 1 first, so this element is its
     * last (SDM Vol. 2 "REP/REPE/REPZ/REPNE/REPNZ": the count is checked before each element); RCX = 0 would
     * end it without consuming the completed data, which KVM would then hand to the next MMIO load. A MOVS
     * element gets the bytes already at its destination, so its store changes nothing; other loads get 0,
     * an IN its destination's bytes too ({@link #abandonPortRead}). Then the registers KVM had at the exit
     * are put back ({@code KVM_SET_REGS}).
     */
    private void abandonPendingExit() {
        boolean batch = ioCount > 1;
        splitLength = 0;
        instructionPending = false;
        loadAwaitingValue = false;
        deferredExit = false;
        pendingLoadLength = -1;
        regsValid = false;
        calls.ioctl(fd, KvmIoctls.KVM_GET_REGS, regsAtExit);
        for (int exits = 0; ; exits++) {
            if (exits > 8) {
                throw new IllegalStateException("KVM kept raising exits while a pending instruction was abandoned");
            }
            int reason = KvmRun.exit_reason(run);
            if (reason == KvmIoctls.KVM_EXIT_MMIO && KvmRun.mmio_is_write(run) == 0) {
                abandonMmioRead();
            } else if (reason == KvmIoctls.KVM_EXIT_IO && KvmRun.io_direction(run) == KvmIoctls.KVM_EXIT_IO_IN) {
                abandonPortRead(exits == 0 && batch);
            }
            if (!completePendingInstruction()) {
                break;
            }
        }
        ioCount = 0;
        calls.ioctl(fd, KvmIoctls.KVM_SET_REGS, regsAtExit);
    }

    private void abandonMmioRead() {
        KvmRun.mmio_data(run, 0);
        InstructionLength.Mode mode = fetchRegisters();
        byte[] code = new byte[InstructionLength.MAX_LENGTH];
        int length = currentInstruction(code, mode);
        if (length <= 0) {
            return;
        }
        int opcode = code[length - 1] & 0xFF;
        if (InstructionLength.repeatedStringOpcode(code, length, mode) >= 0) {
            KvmRegs.gpr(regs, 1, 1);
            storeRegs();
        }
        boolean movs = (opcode == 0xA4 || opcode == 0xA5) && InstructionLength.stringOpcode(code, length, mode) >= 0;
        if (movs) {
            byte[] current = readGuestLinear(stringDestination(code, length, mode), KvmRun.mmio_len(run));
            long value = 0;
            for (int i = current.length - 1; i >= 0; i--) {
                value = value << 8 | (current[i] & 0xFF);
            }
            KvmRun.mmio_data(run, value);
        }
    }

    /**
     * Fills the data of an abandoned IN: for INS (a string instruction) the bytes already at each element's
     * destination, so that KVM's stores change nothing (the completed elements of a batch are there already,
     * {@link #storeCompletedElement}); for IN (a register) zeros.
     *
     * @param batch whether the exit is the batch this class noted ({@link #startInsBatch}); else it is
     *     worked out here
     */
    private void abandonPortRead(boolean batch) {
        long offset = KvmRun.io_data_offset(run);
        int size = KvmRun.io_size(run);
        int count = KvmRun.io_count(run);
        if (offset <= 0 || offset + (long) size * count > run.byteSize()) {
            return;
        }
        run.asSlice(offset, (long) size * count).fill((byte) 0);
        if (!batch) {
            InstructionLength.Mode mode = fetchRegisters();
            byte[] code = new byte[InstructionLength.MAX_LENGTH];
            int length = currentInstruction(code, mode);
            if (length <= 0 || InstructionLength.stringOpcode(code, length, mode) < 0) {
                return;
            }
            ioSize = size;
            startInsBatch();
        }
        for (int i = 0; i < count; i++) {
            byte[] current = readGuestLinear(batchSegmentBase + batchAdvance(batchRdi, i * batchStep), size);
            MemorySegment.copy(current, 0, run, ValueLayout.JAVA_BYTE, offset + (long) i * size, size);
        }
    }

    /**
     * Stores a completed element of a REP INS batch in guest RAM at once, so that guest memory matches the
     * state presented at the next element; KVM stores the same bytes when the batch completes. An element
     * whose destination is not writable RAM is left to KVM.
     */
    private void storeCompletedElement() {
        long linear = batchSegmentBase + batchAdvance(batchRdi, ioElement * batchStep);
        for (int i = 0; i < ioSize; i++) {
            KvmTranslation.linearAddress(translation, linear + i);
            calls.ioctl(fd, KvmIoctls.KVM_TRANSLATE, translation);
            if (!KvmTranslation.valid(translation)) {
                return;
            }
            long physical = KvmTranslation.physicalAddress(translation);
            var region = vm.memory().regionAt(physical);
            if (region.isEmpty() || !region.get().allows(org.vcpu4j.api.AccessKind.WRITE)) {
                return;
            }
            region.get().host().set(ValueLayout.JAVA_BYTE, physical - region.get().guestAddress(),
                    run.get(ValueLayout.JAVA_BYTE, ioDataOffset + i));
        }
    }

    /** {@return the linear address ES:RDI of a string instruction's destination} Needs regs and sregs fresh. */
    private long stringDestination(byte[] code, int length, InstructionLength.Mode mode) {
        long rdi = KvmRegs.gpr(regs, 7);
        if (mode == InstructionLength.Mode.BITS_64) {
            return InstructionLength.hasAddressSizePrefix(code, length) ? rdi & 0xFFFF_FFFFL : rdi;
        }
        boolean bits32 = (mode == InstructionLength.Mode.BITS_32) != InstructionLength.hasAddressSizePrefix(code, length);
        Segment es = KvmSegment.read(sregs, KvmSregs.segmentOffset(SegmentRegister.ES));
        return es.base() + (bits32 ? rdi & 0xFFFF_FFFFL : rdi & 0xFFFF);
    }

    /** {@return the bytes at guest-linear {@code linear} (zeros where nothing readable is mapped)} */
    private byte[] readGuestLinear(long linear, int length) {
        byte[] bytes = new byte[length];
        byte[] chunk = new byte[length];
        int read = readCode(linear, chunk);
        System.arraycopy(chunk, 0, bytes, 0, read);
        return bytes;
    }

    private void storeRegs() {
        calls.ioctl(fd, KvmIoctls.KVM_SET_REGS, regs);
    }

    @Override
    public void setGpr(int index, long value) {
        prepareRegisterWrite("setGpr");
        KvmRegs.gpr(regs, index, value);
        storeRegs();
    }

    @Override
    public long gpr(int index) {
        loadRegs();
        return presentedGpr(index, KvmRegs.gpr(regs, index));
    }

    @Override
    public void injectInterrupt(int intid) {
        checkInterrupt(intid);
        if (vm.hasX86Irqchip()) {
            vm.signalMsi(apicId, intid); // KVM_INTERRUPT is for VMs without an in-kernel LAPIC (api.rst 4.16)
            return;
        }
        pendingInterrupts.add(intid);
        KvmRun.request_interrupt_window(run, (byte) 1);
    }

    /** With the in-kernel irqchip an injection is an MSI to this vCPU's LAPIC, from any thread. */
    @Override
    public boolean injectsFromAnyThread() {
        return vm.hasX86Irqchip();
    }

    @Override
    public void checkInterrupt(int intid) {
        if (intid < 0 || intid > 255) {
            throw new IllegalArgumentException("x86 interrupt vector must be 0..255, not " + intid);
        }
        if (intid < 16 && vm.hasX86Irqchip()) {
            // SDM vol. 3 11.5.3: the LAPIC treats vectors 0-15 as illegal (they are the CPU's exceptions)
            throw new IllegalArgumentException("x86 interrupt vector " + intid + " cannot go through the LAPIC of "
                    + "the in-kernel irqchip: vectors 0..15 are illegal there; use 16..255");
        }
    }

    @Override
    public void setReturnValue(long value) {
        setGpr(0, value);
    }

    @Override
    public void completeMmioRead(VCpuExit.MmioRead exit, long value) {
        if (splitLoadUnfinished()) {
            splitData |= (value & exit.width().mask()) << (8 * splitDone);
            splitDone += splitPiece;
            if (splitDone < splitLength) {
                return; // KVM gets the bytes once all pieces are in; until then the load still awaits them
            }
            splitLength = 0;
            value = splitData;
        } else {
            value &= exit.width().mask();
        }
        // linux/kvm.h kvm_run.mmio.data: the bytes a load of len bytes would read (little-endian on x86).
        KvmRun.mmio_data(run, value);
        loadAwaitingValue = false;
    }

    @Override
    public void completeMmioWithExternalAbort(VCpuExit exit) {
        throw new UnsupportedOperationException("x86_64 has no synchronous external abort; complete the read instead");
    }

    @Override
    public void completeSysRegRead(VCpuExit.SysRegRead exit, long value) {
        throw new IllegalStateException("x86_64 guests have no system-register exits to complete");
    }

    @Override
    public void completeIoRead(VCpuExit.IoRead exit, long value) {
        // kvm_run.io.data_offset: KVM copies size bytes from there into AL/AX/EAX on the next KVM_RUN.
        switch (exit.width()) {
            case BYTE -> run.set(ValueLayout.JAVA_BYTE, ioDataOffset, (byte) value);
            case WORD -> run.set(ValueLayout.JAVA_SHORT_UNALIGNED, ioDataOffset, (short) value);
            default -> run.set(ValueLayout.JAVA_INT_UNALIGNED, ioDataOffset, (int) value);
        }
        loadAwaitingValue = false;
        if (ioCount > 1) {
            storeCompletedElement();
        }
    }

    @Override
    public RegisterState saveState() {
        loadRegs();
        calls.ioctl(fd, KvmIoctls.KVM_GET_SREGS, sregs);
        X86_64State.Builder b = X86_64State.builder();
        for (int i = 0; i < 16; i++) {
            b.gpr(i, presentedGpr(i, KvmRegs.gpr(regs, i)));
        }
        long rip = KvmRegs.rip(regs);
        if (loadAwaitingValue) {
            // KVM's RIP stays at the load until the KVM_RUN that consumes the value; the user sees it retired.
            rip += pendingLoadLength(rip);
        }
        b.rip(rip).rflags(KvmRegs.rflags(regs));
        for (SegmentRegister r : SegmentRegister.values()) {
            b.segment(r, KvmSegment.read(sregs, KvmSregs.segmentOffset(r)));
        }
        b.gdt(KvmDtable.read(sregs, KvmSregs.offsetOf("gdt"))).idt(KvmDtable.read(sregs, KvmSregs.offsetOf("idt")));
        calls.ioctl(fd, KvmIoctls.KVM_GET_FPU, fpu);
        return b.cr0(KvmSregs.get(sregs, "cr0")).cr2(KvmSregs.get(sregs, "cr2")).cr3(KvmSregs.get(sregs, "cr3"))
                .cr4(KvmSregs.get(sregs, "cr4")).cr8(KvmSregs.get(sregs, "cr8")).efer(KvmSregs.get(sregs, "efer"))
                .fpu(KvmFpu.read(fpu)).build();
    }

    @Override
    public void restoreState(RegisterState state) {
        X86_64State s = (X86_64State) state;
        splitLength = 0; // the rest of a split access belongs to the replaced instruction
        if (instructionPending || deferredExit) {
            // A restored state replaces the interrupted instruction (and drops an uncompleted load's value, as
            // the library's wrapper does): nothing of it may run after the restore.
            abandonPendingExit();
        }
        calls.ioctl(fd, KvmIoctls.KVM_GET_SREGS, sregs);
        for (SegmentRegister r : SegmentRegister.values()) {
            KvmSegment.write(sregs, KvmSregs.segmentOffset(r), s.segment(r));
        }
        KvmDtable.write(sregs, KvmSregs.offsetOf("gdt"), s.gdt());
        KvmDtable.write(sregs, KvmSregs.offsetOf("idt"), s.idt());
        KvmSregs.set(sregs, "cr0", s.cr0());
        KvmSregs.set(sregs, "cr2", s.cr2());
        KvmSregs.set(sregs, "cr3", s.cr3());
        KvmSregs.set(sregs, "cr4", s.cr4());
        KvmSregs.set(sregs, "cr8", s.cr8());
        KvmSregs.set(sregs, "efer", s.efer());
        calls.ioctl(fd, KvmIoctls.KVM_SET_SREGS, sregs);
        KvmFpu.write(fpu, s.fpu());
        calls.ioctl(fd, KvmIoctls.KVM_SET_FPU, fpu);
        for (int i = 0; i < 16; i++) {
            KvmRegs.gpr(regs, i, s.gpr(i));
        }
        KvmRegs.rip(regs, s.rip());
        KvmRegs.rflags(regs, s.rflags());
        storeRegs();
        regsValid = true;
        setUp = true;
    }

    /**
     * {@return the length of the load at KVM's RIP} (0 for a REP INS element that is not the last): decoded
     * once per exit from the bytes at CS:RIP, read through the guest's page tables ({@code KVM_TRANSLATE},
     * page by page) in the mode CS and EFER give. Needs {@link #sregs} fresh.
     *
     * @param rip KVM's RIP, at the instruction
     */
    private int pendingLoadLength(long rip) {
        if (pendingLoadLength >= 0) {
            return pendingLoadLength;
        }
        InstructionLength.Mode mode = codeMode();
        long linear = linearCodeAddress(rip, mode);
        byte[] code = new byte[InstructionLength.MAX_LENGTH];
        int read = readCode(linear, code);
        int length = InstructionLength.of(code, 0, read, mode);
        if (length <= 0) {
            StringBuilder bytes = new StringBuilder();
            for (int i = 0; i < read; i++) {
                bytes.append(String.format("%02x", code[i] & 0xFF));
            }
            throw new IllegalStateException(String.format("cannot decode the length of the %s load at RIP 0x%x "
                    + "(linear 0x%x, %s, bytes [%s]): %s", KvmRun.exit_reason(run) == KvmIoctls.KVM_EXIT_IO ? "IN"
                    : "MMIO", rip, linear, mode, bytes, length == InstructionLength.TRUNCATED
                    ? "the code is not mapped in guest memory" : "not a valid instruction"));
        }
        if (repeatsBeyondThisElement(code, length, mode)) {
            length = 0;
        }
        pendingLoadLength = length;
        return length;
    }

    /** {@return the code size CS and EFER give} Needs {@link #sregs} fresh. SDM Vol. 3A section 5.2.1. */
    private InstructionLength.Mode codeMode() {
        Segment cs = KvmSegment.read(sregs, KvmSregs.segmentOffset(SegmentRegister.CS));
        boolean longMode = (KvmSregs.get(sregs, "efer") & EFER_LMA) != 0;
        return longMode && cs.l() ? InstructionLength.Mode.BITS_64
                : cs.db() ? InstructionLength.Mode.BITS_32 : InstructionLength.Mode.BITS_16;
    }

    /** {@return the linear address of CS:rip} Needs {@link #sregs} fresh. */
    private long linearCodeAddress(long rip, InstructionLength.Mode mode) {
        Segment cs = KvmSegment.read(sregs, KvmSregs.segmentOffset(SegmentRegister.CS));
        return mode == InstructionLength.Mode.BITS_64 ? rip : cs.base() + (rip & 0xFFFF_FFFFL);
    }

    /**
     * An element of a REP string instruction (INS, or an MOVS, LODS, CMPS or SCAS element that reads MMIO)
     * does not retire the instruction unless it is the last: RIP stays at the instruction, as for any
     * interrupted REP string instruction (SDM Vol. 2 "REP/REPE/REPZ/REPNE/REPNZ"). RCX counts in the address
     * size (SDM Vol. 1 section 3.6).
     */
    private boolean repeatsBeyondThisElement(byte[] code, int length, InstructionLength.Mode mode) {
        if (InstructionLength.repeatedStringOpcode(code, length, mode) < 0) {
            return false;
        }
        boolean addressSizePrefix = false;
        for (int i = 0; i < length - 1; i++) {
            addressSizePrefix |= (code[i] & 0xFF) == 0x67;
        }
        int addressBits = switch (mode) {
            case BITS_64 -> addressSizePrefix ? 32 : 64;
            case BITS_32 -> addressSizePrefix ? 16 : 32;
            case BITS_16 -> addressSizePrefix ? 32 : 16;
        };
        long count = presentedGpr(1, KvmRegs.gpr(regs, 1)); // RCX before this element
        if (addressBits < 64) {
            count &= (1L << addressBits) - 1;
        }
        return count != 1;
    }

    /** {@return how many bytes of {@code code} were read from guest-linear {@code linear} on (stops at a gap)} */
    private int readCode(long linear, byte[] code) {
        int read = 0;
        while (read < code.length) {
            long address = linear + read;
            KvmTranslation.linearAddress(translation, address);
            calls.ioctl(fd, KvmIoctls.KVM_TRANSLATE, translation);
            if (!KvmTranslation.valid(translation)) {
                break;
            }
            int chunk = (int) Math.min(code.length - read, PAGE_SIZE - (address & (PAGE_SIZE - 1)));
            try {
                MemorySegment.copy(vm.memory().slice(KvmTranslation.physicalAddress(translation), chunk),
                        ValueLayout.JAVA_BYTE, 0, code, read, chunk);
            } catch (MemoryMapException e) {
                break;
            }
            read += chunk;
        }
        return read;
    }

    @Override
    public void close() {
        try {
            super.close();
        } finally {
            if (arena.scope().isAlive()) {
                arena.close();
            }
        }
    }
}
