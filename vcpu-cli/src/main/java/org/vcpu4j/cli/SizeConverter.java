package org.vcpu4j.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Parses a memory size: a number with an optional K, M, G or T suffix (powers of 1024), e.g. {@code 128M}. */
final class SizeConverter implements CommandLine.ITypeConverter<Long> {
    static final long MIN = 1L << 20;
    static final long MAX = 64L << 30;
    static final long ALIGN = 64L << 10;
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*([kmgt]?)(i?b)?");

    @Override
    public Long convert(String value) {
        Matcher m = SIZE.matcher(value.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a size; use e.g. 128M, 1G or 134217728");
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        long number = Long.parseLong(m.group(1));
        long size = number > (MAX >> shift) ? Long.MAX_VALUE : number << shift; // a size that wraps is too large
        if (size < MIN || size > MAX || size % ALIGN != 0) {
            throw new CommandLine.TypeConversionException("memory size " + value
                    + " must be between 1M and 64G and a multiple of 64K");
        }
        return size;
    }
}
