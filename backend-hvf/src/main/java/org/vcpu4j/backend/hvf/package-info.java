/**
 * Internal, not exported: the Hypervisor.framework backend. {@link
 * org.vcpu4j.backend.hvf.HvfBackendProvider} is the service; the VM, the vCPU and the availability
 * probe sit on top of the one native seam, {@link org.vcpu4j.backend.hvf.sys.HvfApi}.
 *
 * <p>DISCLAIMER: internal API of the backend; only the service registration is public.
 */
package org.vcpu4j.backend.hvf;
