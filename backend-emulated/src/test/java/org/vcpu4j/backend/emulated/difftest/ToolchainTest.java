package org.vcpu4j.backend.emulated.difftest;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** What the QEMU tests do when a tool is missing: fail naming the Debian packages, or skip on request. */
class ToolchainTest {
    private static final String MISSING = "vcpu4j-no-such-tool";

    @Test
    void aMissingToolFailsNamingTheDebianPackages() {
        String before = System.clearProperty(Toolchain.OPTIONAL_PROPERTY);
        try {
            AssertionError e = assertThrows(AssertionError.class, () -> Toolchain.require(MISSING));
            assertTrue(e.getMessage().contains(MISSING), e.getMessage());
            assertTrue(e.getMessage().contains("gcc-aarch64-linux-gnu") && e.getMessage().contains("qemu-user")
                    && e.getMessage().contains("qemu-system-arm"), e.getMessage());
            assertTrue(e.getMessage().contains(Toolchain.OPTIONAL_PROPERTY), e.getMessage());
        } finally {
            restore(before);
        }
    }

    @Test
    void aMissingToolSkipsWhenTheTestsAreOptional() {
        String before = System.setProperty(Toolchain.OPTIONAL_PROPERTY, "true");
        try {
            TestAbortedException e = assertThrows(TestAbortedException.class, () -> Toolchain.require(MISSING));
            assertTrue(e.getMessage().contains("apt-get install"), e.getMessage());
        } finally {
            restore(before);
        }
    }

    @Test
    void presentToolsPass() {
        assertDoesNotThrow(() -> Toolchain.require("sh"));
    }

    private static void restore(String before) {
        if (before == null) {
            System.clearProperty(Toolchain.OPTIONAL_PROPERTY);
        } else {
            System.setProperty(Toolchain.OPTIONAL_PROPERTY, before);
        }
    }
}
