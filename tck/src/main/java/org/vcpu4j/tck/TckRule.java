package org.vcpu4j.tck;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import org.vcpu4j.tck.internal.RuleHook;

/**
 * Marks a TCK property with the rule it checks. The rule's hook skips it (with the reason) when the
 * backend is unavailable or lacks a capability the rule needs, and sets its tries from {@value
 * VCpuBackendTck#TRIES_PROPERTY}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@AddLifecycleHook(RuleHook.class)
public @interface TckRule {
    /** {@return the rule} */
    Rule value();
}
