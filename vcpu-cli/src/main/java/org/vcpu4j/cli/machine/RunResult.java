package org.vcpu4j.cli.machine;

import java.util.Map;
import java.util.OptionalLong;

/**
 * How a run ended, with its statistics.
 *
 * @param outcome the exit code and reason
 * @param exitsByKind how many exits of each kind the run took
 * @param instructions guest instructions retired, where the backend counts them
 * @param wallNanos wall time of the run
 */
public record RunResult(Outcome outcome, Map<String, Long> exitsByKind, OptionalLong instructions, long wallNanos) {
    /** Copies the map. */
    public RunResult {
        exitsByKind = Map.copyOf(exitsByKind);
    }
}
