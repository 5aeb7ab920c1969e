/* A CPU-bound integer benchmark: CRC-32, a prime sieve and an integer matrix product, repeated
 * ITERATIONS times; prints a checksum of every round so that any wrong result shows. */
#include "rt.h"

#ifndef ITERATIONS
#define ITERATIONS 2
#endif
#define SIEVE_N 20000
#define MAT_N 24

static uint32_t crc_table[256];
static uint8_t sieve[SIEVE_N];
static int32_t a[MAT_N][MAT_N], b[MAT_N][MAT_N], c[MAT_N][MAT_N];
static uint8_t data[4096];

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t r = i;
        for (int k = 0; k < 8; k++) r = (r & 1) ? (r >> 1) ^ 0xEDB88320u : r >> 1;
        crc_table[i] = r;
    }
}

static uint32_t crc32(const uint8_t *p, size_t n) {
    uint32_t r = 0xFFFFFFFFu;
    while (n--) r = crc_table[(r ^ *p++) & 0xFF] ^ (r >> 8);
    return ~r;
}

static uint32_t primes(void) {
    uint32_t count = 0;
    for (int i = 0; i < SIEVE_N; i++) sieve[i] = 1;
    for (int i = 2; i < SIEVE_N; i++) {
        if (!sieve[i]) continue;
        count++;
        for (int j = 2 * i; j < SIEVE_N; j += i) sieve[j] = 0;
    }
    return count;
}

static int64_t matmul(uint32_t seed) {
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            seed = seed * 1103515245u + 12345u;
            a[i][j] = (int32_t) (seed >> 16) % 201 - 100;
            seed = seed * 1103515245u + 12345u;
            b[i][j] = (int32_t) (seed >> 16) % 201 - 100;
        }
    int64_t sum = 0;
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int32_t s = 0;
            for (int k = 0; k < MAT_N; k++) s += a[i][k] * b[k][j];
            c[i][j] = s;
            sum += s * (i + 1) - (j ^ i);
        }
    return sum;
}

int main(void) {
    crc_init();
    uint32_t total = 0;
    for (int round = 0; round < ITERATIONS; round++) {
        for (int i = 0; i < (int) sizeof data; i++) data[i] = (uint8_t) (i * 7 + round);
        uint32_t crc = crc32(data, sizeof data);
        uint32_t p = primes();
        int64_t m = matmul((uint32_t) round + 1);
        total = total * 31 + crc + p + (uint32_t) m;
        puts_uart("round ");
        put_dec((uint64_t) round);
        puts_uart(": crc=");
        put_hex(crc, 8);
        puts_uart(" primes=");
        put_dec(p);
        puts_uart(" mat=");
        put_hex((uint64_t) m, 16);
        putc_uart('\n');
    }
    puts_uart("checksum ");
    put_hex(total, 8);
    putc_uart('\n');
    return 0;
}
