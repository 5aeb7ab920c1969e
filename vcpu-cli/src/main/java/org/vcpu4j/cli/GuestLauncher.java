package org.vcpu4j.cli;

import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.MemoryMapException;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuException;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.cli.image.GuestImage;
import org.vcpu4j.cli.image.InvalidImageException;
import org.vcpu4j.cli.machine.GuestConsole;
import org.vcpu4j.cli.machine.Machine;
import org.vcpu4j.cli.machine.MachineRunner;
import org.vcpu4j.cli.machine.Outcome;
import org.vcpu4j.cli.machine.PcMachine;
import org.vcpu4j.cli.machine.RunOptions;
import org.vcpu4j.cli.machine.RunResult;
import org.vcpu4j.cli.machine.VirtMachine;
import org.vcpu4j.gdb.GdbStub;
import org.vcpu4j.spi.Backends;
import org.vcpu4j.spi.VCpuBackendProvider;

/** Boots an image on a backend's machine model, runs it, reports the outcome and the statistics. */
class GuestLauncher {
    private final Console console;
    private final Provider<GuestConsole> guestConsole;
    private final MachineRunner runner;

    @Inject
    GuestLauncher(Console console, Provider<GuestConsole> guestConsole, MachineRunner runner) {
        this.console = console;
        this.guestConsole = guestConsole;
        this.runner = runner;
    }

    /**
     * Runs an image and returns the process exit code; prints a one-line reason to standard error when
     * the run does not end cleanly.
     */
    int launch(VCpuBackendProvider provider, GuestImage image, RunOptions options) {
        GuestIsa isa = image.isa().orElse(provider.guestIsa());
        if (isa != provider.guestIsa()) {
            return fail(Outcome.EXIT_USAGE, "backend '" + provider.id() + "' runs " + provider.guestIsa().displayName()
                    + " guests, but " + image.name() + " is " + isa.displayName());
        }
        if (options.maxInstructions().isPresent() && !countsInstructions(provider)) {
            return fail(Outcome.EXIT_USAGE, "--max-instructions needs a backend that counts guest instructions; '"
                    + provider.id() + "' does not (use --timeout)");
        }
        GuestConsole guest = guestConsole.get();
        Machine machine = isa == GuestIsa.AARCH64 ? new VirtMachine(guest) : new PcMachine(guest);
        try (InterruptStop interrupt = new InterruptStop()) {
            RunResult result;
            try (Hypervisor hypervisor = Backends.open(provider); VirtualMachine vm = hypervisor.createVirtualMachine()) {
                VCpu vcpu;
                try {
                    vcpu = machine.boot(vm, image, options.memorySize());
                } catch (MemoryMapException e) { // the RAM --memory asks for was refused (e.g. more than the host has)
                    return fail(Outcome.EXIT_USAGE, "--memory " + describeSize(options.memorySize()) + ": "
                            + e.getMessage());
                }
                interrupt.watch(vcpu);
                if (options.gdb().isPresent()) {
                    GdbStub gdb;
                    try {
                        gdb = GdbStub.listen(options.gdb().get(), vm::memory, List.of(vcpu), options.gdbWait());
                    } catch (IOException | IllegalArgumentException e) {
                        return fail(Outcome.EXIT_USAGE, "--gdb " + describe(options.gdb().get()) + ": " + e.getMessage());
                    }
                    try (gdb) {
                        console.err().println("vcpu: gdb stub listening on " + describe(gdb.address())
                                + (options.gdbWait() ? "; the guest waits for gdb (target remote "
                                + describe(gdb.address()) + ")" : ""));
                        console.err().flush();
                        result = runner.run(machine, vcpu, options, interrupt::requested, gdb);
                    }
                } else {
                    result = runner.run(machine, vcpu, options, interrupt::requested);
                }
            } catch (InvalidImageException e) {
                return fail(Outcome.EXIT_USAGE, e.getMessage());
            } catch (VCpuException e) {
                guest.flush();
                return fail(Outcome.EXIT_GUEST_ERROR, provider.id() + ": " + e.getMessage());
            }
            guest.flush();
            if (options.stats()) {
                printStats(provider.id(), result);
            }
            Outcome outcome = result.outcome();
            if (outcome.exitCode() != Outcome.EXIT_OK) {
                console.err().println("vcpu: " + outcome.reason());
            }
            console.out().flush();
            console.err().flush();
            return outcome.exitCode();
        }
    }

    private static boolean countsInstructions(VCpuBackendProvider provider) {
        try (Hypervisor h = Backends.open(provider); VirtualMachine vm = h.createVirtualMachine()) {
            return vm.createVCpu(0, provider.guestIsa() == GuestIsa.AARCH64
                    ? org.vcpu4j.api.aarch64.Aarch64CreateConfig.ofMpidr(0)
                    : org.vcpu4j.api.x86_64.X86_64CreateConfig.bootstrap()).retiredInstructions().isPresent();
        }
    }

    private void printStats(String backend, RunResult r) {
        String exits = r.exitsByKind().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
        console.err().printf("stats: backend=%s instructions=%s wall=%.3fs%n", backend,
                r.instructions().isPresent() ? Long.toString(r.instructions().getAsLong()) : "unknown",
                r.wallNanos() / 1e9);
        console.err().printf("stats: exits %s%n", exits);
        console.err().printf("stats: outcome %s%n", r.outcome().reason());
    }

    /** {@return a size as the --memory option spells it: 16G, 128M, 640K or bytes} @param bytes the size */
    static String describeSize(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "G";
        }
        if (bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "M";
        }
        return bytes % 1024 == 0 ? (bytes >> 10) + "K" : Long.toString(bytes);
    }

    private static String describe(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    private int fail(int code, String message) {
        console.err().println("vcpu: " + message);
        return code;
    }
}
