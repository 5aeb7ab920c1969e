package org.vcpu4j.property;

/**
 * The {@code long} values of a range, shrinking towards 0 (or the end of the range closest to it), with
 * the range's ends, 0 and its neighbours as edge cases.
 */
public final class LongGen implements Gen<Long> {
    static final LongGen ALL = new LongGen(Long.MIN_VALUE, Long.MAX_VALUE);

    private final long min;
    private final long max;
    private final long target;
    /** max - min + 1 when the range fits a long, else 0 (then choices are all 64 bits). */
    private final long size;
    private final long[] edges;

    private LongGen(long min, long max) {
        if (min > max) {
            throw new IllegalArgumentException("min " + min + " is above max " + max);
        }
        this.min = min;
        this.max = max;
        this.target = Ranges.target(min, max);
        long span = max - min + 1;
        this.size = span > 0 ? span : 0;
        long[] values = {target, min, max, target + 1, target - 1};
        this.edges = java.util.Arrays.stream(values).filter(v -> v >= min && v <= max).map(this::encode)
                .distinct().toArray();
    }

    /**
     * {@return the values from {@code min} to {@code max}, both included}
     *
     * @param min the smallest value
     * @param max the largest value
     * @throws IllegalArgumentException if {@code min > max}
     */
    public LongGen between(long min, long max) {
        return new LongGen(min, max);
    }

    private long encode(long value) {
        if (size != 0) {
            return Ranges.encode(value, min, max, target);
        }
        return Ranges.zigZagEncode(value - target);
    }

    @Override
    public Long generate(Source source) {
        long c = source.choose(size, edges);
        if (size != 0) {
            return Ranges.decode(c, min, max, target);
        }
        long value = target + Ranges.zigZagDecode(c);
        if (min == Long.MIN_VALUE && max == Long.MAX_VALUE) {
            return value;
        }
        // a range wider than 2^63 but not all of it: fold what falls outside back in
        return value >= min && value <= max ? value : min + Long.remainderUnsigned(c, max - min + 1);
    }
}
