/**
 * What a backend implements and how backends are found.
 *
 * <p>A backend registers a {@link org.vcpu4j.spi.VCpuBackendProvider} with {@code provides} (and a
 * {@code META-INF/services} file). {@link org.vcpu4j.spi.Backends} discovers providers, selects one
 * (the {@code vcpu4j.backend} system property, else the available provider with the highest priority)
 * and returns an {@link org.vcpu4j.api.Hypervisor} whose VMs and vCPUs are the library's own wrappers
 * around the backend's {@link org.vcpu4j.spi.VmBackend} and {@link org.vcpu4j.spi.ArchVCpu}: the
 * lifecycle state machine, thread rules, argument checks, memory-map validation and pending
 * completions are enforced there, once, for every backend.
 */
package org.vcpu4j.spi;
