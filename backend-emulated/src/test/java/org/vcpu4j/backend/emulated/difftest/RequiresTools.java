package org.vcpu4j.backend.emulated.difftest;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit condition for the QEMU test classes: skips them (with the reason) when a tool is missing and
 * {@code -Dvcpu4j.difftest.optional=true} is set. Without the property nothing is skipped, and the
 * tests fail through {@link Toolchain#require} naming the Debian packages.
 */
public final class RequiresTools implements ExecutionCondition {
    static final String[] TOOLS = {Toolchain.GCC, Toolchain.QEMU_USER, Toolchain.OBJDUMP};

    /** Creates the condition (JUnit instantiates it). */
    public RequiresTools() {}

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (!Boolean.getBoolean(Toolchain.OPTIONAL_PROPERTY)) {
            return ConditionEvaluationResult.enabled(Toolchain.OPTIONAL_PROPERTY + " is not set");
        }
        for (String tool : TOOLS) {
            if (Toolchain.find(tool).isEmpty()) {
                return ConditionEvaluationResult.disabled(tool + " is not on PATH and " + Toolchain.OPTIONAL_PROPERTY
                        + " is set");
            }
        }
        return ConditionEvaluationResult.enabled("the tools are on PATH");
    }
}
