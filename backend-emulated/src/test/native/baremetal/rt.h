/* Tiny runtime for vcpu4j's bare-metal programs: PL011 output at QEMU virt's 0x0900_0000 and the
 * helpers the compiler may call. */
#ifndef VCPU4J_RT_H
#define VCPU4J_RT_H
#include <stdint.h>
#include <stddef.h>

#define UART_BASE 0x09000000UL
#define UART_DR   0x00   /* PL011 data register (PL011 TRM 3.3.1) */
#define UART_FR   0x18   /* PL011 flag register (PL011 TRM 3.3.3) */
#define UART_FR_TXFF (1u << 5)

static inline void putc_uart(char c) {
    volatile uint32_t *fr = (volatile uint32_t *) (UART_BASE + UART_FR);
    volatile uint32_t *dr = (volatile uint32_t *) (UART_BASE + UART_DR);
    while (*fr & UART_FR_TXFF) {
    }
    *dr = (uint32_t) (unsigned char) c;
}

static inline void puts_uart(const char *s) {
    while (*s) putc_uart(*s++);
}

static inline void put_hex(uint64_t v, int digits) {
    for (int i = digits - 1; i >= 0; i--) putc_uart("0123456789abcdef"[(v >> (4 * i)) & 0xF]);
}

static inline void put_dec(uint64_t v) {
    char buf[21];
    int n = 0;
    do { buf[n++] = (char) ('0' + v % 10); v /= 10; } while (v);
    while (n) putc_uart(buf[--n]);
}

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
#endif
