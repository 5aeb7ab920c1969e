package org.vcpu4j.property;

import java.util.List;
import java.util.OptionalLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A property: a check that must hold for every value of its generators. It runs inside an ordinary test
 * method, draws {@link #DEFAULT_TRIES} values (or {@link Check#tries}), and on the first failure shrinks
 * the values and throws a {@link PropertyFailure} with the seed, the shrunk counterexample and the
 * failure it caused:
 *
 * <pre>{@code
 * @Test
 * void reverseTwiceIsIdentity() {
 *     Property.forAll(Gen.integers().list()).check(list -> assertEquals(list, reverse(reverse(list))));
 * }
 * }</pre>
 *
 * <p>Two system properties steer every property of a run: {@value #SEED_PROPERTY} fixes the seed (the
 * failure message prints the seed to rerun with), and {@value #TRIES_PROPERTY} sets the number of tries
 * of every property, for a deeper (or a quicker) run.
 */
public final class Property {
    /** The system property that fixes the seed of every property (a failure prints its seed). */
    public static final String SEED_PROPERTY = "vcpu4j.property.seed";
    /** The system property that sets the number of tries of every property. */
    public static final String TRIES_PROPERTY = "vcpu4j.property.tries";
    /** The tries of a property that does not set them. */
    public static final int DEFAULT_TRIES = 1000;
    /** The most candidates a failure's shrinking runs the check on. */
    public static final int DEFAULT_SHRINK_ATTEMPTS = 2000;

    private Property() {}

    /**
     * {@return a property over one generator, to {@link Check1#check check}}
     *
     * @param a the generator
     * @param <A> its type
     */
    public static <A> Check1<A> forAll(Gen<A> a) {
        return new Check1<>(List.of(a), Settings.DEFAULT);
    }

    /**
     * {@return a property over two generators, to {@link Check2#check check}}
     *
     * @param a the first
     * @param b the second
     * @param <A> the first type
     * @param <B> the second type
     */
    public static <A, B> Check2<A, B> forAll(Gen<A> a, Gen<B> b) {
        return new Check2<>(List.of(a, b), Settings.DEFAULT);
    }

    /**
     * {@return a property over three generators, to {@link Check3#check check}}
     *
     * @param a the first
     * @param b the second
     * @param c the third
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     */
    public static <A, B, C> Check3<A, B, C> forAll(Gen<A> a, Gen<B> b, Gen<C> c) {
        return new Check3<>(List.of(a, b, c), Settings.DEFAULT);
    }

    /**
     * {@return a property over four generators, to {@link Check4#check check}}
     *
     * @param a the first
     * @param b the second
     * @param c the third
     * @param d the fourth
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     */
    public static <A, B, C, D> Check4<A, B, C, D> forAll(Gen<A> a, Gen<B> b, Gen<C> c, Gen<D> d) {
        return new Check4<>(List.of(a, b, c, d), Settings.DEFAULT);
    }

    /**
     * {@return a property over five generators, to {@link Check5#check check}}
     *
     * @param a the first
     * @param b the second
     * @param c the third
     * @param d the fourth
     * @param e the fifth
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     * @param <E> the fifth type
     */
    public static <A, B, C, D, E> Check5<A, B, C, D, E> forAll(Gen<A> a, Gen<B> b, Gen<C> c, Gen<D> d, Gen<E> e) {
        return new Check5<>(List.of(a, b, c, d, e), Settings.DEFAULT);
    }

    /**
     * How a property runs.
     *
     * @param tries the values to draw
     * @param seed the seed, or empty for a random one (unless {@value #SEED_PROPERTY} is set)
     * @param shrinkAttempts the most candidates shrinking tries
     */
    record Settings(int tries, OptionalLong seed, int shrinkAttempts) {
        static final Settings DEFAULT = new Settings(DEFAULT_TRIES, OptionalLong.empty(), DEFAULT_SHRINK_ATTEMPTS);

        Settings {
            if (tries < 1) {
                throw new IllegalArgumentException("tries must be at least 1, not " + tries);
            }
            if (shrinkAttempts < 0) {
                throw new IllegalArgumentException("shrink attempts must be 0 or more, not " + shrinkAttempts);
            }
        }
    }

    /**
     * What every arity of property shares: its generators and its settings.
     *
     * @param <S> the concrete type, returned by the settings methods
     */
    public abstract static sealed class Check<S extends Check<S>> permits Check1, Check2, Check3, Check4, Check5 {
        final List<Gen<?>> gens;
        final Settings settings;

        Check(List<Gen<?>> gens, Settings settings) {
            this.gens = gens;
            this.settings = settings;
        }

        abstract S with(Settings settings);

        /**
         * {@return this property with another number of tries ({@value #TRIES_PROPERTY} still wins)}
         *
         * @param tries the values to draw, 1 or more
         */
        public final S tries(int tries) {
            return with(new Settings(tries, settings.seed(), settings.shrinkAttempts()));
        }

        /**
         * {@return this property with a fixed seed ({@value #SEED_PROPERTY} still wins)}
         *
         * @param seed the seed
         */
        public final S seed(long seed) {
            return with(new Settings(settings.tries(), OptionalLong.of(seed), settings.shrinkAttempts()));
        }

        /**
         * {@return this property with another limit on shrinking}
         *
         * @param attempts the most candidates to run the check on, 0 to report the first failure as found
         */
        public final S shrinkAttempts(int attempts) {
            return with(new Settings(settings.tries(), settings.seed(), attempts));
        }

        final void run(Consumer<Object[]> body) {
            Runner.run(gens, settings, body);
        }
    }

    /**
     * A property of one value.
     *
     * @param <A> its type
     */
    public static final class Check1<A> extends Check<Check1<A>> {
        Check1(List<Gen<?>> gens, Settings settings) {
            super(gens, settings);
        }

        @Override
        Check1<A> with(Settings s) {
            return new Check1<>(gens, s);
        }

        /**
         * Runs the property.
         *
         * @param body the check: throws (an assertion) when the property does not hold
         * @throws PropertyFailure if the check failed for some value
         */
        @SuppressWarnings("unchecked")
        public void check(Consumer<? super A> body) {
            run(v -> body.accept((A) v[0]));
        }
    }

    /**
     * A property of two values.
     *
     * @param <A> the first type
     * @param <B> the second type
     */
    public static final class Check2<A, B> extends Check<Check2<A, B>> {
        Check2(List<Gen<?>> gens, Settings settings) {
            super(gens, settings);
        }

        @Override
        Check2<A, B> with(Settings s) {
            return new Check2<>(gens, s);
        }

        /**
         * Runs the property.
         *
         * @param body the check: throws (an assertion) when the property does not hold
         * @throws PropertyFailure if the check failed for some values
         */
        @SuppressWarnings("unchecked")
        public void check(BiConsumer<? super A, ? super B> body) {
            run(v -> body.accept((A) v[0], (B) v[1]));
        }
    }

    /**
     * A property of three values.
     *
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     */
    public static final class Check3<A, B, C> extends Check<Check3<A, B, C>> {
        Check3(List<Gen<?>> gens, Settings settings) {
            super(gens, settings);
        }

        @Override
        Check3<A, B, C> with(Settings s) {
            return new Check3<>(gens, s);
        }

        /**
         * Runs the property.
         *
         * @param body the check: throws (an assertion) when the property does not hold
         * @throws PropertyFailure if the check failed for some values
         */
        @SuppressWarnings("unchecked")
        public void check(Body3<? super A, ? super B, ? super C> body) {
            run(v -> body.accept((A) v[0], (B) v[1], (C) v[2]));
        }
    }

    /**
     * A property of four values.
     *
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     */
    public static final class Check4<A, B, C, D> extends Check<Check4<A, B, C, D>> {
        Check4(List<Gen<?>> gens, Settings settings) {
            super(gens, settings);
        }

        @Override
        Check4<A, B, C, D> with(Settings s) {
            return new Check4<>(gens, s);
        }

        /**
         * Runs the property.
         *
         * @param body the check: throws (an assertion) when the property does not hold
         * @throws PropertyFailure if the check failed for some values
         */
        @SuppressWarnings("unchecked")
        public void check(Body4<? super A, ? super B, ? super C, ? super D> body) {
            run(v -> body.accept((A) v[0], (B) v[1], (C) v[2], (D) v[3]));
        }
    }

    /**
     * A property of five values.
     *
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     * @param <E> the fifth type
     */
    public static final class Check5<A, B, C, D, E> extends Check<Check5<A, B, C, D, E>> {
        Check5(List<Gen<?>> gens, Settings settings) {
            super(gens, settings);
        }

        @Override
        Check5<A, B, C, D, E> with(Settings s) {
            return new Check5<>(gens, s);
        }

        /**
         * Runs the property.
         *
         * @param body the check: throws (an assertion) when the property does not hold
         * @throws PropertyFailure if the check failed for some values
         */
        @SuppressWarnings("unchecked")
        public void check(Body5<? super A, ? super B, ? super C, ? super D, ? super E> body) {
            run(v -> body.accept((A) v[0], (B) v[1], (C) v[2], (D) v[3], (E) v[4]));
        }
    }

    /**
     * The check of a property of three values.
     *
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     */
    @FunctionalInterface
    public interface Body3<A, B, C> {
        /**
         * Checks the values.
         *
         * @param a the first
         * @param b the second
         * @param c the third
         */
        void accept(A a, B b, C c);
    }

    /**
     * The check of a property of four values.
     *
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     */
    @FunctionalInterface
    public interface Body4<A, B, C, D> {
        /**
         * Checks the values.
         *
         * @param a the first
         * @param b the second
         * @param c the third
         * @param d the fourth
         */
        void accept(A a, B b, C c, D d);
    }

    /**
     * The check of a property of five values.
     *
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     * @param <E> the fifth type
     */
    @FunctionalInterface
    public interface Body5<A, B, C, D, E> {
        /**
         * Checks the values.
         *
         * @param a the first
         * @param b the second
         * @param c the third
         * @param d the fourth
         * @param e the fifth
         */
        void accept(A a, B b, C c, D d, E e);
    }
}
