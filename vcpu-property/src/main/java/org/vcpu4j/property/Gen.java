package org.vcpu4j.property;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A generator of values from the choices of a {@link Source}. Generators compose ({@link #map},
 * {@link #filter}, {@link #flatMap}, {@link #list}, {@link #combine}), and whatever they compose into
 * shrinks: the engine shrinks the recorded choices, never the values.
 *
 * <pre>{@code
 * Gen<Integer> registers = Gen.integers().between(0, 30);
 * Gen<List<Long>> values = Gen.longs().list().ofSize(31);
 * Property.forAll(registers, values).check((rt, gprs) -> ...);
 * }</pre>
 *
 * @param <T> the type of the values
 */
@FunctionalInterface
public interface Gen<T> {
    /** How many values in a row {@link #filter} may reject before the generator gives up. */
    int MAX_FILTER_MISSES = 10_000;

    /**
     * {@return a value made from the source's choices}
     *
     * @param source the choices
     */
    T generate(Source source);

    /**
     * {@return a generator of the mapped values}
     *
     * @param mapper the function, applied to each value
     * @param <R> the type of the mapped values
     */
    default <R> Gen<R> map(Function<? super T, ? extends R> mapper) {
        Objects.requireNonNull(mapper, "mapper");
        return source -> mapper.apply(generate(source));
    }

    /**
     * {@return a generator of the values that pass the predicate (it draws again on a miss)}
     *
     * @param predicate the condition
     * @throws TooManyFilterMisses (from {@link #generate}) when {@value #MAX_FILTER_MISSES} values in a row
     *     miss
     */
    default Gen<T> filter(Predicate<? super T> predicate) {
        Objects.requireNonNull(predicate, "predicate");
        return source -> {
            for (int miss = 0; miss < MAX_FILTER_MISSES; miss++) {
                T value = generate(source);
                if (predicate.test(value)) {
                    return value;
                }
                if (source.exhausted()) {
                    break; // a replay past its choices draws the same value again: no point in retrying
                }
            }
            throw new TooManyFilterMisses("a filter rejected " + MAX_FILTER_MISSES
                    + " values in a row; generate the wanted values directly instead");
        };
    }

    /**
     * {@return a generator that draws a value, then a value of the generator it makes}
     *
     * @param mapper makes the second generator from the first value
     * @param <R> the type of the values
     */
    default <R> Gen<R> flatMap(Function<? super T, ? extends Gen<? extends R>> mapper) {
        Objects.requireNonNull(mapper, "mapper");
        return source -> mapper.apply(generate(source)).generate(source);
    }

    /** {@return a generator of lists of these values (0 to {@value ListGen#DEFAULT_MAX_SIZE} long until sized)} */
    default ListGen<T> list() {
        return new ListGen<>(this, 0, ListGen.DEFAULT_MAX_SIZE);
    }

    /**
     * {@return an endless stream of values drawn at random, reproducible by the seed (for tests of the
     * generators themselves)}
     *
     * @param seed the seed
     */
    default Stream<T> samples(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return Stream.generate(() -> generate(Source.random(random.split())));
    }

    // ---------------------------------------------------------------- factories

    /** {@return all {@code int} values, shrinking towards 0; narrow them with {@link IntGen#between}} */
    static IntGen integers() {
        return IntGen.ALL;
    }

    /** {@return all {@code long} values, shrinking towards 0; narrow them with {@link LongGen#between}} */
    static LongGen longs() {
        return LongGen.ALL;
    }

    /** {@return false and true, shrinking towards false} */
    static Gen<Boolean> booleans() {
        return source -> source.choose(2) == 1;
    }

    /**
     * {@return a generator of one value}
     *
     * @param value the value
     * @param <T> its type
     */
    static <T> Gen<T> just(T value) {
        return source -> value;
    }

    /**
     * {@return one of the values, shrinking towards the first}
     *
     * @param values the values, at least one
     * @param <T> their type
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read
    static <T> Gen<T> of(T... values) {
        return of(Arrays.asList(values));
    }

    /**
     * {@return one of the values, shrinking towards the first}
     *
     * @param values the values, at least one
     * @param <T> their type
     * @throws IllegalArgumentException if there are none
     */
    static <T> Gen<T> of(Collection<? extends T> values) {
        List<T> copy = List.copyOf(values);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("no values to choose from");
        }
        long last = copy.size() - 1;
        return source -> copy.get((int) source.choose(copy.size(), 0, last));
    }

    /**
     * {@return one of the constants of an enum, shrinking towards the first}
     *
     * @param type the enum
     * @param <E> the enum type
     */
    static <E extends Enum<E>> Gen<E> of(Class<E> type) {
        return of(type.getEnumConstants());
    }

    /**
     * {@return a value of one of the generators, chosen with equal weight, shrinking towards the first}
     *
     * @param gens the generators, at least one
     * @param <T> the type of the values
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read
    static <T> Gen<T> oneOf(Gen<? extends T>... gens) {
        return oneOf(Arrays.asList(gens));
    }

    /**
     * {@return a value of one of the generators, chosen with equal weight, shrinking towards the first}
     *
     * @param gens the generators, at least one
     * @param <T> the type of the values
     * @throws IllegalArgumentException if there are none
     */
    static <T> Gen<T> oneOf(List<? extends Gen<? extends T>> gens) {
        List<Gen<? extends T>> copy = List.copyOf(gens);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("no generators to choose from");
        }
        return source -> copy.get((int) source.choose(copy.size())).generate(source);
    }

    /**
     * {@return a value of one of the generators, chosen by weight, shrinking towards the first}
     *
     * @param choices the weighted generators, at least one with a positive weight
     * @param <T> the type of the values
     * @throws IllegalArgumentException if no weight is positive
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read
    static <T> Gen<T> frequencyOf(Weighted<? extends T>... choices) {
        List<Weighted<? extends T>> list = List.of(choices);
        long[] upTo = new long[list.size()];
        long total = 0;
        for (int i = 0; i < upTo.length; i++) {
            total += list.get(i).weight();
            upTo[i] = total;
        }
        if (total == 0) {
            throw new IllegalArgumentException("no generator has a positive weight");
        }
        long bound = total;
        return source -> {
            long pick = source.choose(bound);
            int i = 0;
            while (pick >= upTo[i]) {
                i++;
            }
            return list.get(i).gen().generate(source);
        };
    }

    /**
     * {@return byte arrays of a fixed length, each byte shrinking towards 0}
     *
     * @param length the length, 0 or more
     */
    static Gen<byte[]> bytes(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be 0 or more, not " + length);
        }
        return source -> {
            byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++) {
                bytes[i] = (byte) source.choose(256, 0, 255);
            }
            return bytes;
        };
    }

    /**
     * {@return the pairs of two generators' values, to map with {@link Combined2#as}}
     *
     * @param a the first
     * @param b the second
     * @param <A> the first type
     * @param <B> the second type
     */
    static <A, B> Combined2<A, B> combine(Gen<A> a, Gen<B> b) {
        return new Combined2<>(a, b, (x, y) -> true);
    }

    /**
     * {@return the triples of three generators' values, to map with {@link Combined3#as}}
     *
     * @param a the first
     * @param b the second
     * @param c the third
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     */
    static <A, B, C> Combined3<A, B, C> combine(Gen<A> a, Gen<B> b, Gen<C> c) {
        return new Combined3<>(a, b, c, (x, y, z) -> true);
    }

    /**
     * {@return four generators' values, to map with {@link Combined4#as}}
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
    static <A, B, C, D> Combined4<A, B, C, D> combine(Gen<A> a, Gen<B> b, Gen<C> c, Gen<D> d) {
        return new Combined4<>(a, b, c, d, (w, x, y, z) -> true);
    }

    /**
     * {@return five generators' values, to map with {@link Combined5#as}}
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
    static <A, B, C, D, E> Combined5<A, B, C, D, E> combine(Gen<A> a, Gen<B> b, Gen<C> c, Gen<D> d, Gen<E> e) {
        return new Combined5<>(a, b, c, d, e, (v, w, x, y, z) -> true);
    }

    /**
     * {@return six generators' values, to map with {@link Combined6#as}}
     *
     * @param a the first
     * @param b the second
     * @param c the third
     * @param d the fourth
     * @param e the fifth
     * @param f the sixth
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     * @param <E> the fifth type
     * @param <F> the sixth type
     */
    static <A, B, C, D, E, F> Combined6<A, B, C, D, E, F> combine(Gen<A> a, Gen<B> b, Gen<C> c, Gen<D> d,
            Gen<E> e, Gen<F> f) {
        return new Combined6<>(a, b, c, d, e, f, (u, v, w, x, y, z) -> true);
    }

    /**
     * {@return seven generators' values, to map with {@link Combined7#as}}
     *
     * @param a the first
     * @param b the second
     * @param c the third
     * @param d the fourth
     * @param e the fifth
     * @param f the sixth
     * @param g the seventh
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     * @param <E> the fifth type
     * @param <F> the sixth type
     * @param <G> the seventh type
     */
    static <A, B, C, D, E, F, G> Combined7<A, B, C, D, E, F, G> combine(Gen<A> a, Gen<B> b, Gen<C> c, Gen<D> d,
            Gen<E> e, Gen<F> f, Gen<G> g) {
        return new Combined7<>(a, b, c, d, e, f, g);
    }

    /**
     * {@return eight generators' values, to map with {@link Combined8#as}}
     *
     * @param a the first
     * @param b the second
     * @param c the third
     * @param d the fourth
     * @param e the fifth
     * @param f the sixth
     * @param g the seventh
     * @param h the eighth
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     * @param <E> the fifth type
     * @param <F> the sixth type
     * @param <G> the seventh type
     * @param <H> the eighth type
     */
    static <A, B, C, D, E, F, G, H> Combined8<A, B, C, D, E, F, G, H> combine(Gen<A> a, Gen<B> b, Gen<C> c,
            Gen<D> d, Gen<E> e, Gen<F> f, Gen<G> g, Gen<H> h) {
        return new Combined8<>(a, b, c, d, e, f, g, h);
    }

    /**
     * {@return the lists of one value from each generator, in order}
     *
     * @param gens the generators
     * @param <T> the type of the values
     */
    static <T> Gen<List<T>> combine(List<? extends Gen<? extends T>> gens) {
        List<Gen<? extends T>> copy = List.copyOf(gens);
        return source -> {
            List<T> values = new ArrayList<>(copy.size());
            for (Gen<? extends T> g : copy) {
                values.add(g.generate(source));
            }
            return values;
        };
    }

    /**
     * A generator with a weight, for {@link #frequencyOf}.
     *
     * @param weight the weight, 0 or more
     * @param gen the generator
     * @param <T> the type of the values
     */
    record Weighted<T>(int weight, Gen<T> gen) {
        /** Checks the weight. */
        public Weighted {
            if (weight < 0) {
                throw new IllegalArgumentException("a weight is 0 or more, not " + weight);
            }
            Objects.requireNonNull(gen, "gen");
        }

        /**
         * {@return a weighted generator}
         *
         * @param weight the weight, 0 or more
         * @param gen the generator
         * @param <T> the type of the values
         */
        public static <T> Weighted<T> of(int weight, Gen<T> gen) {
            return new Weighted<>(weight, gen);
        }
    }

    /**
     * Two generators side by side.
     *
     * @param a the first
     * @param b the second
     * @param filter the condition on both values
     * @param <A> the first type
     * @param <B> the second type
     */
    record Combined2<A, B>(Gen<A> a, Gen<B> b, BiPredicate<? super A, ? super B> filter) {
        /**
         * {@return the combinations that pass the condition too (drawn again on a miss)}
         *
         * @param condition the condition
         */
        public Combined2<A, B> filter(BiPredicate<? super A, ? super B> condition) {
            return new Combined2<>(a, b, (x, y) -> filter.test(x, y) && condition.test(x, y));
        }

        /**
         * {@return a generator of the mapped combinations}
         *
         * @param f the mapping
         * @param <R> the mapped type
         */
        public <R> Gen<R> as(BiFunction<? super A, ? super B, ? extends R> f) {
            Gen<Object[]> tuples = Tuples.of(new Gen<?>[] {a, b}, v -> filter.test(cast(v[0]), cast(v[1])));
            return tuples.map(v -> f.apply(cast(v[0]), cast(v[1])));
        }
    }

    /**
     * Three generators side by side.
     *
     * @param a the first
     * @param b the second
     * @param c the third
     * @param filter the condition on the values
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     */
    record Combined3<A, B, C>(Gen<A> a, Gen<B> b, Gen<C> c, Tuples.P3<? super A, ? super B, ? super C> filter) {
        /**
         * {@return the combinations that pass the condition too (drawn again on a miss)}
         *
         * @param condition the condition
         */
        public Combined3<A, B, C> filter(Tuples.P3<? super A, ? super B, ? super C> condition) {
            return new Combined3<>(a, b, c, (x, y, z) -> filter.test(x, y, z) && condition.test(x, y, z));
        }

        /**
         * {@return a generator of the mapped combinations}
         *
         * @param f the mapping
         * @param <R> the mapped type
         */
        public <R> Gen<R> as(Tuples.F3<? super A, ? super B, ? super C, ? extends R> f) {
            Gen<Object[]> tuples = Tuples.of(new Gen<?>[] {a, b, c},
                    v -> filter.test(cast(v[0]), cast(v[1]), cast(v[2])));
            return tuples.map(v -> f.apply(cast(v[0]), cast(v[1]), cast(v[2])));
        }
    }

    /**
     * Four generators side by side.
     *
     * @param a the first
     * @param b the second
     * @param c the third
     * @param d the fourth
     * @param filter the condition on the values
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     */
    record Combined4<A, B, C, D>(Gen<A> a, Gen<B> b, Gen<C> c, Gen<D> d,
            Tuples.P4<? super A, ? super B, ? super C, ? super D> filter) {
        /**
         * {@return the combinations that pass the condition too (drawn again on a miss)}
         *
         * @param condition the condition
         */
        public Combined4<A, B, C, D> filter(Tuples.P4<? super A, ? super B, ? super C, ? super D> condition) {
            return new Combined4<>(a, b, c, d,
                    (w, x, y, z) -> filter.test(w, x, y, z) && condition.test(w, x, y, z));
        }

        /**
         * {@return a generator of the mapped combinations}
         *
         * @param f the mapping
         * @param <R> the mapped type
         */
        public <R> Gen<R> as(Tuples.F4<? super A, ? super B, ? super C, ? super D, ? extends R> f) {
            Gen<Object[]> tuples = Tuples.of(new Gen<?>[] {a, b, c, d},
                    v -> filter.test(cast(v[0]), cast(v[1]), cast(v[2]), cast(v[3])));
            return tuples.map(v -> f.apply(cast(v[0]), cast(v[1]), cast(v[2]), cast(v[3])));
        }
    }

    /**
     * Five generators side by side.
     *
     * @param a the first
     * @param b the second
     * @param c the third
     * @param d the fourth
     * @param e the fifth
     * @param filter the condition on the values
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     * @param <E> the fifth type
     */
    record Combined5<A, B, C, D, E>(Gen<A> a, Gen<B> b, Gen<C> c, Gen<D> d, Gen<E> e,
            Tuples.P5<? super A, ? super B, ? super C, ? super D, ? super E> filter) {
        /**
         * {@return the combinations that pass the condition too (drawn again on a miss)}
         *
         * @param condition the condition
         */
        public Combined5<A, B, C, D, E> filter(
                Tuples.P5<? super A, ? super B, ? super C, ? super D, ? super E> condition) {
            return new Combined5<>(a, b, c, d, e,
                    (v, w, x, y, z) -> filter.test(v, w, x, y, z) && condition.test(v, w, x, y, z));
        }

        /**
         * {@return a generator of the mapped combinations}
         *
         * @param f the mapping
         * @param <R> the mapped type
         */
        public <R> Gen<R> as(Tuples.F5<? super A, ? super B, ? super C, ? super D, ? super E, ? extends R> f) {
            Gen<Object[]> tuples = Tuples.of(new Gen<?>[] {a, b, c, d, e},
                    v -> filter.test(cast(v[0]), cast(v[1]), cast(v[2]), cast(v[3]), cast(v[4])));
            return tuples.map(v -> f.apply(cast(v[0]), cast(v[1]), cast(v[2]), cast(v[3]), cast(v[4])));
        }
    }

    /**
     * Six generators side by side.
     *
     * @param a the first
     * @param b the second
     * @param c the third
     * @param d the fourth
     * @param e the fifth
     * @param f the sixth
     * @param filter the condition on the values
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     * @param <E> the fifth type
     * @param <F> the sixth type
     */
    record Combined6<A, B, C, D, E, F>(Gen<A> a, Gen<B> b, Gen<C> c, Gen<D> d, Gen<E> e, Gen<F> f,
            Tuples.P6<? super A, ? super B, ? super C, ? super D, ? super E, ? super F> filter) {
        /**
         * {@return the combinations that pass the condition too (drawn again on a miss)}
         *
         * @param condition the condition
         */
        public Combined6<A, B, C, D, E, F> filter(
                Tuples.P6<? super A, ? super B, ? super C, ? super D, ? super E, ? super F> condition) {
            return new Combined6<>(a, b, c, d, e, f,
                    (u, v, w, x, y, z) -> filter.test(u, v, w, x, y, z) && condition.test(u, v, w, x, y, z));
        }

        /**
         * {@return a generator of the mapped combinations}
         *
         * @param g the mapping
         * @param <R> the mapped type
         */
        public <R> Gen<R> as(
                Tuples.F6<? super A, ? super B, ? super C, ? super D, ? super E, ? super F, ? extends R> g) {
            Gen<Object[]> tuples = Tuples.of(new Gen<?>[] {a, b, c, d, e, f},
                    v -> filter.test(cast(v[0]), cast(v[1]), cast(v[2]), cast(v[3]), cast(v[4]), cast(v[5])));
            return tuples.map(v -> g.apply(cast(v[0]), cast(v[1]), cast(v[2]), cast(v[3]), cast(v[4]),
                    cast(v[5])));
        }
    }

    /**
     * Seven generators side by side (filter the mapped value, if needed).
     *
     * @param a the first
     * @param b the second
     * @param c the third
     * @param d the fourth
     * @param e the fifth
     * @param f the sixth
     * @param g the seventh
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     * @param <E> the fifth type
     * @param <F> the sixth type
     * @param <G> the seventh type
     */
    record Combined7<A, B, C, D, E, F, G>(Gen<A> a, Gen<B> b, Gen<C> c, Gen<D> d, Gen<E> e, Gen<F> f, Gen<G> g) {
        /**
         * {@return a generator of the mapped combinations}
         *
         * @param m the mapping
         * @param <R> the mapped type
         */
        public <R> Gen<R> as(Tuples.F7<? super A, ? super B, ? super C, ? super D, ? super E, ? super F, ? super G,
                ? extends R> m) {
            return source -> m.apply(a.generate(source), b.generate(source), c.generate(source), d.generate(source),
                    e.generate(source), f.generate(source), g.generate(source));
        }
    }

    /**
     * Eight generators side by side (filter the mapped value, if needed).
     *
     * @param a the first
     * @param b the second
     * @param c the third
     * @param d the fourth
     * @param e the fifth
     * @param f the sixth
     * @param g the seventh
     * @param h the eighth
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     * @param <E> the fifth type
     * @param <F> the sixth type
     * @param <G> the seventh type
     * @param <H> the eighth type
     */
    record Combined8<A, B, C, D, E, F, G, H>(Gen<A> a, Gen<B> b, Gen<C> c, Gen<D> d, Gen<E> e, Gen<F> f, Gen<G> g,
            Gen<H> h) {
        /**
         * {@return a generator of the mapped combinations}
         *
         * @param m the mapping
         * @param <R> the mapped type
         */
        public <R> Gen<R> as(Tuples.F8<? super A, ? super B, ? super C, ? super D, ? super E, ? super F, ? super G,
                ? super H, ? extends R> m) {
            return source -> m.apply(a.generate(source), b.generate(source), c.generate(source), d.generate(source),
                    e.generate(source), f.generate(source), g.generate(source), h.generate(source));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object value) {
        return (T) value;
    }
}
