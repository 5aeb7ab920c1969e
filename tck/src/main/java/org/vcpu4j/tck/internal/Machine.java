package org.vcpu4j.tck.internal;

import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.InterruptController;
import org.vcpu4j.api.RegisterState;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VirtualMachine;

/**
 * One VM with RAM and one vCPU, set up and bound to the calling thread, with its code in place: what a
 * property runs its guest on. {@link #run()} has a watchdog, so a guest that never exits makes the rule
 * fail instead of hanging the build.
 */
public final class Machine implements AutoCloseable {
    /** How long a guest may run before the watchdog kicks it; a liveness bound, far above any real run. */
    public static final long WATCHDOG_SECONDS = 20;

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vcpu4j-tck-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final IsaKit kit;
    private final VirtualMachine vm;
    private final VCpu cpu;
    private final RegisterState baseline;

    private Machine(IsaKit kit, VirtualMachine vm, VCpu cpu) {
        this.kit = kit;
        this.vm = vm;
        this.cpu = cpu;
        this.baseline = cpu.saveState();
    }

    /**
     * Creates a VM with the kit's RAM, writes the code at the kit's code address, creates vCPU 0, sets
     * its entry and sets it up, and binds it to the calling thread.
     *
     * @param hv the hypervisor
     * @param kit the ISA kit
     * @param code the code
     * @param trappedSystemRegisters ISS addresses to trap (AArch64)
     * @return the machine
     */
    public static Machine start(Hypervisor hv, IsaKit kit, byte[] code, Set<Long> trappedSystemRegisters) {
        return start(hv, kit, code, trappedSystemRegisters, false);
    }

    /**
     * As {@link #start(Hypervisor, IsaKit, byte[], Set)}, on a VM that first creates the kit's interrupt
     * controller ({@link IsaKit#interruptController()}), before its vCPU.
     *
     * @param hv the hypervisor
     * @param kit the ISA kit
     * @param code the code
     * @return the machine
     */
    public static Machine startWithInterruptController(Hypervisor hv, IsaKit kit, byte[] code) {
        return start(hv, kit, code, Set.of(), true);
    }

    private static Machine start(Hypervisor hv, IsaKit kit, byte[] code, Set<Long> trappedSystemRegisters,
            boolean interruptController) {
        VirtualMachine vm = hv.createVirtualMachine();
        try {
            vm.mapRam(kit.ramBase(), kit.ramSize());
            if (interruptController) {
                vm.createInterruptController(kit.interruptController());
            }
            vm.memory().write(kit.codeAddress(), code);
            VCpu cpu = vm.createVCpu(0, kit.createConfig(0));
            cpu.setEntry(kit.codeAddress());
            cpu.setup(kit.setupConfig(trappedSystemRegisters));
            cpu.bind();
            return new Machine(kit, vm, cpu);
        } catch (RuntimeException | Error e) {
            vm.close();
            throw e;
        }
    }

    /** {@return the vCPU} */
    public VCpu cpu() {
        return cpu;
    }

    /** {@return the VM's interrupt controller (a machine started with one)} */
    public InterruptController interruptController() {
        return vm.interruptController().orElseThrow(() -> new IllegalStateException("started without one"));
    }

    /** {@return the VM} */
    public VirtualMachine vm() {
        return vm;
    }

    /** {@return the kit} */
    public IsaKit kit() {
        return kit;
    }

    /** {@return the state the vCPU had right after setup and bind} */
    public RegisterState baseline() {
        return baseline;
    }

    /**
     * Writes bytes into guest memory.
     *
     * @param address the guest-physical address
     * @param bytes the bytes
     */
    public void write(long address, byte[] bytes) {
        vm.memory().write(address, bytes);
    }

    /**
     * {@return the 64-bit little-endian value at an address}
     *
     * @param address the guest-physical address
     */
    public long readLong(long address) {
        return vm.memory().readLong(address);
    }

    /**
     * Runs the vCPU once, under the watchdog.
     *
     * @return the exit
     * @throws AssertionError if the watchdog had to kick the guest
     */
    public VCpuExit run() {
        AtomicBoolean fired = new AtomicBoolean();
        ScheduledFuture<?> dog = WATCHDOG.schedule(() -> {
            fired.set(true);
            cpu.requestExit();
        }, WATCHDOG_SECONDS, TimeUnit.SECONDS);
        VCpuExit exit;
        try {
            exit = cpu.run();
        } finally {
            dog.cancel(false);
        }
        if (fired.get()) {
            throw new AssertionError("the guest did not exit within " + WATCHDOG_SECONDS
                    + " s; the TCK's watchdog called requestExit() and run() returned " + exit);
        }
        return exit;
    }

    /**
     * Runs the vCPU once and asks it to exit after {@code millis}, for guests that may spin.
     *
     * @param millis when to call requestExit()
     * @return the exit (Interrupted if the kick ended the run)
     */
    public VCpuExit runKicked(long millis) {
        ScheduledFuture<?> kick = WATCHDOG.schedule(cpu::requestExit, millis, TimeUnit.MILLISECONDS);
        try {
            return run();
        } finally {
            kick.cancel(false);
        }
    }

    /**
     * Runs the vCPU and expects an exit of a type.
     *
     * @param <T> the exit type
     * @param type the exit type
     * @param what what the exit is for, for the message
     * @return the exit
     */
    public <T extends VCpuExit> T runExpecting(Class<T> type, String what) {
        VCpuExit exit = run();
        if (!type.isInstance(exit)) {
            throw new AssertionError("expected a " + type.getSimpleName() + " exit for " + what + ", got " + exit
                    + " " + describeCpu());
        }
        return type.cast(exit);
    }

    /** {@return the PC and, on AArch64, the last EL1 exception's ESR_EL1 and ELR_EL1, for failure messages} */
    public String describeCpu() {
        RegisterState s = cpu.saveState();
        if (s instanceof org.vcpu4j.api.aarch64.Aarch64State a) {
            return String.format("at PC 0x%x (ESR_EL1 0x%x, ELR_EL1 0x%x, FAR_EL1 0x%x)", a.pc(),
                    a.sys(org.vcpu4j.api.aarch64.SystemRegister.ESR_EL1), a.elrEl1(),
                    a.sys(org.vcpu4j.api.aarch64.SystemRegister.FAR_EL1));
        }
        return "at PC 0x" + Long.toHexString(kit.pc(s));
    }

    @Override
    public void close() {
        vm.close();
    }
}
