/**
 * Internal, not exported: the narrow interface to Hypervisor.framework ({@link
 * org.vcpu4j.backend.hvf.sys.HvfApi}), its {@code java.lang.foreign} implementation, and the C types
 * and constants of {@code <Hypervisor/Hypervisor.h>} (arm64) in the shape jextract would give them.
 *
 * <p>DISCLAIMER: internal API of the backend; it may change at any time.
 */
package org.vcpu4j.backend.hvf.sys;
