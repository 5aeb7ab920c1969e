package org.vcpu4j.property;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The choices a generator draws from. Every value a {@link Gen} makes is a function of the sequence of
 * choices it took, and the source records that sequence; shrinking replays smaller sequences (fewer
 * choices, smaller choices) through the same generators, so every generated value shrinks, however it
 * was mapped, filtered or combined, and every shrunk value is one the generator can make.
 *
 * <p>Choices are unsigned numbers below a bound; generators map choice 0 to their simplest value
 * (zero, the first alternative, the shortest list), so smaller choices mean simpler values. A fresh
 * source draws at random, with a bias towards the edge choices a generator names and towards small
 * choices; a replaying source answers from its recorded sequence and with 0 once that runs out.
 */
public final class Source {
    /** The most choices one generated value may take (a guard against runaway generators). */
    public static final int MAX_CHOICES = 1 << 20;

    private static final long[] NO_EDGES = {};
    /** One draw in this many takes an edge choice, one more a small choice. */
    private static final int BIAS_ONE_IN = 16;
    private static final int SMALL_CHOICES = 256;

    private final SplittableRandom random;
    private final long[] replay;
    private long[] recorded = new long[32];
    private int count;

    private Source(SplittableRandom random, long[] replay) {
        this.random = random;
        this.replay = replay;
    }

    /**
     * {@return a source that draws at random}
     *
     * @param random the random numbers (the source uses it alone from now on)
     */
    public static Source random(SplittableRandom random) {
        return new Source(random, null);
    }

    /**
     * {@return a source that replays recorded choices, then answers 0}
     *
     * @param choices the choices, as {@link #choices()} returned them
     */
    public static Source replay(long[] choices) {
        return new Source(null, choices.clone());
    }

    /**
     * {@return a choice in {@code [0, bound)} (unsigned), or any 64-bit choice when {@code bound} is 0}
     *
     * @param bound the exclusive bound, 1 or more, or 0 for all 64 bits
     */
    public long choose(long bound) {
        return choose(bound, NO_EDGES);
    }

    /**
     * {@return a choice in {@code [0, bound)} (unsigned), or any 64-bit choice when {@code bound} is 0; a
     * random source returns one of {@code edges} now and then}
     *
     * @param bound the exclusive bound, 1 or more, or 0 for all 64 bits
     * @param edges choices that make edge values (each below {@code bound})
     * @throws IllegalArgumentException if {@code bound} is negative
     * @throws IllegalStateException if the value took more than {@value #MAX_CHOICES} choices
     */
    public long choose(long bound, long... edges) {
        if (bound < 0) {
            throw new IllegalArgumentException("bound must be 0 (all 64 bits) or positive, not " + bound);
        }
        long choice;
        if (random == null) {
            choice = count < replay.length ? replay[count] : 0;
            if (bound != 0 && Long.compareUnsigned(choice, bound) >= 0) {
                choice = Long.remainderUnsigned(choice, bound);
            }
        } else {
            int roll = random.nextInt(BIAS_ONE_IN);
            if (roll == 0 && edges.length > 0) {
                choice = edges[random.nextInt(edges.length)];
            } else if (roll == 1 && (bound == 0 || bound > SMALL_CHOICES)) {
                choice = random.nextInt(SMALL_CHOICES);
            } else {
                choice = bound == 0 ? random.nextLong() : random.nextLong(bound);
            }
        }
        record(choice);
        return choice;
    }

    /**
     * {@return a yes/no choice: yes (choice 1) with the given probability when drawing at random; no is
     * the simpler answer}
     *
     * @param probability the probability of yes, 0 to 1
     */
    public boolean flag(double probability) {
        long choice;
        if (random == null) {
            choice = count < replay.length ? replay[count] & 1 : 0;
        } else {
            choice = random.nextDouble() < probability ? 1 : 0;
        }
        record(choice);
        return choice == 1;
    }

    /** {@return whether this source replays and has answered every recorded choice (it now answers 0)} */
    public boolean exhausted() {
        return random == null && count >= replay.length;
    }

    /** {@return the choices taken so far, in order} */
    public long[] choices() {
        return Arrays.copyOf(recorded, count);
    }

    private void record(long choice) {
        if (count == MAX_CHOICES) {
            throw new IllegalStateException("a generated value took more than " + MAX_CHOICES
                    + " choices: is a generator unbounded?");
        }
        if (count == recorded.length) {
            recorded = Arrays.copyOf(recorded, count * 2);
        }
        recorded[count++] = choice;
    }
}
