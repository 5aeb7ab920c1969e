package org.vcpu4j.property;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * A property did not hold. The message names the try, the seed to rerun it with ({@value
 * Property#SEED_PROPERTY}), the shrunk counterexample and what its check threw (also the cause), then the
 * values first found.
 */
public final class PropertyFailure extends AssertionError {
    private static final long serialVersionUID = 1L;

    /** The seed of the run that failed. */
    private final long seed;
    /** Which try failed first, from 1. */
    private final int tryNumber;
    private final transient List<Object> counterexample;
    private final transient List<Object> original;

    PropertyFailure(long seed, int tryNumber, int tries, int shrinkSteps, List<Object> original,
            List<Object> counterexample, Throwable cause) {
        super(message(seed, tryNumber, tries, shrinkSteps, original, counterexample, cause), cause);
        this.seed = seed;
        this.tryNumber = tryNumber;
        this.counterexample = counterexample;
        this.original = original;
    }

    /** {@return the seed of the run; {@code -D}{@value Property#SEED_PROPERTY}{@code =seed} reruns it} */
    public long seed() {
        return seed;
    }

    /** {@return which try failed first, from 1} */
    public int tryNumber() {
        return tryNumber;
    }

    /** {@return the shrunk values, one per generator} */
    public List<Object> counterexample() {
        return counterexample;
    }

    /** {@return the values of the failing try before shrinking} */
    public List<Object> original() {
        return original;
    }

    private static String message(long seed, int tryNumber, int tries, int steps, List<Object> original,
            List<Object> shrunk, Throwable cause) {
        StringBuilder sb = new StringBuilder();
        sb.append("property failed on try ").append(tryNumber).append(" of ").append(tries)
                .append(" (seed ").append(seed).append("; rerun with -D").append(Property.SEED_PROPERTY).append('=')
                .append(seed).append(")\n");
        sb.append("counterexample (after ").append(steps).append(" shrinking steps):\n");
        appendValues(sb, shrunk);
        String what = cause.getMessage() == null ? cause.toString() : cause.getClass().getName() + ": "
                + cause.getMessage();
        sb.append("which fails with:\n  ").append(what.replace("\n", "\n  ")).append('\n');
        if (steps > 0) {
            sb.append("first found as:\n");
            appendValues(sb, original);
        }
        return sb.toString();
    }

    private static void appendValues(StringBuilder sb, List<Object> values) {
        for (int i = 0; i < values.size(); i++) {
            sb.append("  [").append(i).append("] ").append(format(values.get(i))).append('\n');
        }
    }

    /**
     * {@return a readable form of a generated value: numbers in decimal and hex, arrays and collections
     * element by element}
     *
     * @param value the value
     */
    public static String format(Object value) {
        return switch (value) {
            case null -> "null";
            case Long l -> number(l, Long.toHexString(l));
            case Integer i -> number(i, Integer.toHexString(i));
            case byte[] bytes -> hex(bytes);
            case Object[] array -> elements(Arrays.asList(array));
            case Collection<?> c -> elements(c);
            default -> value.getClass().isArray() ? value.getClass().getComponentType() + " array" : value.toString();
        };
    }

    private static String number(long value, String hex) {
        return value >= -9 && value <= 9 ? Long.toString(value) : value + " (0x" + hex + ")";
    }

    private static String elements(Collection<?> c) {
        List<String> parts = new ArrayList<>(c.size());
        for (Object e : c) {
            parts.add(switch (e) {
                case Long l -> "0x" + Long.toHexString(l);
                case Integer i -> "0x" + Integer.toHexString(i);
                case null, default -> format(e);
            });
        }
        return "[" + String.join(", ", parts) + "]";
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 3 + 2).append('[');
        for (int i = 0; i < bytes.length; i++) {
            sb.append(i == 0 ? "" : " ").append(String.format("%02x", bytes[i] & 0xFF));
        }
        return sb.append(']').toString();
    }
}
