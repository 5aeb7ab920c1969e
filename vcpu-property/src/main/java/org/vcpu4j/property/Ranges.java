package org.vcpu4j.property;

/**
 * The order in which a range's values are numbered by choices: choice 0 is the target (0, or the end of
 * the range closest to 0), then the values alternate above and below it by growing distance, then the
 * rest of the longer side follows. So smaller choices are values closer to the target, which is what
 * shrinking a choice towards 0 needs.
 */
final class Ranges {
    private Ranges() {}

    /** {@return the value in [min, max] closest to 0} */
    static long target(long min, long max) {
        return min > 0 ? min : max < 0 ? max : 0;
    }

    /** {@return the value of choice {@code c}, {@code 0 <= c <= max - min} (a range that fits a long)} */
    static long decode(long c, long min, long max, long target) {
        if (c == 0) {
            return target;
        }
        long up = max - target;
        long down = target - min;
        long near = Math.min(up, down);
        long distance = (c >>> 1) + (c & 1); // 1 up, 2 down, 3 up, ...
        if (distance <= near) {
            return (c & 1) == 1 ? target + distance : target - distance;
        }
        long beyond = c - near; // past the alternating part: the rest of the longer side
        return up > down ? target + beyond : target - beyond;
    }

    /** {@return the choice of {@code value} in [min, max]: the inverse of {@link #decode}} */
    static long encode(long value, long min, long max, long target) {
        long up = max - target;
        long down = target - min;
        long near = Math.min(up, down);
        long distance = Math.abs(value - target);
        if (distance <= near) {
            return value > target ? 2 * distance - 1 : 2 * distance;
        }
        return distance + near;
    }

    /** {@return the zig-zag value of a 64-bit choice: 0, -1, 1, -2, 2, ...} */
    static long zigZagDecode(long c) {
        return (c >>> 1) ^ -(c & 1);
    }

    /** {@return the 64-bit choice of a value: the inverse of {@link #zigZagDecode}} */
    static long zigZagEncode(long value) {
        return (value << 1) ^ (value >> 63);
    }
}
