package org.vcpu4j.backend.hvf.sys;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.BackendException;

class HvReturnTest {

    @ParameterizedTest
    @CsvSource({
        "HV_ERROR, fae94001",
        "HV_BUSY, fae94002",
        "HV_BAD_ARGUMENT, fae94003",
        "HV_ILLEGAL_GUEST_STATE, fae94004",
        "HV_NO_RESOURCES, fae94005",
        "HV_NO_DEVICE, fae94006",
        "HV_DENIED, fae94007",
        "HV_FAULT, fae94008",
        "HV_UNSUPPORTED, fae9400f"})
    void everyErrorCodeBecomesAnExceptionNamingTheCallAndTheCode(String name, String hex) {
        int code = Integer.parseUnsignedInt(hex, 16);
        HvReturn r = HvReturn.valueOf(name);
        assertEquals(code, r.code());
        assertSame(r, HvReturn.of(code));
        HvfException e = assertThrows(HvfException.class, () -> HvReturn.check("hv_vm_map", code));
        assertInstanceOf(BackendException.class, e);
        assertEquals("hv_vm_map", e.call());
        assertEquals(code, e.code());
        assertSame(r, e.hvReturn());
        assertEquals("hv_vm_map failed: " + name + " 0x" + hex + " (" + r.meaning() + ")", e.getMessage());
    }

    @Test
    void successDoesNotThrow() {
        assertDoesNotThrow(() -> HvReturn.check("hv_vcpu_run", 0));
        assertEquals("HV_SUCCESS 0x00000000", HvReturn.describe(0));
    }

    @Test
    void anUnknownCodeIsStillReportedWithItsValue() {
        HvfException e = assertThrows(HvfException.class, () -> HvReturn.check("hv_vcpu_run", 0xfae94099));
        assertNull(e.hvReturn());
        assertEquals("hv_vcpu_run failed: unknown hv_return_t 0xfae94099", e.getMessage());
    }

    @Test
    void contextIsAppended() {
        HvfException e = new HvfException("hv_vcpu_get_reg", HvReturn.HV_BAD_ARGUMENT.code(), "HV_REG_PC");
        assertEquals("hv_vcpu_get_reg failed: HV_BAD_ARGUMENT 0xfae94003 (" + HvReturn.HV_BAD_ARGUMENT.meaning()
                + "); HV_REG_PC", e.getMessage());
    }
}
