package org.vcpu4j.tck.internal;

import java.lang.reflect.Method;
import java.util.Optional;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;
import org.vcpu4j.tck.TckRule;
import org.vcpu4j.tck.VCpuBackendTck;

/**
 * The hook behind {@link TckRule}: skips a rule, with its reason, when the backend is unavailable (unless
 * {@value VCpuBackendTck#REQUIRE_AVAILABLE_PROPERTY} is true) or lacks a capability; sets the tries of
 * random properties from {@value VCpuBackendTck#TRIES_PROPERTY}.
 */
public final class RuleHook implements SkipExecutionHook, AroundPropertyHook {
    /** Created by jqwik. */
    public RuleHook() {}

    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
        Optional<TckRule> rule = context.findAnnotation(TckRule.class);
        Optional<Class<?>> container = context.optionalContainerClass();
        if (rule.isEmpty() || container.isEmpty() || !VCpuBackendTck.class.isAssignableFrom(container.get())) {
            return SkipResult.doNotSkip();
        }
        VCpuBackendTck tck = (VCpuBackendTck) context.newInstance(container.get());
        return Capabilities.skipReason(tck, rule.get().value()).map(SkipResult::skip).orElse(SkipResult.doNotSkip());
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        Method method = context.targetMethod();
        Property p = method.getAnnotation(Property.class);
        if (p != null && p.tries() == Property.TRIES_NOT_SET) {
            context.attributes().setTries(VCpuBackendTck.configuredTries());
        }
        return property.execute();
    }

    @Override
    public int aroundPropertyProximity() {
        return -10; // outside jqwik's own hooks, so the tries are set before the property runs
    }
}
