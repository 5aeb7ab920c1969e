/* The guest the gdb tests debug (vcpu-cli GdbIT): a function to break at by name, a global to watch,
 * a value passed in a register and printed (gdb changes it), and a spin loop to interrupt. */
#include "rt.h"

volatile uint64_t counter;
volatile int spin; /* gdb sets it to make the guest spin until Ctrl-C */

__attribute__((noinline)) uint64_t compute(uint64_t x) {
    counter += x;
    return counter * 2;
}

__attribute__((noinline)) void report(uint64_t value) {
    puts_uart("value=");
    put_dec(value);
    puts_uart("\n");
}

int main(void) {
    uint64_t r = compute(20);
    report(r);
    while (spin) {
        counter++;
    }
    puts_uart("done\n");
    return 0;
}
