/**
 * The AArch64 toolkit every AArch64 backend shares, so that they decode and complete exits the same way:
 * ESR syndrome layouts ({@link org.vcpu4j.spi.aarch64.Esr}, {@link org.vcpu4j.spi.aarch64.DataAbortIss},
 * {@link org.vcpu4j.spi.aarch64.SysRegIss}), the trap decoder that turns a syndrome into a {@link
 * org.vcpu4j.api.VCpuExit} ({@link org.vcpu4j.spi.aarch64.TrapDecoder}), PSCI function ids ({@link
 * org.vcpu4j.spi.aarch64.Psci}) and the completion arithmetic ({@link org.vcpu4j.spi.aarch64.Completion}).
 *
 * <p>Bit layouts follow the Arm Architecture Reference Manual (DDI 0487), section D24.2.40 (ESR_EL2)
 * and its ISS encodings per exception class.
 */
package org.vcpu4j.spi.aarch64;
