package org.vcpu4j.cli.machine;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;

/**
 * Runs a booted vCPU on its machine until the machine says stop, the guest exceeds its instruction
 * budget, or the timeout fires (a watchdog thread kicks the vCPU with {@link VCpu#requestExit()}).
 */
public final class MachineRunner {

    /**
     * Runs the vCPU on the calling thread.
     *
     * @param machine the machine answering exits
     * @param vcpu the booted vCPU (state FREE)
     * @param options the limits
     * @return how the run ended
     */
    public RunResult run(Machine machine, VCpu vcpu, RunOptions options) {
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
        Outcome outcome;
        try {
            while (true) {
                VCpuExit exit = vcpu.run();
                exits.merge(exit.kind(), 1L, Long::sum);
                if (exit instanceof VCpuExit.Interrupted) {
                    outcome = limitReached(vcpu, options, timedOut.get());
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
        }
        return new RunResult(outcome, exits, vcpu.retiredInstructions(), System.nanoTime() - start);
    }

    private static Outcome limitReached(VCpu vcpu, RunOptions options, boolean timedOut) {
        if (timedOut) {
            return new Outcome(true, Outcome.EXIT_LIMIT, "the guest ran longer than --timeout "
                    + options.timeout().orElseThrow().toSeconds() + "s");
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
