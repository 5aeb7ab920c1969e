package org.vcpu4j.api;

import java.util.List;
import java.util.Objects;

/**
 * Why {@link VCpu#run()} returned: the Java mirror of axvcpu's {@code AxVCpuExitReason}.
 *
 * <p>The PC contract holds on every backend: when {@code run()} returns an exit for MMIO, a system
 * register, HVC, SMC, port I/O or WFI/HLT, the guest's PC already points past the trapping
 * instruction; for {@link ExternalInterrupt} and {@link Interrupted} it points at the instruction that
 * will run next. The VMM never adjusts the PC.
 *
 * <p>Exits that load a value ({@link MmioRead}, {@link SysRegRead}, {@link IoRead}) must be completed
 * through the vCPU before the next {@code run()}.
 */
public sealed interface VCpuExit {

    /** {@return a short, stable name of the exit kind, for statistics and messages} */
    default String kind() {
        return getClass().getSimpleName();
    }

    /**
     * A load from guest-physical memory with nothing behind it. Complete it with {@link
     * VCpu#completeMmioRead(long)} or {@link VCpu#completeMmioWithExternalAbort()}.
     *
     * @param address the guest-physical address
     * @param width the access width
     * @param register the destination register index (AArch64: 0-31, 31 is XZR; x86-64: unused, 0)
     * @param registerWidth the destination register width (AArch64: DWORD for W, QWORD for X)
     * @param signExtend whether the loaded value is sign-extended to {@code registerWidth}
     */
    record MmioRead(long address, AccessWidth width, int register, AccessWidth registerWidth, boolean signExtend)
            implements VCpuExit {
        /** Validates the fields. */
        public MmioRead {
            Objects.requireNonNull(width, "width");
            Objects.requireNonNull(registerWidth, "registerWidth");
            if (register < 0 || register > 31) {
                throw new IllegalArgumentException("register index must be 0..31, not " + register);
            }
        }

        /** {@return the record's fields, addresses and values in hex} */
        @Override
        public String toString() {
            return "MmioRead[address=0x" + Long.toHexString(address) + ", width=" + width + ", register=" + register
                    + ", registerWidth=" + registerWidth + ", signExtend=" + signExtend + "]";
        }
    }

    /**
     * A store to guest-physical memory with nothing behind it. Needs no completion, though it may be
     * answered with {@link VCpu#completeMmioWithExternalAbort()}.
     *
     * @param address the guest-physical address
     * @param width the access width
     * @param data the stored value, masked to {@code width} (a store of XZR gives 0)
     */
    record MmioWrite(long address, AccessWidth width, long data) implements VCpuExit {
        /** Validates the fields and masks the data to the width. */
        public MmioWrite {
            Objects.requireNonNull(width, "width");
            data &= width.mask();
        }

        /** {@return the record's fields, addresses and values in hex} */
        @Override
        public String toString() {
            return "MmioWrite[address=0x" + Long.toHexString(address) + ", width=" + width + ", data=0x"
                    + Long.toHexString(data) + "]";
        }
    }

    /**
     * A trapped system-register read (AArch64 MRS). Complete it with {@link
     * VCpu#completeSysRegRead(long)}.
     *
     * @param address the register in ESR ISS format: {@code op0<<20 | op2<<17 | op1<<14 | CRn<<10 |
     *     CRm<<1} ({@code ISS & 0x3FFC1E})
     * @param register the destination register index, 0-31 (31 is XZR)
     */
    record SysRegRead(long address, int register) implements VCpuExit {
        /** Validates the register index. */
        public SysRegRead {
            if (register < 0 || register > 31) {
                throw new IllegalArgumentException("register index must be 0..31, not " + register);
            }
        }

        /** {@return the record's fields, addresses and values in hex} */
        @Override
        public String toString() {
            return "SysRegRead[address=0x" + Long.toHexString(address) + ", register=" + register + "]";
        }
    }

    /**
     * A trapped system-register write (AArch64 MSR).
     *
     * @param address the register in ESR ISS format (see {@link SysRegRead#address()})
     * @param value the written value (0 for XZR)
     */
    record SysRegWrite(long address, long value) implements VCpuExit {
        /** {@return the record's fields, addresses and values in hex} */
        @Override
        public String toString() {
            return "SysRegWrite[address=0x" + Long.toHexString(address) + ", value=0x" + Long.toHexString(value) + "]";
        }
    }

    /**
     * A port read (x86 IN). Complete it with {@link VCpu#completeIoRead(long)}.
     *
     * @param port the port, 0-0xFFFF
     * @param width the access width (BYTE, WORD or DWORD)
     */
    record IoRead(int port, AccessWidth width) implements VCpuExit {
        /** Validates the fields. */
        public IoRead {
            checkPort(port, width);
        }

        /** {@return the record's fields, addresses and values in hex} */
        @Override
        public String toString() {
            return "IoRead[port=0x" + Integer.toHexString(port) + ", width=" + width + "]";
        }
    }

    /**
     * A port write (x86 OUT).
     *
     * @param port the port, 0-0xFFFF
     * @param width the access width (BYTE, WORD or DWORD)
     * @param data the written value, masked to {@code width}
     */
    record IoWrite(int port, AccessWidth width, long data) implements VCpuExit {
        /** Validates the fields and masks the data to the width. */
        public IoWrite {
            checkPort(port, width);
            data &= width.mask();
        }

        /** {@return the record's fields, addresses and values in hex} */
        @Override
        public String toString() {
            return "IoWrite[port=0x" + Integer.toHexString(port) + ", width=" + width + ", data=0x"
                    + Long.toHexString(data) + "]";
        }
    }

    /**
     * A hypercall that is not a PSCI call the library understands (AArch64 HVC or SMC; x86 VMCALL).
     * Answer it with {@link VCpu#setReturnValue(long)}.
     *
     * @param number the call number (AArch64: x0)
     * @param args the six arguments (AArch64: x1-x6)
     */
    record Hypercall(long number, List<Long> args) implements VCpuExit {
        /** Validates and copies the arguments. */
        public Hypercall {
            args = List.copyOf(args);
            if (args.size() != 6) {
                throw new IllegalArgumentException("a hypercall has 6 arguments, not " + args.size());
            }
        }

        /**
         * {@return argument {@code i}, 0-5}
         *
         * @param i the argument index
         */
        public long arg(int i) {
            return args.get(i);
        }

        /** {@return the record's fields, addresses and values in hex} */
        @Override
        public String toString() {
            return "Hypercall[number=0x" + Long.toHexString(number) + ", args=" + args.stream()
                    .map(a -> "0x" + Long.toHexString(a)).collect(java.util.stream.Collectors.joining(", ", "[", "]")) + "]";
        }
    }

    /**
     * A host interrupt arrived while the guest ran. The PC points at the interrupted instruction.
     *
     * @param vector the host interrupt number, or 0 when the backend cannot tell
     */
    record ExternalInterrupt(long vector) implements VCpuExit {}

    /**
     * A guest access to a guest-physical address that the backend could not decode as MMIO: an
     * instruction fetch from an address with nothing behind it, or a data abort without a valid
     * syndrome (ISV = 0: load/store pairs, writeback forms, SIMD). The PC points at the faulting
     * instruction.
     *
     * @param address the guest-physical address
     * @param access what the guest tried to do
     */
    record NestedPageFault(long address, AccessKind access) implements VCpuExit {
        /** Validates the fields. */
        public NestedPageFault {
            Objects.requireNonNull(access, "access");
        }

        /** {@return the record's fields, addresses and values in hex} */
        @Override
        public String toString() {
            return "NestedPageFault[address=0x" + Long.toHexString(address) + ", access=" + access + "]";
        }
    }

    /** The guest is idle (AArch64 WFI, x86 HLT); the PC points past the instruction. */
    record Halt() implements VCpuExit {}

    /**
     * The guest asked to start a secondary CPU (PSCI CPU_ON).
     *
     * @param targetCpu the target's MPIDR affinity value (x1)
     * @param entryPoint the guest-physical entry point (x2)
     * @param argument the value for the target's x0 (x3)
     */
    record CpuUp(long targetCpu, long entryPoint, long argument) implements VCpuExit {
        /** {@return the record's fields, addresses and values in hex} */
        @Override
        public String toString() {
            return "CpuUp[targetCpu=" + targetCpu + ", entryPoint=0x" + Long.toHexString(entryPoint) + ", argument=0x"
                    + Long.toHexString(argument) + "]";
        }
    }

    /**
     * The guest powered this CPU down (PSCI CPU_OFF).
     *
     * @param state the power state argument (x1), unused by PSCI 0.2 CPU_OFF
     */
    record CpuDown(long state) implements VCpuExit {}

    /** The guest powered the whole VM off (PSCI SYSTEM_OFF, or a KVM shutdown system event). */
    record SystemDown() implements VCpuExit {}

    /** The guest asked for a reset of the whole VM (PSCI SYSTEM_RESET, or a KVM reset system event). */
    record SystemReset() implements VCpuExit {}

    /**
     * The guest sent an inter-processor interrupt (AArch64 write of ICC_SGI1R_EL1).
     *
     * @param targetCpu packed {@code Aff3.Aff2.Aff1.0} (AArch64), invalid when sending to all or self
     * @param targetCpuAux the Aff0 target list bitmask (AArch64)
     * @param sendToAll send to every CPU except the sender
     * @param sendToSelf send to the sender
     * @param vector the interrupt id
     */
    record SendIpi(long targetCpu, long targetCpuAux, boolean sendToAll, boolean sendToSelf, long vector)
            implements VCpuExit {}

    /**
     * The hardware refused to enter the guest (KVM_EXIT_FAIL_ENTRY).
     *
     * @param hardwareEntryFailureReason the hardware's reason code
     */
    record FailEntry(long hardwareEntryFailureReason) implements VCpuExit {}

    /**
     * The backend stopped on something the contract has no exit for: an x86 triple fault, a KVM
     * internal error, an exception class it cannot handle. The guest cannot usefully continue.
     *
     * @param code a backend-specific code (the KVM exit reason or suberror, the ESR, ...)
     * @param description what happened, for a person
     */
    record InternalError(long code, String description) implements VCpuExit {
        /** Validates the fields. */
        public InternalError {
            Objects.requireNonNull(description, "description");
        }
    }

    /**
     * The guest stopped for a debugger: a single step finished, a breakpoint or a watchpoint was hit (see
     * {@link VCpu#debugCapabilities()}). The PC points at the instruction that will run next: after a step
     * the next one, at a breakpoint the breakpoint's instruction (not yet run). At a watchpoint it is the
     * accessing instruction, not yet run, on backends that stop before the access (the emulator, as an
     * AArch64 watchpoint exception, Arm ARM D2.10), or the one after it on those that stop after (x86 debug
     * registers); {@link #pc()} says which.
     *
     * @param reason why it stopped
     * @param pc the PC at the stop
     * @param dataAddress for a watchpoint, the guest-virtual address the guest accessed; otherwise {@code pc}
     */
    record DebugStop(Reason reason, long pc, long dataAddress) implements VCpuExit {
        /** Why a {@link DebugStop} happened. */
        public enum Reason {
            /** A single step ({@link VCpu#setSingleStep}) finished. */
            STEP,
            /** The PC reached a breakpoint. */
            BREAKPOINT,
            /** A store hit a watchpoint. */
            WATCH_WRITE,
            /** A load hit a watchpoint. */
            WATCH_READ
        }

        /** Validates the fields. */
        public DebugStop {
            Objects.requireNonNull(reason, "reason");
        }

        /** {@return the record's fields, addresses in hex} */
        @Override
        public String toString() {
            return "DebugStop[reason=" + reason + ", pc=0x" + Long.toHexString(pc) + ", dataAddress=0x"
                    + Long.toHexString(dataAddress) + "]";
        }
    }

    /** The exit was handled inside the backend; the VMM may do housekeeping and run again. */
    record Nothing() implements VCpuExit {}

    /**
     * {@link VCpu#requestExit()} was called (or an instruction limit was reached) and the guest was
     * stopped at an instruction boundary; the PC points at the next instruction to run.
     */
    record Interrupted() implements VCpuExit {}

    private static void checkPort(int port, AccessWidth width) {
        Objects.requireNonNull(width, "width");
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("I/O port must be 0..0xFFFF, not " + port);
        }
        if (width == AccessWidth.QWORD) {
            throw new IllegalArgumentException("port I/O is at most 32 bits wide");
        }
    }
}
