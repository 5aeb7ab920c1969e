package org.vcpu4j.backend.hvf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.BreakpointKind;

/** The HVF backend has no debug support yet (issue 14): it says so, and the operations refuse by name. */
class HvfDebugTest {
    @Test
    void hvfOffersNoDebugCapabilityAndSaysSo() {
        try (Rig rig = Rig.bound()) {
            assertEquals(Set.of(), rig.cpu.debugCapabilities());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> rig.cpu.insertBreakpoint(BreakpointKind.SOFTWARE, 0x4000_0000L));
        assertTrue(e.getMessage().contains("SOFTWARE_BREAKPOINTS"), e.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> rig.cpu.setSingleStep(true));
        }
    }
}
