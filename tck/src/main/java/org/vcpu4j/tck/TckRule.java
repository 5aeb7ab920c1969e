package org.vcpu4j.tck;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a TCK test with the rule it checks. The TCK's JUnit extension skips it (with the reason) when the
 * backend is unavailable or lacks a capability the rule needs, and fails the class when no rule ran at all
 * on a host the backend should support.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface TckRule {
    /** {@return the rule} */
    Rule value();
}
