package org.vcpu4j.backend.emulated.difftest;

import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * jqwik hook for the QEMU test containers: skips them (with the reason) when a tool is missing and
 * {@code -Dvcpu4j.difftest.optional=true} is set. Without the property nothing is skipped, and the
 * tests fail through {@link Toolchain#require} naming the Debian packages. (jqwik reports an abort
 * from {@code @BeforeContainer} as an error, not a skip, hence this hook.)
 */
public final class RequiresTools implements SkipExecutionHook {
    static final String[] TOOLS = {Toolchain.GCC, Toolchain.QEMU_USER, Toolchain.OBJDUMP};

    /** Creates the hook (jqwik instantiates it). */
    public RequiresTools() {}

    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
        if (!Boolean.getBoolean(Toolchain.OPTIONAL_PROPERTY)) {
            return SkipResult.doNotSkip();
        }
        for (String tool : TOOLS) {
            if (Toolchain.find(tool).isEmpty()) {
                return SkipResult.skip(tool + " is not on PATH and " + Toolchain.OPTIONAL_PROPERTY + " is set");
            }
        }
        return SkipResult.doNotSkip();
    }
}
