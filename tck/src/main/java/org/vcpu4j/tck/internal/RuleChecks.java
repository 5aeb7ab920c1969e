package org.vcpu4j.tck.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.vcpu4j.api.AccessKind;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.IllegalVCpuStateException;
import org.vcpu4j.api.RegisterState;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VCpuState;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.api.aarch64.Vec128;
import org.vcpu4j.api.x86_64.X86_64State;
import org.vcpu4j.spi.aarch64.Psci;
import org.vcpu4j.tck.VCpuBackendTck;
import org.vcpu4j.tck.VCpuBackendTck.LifecycleOp;
import org.vcpu4j.tck.generators.A64Call;
import org.vcpu4j.tck.generators.MmioCase;
import org.vcpu4j.tck.generators.RegisterSpaceCase;
import org.vcpu4j.tck.generators.StateRecipe;
import org.vcpu4j.tck.generators.TrapCase;
import org.vcpu4j.tck.asm.A64;
import org.vcpu4j.tck.asm.A64LoadStore;
import org.vcpu4j.tck.asm.A64SysReg;
import org.vcpu4j.tck.asm.X86;
import org.vcpu4j.tck.asm.X86MemAccess;
import org.vcpu4j.tck.asm.X86PortAccess;

/**
 * The checks behind the rules of {@link VCpuBackendTck}, one method per rule. Each builds its guest with
 * the ISA's assembler, runs it on a fresh {@link Machine} and throws {@link AssertionError} with a
 * message that names the rule, the case and what differed.
 */
public final class RuleChecks {
    private static final long COUNTER_SLACK = 1L << 40;

    private final Hypervisor hv;
    private final IsaKit kit;
    private final VCpuBackendTck tck;
    private final boolean arm;

    /**
     * Creates the checks for one property.
     *
     * @param hv the opened backend
     * @param kit the ISA kit
     * @param tck the TCK instance (capabilities)
     */
    public RuleChecks(Hypervisor hv, IsaKit kit, VCpuBackendTck tck) {
        this.hv = hv;
        this.kit = kit;
        this.tck = tck;
        this.arm = kit.isa() == GuestIsa.AARCH64;
    }

    // ------------------------------------------------------------------ LIF

    /**
     * LIF-001.
     *
     * @param ops the operation sequence
     */
    public void lif001(List<LifecycleOp> ops) {
        try (VirtualMachine vm = hv.createVirtualMachine()) {
            vm.mapRam(kit.ramBase(), kit.ramSize());
            vm.memory().write(kit.codeAddress(), repeat(kit.halt(), 0x1000 / kit.halt().length));
            VCpu cpu = vm.createVCpu(0, kit.createConfig(0));
            cpu.setEntry(kit.codeAddress());
            VCpuState model = VCpuState.CREATED;
            List<String> done = new ArrayList<>();
            for (LifecycleOp op : ops) {
                VCpuState next = next(op, model);
                boolean accepted;
                try {
                    apply(op, cpu);
                    accepted = true;
                } catch (IllegalVCpuStateException e) {
                    accepted = false;
                }
                done.add(op + (accepted ? "" : "(refused)"));
                if ((next != null) != accepted) {
                    throw new AssertionError("LIF-001: " + op + " in state " + model + " must be "
                            + (next != null ? "accepted" : "refused") + " but was " + (accepted ? "accepted" : "refused")
                            + "; operations so far: " + done);
                }
                VCpuState expected = next != null ? next : model;
                if (cpu.state() != expected) {
                    throw new AssertionError("LIF-001: after " + done + " the state is " + cpu.state() + ", not "
                            + expected);
                }
                model = expected;
            }
        }
    }

    private static VCpuState next(LifecycleOp op, VCpuState s) {
        boolean configurable = s == VCpuState.CREATED || s == VCpuState.FREE || s == VCpuState.READY;
        return switch (op) {
            case SETUP -> s == VCpuState.CREATED ? VCpuState.FREE : null;
            case BIND -> s == VCpuState.FREE ? VCpuState.READY : null;
            case UNBIND -> s == VCpuState.READY ? VCpuState.FREE : null;
            case RUN -> s == VCpuState.READY ? VCpuState.READY : null;
            case SET_ENTRY, SAVE_STATE -> configurable ? s : null;
            case SAVE_STATE_ON_ANOTHER_THREAD -> s == VCpuState.CREATED || s == VCpuState.FREE ? s : null;
            case CLOSE -> VCpuState.CLOSED;
        };
    }

    private void apply(LifecycleOp op, VCpu cpu) {
        switch (op) {
            case SETUP -> cpu.setup(kit.setupConfig(Set.of()));
            case BIND -> cpu.bind();
            case UNBIND -> cpu.unbind();
            case RUN -> {
                VCpuExit exit = cpu.run();
                if (!(exit instanceof VCpuExit.Halt)) {
                    throw new AssertionError("LIF-001: the guest is all halt instructions, but run() returned " + exit);
                }
            }
            case SET_ENTRY -> cpu.setEntry(kit.codeAddress());
            case SAVE_STATE -> cpu.saveState();
            case SAVE_STATE_ON_ANOTHER_THREAD -> {
                AtomicReference<RuntimeException> thrown = new AtomicReference<>();
                join(Thread.ofPlatform().name("vcpu4j-tck-other-thread").start(() -> {
                    try {
                        cpu.saveState();
                    } catch (RuntimeException e) {
                        thrown.set(e);
                    }
                }));
                if (thrown.get() != null) {
                    throw thrown.get();
                }
            }
            case CLOSE -> cpu.close();
        }
    }

    /** LIF-002. */
    public void lif002() {
        int n = Math.min(2, Math.max(1, tck.maxVCpus()));
        VirtualMachine vm = hv.createVirtualMachine();
        vm.mapRam(kit.ramBase(), kit.ramSize());
        List<VCpu> cpus = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            cpus.add(vm.createVCpu(i, kit.createConfig(i)));
        }
        cpus.get(0).setup(kit.setupConfig(Set.of()));
        vm.close();
        for (VCpu cpu : cpus) {
            check(cpu.state() == VCpuState.CLOSED, "LIF-002: vCPU " + cpu.id() + " is " + cpu.state()
                    + " after its VM was closed, not CLOSED");
            cpu.close();
            boolean refused = false;
            try {
                cpu.saveState();
            } catch (IllegalVCpuStateException e) {
                refused = true;
            }
            check(refused, "LIF-002: a closed vCPU accepted saveState()");
        }
        vm.close();
        check(vm.vcpus().isEmpty(), "LIF-002: a closed VM still lists vCPUs " + vm.vcpus());
        try (VirtualMachine again = hv.createVirtualMachine()) {
            again.mapRam(kit.ramBase(), kit.ramSize());
            again.createVCpu(0, kit.createConfig(0)).setup(kit.setupConfig(Set.of()));
        }
    }

    /**
     * LIF-003.
     *
     * @param c the load
     * @param gprs the registers
     * @param register the register written while it waits (0-15: an index every ISA has)
     * @param value the value written
     */
    public void lif003(MmioCase c, List<Long> gprs, int register, long value) {
        MmioRun r = mmio(c, gprs, 0x5A, 0, m -> {
            RegisterState waiting = m.cpu().saveState();
            refused(() -> m.cpu().setGpr(register, value), "setGpr(" + register + ", ..)", c);
            refused(() -> m.cpu().setEntry(kit.codeAddress()), "setEntry", c);
            refused(() -> m.cpu().setReturnValue(value), "setReturnValue", c);
            List<String> diff = kit.differences(waiting, m.cpu().saveState());
            check(diff.isEmpty(), "LIF-003: " + c + ": refused register writes changed (expected != actual): " + diff);
        });
        r.requireHalt(c);
        List<String> diff = kit.differences(r.expectedAfter, r.after);
        check(diff.isEmpty(), "LIF-003: " + c + ": after the refused writes the load completed differently "
                + "(expected != actual): " + diff);
        VirtualMachine vm = hv.createVirtualMachine();
        try (vm) {
            int max = vm.maxVCpuId();
            check(max >= 0, "LIF-003: maxVCpuId() is negative: " + max);
            try {
                vm.createVCpu(max, kit.createConfig(0)).close(); // the limit is one the backend really takes
            } catch (RuntimeException e) {
                throw new AssertionError("LIF-003: createVCpu(maxVCpuId() = " + max + ") failed: " + e, e);
            }
            for (int id : max == Integer.MAX_VALUE ? new int[] {-1} : new int[] {-1, max + 1, Integer.MAX_VALUE}) {
                try {
                    vm.createVCpu(id, kit.createConfig(0));
                    throw new AssertionError("LIF-003: createVCpu(" + id + ") was accepted; maxVCpuId() is " + max);
                } catch (IllegalArgumentException expected) {
                    // refused before the backend saw it
                }
            }
            vm.mapRam(kit.ramBase(), kit.ramSize());
            vm.createVCpu(0, kit.createConfig(0)).setup(kit.setupConfig(Set.of()));
        }
    }

    private static void refused(Runnable write, String what, MmioCase c) {
        try {
            write.run();
        } catch (IllegalVCpuStateException expected) {
            return;
        }
        throw new AssertionError("LIF-003: " + c + ": " + what + " while the load awaits its value was accepted; it "
                + "must throw IllegalVCpuStateException");
    }

    // ------------------------------------------------------------------ CTX

    /**
     * CTX-001.
     *
     * @param recipe the random state
     */
    public void ctx001(StateRecipe recipe) {
        try (Machine m = Machine.start(hv, kit, kit.halt(), Set.of())) {
            RegisterState expected = recipe.applyTo(m.baseline());
            m.cpu().restoreState(expected);
            RegisterState actual = m.cpu().saveState();
            List<String> diff = kit.differences(expected, actual);
            check(diff.isEmpty(), "CTX-001: saveState() after restoreState() differs (expected != actual): " + diff);
            if (arm) {
                long restored = ((Aarch64State) expected).sys(SystemRegister.CNTVCT_EL0);
                long saved = ((Aarch64State) actual).sys(SystemRegister.CNTVCT_EL0);
                check(saved - restored >= 0 && saved - restored < COUNTER_SLACK, String.format(
                        "CTX-001: CNTVCT_EL0 was restored as 0x%x but saved as 0x%x: the virtual count must "
                                + "continue from the restored value", restored, saved));
            }
        }
    }

    /**
     * CTX-002.
     *
     * @param gprs the GPR values
     */
    public void ctx002(List<Long> gprs) {
        long data = kit.dataAddress();
        if (arm) {
            byte[] code = A64.toBytes(A64.concat(A64.storeAllRegistersAtSp(false), new int[] {A64.wfi()}));
            try (Machine m = Machine.start(hv, kit, code, Set.of())) {
                m.cpu().restoreState(((Aarch64State) kit.withGprs(m.baseline(), gprs, kit.codeAddress()))
                        .toBuilder().spEl1(data).build());
                m.runExpecting(VCpuExit.Halt.class, "the WFI after the register dump");
                List<String> diff = new ArrayList<>();
                for (int i = 0; i < 31; i++) {
                    compare(diff, "x" + i, gprs.get(i), m.readLong(data + 8L * i));
                }
                check(diff.isEmpty(), "CTX-002: the guest stored other values than were restored "
                        + "(restored != stored): " + diff);
            }
        } else {
            byte[] code = new X86().storeAllGprs(data).hlt().toBytes();
            try (Machine m = Machine.start(hv, kit, code, Set.of())) {
                m.cpu().restoreState(kit.withGprs(m.baseline(), gprs, kit.codeAddress()));
                m.runExpecting(VCpuExit.Halt.class, "the HLT after the register dump");
                List<String> diff = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    compare(diff, X86_64State.GPR_NAMES.get(i), gprs.get(i), m.readLong(data + 8L * i));
                }
                check(diff.isEmpty(), "CTX-002: the guest stored other values than were restored "
                        + "(restored != stored): " + diff);
            }
        }
    }

    /**
     * CTX-004 (AArch64).
     *
     * @param vectors V0-V31 as (low, high) pairs
     */
    public void ctx004(List<Long> vectors) {
        long data = kit.dataAddress();
        if (!arm) {
            throw new AssertionError("CTX-004 is an AArch64 rule; the capability check should have skipped it");
        }
        byte[] code = A64.toBytes(A64.concat(A64.storeAllRegistersAtSp(true), new int[] {A64.wfi()}));
        try (Machine m = Machine.start(hv, kit, code, Set.of())) {
            Aarch64State.Builder b = ((Aarch64State) m.baseline()).toBuilder().pc(kit.codeAddress()).spEl1(data)
                    .sys(SystemRegister.CPACR_EL1, 0x30_0000L); // FPEN = 0b11: no SIMD&FP trap (D19.2.30)
            for (int i = 0; i < 32; i++) {
                b.v(i, new Vec128(vectors.get(2 * i), vectors.get(2 * i + 1)));
            }
            m.cpu().restoreState(b.build());
            m.runExpecting(VCpuExit.Halt.class, "the WFI after the register dump (STP Q needs SIMD&FP stores)");
            List<String> diff = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                compare(diff, "v" + i + ".low", vectors.get(2 * i), m.readLong(data + 256 + 16L * i));
                compare(diff, "v" + i + ".high", vectors.get(2 * i + 1), m.readLong(data + 264 + 16L * i));
            }
            check(diff.isEmpty(), "CTX-004: the guest stored other SIMD&FP values than were restored "
                    + "(restored != stored): " + diff);
        }
    }

    /**
     * CTX-003.
     *
     * @param c the access
     * @param gprs the registers
     * @param deviceValue the completion value
     */
    public void ctx003(MmioCase c, List<Long> gprs, long deviceValue) {
        MmioRun r = mmio(c, gprs, deviceValue, 0);
        List<String> atExit = kit.differences(r.expectedAtExit, r.atExit);
        r.requireHalt(c);
        check(atExit.isEmpty(), "CTX-003: " + c + ": at the exit the state differs from the state before it by "
                + "more than the PC (expected != actual): " + atExit);
        List<String> after = kit.differences(r.expectedAfter, r.after);
        check(after.isEmpty(), "CTX-003: " + c + ": after " + (c.isLoad() ? "completion with 0x"
                + Long.toHexString(deviceValue) + " and " : "") + "the halt, the state differs by more than the PC"
                + (c.isLoad() ? " and the destination" : "") + " (expected != actual): " + after);
    }

    // ------------------------------------------------------------------ EXIT

    /**
     * EXIT-001.
     *
     * @param c the access
     * @param gprs the registers
     */
    public void exit001(MmioCase c, List<Long> gprs) {
        MmioRun r = mmio(c, gprs, 0, 0);
        String problem = exitMismatch(c, r.exit, r.before);
        check(problem == null, "EXIT-001: " + c + ": " + problem);
    }

    /**
     * EXIT-002.
     *
     * @param c the access
     * @param gprs the registers
     * @param deviceValue the completion value
     */
    public void exit002(MmioCase c, List<Long> gprs, long deviceValue) {
        if (!c.isLoad()) {
            return; // a store has nothing to complete; its data is EXIT-001's
        }
        MmioRun r = mmio(c, gprs, deviceValue, 0);
        r.requireHalt(c);
        int reg = destination(c);
        if (reg == 31) {
            List<String> diff = kit.differences(kit.withPc(r.before, kit.pc(r.after)), r.after);
            check(diff.isEmpty(), "EXIT-002: " + c + ": a load into XZR completed with 0x"
                    + Long.toHexString(deviceValue) + " must change no register, but (expected != actual): " + diff);
            return;
        }
        long expected = kit.gpr(r.expectedAfter, reg);
        long actual = kit.gpr(r.after, reg);
        check(expected == actual, String.format("EXIT-002: %s completed with 0x%x: %s must hold 0x%x but holds 0x%x"
                + " (was 0x%x before)", c, deviceValue, registerName(reg), expected, actual, kit.gpr(r.before, reg)));
    }

    /**
     * EXIT-003 (AArch64).
     *
     * @param kind 0 = LDP, 1 = STP, 2 = BR
     * @param address the unmapped address
     * @param gprs the registers
     */
    public void exit003(int kind, long address, List<Long> gprs) {
        // LDP/STP X1, X2, [X3] (C6.2.164 / C6.2.362, signed offset 0); BR X3 (C6.2.37)
        int insn = switch (kind) {
            case 0 -> 0xA940_0000 | 2 << 10 | 3 << 5 | 1;
            case 1 -> A64.stpX(1, 2, 3, 0);
            default -> 0xD61F_0000 | 3 << 5;
        };
        AccessKind access = kind == 0 ? AccessKind.READ : kind == 1 ? AccessKind.WRITE : AccessKind.EXECUTE;
        String what = (kind == 0 ? "ldp x1, x2, [x3]" : kind == 1 ? "stp x1, x2, [x3]" : "br x3")
                + String.format(" with x3 = 0x%x", address);
        try (Machine m = Machine.start(hv, kit, A64.toBytes(insn, A64.wfi()), Set.of())) {
            RegisterState before = kit.withGpr(kit.withGprs(m.baseline(), gprs, kit.codeAddress()), 3, address);
            m.cpu().restoreState(before);
            VCpuExit exit = m.run();
            VCpuExit expected = new VCpuExit.NestedPageFault(address, access);
            check(expected.equals(exit), "EXIT-003: " + what + ": expected " + expected + ", got " + exit);
            long expectedPc = kind == 2 ? address : kit.codeAddress();
            List<String> diff = kit.differences(kit.withPc(before, expectedPc), m.cpu().saveState());
            check(diff.isEmpty(), "EXIT-003: " + what + ": the PC must stay on the faulting instruction (0x"
                    + Long.toHexString(expectedPc) + ") and no register may change (expected != actual): " + diff);
        }
    }

    /**
     * EXIT-004 (AArch64).
     *
     * @param c the access
     * @param gprs the registers
     */
    public void exit004(MmioCase c, List<Long> gprs) {
        if (!(c instanceof MmioCase.A64 a)) {
            throw new AssertionError("EXIT-004 is an AArch64 rule; the capability check should have skipped it");
        }
        try (Machine m = Machine.start(hv, kit, A64.toBytes(a.access().encode(), A64.wfi()), Set.of())) {
            installSyncHandler(m);
            RegisterState before = kit.withGprs(m.baseline(), gprs, kit.codeAddress());
            before = ((Aarch64State) kit.withGpr(before, a.access().rn(), a.address() - a.access().offset()))
                    .toBuilder().sys(SystemRegister.VBAR_EL1, A64Kit.VECTORS).build();
            m.cpu().restoreState(before);
            VCpuExit exit = m.run();
            check(exit instanceof VCpuExit.MmioRead || exit instanceof VCpuExit.MmioWrite,
                    "EXIT-004: " + c + ": expected an MMIO exit, got " + exit);
            m.cpu().completeMmioWithExternalAbort();
            VCpuExit taken = m.run();
            if (!(taken instanceof VCpuExit.Hypercall h)) {
                throw new AssertionError("EXIT-004: " + c + " answered with an external abort: the guest's handler at "
                        + "VBAR_EL1+0x200 must run and call HVC with ESR/ELR/FAR, but run() returned " + taken + " "
                        + m.describeCpu());
            }
            List<String> problems = dataAbortProblems(h, 0x10, "synchronous external abort", c.isLoad(), a.address());
            check(problems.isEmpty(), "EXIT-004: " + c + " answered with an external abort: " + problems);
        }
    }

    /**
     * EXIT-005: an access of {@code c}'s instruction and width that starts {@code inRam} bytes before the end
     * of RAM, so that the rest of it falls where nothing is mapped.
     *
     * <p>The oracle is QEMU TCG (accel/tcg/cputlb.c: mmu_lookup splits a page-crossing access into its two
     * page parts, the RAM part goes to RAM, the rest to the bus through do_ld_mmio_beN / do_st_mmio_leN in
     * pieces of the lowest set bit of {@code remaining | address | 8}), and on x86-64 KVM's emulator
     * (arch/x86/kvm/x86.c, emulator_read_write: the page part with a memslot is read or written at once,
     * the other becomes one KVM_EXIT_MMIO fragment of its length). AArch64 runs with the MMU on and RAM
     * Normal memory: with the MMU off every access is Device memory and an unaligned one is an alignment
     * fault (ALIGN-001), while an aligned single register never crosses a page.
     *
     * @param c the instruction (its address is not used)
     * @param inRam how many of its bytes are in RAM, taken modulo {@code width - 1}, plus 1
     * @param gprs the registers
     * @param deviceValue the value the pieces of a load are completed with (rotated per piece)
     * @param ramFill what the last 16 bytes of RAM hold before the access
     */
    public void exit005(MmioCase c, int inRam, List<Long> gprs, long deviceValue, long ramFill) {
        int width = c.width().bytes();
        int k = 1 + Math.floorMod(inRam, width - 1);
        long end = kit.ramBase() + kit.ramSize();
        long address = end - k;
        byte[] insn;
        String what;
        MmioCase.X86 x86 = null;
        switch (c) {
            case MmioCase.A64 a -> {
                insn = A64.toBytes(a.access().encode());
                what = a.access().assembly() + String.format(" -> 0x%x (%d of %d bytes in RAM, MMU on)", address, k, width);
            }
            case MmioCase.X86 x -> {
                X86MemAccess mv = x.access();
                x86 = new MmioCase.X86(new X86MemAccess(mv.kind(), mv.store(), mv.memoryWidth(), mv.registerWidth(),
                        mv.reg(), address));
                insn = x86.access().encode();
                what = x86 + String.format(" (%d of %d bytes in RAM)", k, width);
            }
        }
        long fillHigh = ~ramFill;
        try (Machine m = Machine.start(hv, kit, concat(insn, kit.halt()), Set.of())) {
            m.write(end - 16, concat(longBytes(ramFill), longBytes(fillHigh)));
            RegisterState before = kit.withGprs(m.baseline(), gprs, kit.codeAddress());
            if (c instanceof MmioCase.A64 a) {
                before = identityMmuOn(m, kit.withGpr(before, a.access().rn(), address - a.access().offset()));
            }
            m.cpu().restoreState(before);
            int reg = destination(x86 != null ? x86 : c);
            long storeValue = c.isLoad() || reg == 31 ? 0 : kit.gpr(before, reg) & c.width().mask();
            int rest = width - k;
            long gathered = 0;
            List<VCpuExit> seen = new ArrayList<>();
            for (int done = 0, i = 0; done < rest; i++) {
                long at = end + done;
                int piece = Integer.lowestOneBit((rest - done) | (int) at | 8);
                AccessWidth pieceWidth = AccessWidth.ofBytes(piece);
                VCpuExit exit = m.run();
                seen.add(exit);
                boolean match;
                String expected;
                if (c.isLoad()) {
                    match = exit instanceof VCpuExit.MmioRead r && r.address() == at && r.width() == pieceWidth;
                    expected = String.format("MmioRead[address=0x%x, width=%s, ...]", at, pieceWidth);
                } else {
                    VCpuExit w = new VCpuExit.MmioWrite(at, pieceWidth, storeValue >>> (8 * (k + done)) & pieceWidth.mask());
                    match = w.equals(exit);
                    expected = w.toString();
                }
                check(match, "EXIT-005: " + what + ": the part outside RAM must exit in QEMU's aligned pieces; piece "
                        + i + " should be " + expected + ", got " + exit + " (exits so far: " + seen + ") "
                        + m.describeCpu());
                if (c.isLoad()) {
                    long v = Long.rotateLeft(deviceValue, 17 * i);
                    m.cpu().completeMmioRead(v);
                    gathered |= (v & pieceWidth.mask()) << (8 * done);
                }
                done += piece;
            }
            VCpuExit last = m.run();
            if (!(last instanceof VCpuExit.Halt)) {
                throw new AssertionError("EXIT-005: " + what + ": after the exits " + seen + " for the bytes outside "
                        + "RAM the guest must run on to its halt, but run() returned " + last + " " + m.describeCpu());
            }
            List<String> problems = new ArrayList<>();
            long ramBytes = fillHigh >>> (8 * (8 - k));
            long expectedHigh = fillHigh;
            if (!c.isLoad()) {
                long keep = -1L >>> (8 * k);
                expectedHigh = fillHigh & keep | storeValue << (8 * (8 - k));
            }
            if (m.readLong(end - 16) != ramFill || m.readLong(end - 8) != expectedHigh) {
                problems.add(String.format("the last 16 bytes of RAM hold 0x%016x 0x%016x, expected 0x%016x 0x%016x "
                        + "(were 0x%016x 0x%016x; %s)", m.readLong(end - 16), m.readLong(end - 8), ramFill,
                        expectedHigh, ramFill, fillHigh, c.isLoad() ? "a load changes no memory"
                                : "a store writes its low " + k + " bytes into RAM"));
            }
            RegisterState after = m.cpu().saveState();
            RegisterState expectedAfter = kit.withPc(before, kit.codeAddress() + insn.length + kit.halt().length);
            long combined = ramBytes | (k == 8 ? 0 : gathered << (8 * k));
            if (c.isLoad() && reg != 31) {
                expectedAfter = kit.withGpr(expectedAfter, reg, loadResult(x86 != null ? x86 : c,
                        kit.gpr(before, reg), combined));
            }
            List<String> diff = kit.differences(expectedAfter, after);
            if (!diff.isEmpty()) {
                problems.add((c.isLoad() ? String.format("the load combines RAM bytes 0x%x with completed bytes 0x%x "
                        + "into 0x%x; ", ramBytes, gathered, combined) : "") + "the state after the halt differs "
                        + "(expected != actual): " + diff);
            }
            check(problems.isEmpty(), "EXIT-005: " + what + (c.isLoad() ? String.format(", pieces completed from 0x%x",
                    deviceValue) : "") + ": " + problems);
        }
    }

    /**
     * {@return {@code s} with the MMU on: RAM's gigabyte mapped onto itself as one Normal write-back block
     * (Arm ARM D8.3: block descriptor at level 1, AF, AttrIndx 1; MAIR_EL1 attribute 1 = 0xFF) from the
     * level-1 table at {@link A64Kit#IDENTITY_L1}; TCR_EL1.T0SZ = 25 so that a walk starts at level 1,
     * TG0 = 4 KiB, IPS = 40 bits}
     */
    private static RegisterState identityMmuOn(Machine m, RegisterState s) {
        m.write(A64Kit.IDENTITY_L1 + 8 * (A64Kit.RAM >>> 30), longBytes(A64Kit.RAM | 1L << 10 | 1L << 2 | 1));
        Aarch64State a = (Aarch64State) s;
        long tcr = 25 | 25L << 16 | 2L << 30 | 2L << 32; // T0SZ, T1SZ, TG1 4 KiB, IPS 40 bits
        return a.toBuilder().sys(SystemRegister.SCTLR_EL1, a.sys(SystemRegister.SCTLR_EL1) | 1)
                .sys(SystemRegister.TCR_EL1, tcr).sys(SystemRegister.TTBR0_EL1, A64Kit.IDENTITY_L1)
                .sys(SystemRegister.MAIR_EL1, 0xFFL << 8).build();
    }

    private static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    /**
     * ALIGN-001 (AArch64).
     *
     * @param access the load or store, two bytes wide or more
     * @param skew how far from the width's alignment the address is (modulo the width; 0 counts as 1)
     * @param toRam whether the address is in RAM (else nothing is behind it)
     * @param unmapped an unmapped, 8-byte aligned address for {@code toRam == false}
     * @param gprs the registers
     */
    public void align001(A64LoadStore access, int skew, boolean toRam, long unmapped, List<Long> gprs) {
        int width = access.width().bytes();
        int off = skew % width == 0 ? 1 : skew % width;
        long line = toRam ? kit.dataAddress() + 0x100 : unmapped;
        long address = line + off;
        String what = access.assembly() + String.format(" -> 0x%x (%s)", address, toRam ? "RAM" : "nothing mapped");
        long pattern = 0x0123_4567_89AB_CDEFL;
        try (Machine m = Machine.start(hv, kit, A64.toBytes(access.encode(), A64.wfi()), Set.of())) {
            installSyncHandler(m);
            if (toRam) {
                m.write(line, A64.toBytes((int) pattern, (int) (pattern >>> 32), (int) ~pattern, (int) (~pattern >>> 32)));
            }
            RegisterState before = kit.withGprs(m.baseline(), gprs, kit.codeAddress());
            before = ((Aarch64State) kit.withGpr(before, access.rn(), address - access.offset())).toBuilder()
                    .sys(SystemRegister.VBAR_EL1, A64Kit.VECTORS).build();
            m.cpu().restoreState(before);
            VCpuExit taken = m.run();
            if (!(taken instanceof VCpuExit.Hypercall h)) {
                throw new AssertionError("ALIGN-001: " + what + " with the MMU off: the guest's handler at VBAR_EL1+0x200 "
                        + "must run and call HVC with ESR/ELR/FAR, but run() returned " + taken + " " + m.describeCpu());
            }
            List<String> problems = dataAbortProblems(h, 0x21, "alignment fault", access.isLoad(), address);
            if (toRam && (m.readLong(line) != pattern || m.readLong(line + 8) != ~pattern)) {
                problems.add(String.format("memory changed: 0x%016x 0x%016x, was 0x%016x 0x%016x", m.readLong(line),
                        m.readLong(line + 8), pattern, ~pattern));
            }
            check(problems.isEmpty(), "ALIGN-001: " + what + " with the MMU off: " + problems);
        }
    }

    /**
     * Writes a synchronous-exception handler at VBAR_EL1 + 0x200 (current EL with SP_ELx) that calls
     * {@code HVC #0} with x0 = ESR_EL1, x1 = ELR_EL1 and x2 = FAR_EL1.
     */
    private static void installSyncHandler(Machine m) {
        A64SysReg esr = A64SysReg.of(SystemRegister.ESR_EL1);
        A64SysReg far = A64SysReg.of(SystemRegister.FAR_EL1);
        A64SysReg elr = new A64SysReg(3, 0, 4, 0, 1); // ELR_EL1 (D19.2.36)
        m.write(A64Kit.VECTORS + 0x200, A64.toBytes(esr.mrs(0), elr.mrs(1), far.mrs(2), A64.hvc(0)));
    }

    /**
     * {@return how the data abort that {@link #installSyncHandler}'s handler reported differs from one taken
     * from the current EL at the code address with the given fault status, direction and address}
     */
    private List<String> dataAbortProblems(VCpuExit.Hypercall h, int dfsc, String dfscName, boolean load, long far) {
        long esrValue = h.number();
        List<String> problems = new ArrayList<>();
        if ((esrValue >>> 26 & 0x3F) != 0x25) {
            problems.add(String.format("ESR_EL1.EC = 0x%x, not 0x25 (data abort from the current EL)", esrValue >>> 26 & 0x3F));
        }
        if ((esrValue & 0x3F) != dfsc) {
            problems.add(String.format("ESR_EL1.DFSC = 0x%x, not 0x%x (%s)", esrValue & 0x3F, dfsc, dfscName));
        }
        if ((esrValue >>> 6 & 1) != (load ? 0 : 1)) {
            problems.add("ESR_EL1.WnR = " + (esrValue >>> 6 & 1) + " for a " + (load ? "load" : "store"));
        }
        if (h.arg(0) != kit.codeAddress()) {
            problems.add(String.format("ELR_EL1 = 0x%x, not the access at 0x%x", h.arg(0), kit.codeAddress()));
        }
        if (h.arg(1) != far) {
            problems.add(String.format("FAR_EL1 = 0x%x, not the address 0x%x", h.arg(1), far));
        }
        return problems;
    }

    // ------------------------------------------------------------------ PC

    /**
     * PC-001.
     *
     * @param trap the trapping instruction
     * @param nops NOPs before it
     * @param gprs the registers
     */
    public void pc001(TrapCase trap, int nops, List<Long> gprs) {
        long trapPc;
        int length;
        VCpuExit exit;
        long pcAtExit;
        switch (trap) {
            case TrapCase.Mmio(MmioCase c) -> {
                MmioRun r = mmio(c, gprs, 0, nops);
                trapPc = r.trapPc;
                length = r.length;
                exit = r.exit;
                pcAtExit = kit.pc(r.atExit);
            }
            case TrapCase.RegisterSpace(RegisterSpaceCase c) -> {
                RegRun r = registerSpace(c, gprs, 0, nops);
                trapPc = r.trapPc;
                length = r.length;
                exit = r.exit;
                pcAtExit = kit.pc(r.atExit);
            }
            case TrapCase.Call(A64Call call) -> {
                CallRun r = call(call, gprs, nops, false, 0);
                trapPc = r.trapPc;
                length = 4;
                exit = r.exit;
                pcAtExit = kit.pc(r.atExit);
            }
            case TrapCase.Halt h -> {
                byte[] code = concat(padding(nops), kit.halt(), kit.halt());
                try (Machine m = Machine.start(hv, kit, code, Set.of())) {
                    m.cpu().restoreState(kit.withGprs(m.baseline(), gprs, kit.codeAddress()));
                    exit = m.runExpecting(VCpuExit.Halt.class, arm ? "WFI" : "HLT");
                    trapPc = kit.codeAddress() + padding(nops).length;
                    length = kit.halt().length;
                    pcAtExit = kit.pc(m.cpu().saveState());
                }
            }
        }
        check(pcAtExit == trapPc + length, String.format("PC-001: %s at 0x%x returned %s with the PC at 0x%x; it must "
                + "point past the instruction, at 0x%x%s", trap, trapPc, exit, pcAtExit, trapPc + length,
                pcAtExit == trapPc ? " (the PC was not advanced)" : ""));
    }

    // ------------------------------------------------------------------ SYS

    /**
     * SYS-001.
     *
     * @param c the access; a write is turned into the read of the same register or port
     * @param gprs the registers
     * @param value the completion value
     */
    public void sys001(RegisterSpaceCase c, List<Long> gprs, long value) {
        RegisterSpaceCase read = asRead(c, true);
        RegRun r = registerSpace(read, gprs, value, 0);
        VCpuExit expectedExit = expectedRegisterSpaceExit(read, r.before);
        check(expectedExit.equals(r.exit), "SYS-001: " + read + ": expected " + expectedExit + ", got " + r.exit);
        r.requireHalt(read);
        List<String> diff = kit.differences(r.expectedAfter, r.after);
        check(diff.isEmpty(), "SYS-001: " + read + " completed with 0x" + Long.toHexString(value)
                + ": the registers after it differ (expected != actual): " + diff);
    }

    /**
     * SYS-002.
     *
     * @param c the access; a read is turned into the write of the same register or port
     * @param gprs the registers
     */
    public void sys002(RegisterSpaceCase c, List<Long> gprs) {
        RegisterSpaceCase write = asRead(c, false);
        RegRun r = registerSpace(write, gprs, 0, 0);
        VCpuExit expectedExit = expectedRegisterSpaceExit(write, r.before);
        check(expectedExit.equals(r.exit), "SYS-002: " + write + ": expected " + expectedExit + ", got " + r.exit);
    }

    // ------------------------------------------------------------------ PSCI, HVC

    /**
     * PSCI-001.
     *
     * @param call the call
     * @param gprs the other registers
     */
    public void psci001(A64Call call, List<Long> gprs) {
        CallRun r = call(call, gprs, 0, false, 0);
        VCpuExit expected = expectedPsciExit(call);
        boolean ok = expected instanceof VCpuExit.CpuDown ? r.exit instanceof VCpuExit.CpuDown : expected.equals(r.exit);
        check(ok, "PSCI-001: " + call + ": expected " + expected + ", got " + r.exit);
        check(kit.pc(r.atExit) == r.trapPc + 4, String.format("PSCI-001: %s: the PC is 0x%x, not past the call at 0x%x",
                call, kit.pc(r.atExit), r.trapPc + 4));
    }

    /**
     * HVC-001.
     *
     * @param call the call
     * @param gprs the other registers
     */
    public void hvc001(A64Call call, List<Long> gprs) {
        CallRun r = call(call, gprs, 0, false, 0);
        VCpuExit expected = new VCpuExit.Hypercall(call.x0(), call.args());
        check(expected.equals(r.exit), "HVC-001: " + call + ": expected " + expected + ", got " + r.exit);
    }

    /**
     * HVC-002.
     *
     * @param call the call
     * @param gprs the other registers
     * @param returnValue the value to return
     */
    public void hvc002(A64Call call, List<Long> gprs, long returnValue) {
        CallRun r = call(call, gprs, 0, true, returnValue);
        check(r.stored == returnValue, String.format("HVC-002: %s answered with setReturnValue(0x%x): the guest's x0 "
                + "after the call was 0x%x", call, returnValue, r.stored));
    }

    // ------------------------------------------------------------------ IRQ, KICK

    /**
     * IRQ-001.
     *
     * @param intid the INTID (AArch64) or vector (x86-64)
     */
    public void irq001(int intid) {
        if (arm) {
            A64SysReg iar = new A64SysReg(3, 0, 12, 12, 0); // ICC_IAR1_EL1 (Arm ARM D19.5 / GIC spec 12.2.11)
            A64SysReg pmr = new A64SysReg(3, 0, 4, 6, 0); // ICC_PMR_EL1
            A64SysReg igrpen1 = new A64SysReg(3, 0, 12, 12, 7); // ICC_IGRPEN1_EL1
            int[] main = {A64.movz(1, 0xFF, 0), pmr.msr(1), A64.movz(1, 1, 0), igrpen1.msr(1),
                A64.msrDaifClr(2), A64.b(0)};
            int[] handler = {iar.mrs(0), A64.hvc(0)};
            try (Machine m = Machine.start(hv, kit, A64.toBytes(main), Set.of())) {
                m.write(A64Kit.VECTORS + 0x280, A64.toBytes(handler)); // current EL with SP_ELx, IRQ
                m.cpu().restoreState(((Aarch64State) m.baseline()).toBuilder()
                        .sys(SystemRegister.VBAR_EL1, A64Kit.VECTORS).build());
                m.cpu().injectInterrupt(intid);
                VCpuExit exit = m.run();
                check(exit instanceof VCpuExit.Hypercall h && h.number() == intid, "IRQ-001: INTID " + intid
                        + " was injected; the guest unmasks IRQs and its handler at VBAR_EL1+0x280 reads ICC_IAR1_EL1 "
                        + "into x0 and calls HVC, so the exit must be Hypercall(" + intid + ", ...), but was " + exit);
            }
        } else {
            long idtr = X86Kit.IDT - 16;
            byte[] main = new X86().lidt(idtr).sti().jmpSelf().toBytes();
            byte[] handler = new X86().outImm8(0xE0, intid).hlt().toBytes();
            try (Machine m = Machine.start(hv, kit, main, Set.of())) {
                int cs = ((X86_64State) m.baseline()).segment(X86_64State.SegmentRegister.CS).selector();
                m.write(X86Kit.HANDLERS, handler);
                m.write(X86Kit.IDT + 16L * intid, X86.interruptGate(X86Kit.HANDLERS, cs));
                m.write(idtr, X86.pseudoDescriptor(X86Kit.IDT, 16 * 256 - 1));
                // the CPU pushes SS, RSP, RFLAGS, CS and RIP on delivery (SDM Vol. 3A 6.14.2): give it a stack
                m.cpu().restoreState(kit.withGpr(m.baseline(), X86.RSP, kit.dataAddress() + 0x1000));
                m.cpu().injectInterrupt(intid);
                VCpuExit exit = m.run();
                VCpuExit expected = new VCpuExit.IoWrite(0xE0, AccessWidth.BYTE, intid);
                check(expected.equals(exit), "IRQ-001: vector " + intid + " was injected; the guest loads an IDT, "
                        + "executes STI and spins, and the vector's handler writes it to port 0xE0, so the exit must be "
                        + expected + ", but was " + exit);
            }
        }
    }

    /** IRQ-002. */
    public void irq002() {
        int[] impossible = arm ? new int[] {1020, 1023, 8192, Integer.MAX_VALUE} : new int[] {256, 1000, Integer.MAX_VALUE};
        byte[] halt = arm ? A64.toBytes(A64.wfi()) : new X86().hlt().toBytes();
        try (Machine m = Machine.start(hv, kit, halt, Set.of())) {
            VCpu cpu = m.cpu();
            for (int intid : impossible) {
                AtomicReference<Throwable> elsewhere = new AtomicReference<>();
                Thread injector = Thread.ofPlatform().name("vcpu4j-tck-injector").start(() -> {
                    try {
                        cpu.injectInterrupt(intid);
                    } catch (Throwable t) {
                        elsewhere.set(t);
                    }
                });
                join(injector);
                check(elsewhere.get() instanceof IllegalArgumentException, "IRQ-002: injectInterrupt(" + intid
                        + ") from a thread other than the bound one must throw IllegalArgumentException there, but "
                        + (elsewhere.get() == null ? "it returned (the id was queued for the next run)" : "threw " + elsewhere.get()));
                Throwable here = null;
                try {
                    cpu.injectInterrupt(intid);
                } catch (Throwable t) {
                    here = t;
                }
                check(here instanceof IllegalArgumentException, "IRQ-002: injectInterrupt(" + intid
                        + ") on the bound thread must throw IllegalArgumentException, but "
                        + (here == null ? "it returned" : "threw " + here));
            }
            VCpuExit exit;
            try {
                exit = m.run();
            } catch (RuntimeException e) {
                throw new AssertionError("IRQ-002: after the refused injections run() must work, but threw " + e, e);
            }
            check(exit instanceof VCpuExit.Halt, "IRQ-002: after the refused injections the guest's " + (arm ? "WFI" : "HLT")
                    + " must exit as Halt, but run() returned " + exit);
        }
    }

    /**
     * IPI-001 (AArch64).
     *
     * @param value the value written to ICC_SGI1R_EL1
     * @param rt the source register
     * @param gprs the other registers
     */
    public void ipi001(long value, int rt, List<Long> gprs) {
        A64SysReg sgi1r = new A64SysReg(3, 0, 12, 11, 5); // ICC_SGI1R_EL1 (GICv3, IHI 0069 12.2.23)
        try (Machine m = Machine.start(hv, kit, A64.toBytes(sgi1r.msr(rt), A64.wfi()), Set.of())) {
            RegisterState before = kit.withGpr(kit.withGprs(m.baseline(), gprs, kit.codeAddress()), rt, value);
            m.cpu().restoreState(before);
            VCpuExit exit = m.run();
            long v = rt == 31 ? 0 : value;
            long intid = v >>> 24 & 0xF; // INTID[27:24]
            VCpuExit expected = (v >>> 40 & 1) != 0 // IRM[40]: all but self
                    ? new VCpuExit.SendIpi(0, 0, true, false, intid)
                    : new VCpuExit.SendIpi((v >>> 48 & 0xFF) << 24 | (v >>> 32 & 0xFF) << 16 | (v >>> 16 & 0xFF) << 8,
                            v & 0xFFFF, false, false, intid);
            String what = String.format("msr icc_sgi1r_el1, %s with 0x%x", rt == 31 ? "xzr" : "x" + rt, v);
            check(expected.equals(exit), "IPI-001: " + what + ": expected " + expected + ", got " + exit);
            long pc = kit.pc(m.cpu().saveState());
            check(pc == kit.codeAddress() + 4, String.format("IPI-001: %s: the PC is 0x%x, not past the MSR at 0x%x",
                    what, pc, kit.codeAddress() + 4));
        }
    }

    /** KICK-001. */
    public void kick001() {
        for (int round = 0; round < 3; round++) {
            try (Machine m = Machine.start(hv, kit, kit.spin(), Set.of())) {
                VCpu cpu = m.cpu();
                AtomicReference<String> kickerProblem = new AtomicReference<>();
                Thread kicker = Thread.ofPlatform().name("vcpu4j-tck-kicker").start(() -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Machine.WATCHDOG_SECONDS / 2);
                    while (cpu.state() != VCpuState.RUNNING) {
                        if (System.nanoTime() > deadline) {
                            kickerProblem.set("the vCPU never reached RUNNING");
                            return;
                        }
                        Thread.onSpinWait();
                    }
                    sleepQuietly(5);
                    cpu.requestExit();
                });
                VCpuExit exit = m.run();
                join(kicker);
                check(kickerProblem.get() == null, "KICK-001: " + kickerProblem.get());
                check(exit instanceof VCpuExit.Interrupted, "KICK-001: requestExit() from another thread must make "
                        + "run() return Interrupted, but it returned " + exit);
                long pc = kit.pc(cpu.saveState());
                check(pc == kit.codeAddress(), String.format("KICK-001: after Interrupted the PC must be at the spin "
                        + "loop 0x%x (the next instruction to run), not 0x%x", kit.codeAddress(), pc));
            }
        }
    }

    /** KICK-002. */
    public void kick002() {
        try (Machine m = Machine.start(hv, kit, concat(kit.halt(), kit.halt()), Set.of())) {
            m.cpu().requestExit();
            VCpuExit exit = m.run();
            check(exit instanceof VCpuExit.Interrupted, "KICK-002: requestExit() before run() must make that run() "
                    + "return Interrupted at once, but it returned " + exit);
            long pc = kit.pc(m.cpu().saveState());
            check(pc == kit.codeAddress(), String.format("KICK-002: the guest must not have run: the PC is 0x%x, "
                    + "not the entry 0x%x", pc, kit.codeAddress()));
            VCpuExit next = m.run();
            check(next instanceof VCpuExit.Halt, "KICK-002: the request must be consumed by one run(); the next run() "
                    + "returned " + next + " instead of the guest's Halt");
        }
    }

    // ------------------------------------------------------------------ ROB

    /**
     * ROB-001.
     *
     * @param random random code bytes
     */
    public void rob001(byte[] random) {
        try (Machine m = Machine.start(hv, kit, concat(random, kit.halt()), Set.of())) {
            VCpuExit exit;
            try {
                exit = m.runKicked(20);
            } catch (RuntimeException e) {
                throw new AssertionError("ROB-001: run() threw " + e + " for the guest code "
                        + java.util.HexFormat.of().formatHex(random), e);
            }
            check(exit != null, "ROB-001: run() returned null");
            check(m.cpu().state() == VCpuState.READY, "ROB-001: after " + exit + " for the guest code "
                    + java.util.HexFormat.of().formatHex(random) + " the vCPU is " + m.cpu().state() + ", not READY");
            m.cpu().saveState();
        }
    }

    // ------------------------------------------------------------------ RES

    /** RES-001. */
    public void res001() {
        int vcpus = Math.min(2, Math.max(1, tck.maxVCpus()));
        cycleVms(20, vcpus);
        long before = openDescriptors();
        long mapsBefore = mappings();
        int cycles = 200;
        cycleVms(cycles, vcpus);
        long after = openDescriptors();
        long mapsAfter = mappings();
        check(after - before <= 4, "RES-001: " + cycles + " VMs with " + vcpus + " vCPU(s) each were created, run and "
                + "closed; open file descriptors went from " + before + " to " + after);
        // slack for the JVM's own growth (JIT code cache, GC); a leak of one mapping per VM is 200
        check(mapsAfter - mapsBefore <= 64, "RES-001: " + cycles + " VMs with " + vcpus + " vCPU(s) each were "
                + "created, run and closed; /proc/self/maps went from " + mapsBefore + " to " + mapsAfter + " lines");
    }

    private void cycleVms(int cycles, int vcpus) {
        for (int i = 0; i < cycles; i++) {
            try (VirtualMachine vm = hv.createVirtualMachine()) {
                vm.mapRam(kit.ramBase(), kit.ramSize());
                vm.memory().write(kit.codeAddress(), kit.halt());
                for (int id = 0; id < vcpus; id++) {
                    VCpu cpu = vm.createVCpu(id, kit.createConfig(id));
                    cpu.setEntry(kit.codeAddress());
                    cpu.setup(kit.setupConfig(Set.of()));
                    if (id == 0) {
                        cpu.bind();
                        VCpuExit exit = cpu.run();
                        check(exit instanceof VCpuExit.Halt, "RES-001: the guest halts at once, but run() returned "
                                + exit);
                    }
                }
            }
        }
    }

    private static long mappings() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.count();
        } catch (IOException e) {
            throw new AssertionError("RES-001: cannot read /proc/self/maps: " + e, e);
        }
    }

    private static long openDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new AssertionError("RES-001: cannot list /proc/self/fd: " + e, e);
        }
    }

    /**
     * RES-002.
     *
     * @param n the number of vCPUs
     */
    public void res002(int n) {
        long data = kit.dataAddress();
        try (VirtualMachine vm = hv.createVirtualMachine()) {
            vm.mapRam(kit.ramBase(), kit.ramSize());
            List<VCpu> cpus = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long entry = kit.codeAddress() + 0x100L * i;
                long value = 0x5EED_0000L + i;
                byte[] code = arm
                        ? A64.toBytes(A64.concat(A64.movImm64(0, value), A64.movImm64(1, data + 8L * i),
                                new int[] {A64.strX(0, 1, 0), A64.wfi()}))
                        : new X86().movImm64(X86.RAX, value).storeQword(X86.RAX, data + 8L * i).hlt().toBytes();
                vm.memory().write(entry, code);
                VCpu cpu = vm.createVCpu(i, kit.createConfig(i));
                cpu.setEntry(entry);
                cpu.setup(kit.setupConfig(Set.of()));
                cpus.add(cpu);
            }
            List<Thread> threads = new ArrayList<>();
            List<AtomicReference<Object>> results = new ArrayList<>();
            for (VCpu cpu : cpus) {
                AtomicReference<Object> result = new AtomicReference<>();
                results.add(result);
                threads.add(Thread.ofPlatform().name("vcpu4j-tck-vcpu-" + cpu.id()).start(() -> {
                    try {
                        cpu.bind();
                        result.set(cpu.run());
                        cpu.unbind();
                    } catch (RuntimeException | Error e) {
                        result.set(e);
                    }
                }));
            }
            threads.forEach(RuleChecks::join);
            for (int i = 0; i < n; i++) {
                Object r = results.get(i).get();
                check(r instanceof VCpuExit.Halt, "RES-002: vCPU " + i + " of " + n + " must run on its own thread to "
                        + "its halt, but got " + r);
                long stored = vm.memory().readLong(data + 8L * i);
                check(stored == 0x5EED_0000L + i, String.format("RES-002: vCPU %d stored 0x%x, not 0x%x", i, stored,
                        0x5EED_0000L + i));
            }
        }
    }

    // ------------------------------------------------------------------ scenarios

    /** What an MMIO scenario observed and what the oracle expects. */
    private record MmioRun(RegisterState before, VCpuExit exit, RegisterState atExit, RegisterState after,
            RegisterState expectedAtExit, RegisterState expectedAfter, long trapPc, int length, VCpuExit afterExit) {

        /** Fails unless the guest reached its halt after the access. */
        void requireHalt(MmioCase c) {
            if (!(afterExit instanceof VCpuExit.Halt)) {
                throw new AssertionError("after " + exit + " for " + c + " the guest must run on to its halt, but "
                        + "run() returned " + afterExit + " (is the PC advanced past the access?)");
            }
        }
    }

    /** Runs {@code [nops][access][halt]}, completes a load with {@code deviceValue}, runs to the halt. */
    private MmioRun mmio(MmioCase c, List<Long> gprs, long deviceValue, int nops) {
        return mmio(c, gprs, deviceValue, nops, m -> { });
    }

    /** {@link #mmio(MmioCase, List, long, int)} with {@code atLoadExit} run at a load's exit, before it completes. */
    private MmioRun mmio(MmioCase c, List<Long> gprs, long deviceValue, int nops,
            java.util.function.Consumer<Machine> atLoadExit) {
        byte[] pad = padding(nops);
        long trapPc = kit.codeAddress() + pad.length;
        byte[] insn;
        switch (c) {
            case MmioCase.A64 a -> insn = A64.toBytes(a.access().encode());
            case MmioCase.X86 x -> insn = x.access().encode();
        }
        try (Machine m = Machine.start(hv, kit, concat(pad, insn, kit.halt()), Set.of())) {
            RegisterState before = kit.withGprs(m.baseline(), gprs, kit.codeAddress());
            if (c instanceof MmioCase.A64 a) {
                before = kit.withGpr(before, a.access().rn(), a.address() - a.access().offset());
            }
            m.cpu().restoreState(before);
            VCpuExit exit = m.run();
            RegisterState atExit = m.cpu().saveState();
            RegisterState expectedAtExit = kit.withPc(before, trapPc + insn.length);
            RegisterState expectedAfter = kit.withPc(before, trapPc + insn.length + kit.halt().length);
            if (c.isLoad()) {
                if (!(exit instanceof VCpuExit.MmioRead)) {
                    throw new AssertionError(c + ": expected an MmioRead exit, got " + exit + " with the PC at 0x"
                            + Long.toHexString(kit.pc(atExit)));
                }
                atLoadExit.accept(m);
                m.cpu().completeMmioRead(deviceValue);
                int reg = destination(c);
                if (reg != 31) {
                    expectedAfter = kit.withGpr(expectedAfter, reg, loadResult(c, kit.gpr(before, reg), deviceValue));
                }
            } else if (!(exit instanceof VCpuExit.MmioWrite)) {
                throw new AssertionError(c + ": expected an MmioWrite exit, got " + exit + " with the PC at 0x"
                        + Long.toHexString(kit.pc(atExit)));
            }
            VCpuExit afterExit = m.run();
            RegisterState after = m.cpu().saveState();
            return new MmioRun(before, exit, atExit, after, expectedAtExit, expectedAfter, trapPc, insn.length,
                    afterExit);
        }
    }

    private static int destination(MmioCase c) {
        return switch (c) {
            case MmioCase.A64 a -> a.access().rt();
            case MmioCase.X86 x -> x.access().reg();
        };
    }

    private static long loadResult(MmioCase c, long before, long deviceValue) {
        return switch (c) {
            case MmioCase.A64 a -> a.access().loadResult(deviceValue);
            case MmioCase.X86 x -> x.access().loadResult(before, deviceValue);
        };
    }

    /** {@return null if the exit is what the encoding means, else what differs} */
    private String exitMismatch(MmioCase c, VCpuExit exit, RegisterState before) {
        switch (c) {
            case MmioCase.A64 a -> {
                var ls = a.access();
                VCpuExit expected = ls.isLoad()
                        ? new VCpuExit.MmioRead(a.address(), ls.width(), ls.rt(), ls.registerWidth(), ls.signExtend())
                        : new VCpuExit.MmioWrite(a.address(), ls.width(), ls.rt() == 31 ? 0 : kit.gpr(before, ls.rt()));
                return expected.equals(exit) ? null : "expected " + expected + ", got " + exit;
            }
            case MmioCase.X86 x -> {
                var mv = x.access();
                if (mv.store()) {
                    VCpuExit expected = new VCpuExit.MmioWrite(mv.address(), mv.memoryWidth(), kit.gpr(before, mv.reg()));
                    return expected.equals(exit) ? null : "expected " + expected + ", got " + exit;
                }
                // KVM reports address, length and direction only; register fields are not checked on x86-64.
                return exit instanceof VCpuExit.MmioRead r && r.address() == mv.address() && r.width() == mv.memoryWidth()
                        ? null : String.format("expected MmioRead[address=0x%x, width=%s, ...], got %s", mv.address(),
                                mv.memoryWidth(), exit);
            }
        }
    }

    /** What a register-space scenario observed. */
    private record RegRun(RegisterState before, VCpuExit exit, RegisterState atExit, RegisterState after,
            RegisterState expectedAfter, long trapPc, int length, VCpuExit afterExit) {

        /** Fails unless the guest reached its halt after the access. */
        void requireHalt(RegisterSpaceCase c) {
            if (!(afterExit instanceof VCpuExit.Halt)) {
                throw new AssertionError("after " + exit + " for " + c + " the guest must run on to its halt, but "
                        + "run() returned " + afterExit + " (is the PC advanced past the access?)");
            }
        }
    }

    private RegRun registerSpace(RegisterSpaceCase c, List<Long> gprs, long value, int nops) {
        byte[] pad = padding(nops);
        long trapPc = kit.codeAddress() + pad.length;
        byte[] insn;
        Set<Long> traps;
        switch (c) {
            case RegisterSpaceCase.A64 a -> {
                insn = A64.toBytes(a.encode());
                traps = Set.of(a.register().issAddress());
            }
            case RegisterSpaceCase.X86 x -> {
                insn = x.access().encode();
                traps = Set.of();
            }
        }
        try (Machine m = Machine.start(hv, kit, concat(pad, insn, kit.halt()), traps)) {
            RegisterState before = kit.withGprs(m.baseline(), gprs, kit.codeAddress());
            if (c instanceof RegisterSpaceCase.X86 x && x.access().viaDx()) {
                before = kit.withGpr(before, X86.RDX, gprs.get(X86.RDX) & ~0xFFFFL | x.access().port());
            }
            m.cpu().restoreState(before);
            VCpuExit exit = m.run();
            RegisterState atExit = m.cpu().saveState();
            RegisterState expectedAfter = kit.withPc(before, trapPc + insn.length + kit.halt().length);
            if (c.isRead()) {
                switch (c) {
                    case RegisterSpaceCase.A64 a -> {
                        if (!(exit instanceof VCpuExit.SysRegRead)) {
                            throw new AssertionError(c + ": expected a SysRegRead exit, got " + exit);
                        }
                        m.cpu().completeSysRegRead(value);
                        expectedAfter = kit.withGpr(expectedAfter, a.rt(), value);
                    }
                    case RegisterSpaceCase.X86 x -> {
                        if (!(exit instanceof VCpuExit.IoRead)) {
                            throw new AssertionError(c + ": expected an IoRead exit, got " + exit);
                        }
                        m.cpu().completeIoRead(value);
                        expectedAfter = kit.withGpr(expectedAfter, X86.RAX,
                                x.access().inResult(kit.gpr(before, X86.RAX), value));
                    }
                }
            }
            VCpuExit halt = m.run();
            return new RegRun(before, exit, atExit, m.cpu().saveState(), expectedAfter, trapPc, insn.length, halt);
        }
    }

    private VCpuExit expectedRegisterSpaceExit(RegisterSpaceCase c, RegisterState before) {
        return switch (c) {
            case RegisterSpaceCase.A64 a -> a.read()
                    ? new VCpuExit.SysRegRead(a.register().issAddress(), a.rt())
                    : new VCpuExit.SysRegWrite(a.register().issAddress(), a.rt() == 31 ? 0 : kit.gpr(before, a.rt()));
            case RegisterSpaceCase.X86 x -> x.access().in()
                    ? new VCpuExit.IoRead(x.access().port(), x.access().width())
                    : new VCpuExit.IoWrite(x.access().port(), x.access().width(), kit.gpr(before, X86.RAX));
        };
    }

    private static RegisterSpaceCase asRead(RegisterSpaceCase c, boolean read) {
        return switch (c) {
            case RegisterSpaceCase.A64 a -> new RegisterSpaceCase.A64(a.register(), read, a.rt());
            case RegisterSpaceCase.X86 x -> new RegisterSpaceCase.X86(new X86PortAccess(read, x.access().width(),
                    x.access().port(), x.access().viaDx()));
        };
    }

    /** What a call scenario observed. */
    private record CallRun(VCpuExit exit, RegisterState atExit, long trapPc, long stored) {}

    /**
     * Runs {@code [nops][hvc|smc][str x0, [x7]][wfi]} with x0-x6 from the call and x7 = the data page; when
     * {@code answer}, sets the return value and runs to the WFI, reading back what the guest stored.
     */
    private CallRun call(A64Call call, List<Long> gprs, int nops, boolean answer, long returnValue) {
        if (!arm) {
            throw new AssertionError("calls are AArch64 rules; the capability check should have skipped this");
        }
        byte[] pad = padding(nops);
        long trapPc = kit.codeAddress() + pad.length;
        int insn = call.smc() ? A64.smc(call.imm16()) : A64.hvc(call.imm16());
        byte[] code = concat(pad, A64.toBytes(insn, A64.strX(0, 7, 0), A64.wfi()));
        try (Machine m = Machine.start(hv, kit, code, Set.of())) {
            RegisterState before = kit.withGprs(m.baseline(), gprs, kit.codeAddress());
            for (int i = 0; i <= 6; i++) {
                before = kit.withGpr(before, i, call.x(i));
            }
            before = kit.withGpr(before, 7, kit.dataAddress());
            m.cpu().restoreState(before);
            VCpuExit exit = m.run();
            RegisterState atExit = m.cpu().saveState();
            long stored = 0;
            if (answer) {
                if (!(exit instanceof VCpuExit.Hypercall)) {
                    throw new AssertionError(call + ": expected a Hypercall exit, got " + exit);
                }
                m.cpu().setReturnValue(returnValue);
                m.runExpecting(VCpuExit.Halt.class, "the WFI after the call");
                stored = m.readLong(kit.dataAddress());
            }
            return new CallRun(exit, atExit, trapPc, stored);
        }
    }

    private static VCpuExit expectedPsciExit(A64Call call) {
        int id = (int) call.x0();
        long m32 = 0xFFFF_FFFFL;
        if (id == Psci.CPU_ON_64) {
            return new VCpuExit.CpuUp(call.x(1), call.x(2), call.x(3));
        } else if (id == Psci.CPU_ON_32) {
            return new VCpuExit.CpuUp(call.x(1) & m32, call.x(2) & m32, call.x(3) & m32);
        } else if (id == Psci.CPU_OFF) {
            return new VCpuExit.CpuDown(0);
        } else if (id == Psci.SYSTEM_OFF) {
            return new VCpuExit.SystemDown();
        } else if (id == Psci.SYSTEM_RESET) {
            return new VCpuExit.SystemReset();
        }
        throw new IllegalArgumentException("not a PSCI call with an exit of its own: " + call);
    }

    // ------------------------------------------------------------------ helpers

    private byte[] padding(int nops) {
        return arm ? repeat(A64.toBytes(A64.nop()), nops) : repeat(new byte[] {(byte) 0x90}, nops);
    }

    private String registerName(int reg) {
        return arm ? "x" + reg : X86_64State.GPR_NAMES.get(reg);
    }

    private static byte[] repeat(byte[] unit, int times) {
        byte[] out = new byte[unit.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(unit, 0, out, i * unit.length, unit.length);
        }
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int i = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }

    private static void compare(List<String> diff, String name, long expected, long actual) {
        if (expected != actual) {
            diff.add(String.format("%s: 0x%x != 0x%x", name, expected, actual));
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    private static void join(Thread t) {
        try {
            t.join(TimeUnit.SECONDS.toMillis(Machine.WATCHDOG_SECONDS * 2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + t.getName(), e);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
