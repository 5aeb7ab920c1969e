package org.vcpu4j.property;

import java.util.ArrayList;
import java.util.List;

/**
 * Lists of a generator's values. Past the minimum size, each further element is announced by a yes/no
 * choice, so shrinking shortens a list by cutting those choices (an element anywhere, not only at the end)
 * as well as shrinking each element.
 *
 * @param <T> the type of the elements
 */
public final class ListGen<T> implements Gen<List<T>> {
    /** The largest size of a list whose size was not set. */
    public static final int DEFAULT_MAX_SIZE = 32;

    private final Gen<T> element;
    private final int minSize;
    private final int maxSize;
    /** The chance of one more element, for a mean size halfway between the bounds. */
    private final double more;

    ListGen(Gen<T> element, int minSize, int maxSize) {
        if (minSize < 0 || maxSize < minSize) {
            throw new IllegalArgumentException("sizes must be 0 <= min <= max, not " + minSize + " and " + maxSize);
        }
        this.element = element;
        this.minSize = minSize;
        this.maxSize = maxSize;
        double extra = (maxSize - minSize) / 2.0;
        this.more = extra / (extra + 1);
    }

    /**
     * {@return lists of exactly this size}
     *
     * @param size the size, 0 or more
     */
    public ListGen<T> ofSize(int size) {
        return new ListGen<>(element, size, size);
    }

    /**
     * {@return lists of at least this size (and at most the maximum, raised to it if needed)}
     *
     * @param size the size, 0 or more
     */
    public ListGen<T> ofMinSize(int size) {
        return new ListGen<>(element, size, Math.max(size, maxSize));
    }

    /**
     * {@return lists of at most this size}
     *
     * @param size the size, at least the minimum
     */
    public ListGen<T> ofMaxSize(int size) {
        return new ListGen<>(element, minSize, size);
    }

    @Override
    public List<T> generate(Source source) {
        List<T> list = new ArrayList<>(minSize);
        while (list.size() < minSize) {
            list.add(element.generate(source));
        }
        while (list.size() < maxSize && source.flag(more)) {
            list.add(element.generate(source));
        }
        return list;
    }
}
