/* Prints a greeting, the exception level it runs at and a few computed values. */
#include "rt.h"

static uint64_t fib(unsigned n) {
    uint64_t a = 0, b = 1;
    while (n--) { uint64_t t = a + b; a = b; b = t; }
    return a;
}

int main(void) {
    uint64_t el;
    __asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
    puts_uart("Hello from bare-metal AArch64 at EL");
    put_dec((el >> 2) & 3);
    puts_uart("\nfib(90) = ");
    put_dec(fib(90));
    puts_uart("\n0x");
    put_hex(0x0123456789abcdefULL * 3, 16);
    puts_uart("\nbye\n");
    return 0;
}
