package org.vcpu4j.property;

/**
 * The {@code int} values of a range, shrinking towards 0 (or the end of the range closest to it), with
 * the range's ends, 0 and its neighbours as edge cases.
 */
public final class IntGen implements Gen<Integer> {
    static final IntGen ALL = new IntGen(Integer.MIN_VALUE, Integer.MAX_VALUE);

    private final LongGen longs;

    private IntGen(int min, int max) {
        this.longs = LongGen.ALL.between(min, max);
    }

    /**
     * {@return the values from {@code min} to {@code max}, both included}
     *
     * @param min the smallest value
     * @param max the largest value
     * @throws IllegalArgumentException if {@code min > max}
     */
    public IntGen between(int min, int max) {
        return new IntGen(min, max);
    }

    @Override
    public Integer generate(Source source) {
        return (int) (long) longs.generate(source);
    }
}
