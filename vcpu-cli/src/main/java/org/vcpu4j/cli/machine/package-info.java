/**
 * The machine models the CLI runs guests on: QEMU's {@code virt} board layout for AArch64 (RAM at
 * 0x4000_0000, a PL011 UART at 0x0900_0000, PSCI through HVC) and a minimal PC for x86-64 (RAM at 0, a
 * 16550 UART at port 0x3F8), and the run loop with its limits and statistics.
 */
package org.vcpu4j.cli.machine;
