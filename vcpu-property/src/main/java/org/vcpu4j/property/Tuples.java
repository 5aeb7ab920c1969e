package org.vcpu4j.property;

import java.util.function.Predicate;

/** The functions of three to eight values and the conditions of three to six that {@link Gen#combine} takes. */
public final class Tuples {
    private Tuples() {}

    /** Draws one value per part, again while the condition rejects them. */
    static Gen<Object[]> of(Gen<?>[] parts, Predicate<Object[]> condition) {
        Gen<Object[]> all = source -> {
            Object[] values = new Object[parts.length];
            for (int i = 0; i < parts.length; i++) {
                values[i] = parts[i].generate(source);
            }
            return values;
        };
        return all.filter(condition);
    }

    /**
     * A function of three values.
     *
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <R> the result type
     */
    @FunctionalInterface
    public interface F3<A, B, C, R> {
        /**
         * {@return the result}
         *
         * @param a the first
         * @param b the second
         * @param c the third
         */
        R apply(A a, B b, C c);
    }

    /**
     * A function of four values.
     *
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     * @param <R> the result type
     */
    @FunctionalInterface
    public interface F4<A, B, C, D, R> {
        /**
         * {@return the result}
         *
         * @param a the first
         * @param b the second
         * @param c the third
         * @param d the fourth
         */
        R apply(A a, B b, C c, D d);
    }

    /**
     * A function of five values.
     *
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     * @param <E> the fifth type
     * @param <R> the result type
     */
    @FunctionalInterface
    public interface F5<A, B, C, D, E, R> {
        /**
         * {@return the result}
         *
         * @param a the first
         * @param b the second
         * @param c the third
         * @param d the fourth
         * @param e the fifth
         */
        R apply(A a, B b, C c, D d, E e);
    }

    /**
     * A function of six values.
     *
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     * @param <E> the fifth type
     * @param <F> the sixth type
     * @param <R> the result type
     */
    @FunctionalInterface
    public interface F6<A, B, C, D, E, F, R> {
        /**
         * {@return the result}
         *
         * @param a the first
         * @param b the second
         * @param c the third
         * @param d the fourth
         * @param e the fifth
         * @param f the sixth
         */
        R apply(A a, B b, C c, D d, E e, F f);
    }

    /**
     * A function of seven values.
     *
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     * @param <E> the fifth type
     * @param <F> the sixth type
     * @param <G> the seventh type
     * @param <R> the result type
     */
    @FunctionalInterface
    public interface F7<A, B, C, D, E, F, G, R> {
        /**
         * {@return the result}
         *
         * @param a the first
         * @param b the second
         * @param c the third
         * @param d the fourth
         * @param e the fifth
         * @param f the sixth
         * @param g the seventh
         */
        R apply(A a, B b, C c, D d, E e, F f, G g);
    }

    /**
     * A function of eight values.
     *
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     * @param <E> the fifth type
     * @param <F> the sixth type
     * @param <G> the seventh type
     * @param <H> the eighth type
     * @param <R> the result type
     */
    @FunctionalInterface
    public interface F8<A, B, C, D, E, F, G, H, R> {
        /**
         * {@return the result}
         *
         * @param a the first
         * @param b the second
         * @param c the third
         * @param d the fourth
         * @param e the fifth
         * @param f the sixth
         * @param g the seventh
         * @param h the eighth
         */
        R apply(A a, B b, C c, D d, E e, F f, G g, H h);
    }

    /**
     * A condition on three values.
     *
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     */
    @FunctionalInterface
    public interface P3<A, B, C> {
        /**
         * {@return whether the values pass}
         *
         * @param a the first
         * @param b the second
         * @param c the third
         */
        boolean test(A a, B b, C c);
    }

    /**
     * A condition on four values.
     *
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     */
    @FunctionalInterface
    public interface P4<A, B, C, D> {
        /**
         * {@return whether the values pass}
         *
         * @param a the first
         * @param b the second
         * @param c the third
         * @param d the fourth
         */
        boolean test(A a, B b, C c, D d);
    }

    /**
     * A condition on five values.
     *
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     * @param <E> the fifth type
     */
    @FunctionalInterface
    public interface P5<A, B, C, D, E> {
        /**
         * {@return whether the values pass}
         *
         * @param a the first
         * @param b the second
         * @param c the third
         * @param d the fourth
         * @param e the fifth
         */
        boolean test(A a, B b, C c, D d, E e);
    }

    /**
     * A condition on six values.
     *
     * @param <A> the first type
     * @param <B> the second type
     * @param <C> the third type
     * @param <D> the fourth type
     * @param <E> the fifth type
     * @param <F> the sixth type
     */
    @FunctionalInterface
    public interface P6<A, B, C, D, E, F> {
        /**
         * {@return whether the values pass}
         *
         * @param a the first
         * @param b the second
         * @param c the third
         * @param d the fourth
         * @param e the fifth
         * @param f the sixth
         */
        boolean test(A a, B b, C c, D d, E e, F f);
    }
}
