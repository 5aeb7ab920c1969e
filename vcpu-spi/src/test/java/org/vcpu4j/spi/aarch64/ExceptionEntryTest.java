package org.vcpu4j.spi.aarch64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;

/** Reading back what a guest took from its syndrome registers (issue 11, item 14). */
class ExceptionEntryTest {
    private static Aarch64State at(long pc, long vbar, long esr, long elr, long far) {
        return Aarch64State.builder().pc(pc).sys(SystemRegister.VBAR_EL1, vbar).sys(SystemRegister.ESR_EL1, esr)
                .elrEl1(elr).sys(SystemRegister.FAR_EL1, far).build();
    }

    @Test
    void syndromesNameTheClassTheFaultAndTheDirection() {
        assertEquals("data abort from the current EL: translation fault, level 1, read", Esr.describe(0x9600_0005L));
        assertEquals("data abort from a lower EL: permission fault, level 3, write", Esr.describe(0x9200_004FL));
        assertEquals("data abort from the current EL: synchronous external abort, write", Esr.describe(0x9600_0050L));
        assertEquals("instruction abort from the current EL: access flag fault, level 2", Esr.describe(0x8600_000AL));
        assertEquals("data abort from the current EL: alignment fault, read", Esr.describe(0x9600_0021L));
        assertEquals("unknown reason (an undefined or unallocated instruction)", Esr.describe(0x0200_0000L));
        assertEquals("SVC from AArch64", Esr.describe(0x5600_0000L));
        assertEquals("BRK from AArch64", Esr.describe(0xF200_0000L));
        assertEquals("unallocated exception class 0x3f", Esr.describe(0xFC00_0000L));
        assertEquals("data abort from the current EL: reserved fault status 0x3f, read", Esr.describe(0x9600_003FL));
    }

    @Test
    void farIsValidForAbortsWithoutFnvPcAlignmentAndWatchpoints() {
        assertTrue(Esr.farValid(0x9600_0005L));
        assertFalse(Esr.farValid(0x9600_0405L), "FnV set");
        assertTrue(Esr.farValid(0x8A00_0000L), "PC alignment");
        assertTrue(Esr.farValid(0xD600_0000L), "watchpoint from the current EL");
        assertFalse(Esr.farValid(0x5600_0000L), "SVC");
    }

    @Test
    void aPcAtAVectorIsAnEntryAndDescribesWhatWasTaken() {
        Optional<ExceptionEntry> sync = ExceptionEntry.at(at(0x200, 0, 0x9600_0050L, 0x4000_0004L, 0x1000_0000L));
        assertEquals("a synchronous exception from the current EL with SP_ELx (data abort from the current EL:"
                + " synchronous external abort, write, FAR_EL1 0x10000000) at ELR_EL1 0x40000004"
                + " to VBAR_EL1 + 0x200 = 0x200", sync.orElseThrow().describe());
        ExceptionEntry irq = ExceptionEntry.at(at(0x4008_0480L, 0x4008_0000L, 0x9600_0050L, 0x4000_0100L, 0))
                .orElseThrow();
        assertFalse(irq.synchronous());
        assertEquals("an IRQ from a lower EL using AArch64 at ELR_EL1 0x40000100 to VBAR_EL1 + 0x480 = 0x40080480",
                irq.describe(), "no syndrome for an interrupt");
        assertEquals("a synchronous exception from the current EL with SP_EL0 (SVC from AArch64) at ELR_EL1 0x8"
                + " to VBAR_EL1 + 0x0 = 0x1000", ExceptionEntry.at(at(0x1000, 0x1000, 0x5600_0000L, 8, 0))
                .orElseThrow().describe());
    }

    @Test
    void aPcElsewhereIsNoEntry() {
        assertEquals(Optional.empty(), ExceptionEntry.at(at(0x204, 0, 0, 0, 0)), "not on a vector");
        assertEquals(Optional.empty(), ExceptionEntry.at(at(0x800, 0, 0, 0, 0)), "past the table");
        assertEquals(Optional.empty(), ExceptionEntry.at(at(0xF80, 0x1000, 0, 0, 0)), "below VBAR_EL1");
        assertThrows(IllegalArgumentException.class, () -> new ExceptionEntry(0, 0x40, 0, 0, 0));
    }
}
