package org.vcpu4j.tck.internal;

import java.lang.reflect.Method;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.vcpu4j.tck.TckRule;
import org.vcpu4j.tck.VCpuBackendTck;

/**
 * The TCK's JUnit extension. Before each rule: skips it, through JUnit's own conditions, when {@link
 * Capabilities#skipReason} gives a reason (the backend is unavailable, or a capability is not declared).
 * After the class: prints the skip reasons on standard error (a green build with every rule skipped is
 * otherwise only visible in the Surefire XML), and fails the class when no rule ran at all unless the
 * TCK declares the backend not applicable to this host ({@link VCpuBackendTck#hostShouldSupportBackend}).
 */
public final class TckRunGuard implements ExecutionCondition, AfterAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(TckRunGuard.class);

    /** Created by JUnit. */
    public TckRunGuard() {}

    /** What ran and what was skipped in one TCK class. */
    private static final class Tally {
        int ran;
        int skipped;
        final Set<String> reasons = new LinkedHashSet<>();
        VCpuBackendTck tck;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<Method> method = context.getTestMethod();
        Optional<TckRule> rule = method.map(m -> m.getAnnotation(TckRule.class));
        if (rule.isEmpty() || !(context.getTestInstance().orElse(null) instanceof VCpuBackendTck tck)) {
            return ConditionEvaluationResult.enabled("not a TCK rule");
        }
        Tally tally = tally(context.getParent().orElseThrow());
        tally.tck = tck;
        Optional<String> reason = Capabilities.skipReason(tck, rule.get().value());
        if (reason.isPresent()) {
            tally.skipped++;
            tally.reasons.add(reason.get());
            return ConditionEvaluationResult.disabled(reason.get());
        }
        tally.ran++;
        return ConditionEvaluationResult.enabled("the backend has what " + rule.get().value().id() + " needs");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Tally tally = tally(context);
        if (tally.skipped == 0 || tally.tck == null) {
            return;
        }
        String name = context.getRequiredTestClass().getSimpleName();
        System.err.printf("vcpu4j TCK %s: %d of %d rules skipped:%n", name, tally.skipped, tally.skipped + tally.ran);
        tally.reasons.forEach(r -> System.err.println("  " + r));
        if (tally.ran == 0 && tally.tck.hostShouldSupportBackend()) {
            throw new AssertionError("no TCK rule ran in " + name + ": " + tally.reasons.iterator().next()
                    + ". If the backend does not apply to this host, override hostShouldSupportBackend() to "
                    + "return false there.");
        }
    }

    private static Tally tally(ExtensionContext classContext) {
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(Tally.class, k -> new Tally(), Tally.class);
    }
}
