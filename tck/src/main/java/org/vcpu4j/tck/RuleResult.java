package org.vcpu4j.tck;

import java.util.Objects;

/**
 * The outcome of one rule in a {@link TckRunner} run.
 *
 * @param ruleId the rule id, e.g. {@code CTX-001}
 * @param method the test method, e.g. {@code ctx001_restoreThenSaveIsIdentity}
 * @param status passed, failed or skipped
 * @param reason empty when passed; the skip reason or the first line of the failure otherwise
 */
public record RuleResult(String ruleId, String method, Status status, String reason) {

    /** A rule's outcome. */
    public enum Status {
        /** Every try passed. */
        PASSED,
        /** A try failed or the rule errored. */
        FAILED,
        /** The backend is unavailable or lacks a capability the rule needs. */
        SKIPPED
    }

    /** Validates the fields. */
    public RuleResult {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
    }
}
