package org.vcpu4j.cli.machine;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.gdb.GdbStub;

/**
 * Runs a booted vCPU on its machine until the machine says stop, the guest exceeds its instruction
 * budget, or the timeout fires (a watchdog thread kicks the vCPU with {@link VCpu#requestExit()}).
 */
public final class MachineRunner {
    /** Exit code of a run stopped by Ctrl-C: 128 + SIGINT, as a shell reports a process it interrupted. */
    public static final int EXIT_INTERRUPTED = 130;

    private static final Outcome KILLED = Outcome.finished("killed by the debugger (gdb kill)");

    private static final Outcome INTERRUPTED = new Outcome(true, EXIT_INTERRUPTED,
            "interrupted (Ctrl-C): the guest was stopped");

    /**
     * Runs the vCPU on the calling thread.
     *
     * @param machine the machine answering exits
     * @param vcpu the booted vCPU (state FREE)
     * @param options the limits
     * @return how the run ended
     */
    public RunResult run(Machine machine, VCpu vcpu, RunOptions options) {
        return run(machine, vcpu, options, () -> false);
    }

    /**
     * Runs the vCPU on the calling thread until the machine, a limit, or an outside stop request ends it
     * (whoever sets {@code stopRequested} kicks the vCPU with {@link VCpu#requestExit()}).
     *
     * @param machine the machine answering exits
     * @param vcpu the booted vCPU (state FREE)
     * @param options the limits
     * @param stopRequested whether the process was asked to stop (Ctrl-C)
     * @return how the run ended
     */
    public RunResult run(Machine machine, VCpu vcpu, RunOptions options, BooleanSupplier stopRequested) {
        return run(machine, vcpu, options, stopRequested, null);
    }

    /**
     * Runs the vCPU as {@link #run(Machine, VCpu, RunOptions, BooleanSupplier)} does, reporting to a gdb
     * stub: its debug stops are the stub's, and gdb may kill the guest.
     *
     * @param machine the machine answering exits
     * @param vcpu the booted vCPU (state FREE)
     * @param options the limits
     * @param stopRequested whether the process was asked to stop (Ctrl-C)
     * @param gdb the stub, or null without a debugger
     * @return how the run ended
     */
    public RunResult run(Machine machine, VCpu vcpu, RunOptions options, BooleanSupplier stopRequested, GdbStub gdb) {
        Map<String, Long> exits = new TreeMap<>();
        AtomicBoolean timedOut = new AtomicBoolean();
        long start = System.nanoTime();
        vcpu.bind();
        if (options.maxInstructions().isPresent()) {
            vcpu.setInstructionLimit(options.maxInstructions().getAsLong());
        }
        Thread watchdog = options.timeout().map(t -> Thread.ofPlatform().daemon().name("vcpu-watchdog").start(() -> {
            try {
                Thread.sleep(t);
                timedOut.set(true);
                vcpu.requestExit();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })).orElse(null);
        Outcome outcome = KILLED;
        try {
            boolean started = gdb == null || gdb.vcpuStarting(vcpu); // false: gdb killed it while it waited
            while (started) {
                VCpuExit exit = vcpu.run();
                exits.merge(exit.kind(), 1L, Long::sum);
                if (gdb != null) {
                    GdbStub.Verdict verdict = gdb.onExit(vcpu, exit);
                    if (verdict == GdbStub.Verdict.KILL) {
                        outcome = KILLED;
                        break;
                    }
                    if (verdict == GdbStub.Verdict.RUN_AGAIN) {
                        continue;
                    }
                }
                if (exit instanceof VCpuExit.Interrupted) {
                    outcome = stopRequested.getAsBoolean() ? INTERRUPTED : limitReached(vcpu, options, timedOut.get());
                    if (outcome.stop()) {
                        break;
                    }
                    continue;
                }
                outcome = machine.handle(vcpu, exit);
                if (outcome.stop()) {
                    break;
                }
            }
        } finally {
            if (watchdog != null) {
                watchdog.interrupt();
            }
            if (gdb != null) {
                gdb.vcpuFinished(vcpu);
            }
        }
        return new RunResult(outcome, exits, vcpu.retiredInstructions(), System.nanoTime() - start);
    }

    /** {@return a duration in seconds as a person wrote it: 0.5, 2, 1.25 (not truncated to whole seconds)} */
    static String seconds(java.time.Duration d) {
        return java.math.BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString();
    }

    private static Outcome limitReached(VCpu vcpu, RunOptions options, boolean timedOut) {
        if (timedOut) {
            return new Outcome(true, Outcome.EXIT_LIMIT, "the guest ran longer than --timeout "
                    + seconds(options.timeout().orElseThrow()) + "s");
        }
        OptionalLong retired = vcpu.retiredInstructions();
        if (options.maxInstructions().isPresent() && retired.isPresent()
                && retired.getAsLong() >= options.maxInstructions().getAsLong()) {
            return new Outcome(true, Outcome.EXIT_LIMIT, "the guest reached --max-instructions "
                    + options.maxInstructions().getAsLong());
        }
        return Outcome.CONTINUE;
    }
}
