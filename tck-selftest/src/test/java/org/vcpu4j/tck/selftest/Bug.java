package org.vcpu4j.tck.selftest;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.InterruptControllerState;
import org.vcpu4j.api.VCpuCreateConfig;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.RegisterState;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.spi.ArchVCpu;
import org.vcpu4j.spi.InterruptControllerBackend;
import org.vcpu4j.spi.aarch64.Completion;
import org.vcpu4j.spi.aarch64.GicV3Model;
import org.vcpu4j.tck.Rule;

/**
 * The bug classes arm_vcpu has or could have, each as an {@link ArchVCpu} wrapper around the emulated
 * backend, with the rule that must catch it.
 */
enum Bug {
    /** The load's SSE bit is ignored: LDRSB/LDRSH/LDRSW complete zero-extended (arm_vcpu reports SSE false). */
    SIGN_EXTENSION_IGNORED(Rule.EXIT_002, cpu -> new DelegatingVCpu(cpu) {
        @Override
        public void completeMmioRead(VCpuExit.MmioRead exit, long value) {
            delegate.completeMmioRead(new VCpuExit.MmioRead(exit.address(), exit.width(), exit.register(),
                    exit.registerWidth(), false), value);
        }
    }),
    /**
     * maxVCpuId() overstates what the backend takes (KVM before issue 11: Integer.MAX_VALUE, while
     * KVM_CREATE_VCPU refuses ids from KVM_CAP_MAX_VCPU_ID on): the VM's createVCpu fails inside the backend.
     */
    MAX_VCPU_ID_OVERSTATED(Rule.LIF_003, UnaryOperator.identity(), 1023),
    /** The PC is left on the trapping instruction (the VMM would re-execute it). */
    PC_NOT_ADVANCED(Rule.PC_001, cpu -> new DelegatingVCpu(cpu) {
        @Override
        public VCpuExit run() {
            VCpuExit exit = delegate.run();
            if (exit instanceof VCpuExit.MmioRead || exit instanceof VCpuExit.MmioWrite
                    || exit instanceof VCpuExit.SysRegRead || exit instanceof VCpuExit.SysRegWrite
                    || exit instanceof VCpuExit.Hypercall || exit instanceof VCpuExit.Halt) {
                Aarch64State s = (Aarch64State) delegate.saveState();
                delegate.restoreState(s.toBuilder().pc(s.pc() - 4).build());
            }
            return exit;
        }
    }),
    /** A halfword access is reported as a byte access (a wrong SAS decode). */
    WRONG_ACCESS_WIDTH(Rule.EXIT_001, cpu -> new DelegatingVCpu(cpu) {
        @Override
        public VCpuExit run() {
            VCpuExit exit = delegate.run();
            return switch (exit) {
                case VCpuExit.MmioRead r when r.width() == AccessWidth.WORD -> new VCpuExit.MmioRead(r.address(),
                        AccessWidth.BYTE, r.register(), r.registerWidth(), r.signExtend());
                case VCpuExit.MmioWrite w when w.width() == AccessWidth.WORD ->
                        new VCpuExit.MmioWrite(w.address(), AccessWidth.BYTE, w.data());
                default -> exit;
            };
        }
    }),
    /** Interrupt ids are not checked before they are queued: a bad one from another thread breaks run(). */
    INTERRUPT_ID_UNCHECKED(Rule.IRQ_002, cpu -> new DelegatingVCpu(cpu) {
        @Override
        public void checkInterrupt(int intid) {
            // accepts everything
        }
    }),
    /** A load into XZR (Rt = 31) writes the value into the register slot 31, which is SP. */
    XZR_WRITTEN(Rule.EXIT_002, cpu -> new DelegatingVCpu(cpu) {
        @Override
        public void completeMmioRead(VCpuExit.MmioRead exit, long value) {
            delegate.completeMmioRead(exit, value);
            if (exit.register() == 31) {
                Aarch64State s = (Aarch64State) delegate.saveState();
                delegate.restoreState(s.toBuilder().spEl1(Completion.loadResult(exit, value)).build());
            }
        }
    }),
    /** A load into a W register keeps bits 63:32 of the X register. */
    W_UPPER_HALF_KEPT(Rule.EXIT_002, cpu -> new DelegatingVCpu(cpu) {
        @Override
        public void completeMmioRead(VCpuExit.MmioRead exit, long value) {
            long before = exit.register() == 31 ? 0 : delegate.gpr(exit.register());
            delegate.completeMmioRead(exit, value);
            if (exit.register() != 31 && exit.registerWidth() == AccessWidth.DWORD) {
                delegate.setGpr(exit.register(), before & 0xFFFF_FFFF_0000_0000L
                        | delegate.gpr(exit.register()) & 0xFFFF_FFFFL);
            }
        }
    }),
    /** restoreState leaves the timer registers as they were (arm_vcpu forgets the physical timer). */
    TIMER_REGISTERS_NOT_RESTORED(Rule.CTX_001, cpu -> new DelegatingVCpu(cpu) {
        @Override
        public void restoreState(RegisterState state) {
            Aarch64State current = (Aarch64State) delegate.saveState();
            Aarch64State.Builder b = ((Aarch64State) state).toBuilder();
            for (SystemRegister r : List.of(SystemRegister.CNTP_CTL_EL0, SystemRegister.CNTP_CVAL_EL0,
                    SystemRegister.CNTV_CTL_EL0, SystemRegister.CNTV_CVAL_EL0, SystemRegister.CNTKCTL_EL1)) {
                b.sys(r, current.sys(r));
            }
            delegate.restoreState(b.build());
        }
    }),
    /** Every vCPU opens a file descriptor that nothing closes (a forgotten vCPU or eventfd fd). */
    FILE_DESCRIPTOR_LEAKED(Rule.RES_001, cpu -> {
        Leaks.leakOne();
        return cpu;
    }),
    /**
     * An unaligned access to Device memory is dropped instead of faulting (as if it were Normal memory with
     * no effect): when the guest's handler reports an alignment fault, the wrapper returns to the
     * instruction after the access as if the exception had never been taken.
     */
    DEVICE_ALIGNMENT_IGNORED(Rule.ALIGN_001, cpu -> new DelegatingVCpu(cpu) {
        @Override
        public VCpuExit run() {
            VCpuExit exit = delegate.run();
            Aarch64State s = (Aarch64State) delegate.saveState();
            long esr = s.sys(SystemRegister.ESR_EL1);
            if (exit instanceof VCpuExit.Hypercall && (esr >>> 26) == 0x25 && (esr & 0x3F) == 0x21) {
                delegate.restoreState(s.toBuilder().pc(s.elrEl1() + 4).pstate(s.spsrEl1())
                        .sys(SystemRegister.ESR_EL1, 0).build());
                return delegate.run();
            }
            return exit;
        }
    }),
    /** Lowering a line never reaches the interrupt controller (a device model's deassert dropped on the way). */
    LINE_NEVER_LOWERED(Rule.INT_001, UnaryOperator.identity(), -1, controller -> new InterruptControllerBackend() {
        @Override
        public void setLevel(int line, boolean high) {
            if (high) {
                controller.setLevel(line, true);
            }
        }
    }),
    /**
     * The backend numbers affinities its own way: vCPU 0 gets the MPIDR asked for vCPU 1 and the other way
     * round, so the GIC routes an SPI or SGI for affinity 0.0.0.1 to the wrong vCPU.
     */
    AFFINITIES_SWAPPED(Rule.INT_005, UnaryOperator.identity(), -1, UnaryOperator.identity(),
            config -> config instanceof Aarch64CreateConfig a && a.mpidr() <= 1
                    ? new Aarch64CreateConfig(a.mpidr() ^ 1, a.dtbAddress()) : config),
    /** The interrupt controller's restoreState keeps the fresh VM's distributor (a snapshot loses pending SPIs). */
    CONTROLLER_STATE_NOT_RESTORED(Rule.INT_004, UnaryOperator.identity(), -1, controller -> new InterruptControllerBackend() {
        @Override
        public void setLevel(int line, boolean high) {
            controller.setLevel(line, high);
        }

        @Override
        public InterruptControllerState saveState() {
            return controller.saveState();
        }

        @Override
        public void restoreState(InterruptControllerState state) {
            // dropped
        }
    }),
    /**
     * The GIC CPU interface's priority mask is not the guest's after an exit: the backend enters the guest
     * with a stale shadow ICC_PMR_EL1 of 0xff (wide open).
     */
    PRIORITY_MASK_NOT_KEPT(Rule.INT_002, cpu -> new DelegatingVCpu(cpu) {
        @Override
        public VCpuExit run() {
            Aarch64State s = (Aarch64State) delegate.saveState();
            if (!s.gicCpuInterface().isEmpty()) {
                var icc = new java.util.TreeMap<>(s.gicCpuInterface());
                icc.put(GicV3Model.ICC_PMR, 0xFFL);
                delegate.restoreState(s.toBuilder().gicCpuInterface(icc).build());
            }
            return delegate.run();
        }
    }),
    /**
     * The virtual timer's compare value is not the guest's after an exit (a stale shadow copy written back on
     * entry, far in the future): an armed timer never fires.
     */
    TIMER_COMPARE_NOT_KEPT(Rule.INT_003, cpu -> new DelegatingVCpu(cpu) {
        @Override
        public VCpuExit run() {
            Aarch64State s = (Aarch64State) delegate.saveState();
            if ((s.sys(SystemRegister.CNTV_CTL_EL0) & 1) != 0) {
                delegate.restoreState(s.toBuilder().sys(SystemRegister.CNTV_CVAL_EL0,
                        s.sys(SystemRegister.CNTV_CVAL_EL0) + (1L << 40)).build());
            }
            return delegate.run();
        }
    }),
    /**
     * The part of a load outside RAM is reported as one exit of the register's width at the end of RAM (what
     * the emulator did before issue 11 item 6): a load exit at a page boundary narrower than its register
     * claims the register's width.
     */
    EDGE_OF_RAM_LOAD_FULL_WIDTH(Rule.EXIT_005, cpu -> new DelegatingVCpu(cpu) {
        private VCpuExit.MmioRead real;

        @Override
        public VCpuExit run() {
            VCpuExit exit = delegate.run();
            if (exit instanceof VCpuExit.MmioRead r && (r.address() & 0xFFF) == 0
                    && r.width().bytes() < r.registerWidth().bytes()) {
                real = r;
                return new VCpuExit.MmioRead(r.address(), r.registerWidth(), r.register(), r.registerWidth(),
                        r.signExtend());
            }
            real = null;
            return exit;
        }

        @Override
        public void completeMmioRead(VCpuExit.MmioRead exit, long value) {
            delegate.completeMmioRead(real != null ? real : exit, value);
        }
    }),
    /** The hypercall arguments are read one register too far (x2..x7). */
    HYPERCALL_ARGUMENTS_SHIFTED(Rule.HVC_001, cpu -> new DelegatingVCpu(cpu) {
        @Override
        public VCpuExit run() {
            VCpuExit exit = delegate.run();
            if (exit instanceof VCpuExit.Hypercall h) {
                List<Long> args = new ArrayList<>(h.args().subList(1, 6));
                args.add(delegate.gpr(7));
                return new VCpuExit.Hypercall(h.number(), args);
            }
            return exit;
        }
    });

    /** The descriptors FILE_DESCRIPTOR_LEAKED opened, closed by the self-test when it is done. */
    static final class Leaks {
        private static final List<java.nio.channels.FileChannel> OPEN = new ArrayList<>();

        private Leaks() {}

        static synchronized void leakOne() {
            try {
                OPEN.add(java.nio.channels.FileChannel.open(java.nio.file.Path.of("/proc/self/stat")));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        static synchronized void closeAll() throws java.io.IOException {
            for (var c : OPEN) {
                c.close();
            }
            OPEN.clear();
        }
    }

    private final Rule rule;
    private final UnaryOperator<ArchVCpu> wrapper;
    private final int realVCpuIdLimit;
    private final UnaryOperator<InterruptControllerBackend> controllerWrapper;
    private final UnaryOperator<VCpuCreateConfig> configMapper;

    Bug(Rule rule, UnaryOperator<ArchVCpu> wrapper) {
        this(rule, wrapper, -1);
    }

    Bug(Rule rule, UnaryOperator<ArchVCpu> wrapper, int realVCpuIdLimit) {
        this(rule, wrapper, realVCpuIdLimit, UnaryOperator.identity());
    }

    Bug(Rule rule, UnaryOperator<ArchVCpu> wrapper, int realVCpuIdLimit,
            UnaryOperator<InterruptControllerBackend> controllerWrapper) {
        this(rule, wrapper, realVCpuIdLimit, controllerWrapper, UnaryOperator.identity());
    }

    Bug(Rule rule, UnaryOperator<ArchVCpu> wrapper, int realVCpuIdLimit,
            UnaryOperator<InterruptControllerBackend> controllerWrapper, UnaryOperator<VCpuCreateConfig> configMapper) {
        this.rule = rule;
        this.wrapper = wrapper;
        this.realVCpuIdLimit = realVCpuIdLimit;
        this.controllerWrapper = controllerWrapper;
        this.configMapper = configMapper;
    }

    /** {@return what the broken VM makes of a vCPU's create config before the real backend sees it} */
    UnaryOperator<VCpuCreateConfig> configMapper() {
        return configMapper;
    }

    /** {@return the wrapper that puts the bug into a VM's interrupt controller (identity for most bugs)} */
    UnaryOperator<InterruptControllerBackend> controllerWrapper() {
        return controllerWrapper;
    }

    /** {@return the largest vCPU id the broken VM really takes while it claims more, or -1 (no such bug)} */
    int realVCpuIdLimit() {
        return realVCpuIdLimit;
    }

    /** {@return the rule meant to catch the bug} */
    Rule rule() {
        return rule;
    }

    /** {@return the wrapper that puts the bug into a vCPU} */
    UnaryOperator<ArchVCpu> wrapper() {
        return wrapper;
    }
}
