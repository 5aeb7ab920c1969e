package org.vcpu4j.property;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Runs a property: draws each try's values from its own split of the seeded random numbers, and on the
 * first failure shrinks the recorded choices (delete blocks of choices, set choices to 0, search each
 * choice down) as long as the check still fails, keeping only candidates that are smaller in short-lex
 * order (fewer choices, then smaller ones), so shrinking always ends.
 */
final class Runner {
    private static final int[] BLOCKS = {8, 4, 2, 1};

    private final List<Gen<?>> gens;
    private final Consumer<Object[]> body;
    private final int maxAttempts;
    private int attempts;
    private int steps;
    private long[] best;
    private Object[] bestValues;
    private Throwable bestFailure;

    private Runner(List<Gen<?>> gens, Consumer<Object[]> body, int maxAttempts) {
        this.gens = gens;
        this.body = body;
        this.maxAttempts = maxAttempts;
    }

    static void run(List<Gen<?>> gens, Property.Settings settings, Consumer<Object[]> body) {
        long seed = seed(settings);
        int tries = tries(settings);
        SplittableRandom random = new SplittableRandom(seed);
        for (int attempt = 1; attempt <= tries; attempt++) {
            Source source = Source.random(random.split());
            Object[] values;
            try {
                values = generate(gens, source);
            } catch (RuntimeException e) {
                throw new IllegalStateException("generating try " + attempt + " failed (seed " + seed + "; rerun with -D"
                        + Property.SEED_PROPERTY + "=" + seed + "): " + e.getMessage(), e);
            }
            Throwable failure = check(body, values);
            if (failure != null) {
                Runner shrinker = new Runner(gens, body, settings.shrinkAttempts());
                shrinker.shrink(source.choices(), values, failure);
                throw new PropertyFailure(seed, attempt, tries, shrinker.steps, List.of(values),
                        List.of(shrinker.bestValues), shrinker.bestFailure);
            }
        }
    }

    private static long seed(Property.Settings settings) {
        String fixed = System.getProperty(Property.SEED_PROPERTY);
        if (fixed != null && !fixed.isBlank()) {
            try {
                return Long.parseLong(fixed.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(Property.SEED_PROPERTY + " must be a number, not '" + fixed + "'", e);
            }
        }
        return settings.seed().orElseGet(() -> new SplittableRandom().nextLong());
    }

    private static int tries(Property.Settings settings) {
        String tries = System.getProperty(Property.TRIES_PROPERTY);
        if (tries == null || tries.isBlank()) {
            return settings.tries();
        }
        try {
            int n = Integer.parseInt(tries.strip());
            if (n < 1) {
                throw new IllegalArgumentException(Property.TRIES_PROPERTY + " must be at least 1, not " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(Property.TRIES_PROPERTY + " must be a number, not '" + tries + "'", e);
        }
    }

    private static Object[] generate(List<Gen<?>> gens, Source source) {
        Object[] values = new Object[gens.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = gens.get(i).generate(source);
        }
        return values;
    }

    /** {@return what the check threw, or null if it held; an aborted test or a VM error goes on up} */
    private static Throwable check(Consumer<Object[]> body, Object[] values) {
        try {
            body.accept(values);
            return null;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            if (isAbort(t)) {
                throw t;
            }
            return t;
        }
    }

    /** JUnit's and opentest4j's assumption failures abort the test; they are not counterexamples. */
    private static boolean isAbort(Throwable t) {
        for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().equals("org.opentest4j.TestAbortedException")) {
                return true;
            }
        }
        return false;
    }

    private void shrink(long[] choices, Object[] values, Throwable failure) {
        best = choices;
        bestValues = values;
        bestFailure = failure;
        boolean progress = true;
        while (progress && attempts < maxAttempts) {
            progress = deleteBlocks() | zeroChoices() | lowerChoices() | clearBits();
        }
    }

    private boolean deleteBlocks() {
        boolean progress = false;
        for (int block : BLOCKS) {
            for (int i = best.length - block; i >= 0 && attempts < maxAttempts; i--) {
                if (i + block > best.length) {
                    continue; // the last success cut the sequence shorter
                }
                long[] candidate = new long[best.length - block];
                System.arraycopy(best, 0, candidate, 0, i);
                System.arraycopy(best, i + block, candidate, i, best.length - i - block);
                progress |= accept(candidate);
            }
        }
        return progress;
    }

    private boolean zeroChoices() {
        boolean progress = false;
        for (int i = 0; i < best.length && attempts < maxAttempts; i++) {
            if (best[i] != 0) {
                long[] candidate = best.clone();
                candidate[i] = 0;
                progress |= accept(candidate);
            }
        }
        return progress;
    }

    /**
     * Binary search of each choice towards 0. Choices of signed values alternate in sign (see {@link
     * Ranges}), so the search runs first over the choice's upper bits with its lowest bit kept (the same
     * sign, a smaller magnitude), then over the whole choice.
     */
    private boolean lowerChoices() {
        boolean progress = false;
        for (int i = 0; i < best.length && attempts < maxAttempts; i++) {
            progress |= search(i, 1);
            progress |= i < best.length && search(i, 0);
        }
        return progress;
    }

    /** Searches choice {@code i} down with its lowest {@code keptBits} bits fixed. */
    private boolean search(int i, int keptBits) {
        boolean progress = false;
        long kept = best[i] & ((1L << keptBits) - 1);
        long low = keptBits == 0 ? 1 : 0; // 0 itself was tried by zeroChoices
        long high = best[i] >>> keptBits;
        while (Long.compareUnsigned(low, high) < 0 && attempts < maxAttempts) {
            long mid = low + ((high - low) >>> 1);
            long[] candidate = best.clone();
            candidate[i] = (mid << keptBits) | kept;
            if (accept(candidate)) {
                progress = true;
                if (i >= best.length || (best[i] & ((1L << keptBits) - 1)) != kept) {
                    break; // the accepted candidate reshaped the choices
                }
                high = best[i] >>> keptBits;
            } else {
                low = mid + 1;
            }
        }
        return progress;
    }

    /**
     * Clears the set bits of each choice, highest first. A failure that depends on a few low bits (a sign
     * bit of a narrow load, an alignment) is not monotonic in the value, so the binary search stops
     * early; clearing the bits above the ones that matter still reaches a small value.
     */
    private boolean clearBits() {
        boolean progress = false;
        for (int i = 0; i < best.length && attempts < maxAttempts; i++) {
            for (int bit = 63; bit >= 0 && i < best.length && attempts < maxAttempts; bit--) {
                if ((best[i] & (1L << bit)) != 0) {
                    long[] candidate = best.clone();
                    candidate[i] &= ~(1L << bit);
                    progress |= accept(candidate);
                }
            }
        }
        return progress;
    }

    /** Replays a candidate; keeps it if the check still fails and it is simpler than the best so far. */
    private boolean accept(long[] candidate) {
        if (!shortLexLess(candidate, best)) {
            return false;
        }
        attempts++;
        Source source = Source.replay(candidate);
        Object[] values;
        try {
            values = generate(gens, source);
        } catch (RuntimeException e) {
            return false; // not a value the generators make
        }
        long[] used = source.choices();
        if (!shortLexLess(used, best)) {
            return false;
        }
        Throwable failure = check(body, values);
        if (failure == null) {
            return false;
        }
        best = used;
        bestValues = values;
        bestFailure = failure;
        steps++;
        return true;
    }

    private static boolean shortLexLess(long[] a, long[] b) {
        if (a.length != b.length) {
            return a.length < b.length;
        }
        return Arrays.compareUnsigned(a, b) < 0;
    }
}
