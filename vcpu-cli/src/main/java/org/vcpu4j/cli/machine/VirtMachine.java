package org.vcpu4j.cli.machine;

import java.util.Optional;
import org.vcpu4j.api.AccessKind;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.InterruptControllerConfig;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuCreateConfig;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.spi.aarch64.ExceptionEntry;
import org.vcpu4j.spi.aarch64.Psci;

/**
 * The layout of QEMU's {@code virt} board (hw/arm/virt.c memory map), so that bare-metal images built
 * for it run unchanged: RAM at 0x4000_0000, a PL011 UART at 0x0900_0000, PSCI 1.0 through HVC (or SMC).
 * A load or store where the board has neither RAM nor a device takes a synchronous external abort in the
 * guest, as on QEMU. Where the backend offers one, the board has QEMU virt's GICv3 (distributor at
 * 0x0800_0000, redistributors at 0x080A_0000) with the generic timer's PPIs, served by the backend.
 */
public final class VirtMachine extends Machine {
    /** RAM base, as QEMU virt. */
    public static final long RAM_BASE = 0x4000_0000L;
    /** PL011 base, as QEMU virt. */
    public static final long UART_BASE = 0x0900_0000L;

    private final Pl011 uart;

    /**
     * Creates the board.
     *
     * @param console where the UART's output goes
     */
    public VirtMachine(GuestConsole console) {
        super(console);
        this.uart = new Pl011(UART_BASE, console);
    }

    @Override
    public GuestIsa isa() {
        return GuestIsa.AARCH64;
    }

    @Override
    public long ramBase() {
        return RAM_BASE;
    }

    @Override
    protected VCpuCreateConfig bootConfig() {
        return Aarch64CreateConfig.ofMpidr(0);
    }

    @Override
    protected void createInterruptController(VirtualMachine vm) {
        InterruptControllerConfig.GicV3 gic = InterruptControllerConfig.qemuVirtGicV3();
        if (vm.interruptControllerSupport(gic).available()) {
            vm.createInterruptController(gic);
        }
    }

    @Override
    protected void setUp(VCpu vcpu, long ramSize) {
        vcpu.setup(Aarch64SetupConfig.defaults());
    }

    @Override
    public Outcome handle(VCpu vcpu, VCpuExit exit) {
        return switch (exit) {
            case VCpuExit.MmioRead r -> {
                if (uart.contains(r.address())) {
                    vcpu.completeMmioRead(uart.read(r.address()));
                } else {
                    vcpu.completeMmioWithExternalAbort();
                }
                yield Outcome.CONTINUE;
            }
            case VCpuExit.MmioWrite w -> {
                if (uart.contains(w.address())) {
                    uart.write(w.address(), w.data());
                } else {
                    vcpu.completeMmioWithExternalAbort();
                }
                yield Outcome.CONTINUE;
            }
            case VCpuExit.Hypercall h -> {
                vcpu.setReturnValue(psci(h));
                yield Outcome.CONTINUE;
            }
            case VCpuExit.CpuUp up -> {
                vcpu.setReturnValue(up.targetCpu() == 0 ? Psci.ALREADY_ON : Psci.INVALID_PARAMETERS);
                yield Outcome.CONTINUE;
            }
            case VCpuExit.CpuDown d -> Outcome.finished("the guest turned off its only CPU (PSCI CPU_OFF)");
            case VCpuExit.SystemDown d -> Outcome.finished("the guest powered off (PSCI SYSTEM_OFF)");
            case VCpuExit.SystemReset r -> Outcome.finished("the guest asked for a reset (PSCI SYSTEM_RESET)");
            case VCpuExit.Halt h -> Outcome.CONTINUE;
            case VCpuExit.Nothing n -> Outcome.CONTINUE;
            case VCpuExit.ExternalInterrupt e -> Outcome.CONTINUE;
            case VCpuExit.NestedPageFault f -> Outcome.failed(nothingThere(vcpu, f));
            case VCpuExit.InternalError e -> Outcome.failed("the guest stopped: " + e.description());
            case VCpuExit.FailEntry e -> Outcome.failed("the backend could not enter the guest (reason 0x"
                    + Long.toHexString(e.hardwareEntryFailureReason()) + ")");
            default -> unexpected(exit);
        };
    }

    /**
     * Why the guest reached an address with nothing behind it. A fetch at one of the guest's own exception
     * vectors means it took an exception there: the saved ESR_EL1, ELR_EL1 and FAR_EL1 say which, and that
     * is what a person needs (the fetch is only its consequence).
     */
    private static String nothingThere(VCpu vcpu, VCpuExit.NestedPageFault f) {
        String where = ", where the board has neither RAM nor a device";
        if (f.access() != AccessKind.EXECUTE) {
            return String.format("the guest accessed 0x%x%s (with no syndrome to emulate the access)", f.address(), where);
        }
        Optional<ExceptionEntry> entry = vcpu.saveState() instanceof Aarch64State state ? ExceptionEntry.at(state)
                : Optional.empty();
        return entry.map(e -> "the guest took " + e.describe() + where)
                .orElseGet(() -> String.format("the guest fetched an instruction from 0x%x%s", f.address(), where));
    }

    /** PSCI calls that do not have an exit of their own (Arm DEN0022 §5). */
    private static long psci(VCpuExit.Hypercall h) {
        int function = (int) h.number();
        return switch (function) {
            case Psci.VERSION -> Psci.VERSION_1_0;
            case Psci.MIGRATE_INFO_TYPE -> 2; // no Trusted OS that needs migration
            case Psci.AFFINITY_INFO_32, Psci.AFFINITY_INFO_64 -> h.arg(0) == 0 ? 0 : Psci.INVALID_PARAMETERS;
            case Psci.FEATURES -> switch ((int) h.arg(0)) {
                case Psci.VERSION, Psci.CPU_OFF, Psci.CPU_ON_32, Psci.CPU_ON_64, Psci.AFFINITY_INFO_32,
                        Psci.AFFINITY_INFO_64, Psci.MIGRATE_INFO_TYPE, Psci.SYSTEM_OFF, Psci.SYSTEM_RESET,
                        Psci.FEATURES -> Psci.SUCCESS;
                default -> Psci.NOT_SUPPORTED;
            };
            default -> Psci.NOT_SUPPORTED;
        };
    }
}
