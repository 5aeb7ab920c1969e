package org.vcpu4j.tck;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The TCK's rules: each has an id (the test method is named after it, e.g. {@code ctx001_...} for
 * CTX-001), a statement, the capabilities it needs and what to check in a backend when it fails. The
 * rules table of {@code tck/README.md} lists the same entries.
 */
public enum Rule {
    /** Lifecycle state machine. */
    LIF_001("LIF-001", "The vCPU state machine accepts exactly the legal transitions (random operation sequences "
            + "against the model CREATED-setup->FREE-bind->READY-run->READY, unbind, close; a bound vCPU refuses calls "
            + "from other threads)",
            List.of("Did ArchVCpu.setup/bind/unbind/run throw where it should not? (the library then marks the "
                    + "vCPU INVALID)", "Does run() return null or an exit that leaves the vCPU unusable?")),
    /** Closing. */
    LIF_002("LIF-002", "Closing a VM closes its vCPUs; close is idempotent; a closed vCPU refuses every operation",
            List.of("VmBackend.close/ArchVCpu.close must not throw on a second call or after the VM closed",
                    "HypervisorBackend.close must tolerate VMs closed before it")),
    /** One answer to misuse on every backend (issue 11 item 11). */
    LIF_003("LIF-003", "While a load exit awaits its value, setGpr, setEntry and setReturnValue throw "
            + "IllegalVCpuStateException and change nothing, reads work, and the completed load still writes its "
            + "register; createVCpu with an id above maxVCpuId() is an IllegalArgumentException and the VM stays usable",
            List.of("Register writes during a pending load must reach the library's check, not be applied or "
                    + "dropped by the backend", "VmBackend.maxVCpuId() must be the backend's real limit (KVM: "
                    + "KVM_CAP_MAX_VCPU_ID - 1), so that the library refuses larger ids before the backend sees them")),
    /** Restore-then-save identity. */
    CTX_001("CTX-001", "restoreState then saveState gives back the same state for random states (CNTVCT_EL0 may "
            + "only move forward)",
            List.of("Every field of the state type is written by restoreState and read by saveState",
                    "Timer registers (CNTV/CNTP CTL and CVAL, CNTKCTL) and the virtual count offset are restored",
                    "SIMD&FP registers, FPCR and FPSR when fpSimdStateAccessible()")),
    /** Restored registers reach the guest. */
    CTX_002("CTX-002", "A guest that stores its registers to memory shows exactly the restored values",
            List.of("restoreState writes the registers the guest will run with, not a shadow copy",
                    "SP selection: the guest runs at EL1h and stores through SP_EL1 (AArch64)")),
    /** Run across an exit. */
    CTX_003("CTX-003", "Running across an MMIO exit changes nothing but what the exit explains: the PC, and after "
            + "completion the destination register",
            List.of("Registers are not clobbered by the exit path (scratch registers used by the trap handler)",
                    "PSTATE/RFLAGS and system registers are preserved across the exit")),
    /** Restored SIMD&amp;FP registers reach the guest. */
    CTX_004("CTX-004", "A guest that stores V0-V31 to memory (STP Q) shows exactly the restored values (AArch64)",
            List.of("restoreState writes the SIMD&FP register file the guest runs with",
                    "The backend executes SIMD&FP stores and honours CPACR_EL1.FPEN = 0b11")),
    /** Exit decoding. */
    EXIT_001("EXIT-001", "A load or store to an unmapped address exits with the address, width, direction, "
            + "register, register width and sign extension the encoding means (store data masked, XZR stores 0)",
            List.of("ESR ISS decoding: SAS (width), SSE (sign extension), SRT (register), SF (64-bit register), "
                    + "WnR (direction)", "FAR/HPFAR combination for the address",
                    "x86-64: KVM's mmio.len and is_write; register fields are not checked there")),
    /** Completion value. */
    EXIT_002("EXIT-002", "Completing a load with a random value leaves exactly the architectural value in the "
            + "register: truncated to the width, sign- or zero-extended, W upper half cleared, XZR untouched "
            + "(x86-64: 8/16-bit destinations merge, 32-bit ones zero-extend)",
            List.of("Use org.vcpu4j.spi.aarch64.Completion.loadResult", "Rt = 31 must write nothing (not SP)",
                    "x86-64: the value goes to kvm_run.mmio.data and KVM finishes the instruction")),
    /** Accesses without a syndrome. */
    EXIT_003("EXIT-003", "A load/store pair (LDP/STP, no valid syndrome) to an unmapped address exits as "
            + "NestedPageFault(address, READ or WRITE), a branch to an unmapped address as NestedPageFault(address, "
            + "EXECUTE); the PC stays on the faulting instruction and no register changes (AArch64)",
            List.of("ISV = 0 data aborts must not be decoded as MMIO (KVM: KVM_EXIT_ARM_NISV)",
                    "Instruction aborts from stage 2 (EC 0x20) become EXECUTE faults at the branch target")),
    /** External abort answer. */
    EXIT_004("EXIT-004", "completeMmioWithExternalAbort() makes the guest take a synchronous external abort at "
            + "VBAR_EL1+0x200: ESR_EL1.EC = 0x25, DFSC = 0x10, WnR as the access, ELR_EL1 = the access, "
            + "FAR_EL1 = its address (AArch64)",
            List.of("Rewind the PC advance before injecting the abort", "ESR_EL1 ISV = 0, WnR = 1 for stores",
                    "KVM: KVM_SET_VCPU_EVENTS with ext_dabt_pending")),
    /** An access split between RAM and nothing (issue 11 item 6). */
    EXIT_005("EXIT-005", "A load or store that starts in the last bytes of RAM and ends in unmapped space does the "
            + "RAM part against RAM and exits only for the rest: MMIO exits at the first byte outside RAM and on, "
            + "in naturally aligned pieces (size = the lowest set bit of remaining bytes OR address OR 8, as "
            + "QEMU's do_ld_mmio_beN), each with its own address, width and store data; a store leaves its RAM bytes "
            + "written, a load's register combines the RAM bytes with the completed ones (AArch64 with the MMU on)",
            List.of("Split the access at the page boundary; do not report it as one full-width exit at its start or "
                    + "at the end of RAM", "Write a store's RAM bytes; keep a load's RAM bytes and write the register "
                    + "once, after the last piece, from all the bytes", "Only the piece's low width bytes of a "
                    + "completion value count", "KVM x86-64: the emulator reads or writes the RAM page itself and "
                    + "exits with mmio.len = bytes outside RAM; a length of 3, 5, 6 or 7 must be split into pieces")),
    /** Device memory alignment. */
    ALIGN_001("ALIGN-001", "With the MMU off every data access is to Device memory, so an unaligned load or store "
            + "takes an alignment fault at VBAR_EL1+0x200: ESR_EL1.EC = 0x25, DFSC = 0x21, WnR as the access, "
            + "ELR_EL1 = the access, FAR_EL1 = its address; over RAM it changes no memory, over nothing it does "
            + "not exit (AArch64)",
            List.of("The memory-type alignment check comes after the stage-1 walk and before any stage-2 fault "
                    + "(Arm ARM: Alignment of data accesses)", "SCTLR_EL1.A clear does not allow unaligned "
                    + "Device accesses", "Hardware backends get this from the CPU: a failure means the guest ran "
                    + "with the MMU on or the exit path took the fault for MMIO")),
    /** PC contract. */
    PC_001("PC-001", "When run() returns an MMIO, system-register, HVC, SMC, port or WFI/HLT exit, the PC "
            + "already points past the trapping instruction",
            List.of("Advance the PC by the instruction length (ESR.IL: 4 bytes on A64) before returning the exit",
                    "KVM x86-64: an IO/MMIO exit is finished by the next KVM_RUN; saveState must still show the "
                    + "advanced RIP")),
    /** Register-space reads. */
    SYS_001("SYS-001", "A read of a trapped system register (AArch64 MRS) or of a port (x86-64 IN) exits with its "
            + "address or port and destination; completion writes exactly the architectural value",
            List.of("ISS-format address = ESR.ISS & 0x3FFC1E; register = ISS.Rt", "XZR destination: nothing written",
                    "x86 IN: AL/AX merge into RAX, EAX clears bits 63:32")),
    /** Register-space writes. */
    SYS_002("SYS-002", "A write of a trapped system register (MSR) or to a port (OUT) exits with the address or "
            + "port, width and the written value (XZR writes 0)",
            List.of("Value from Rt, 0 for Rt = 31", "x86 OUT: data masked to the width")),
    /** PSCI. */
    PSCI_001("PSCI-001", "PSCI CPU_ON (SMC32 and SMC64 ids), CPU_OFF, SYSTEM_OFF and SYSTEM_RESET over HVC and SMC "
            + "become CpuUp(target, entry, arg), CpuDown, SystemDown and SystemReset, with the PC past the call",
            List.of("Use org.vcpu4j.spi.aarch64.Psci.decode / TrapDecoder.call for HVC (EC 0x16) and SMC (EC 0x17)",
                    "SMC32 arguments are 32-bit (W1-W3)", "A trapped SMC is never forwarded to firmware")),
    /** Hypercall number and arguments. */
    HVC_001("HVC-001", "An HVC or SMC that is not PSCI exits as Hypercall(number = x0, args = x1..x6)",
            List.of("Argument order: x1 is args[0]", "The number is the whole X0, not W0")),
    /** Return value. */
    HVC_002("HVC-002", "setReturnValue after a Hypercall exit is the x0 (RAX) the guest sees when it resumes",
            List.of("setReturnValue writes X0 of the running context, not a saved copy that the next entry "
                    + "overwrites")),
    /** Inter-processor interrupts. */
    IPI_001("IPI-001", "A write of ICC_SGI1R_EL1 exits as SendIpi with the INTID, the affinity (Aff3.Aff2.Aff1 "
            + "packed as arm_vcpu packs it), the target list and IRM, with the PC past the MSR (AArch64)",
            List.of("Trap ICC_SGI1R_EL1 (ICH_HCR_EL2.TC / ICC_SRE) and decode it with TrapDecoder.sendIpi",
                    "XZR as the source register writes 0 (INTID 0 to an empty target list)")),
    /** Interrupt injection. */
    IRQ_001("IRQ-001", "An interrupt injected before run() is taken by a guest that unmasks: AArch64 through "
            + "VBAR_EL1+0x280 with the INTID in ICC_IAR1_EL1, x86-64 through its IDT vector",
            List.of("The pending interrupt is checked when PSTATE.I / RFLAGS.IF clears, not only at run() entry",
                    "ICC_IAR1_EL1 returns the injected INTID", "KVM: request an interrupt window when IF=0")),
    /** Interrupt ids the backend cannot take. */
    IRQ_002("IRQ-002", "injectInterrupt with an id the ISA has no interrupt for (AArch64: 1020 and up; x86-64: 256 "
            + "and up) throws IllegalArgumentException on the calling thread, bound or not, and the vCPU stays usable",
            List.of("Override ArchVCpu.checkInterrupt: the library calls it before it queues an injection from "
                    + "another thread", "A queued id that fails inside run() leaves the vCPU INVALID")),
    /** Level-sensitive lines of the VM's interrupt controller. */
    INT_001("INT-001", "A line of the VM's interrupt controller held high is taken by the guest's handler, and "
            + "taken again after each EOI while it stays high; once it is low at an EOI it is not taken again (AArch64: a "
            + "GICv3 SPI routed to vCPU 0; x86-64: a level-triggered IOAPIC pin routed to an IDT vector)",
            List.of("InterruptControllerBackend.setLevel keeps the level: a GIC level interrupt's pending state "
                    + "follows the line, an IOAPIC pin re-delivers on EOI while it is asserted (remote IRR)",
                    "Lowering a line must reach the controller (KVM: KVM_IRQ_LINE with level 0)",
                    "A vCPU in WFI/HLT wakes when a line makes an interrupt pending")),
    /** Priority and masking. */
    INT_002("INT-002", "Of two pending SPIs the one with the higher priority (lower value) is acknowledged first; "
            + "ICC_PMR_EL1 masks an SPI whose priority is not below it, and opening the mask delivers it (AArch64)",
            List.of("ICC_IAR1_EL1 returns the highest-priority pending interrupt (GICv3 4.8)",
                    "An interrupt is signalled only if its priority is below ICC_PMR_EL1 and the running priority",
                    "The CPU interface's registers are the guest's after every exit (no stale shadow copy)")),
    /** The virtual timer through the GIC. */
    INT_003("INT-003", "The virtual timer, enabled with CNTV_CVAL_EL0 ahead of the count, fires PPI 27 through the "
            + "GIC once CNTVCT_EL0 passes the compare value, waking a guest in WFI within a liveness bound with "
            + "CNTV_CTL_EL0.ISTATUS set; disabled in the handler, it does not fire again (AArch64)",
            List.of("The timer's output is a level input of PPI 27 (Arm BSA), evaluated whenever the count, CVAL or "
                    + "CTL changes and at the deadline while the vCPU sleeps in WFI",
                    "CNTV_CVAL_EL0 and CNTV_CTL_EL0 written by the guest are the ones the timer compares (no stale "
                    + "copy after an exit)", "KVM: the in-kernel arch timer with the vGIC")),
    /** Interrupt-controller and timer state in a snapshot. */
    INT_004("INT-004", "A snapshot taken mid-flight (interruptController().saveState() and the vCPU's saveState() "
            + "with an SPI held high and pending, the virtual timer armed, IRQs masked) restored into a fresh VM "
            + "goes on as the original: the SPI is taken, again after its EOI while its line is high, and the "
            + "timer fires after it is lowered (AArch64)",
            List.of("The VM-level state carries the distributor registers and every input line's level",
                    "The vCPU's state carries its redistributor (pending, enabled, priorities) and CPU interface",
                    "CNTV_CTL_EL0, CNTV_CVAL_EL0 and the virtual count are restored before the guest runs")),
    /** SGIs and SPI routing between vCPUs. */
    INT_005("INT-005", "An SGI that vCPU 0 writes to ICC_SGI1R_EL1 for affinity 0.0.0.1 reaches vCPU 1's handler "
            + "without an exit on vCPU 0, and an SPI routed by GICD_IROUTER to affinity 0.0.0.1 is taken by "
            + "vCPU 1 and not by vCPU 0 (AArch64, two vCPUs on their own threads)",
            List.of("The redistributor of each vCPU is the one at RD_base + 128 KiB x its index, with its vCPU's "
            + "MPIDR affinity (GICR_TYPER)",
                    "ICC_SGI1R_EL1 writes go to the GIC (not a SendIpi exit) when the VM has an interrupt "
            + "controller, and wake the target's WFI",
                    "An SPI is delivered to the PE whose affinity GICD_IROUTER names (GICv3 4.5)")),
    /** Kick. */
    KICK_001("KICK-001", "requestExit() from another thread makes a spinning guest's run() return Interrupted, "
            + "with the PC at the spin loop",
            List.of("The run loop checks the request flag at least at every branch", "KVM: immediate_exit and a "
                    + "signal to the vCPU thread")),
    /** Sticky kick. */
    KICK_002("KICK-002", "requestExit() between runs is not lost: the next run() returns Interrupted before the "
            + "guest executes anything",
            List.of("The request flag is sticky until a run() consumes it")),
    /** Robustness. */
    ROB_001("ROB-001", "Random instruction bytes never make run() throw: every guest action becomes a guest "
            + "exception or a defined exit, and the vCPU stays usable",
            List.of("Undefined encodings are injected into the guest (EC 0x00), not thrown",
                    "Unknown exception classes become InternalError exits",
                    "KVM: a triple fault or internal error is an exit, not a BackendException")),
    /** Resources. */
    RES_001("RES-001", "Creating, running and closing many VMs and vCPUs leaks no file descriptors and no memory "
            + "mappings (/proc/self/fd, /proc/self/maps)",
            List.of("Every fd (VM, vCPU, eventfd) is closed by close()", "mmaps of kvm_run are unmapped")),
    /** SMP. */
    RES_002("RES-002", "maxVCpus() vCPUs of one VM run at the same time, each on its own thread, each to its own halt",
            List.of("Per-vCPU state is not shared between vCPUs", "Thread binding is per vCPU"));

    private final String id;
    private final String statement;
    private final List<String> whatToCheck;

    Rule(String id, String statement, List<String> whatToCheck) {
        this.id = id;
        this.statement = statement;
        this.whatToCheck = List.copyOf(whatToCheck);
    }

    /** {@return the id, e.g. {@code CTX-001}} */
    public String id() {
        return id;
    }

    /** {@return what the rule requires of a backend} */
    public String statement() {
        return statement;
    }

    /** {@return what to check in the backend when the rule fails} */
    public List<String> whatToCheck() {
        return whatToCheck;
    }

    /**
     * {@return the capabilities the rule needs on a backend of this ISA}
     *
     * @param isa the backend's guest ISA
     */
    public Set<Capability> requires(org.vcpu4j.api.GuestIsa isa) {
        boolean arm = isa == org.vcpu4j.api.GuestIsa.AARCH64;
        return switch (this) {
            case SYS_001, SYS_002 -> arm ? EnumSet.of(Capability.SYSREG_TRAPS) : EnumSet.noneOf(Capability.class);
            case PSCI_001 -> EnumSet.of(Capability.AARCH64_GUEST, Capability.PSCI_FORWARDED);
            case CTX_004 -> EnumSet.of(Capability.AARCH64_GUEST, Capability.FP_SIMD_STATE);
            case EXIT_003, EXIT_004, ALIGN_001 -> EnumSet.of(Capability.AARCH64_GUEST);
            case IPI_001 -> EnumSet.of(Capability.AARCH64_GUEST, Capability.IPI_EXITS);
            case HVC_001, HVC_002 -> EnumSet.of(Capability.HYPERCALLS);
            case IRQ_001 -> EnumSet.of(Capability.INTERRUPTS);
            case INT_001 -> EnumSet.of(Capability.INTERRUPT_CONTROLLER);
            case INT_002, INT_003, INT_004 -> EnumSet.of(Capability.AARCH64_GUEST, Capability.INTERRUPT_CONTROLLER);
            case INT_005 -> EnumSet.of(Capability.AARCH64_GUEST, Capability.INTERRUPT_CONTROLLER, Capability.SMP);
            case RES_001 -> EnumSet.of(Capability.FD_COUNT);
            case RES_002 -> EnumSet.of(Capability.SMP);
            default -> EnumSet.noneOf(Capability.class);
        };
    }

    /**
     * {@return the rule with this id}
     *
     * @param id e.g. {@code CTX-001}
     * @throws IllegalArgumentException if there is none
     */
    public static Rule byId(String id) {
        for (Rule r : values()) {
            if (r.id.equals(id)) {
                return r;
            }
        }
        throw new IllegalArgumentException("no TCK rule has the id '" + id + "'");
    }
}
