/**
 * The KVM backend (internal, not exported): provider, hypervisor, VM and the x86_64 and AArch64 vCPUs
 * over {@code /dev/kvm}. Reached only through {@link org.vcpu4j.spi.Backends}.
 */
package org.vcpu4j.backend.kvm;
