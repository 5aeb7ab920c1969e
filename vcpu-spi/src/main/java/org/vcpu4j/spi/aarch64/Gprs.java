package org.vcpu4j.spi.aarch64;

/**
 * Access to a backend's X0-X30, for the toolkit. Index 31 never reaches an implementation: the toolkit
 * reads XZR as 0 and drops writes to it.
 */
public interface Gprs {
    /**
     * {@return Xn}
     *
     * @param n 0-30
     */
    long x(int n);

    /**
     * Writes Xn.
     *
     * @param n 0-30
     * @param value the value
     */
    void setX(int n, long value);

    /**
     * {@return Xn, or 0 for n = 31 (XZR)}
     *
     * @param n 0-31
     */
    default long xOrZero(int n) {
        return n == 31 ? 0 : x(n);
    }
}
