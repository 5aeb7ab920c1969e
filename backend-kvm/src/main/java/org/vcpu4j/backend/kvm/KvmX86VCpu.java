package org.vcpu4j.backend.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
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
 * the instruction so that its next {@code KVM_RUN} retires it with the value. String I/O: OUTS and INS
 * arrive one element per exit (a REP INS element that is not the last leaves RIP at the instruction, as
 * an interrupted REP instruction does); a REP INS that KVM hands over several elements at once ends in an
 * {@code InternalError} exit.
 */
final class KvmX86VCpu extends KvmVCpu {
    private static final VCpuExit HALT = new VCpuExit.Halt();
    private static final VCpuExit INTERRUPTED = new VCpuExit.Interrupted();
    /** EFER.LMA, bit 10: IA-32e mode active (SDM Vol. 3A section 2.2.1). */
    private static final long EFER_LMA = 1L << 10;
    /** The smallest x86 page: translations hold at least this far (SDM Vol. 3A section 4.1). */
    private static final long PAGE_SIZE = 4096;

    private final KvmVm vm;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment regs = arena.allocate(KvmRegs.layout());
    private final MemorySegment sregs = arena.allocate(KvmSregs.layout());
    private final MemorySegment irq = arena.allocate(ValueLayout.JAVA_INT);
    private final MemorySegment translation = arena.allocate(KvmTranslation.layout());
    private final ArrayDeque<Integer> pendingInterrupts = new ArrayDeque<>();
    private boolean regsValid;
    private boolean deferredExit;
    private long ioDataOffset;
    /** How far RIP is presented past KVM's at the load awaiting its value, once decoded (-1: not yet). */
    private int pendingLoadLength = -1;
    private long entry;
    private boolean setUp;

    KvmX86VCpu(KvmCalls calls, int fd, MemorySegment run, KvmVm vm, MemorySegment supportedCpuid, int apicId) {
        super(calls, fd, run);
        this.vm = vm;
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
            checkNoLoadAwaitingValue("setEntry");
            loadRegs();
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
        if (deferredExit) {
            deferredExit = false;
            VCpuExit exit = decode();
            if (exit != null) {
                return exit;
            }
        }
        while (true) {
            if (!pendingInterrupts.isEmpty()) {
                offerInterrupt();
            }
            instructionPending = false;
            loadAwaitingValue = false;
            pendingLoadLength = -1;
            if (!enter()) {
                return INTERRUPTED;
            }
            VCpuExit exit = decode();
            if (exit != null) {
                return exit;
            }
        }
    }

    /** {@return the exit in kvm_run, or null when it was handled here and the guest should run on} */
    private VCpuExit decode() {
        int reason = KvmRun.exit_reason(run);
        return switch (reason) {
            case KvmIoctls.KVM_EXIT_IO -> decodeIo();
            case KvmIoctls.KVM_EXIT_MMIO -> decodeMmio(w -> w);
            case KvmIoctls.KVM_EXIT_HLT -> HALT;
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

    private VCpuExit decodeIo() {
        int size = KvmRun.io_size(run);
        int port = Short.toUnsignedInt(KvmRun.io_port(run));
        int count = KvmRun.io_count(run);
        boolean out = KvmRun.io_direction(run) == KvmIoctls.KVM_EXIT_IO_OUT;
        if (count != 1 || (size != 1 && size != 2 && size != 4)) {
            return new VCpuExit.InternalError(KvmIoctls.KVM_EXIT_IO, String.format(
                    "string port I/O (REP %s) of %d x %d bytes at port 0x%x: vcpu4j handles single IN and OUT only",
                    out ? "OUTS" : "INS", count, size, port));
        }
        AccessWidth width = AccessWidth.ofBytes(size);
        ioDataOffset = KvmRun.io_data_offset(run);
        instructionPending = true;
        if (out) {
            long data = switch (size) {
                case 1 -> run.get(ValueLayout.JAVA_BYTE, ioDataOffset);
                case 2 -> run.get(ValueLayout.JAVA_SHORT_UNALIGNED, ioDataOffset);
                default -> run.get(ValueLayout.JAVA_INT_UNALIGNED, ioDataOffset);
            };
            return new VCpuExit.IoWrite(port, width, data);
        }
        loadAwaitingValue = true;
        return new VCpuExit.IoRead(port, width);
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

    private void storeRegs() {
        calls.ioctl(fd, KvmIoctls.KVM_SET_REGS, regs);
    }

    @Override
    public void setGpr(int index, long value) {
        checkNoLoadAwaitingValue("setGpr");
        loadRegs();
        KvmRegs.gpr(regs, index, value);
        storeRegs();
    }

    @Override
    public long gpr(int index) {
        loadRegs();
        return KvmRegs.gpr(regs, index);
    }

    @Override
    public void injectInterrupt(int intid) {
        checkInterrupt(intid);
        pendingInterrupts.add(intid);
        KvmRun.request_interrupt_window(run, (byte) 1);
    }

    @Override
    public void checkInterrupt(int intid) {
        if (intid < 0 || intid > 255) {
            throw new IllegalArgumentException("x86 interrupt vector must be 0..255, not " + intid);
        }
    }

    @Override
    public void setReturnValue(long value) {
        setGpr(0, value);
    }

    @Override
    public void completeMmioRead(VCpuExit.MmioRead exit, long value) {
        // linux/kvm.h kvm_run.mmio.data: the bytes a load of len bytes would read (little-endian on x86).
        KvmRun.mmio_data(run, value & exit.width().mask());
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
    }

    @Override
    public RegisterState saveState() {
        loadRegs();
        calls.ioctl(fd, KvmIoctls.KVM_GET_SREGS, sregs);
        X86_64State.Builder b = X86_64State.builder();
        for (int i = 0; i < 16; i++) {
            b.gpr(i, KvmRegs.gpr(regs, i));
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
        return b.cr0(KvmSregs.get(sregs, "cr0")).cr2(KvmSregs.get(sregs, "cr2")).cr3(KvmSregs.get(sregs, "cr3"))
                .cr4(KvmSregs.get(sregs, "cr4")).cr8(KvmSregs.get(sregs, "cr8")).efer(KvmSregs.get(sregs, "efer"))
                .build();
    }

    @Override
    public void restoreState(RegisterState state) {
        X86_64State s = (X86_64State) state;
        if (instructionPending) {
            // A restored state replaces the interrupted instruction (and drops an uncompleted load's value, as
            // the library's wrapper does): let KVM retire it at its own RIP first, then overwrite everything.
            // A read-modify-write MMIO instruction stops once more for its write, which needs no value.
            instructionPending = false;
            loadAwaitingValue = false;
            pendingLoadLength = -1;
            for (int i = 0; i < 4 && completePendingInstruction(); i++) {
                // retired once more
            }
        }
        deferredExit = false;
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
        Segment cs = KvmSegment.read(sregs, KvmSregs.segmentOffset(SegmentRegister.CS));
        boolean longMode = (KvmSregs.get(sregs, "efer") & EFER_LMA) != 0;
        InstructionLength.Mode mode = longMode && cs.l() ? InstructionLength.Mode.BITS_64
                : cs.db() ? InstructionLength.Mode.BITS_32 : InstructionLength.Mode.BITS_16;
        long linear = mode == InstructionLength.Mode.BITS_64 ? rip : cs.base() + (rip & 0xFFFF_FFFFL);
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

    /**
     * A REP INS that KVM hands over one element at a time (at a page end) is not retired by this element
     * unless it is the last: RIP stays at the instruction, as for any interrupted REP string instruction
     * (SDM Vol. 2 "REP/REPE/REPZ/REPNE/REPNZ"). INS (6C, 6D) has no operand bytes, so every byte before
     * the opcode is a prefix. RCX counts in the address size (SDM Vol. 1 section 3.6).
     */
    private boolean repeatsBeyondThisElement(byte[] code, int length, InstructionLength.Mode mode) {
        int opcode = code[length - 1] & 0xFF;
        if (opcode != 0x6C && opcode != 0x6D) {
            return false;
        }
        boolean rep = false;
        boolean addressSizePrefix = false;
        for (int i = 0; i < length - 1; i++) {
            int prefix = code[i] & 0xFF;
            rep |= prefix == 0xF2 || prefix == 0xF3;
            addressSizePrefix |= prefix == 0x67;
        }
        if (!rep) {
            return false;
        }
        int addressBits = switch (mode) {
            case BITS_64 -> addressSizePrefix ? 32 : 64;
            case BITS_32 -> addressSizePrefix ? 16 : 32;
            case BITS_16 -> addressSizePrefix ? 32 : 16;
        };
        long count = KvmRegs.gpr(regs, 1);
        if (addressBits < 64) {
            count &= (1L << addressBits) - 1;
        }
        return count != 1;
    }

    /** {@return how many bytes of {@code code} were read from guest-linear {@code linear} on} */
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
