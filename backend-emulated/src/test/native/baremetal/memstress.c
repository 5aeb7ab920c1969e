/* A memory-heavy program: fills a buffer with a generator, chases pointers through a random
 * permutation, moves overlapping blocks with every access width, sorts, and prints checksums. */
#include "rt.h"

#ifndef WORDS
#define WORDS (1 << 15)
#endif

static uint64_t buf[WORDS];
static uint32_t next[WORDS];

static uint64_t state = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static void sort(uint64_t *v, long lo, long hi) {
    while (lo < hi) {
        uint64_t pivot = v[(lo + hi) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) { uint64_t t = v[i]; v[i] = v[j]; v[j] = t; i++; j--; }
        }
        if (j - lo < hi - i) { sort(v, lo, j); lo = i; } else { sort(v, i, hi); hi = j; }
    }
}

static uint64_t mix(uint64_t h, uint64_t v) {
    return (h ^ v) * 0x100000001B3ULL;
}

int main(void) {
    for (long i = 0; i < WORDS; i++) { buf[i] = rnd(); next[i] = (uint32_t) i; }
    for (long i = WORDS - 1; i > 0; i--) {
        long j = (long) (rnd() % (uint64_t) (i + 1));
        uint32_t t = next[i]; next[i] = next[j]; next[j] = t;
    }
    uint64_t h = 0xcbf29ce484222325ULL;
    uint32_t at = 0;
    for (long i = 0; i < WORDS; i++) { h = mix(h, buf[at]); at = next[at]; }
    puts_uart("chase ");
    put_hex(h, 16);
    putc_uart('\n');

    uint8_t *bytes = (uint8_t *) buf;
    uint16_t *halves = (uint16_t *) buf;
    uint32_t *words = (uint32_t *) buf;
    for (long i = 0; i < WORDS; i++) {
        bytes[(i * 13) % (WORDS * 8)] ^= (uint8_t) i;
        halves[(i * 7) % (WORDS * 4)] += (uint16_t) (i * 3);
        words[(i * 5) % (WORDS * 2)] -= (uint32_t) i;
    }
    memmove(bytes + 3, bytes, WORDS * 4);
    memmove(bytes, bytes + 5, WORDS * 4);
    h = 0xcbf29ce484222325ULL;
    for (long i = 0; i < WORDS; i++) h = mix(h, buf[i]);
    puts_uart("widths ");
    put_hex(h, 16);
    putc_uart('\n');

    sort(buf, 0, WORDS - 1);
    int sorted = 1;
    for (long i = 1; i < WORDS; i++) if (buf[i - 1] > buf[i]) sorted = 0;
    h = 0xcbf29ce484222325ULL;
    for (long i = 0; i < WORDS; i += 17) h = mix(h, buf[i]);
    puts_uart(sorted ? "sorted " : "NOT sorted ");
    put_hex(h, 16);
    putc_uart('\n');
    return 0;
}
