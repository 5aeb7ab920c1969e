package org.vcpu4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Memory sizes on the command line. */
class SizeConverterTest {
    private final SizeConverter converter = new SizeConverter();

    @Test
    void suffixesArePowersOf1024() {
        assertEquals(128L << 20, converter.convert("128M"));
        assertEquals(1L << 30, converter.convert("1g"));
        assertEquals(2L << 20, converter.convert("2048K"));
        assertEquals(64L << 20, converter.convert("64MiB"));
        assertEquals(1L << 20, converter.convert("1048576"));
    }

    @Test
    void nonsenseAndOutOfRangeSizesAreRefused() {
        assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert("lots"));
        assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert("512K"));
        assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert("65G"));
        assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert("1000001"));
    }
}
