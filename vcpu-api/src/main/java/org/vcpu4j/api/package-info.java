/**
 * The architecture-neutral vCPU contract.
 *
 * <p>A {@link org.vcpu4j.api.Hypervisor} (one opened backend) creates {@link
 * org.vcpu4j.api.VirtualMachine}s; a VM owns its {@link org.vcpu4j.api.GuestMemory} and creates
 * {@link org.vcpu4j.api.VCpu}s by id. A vCPU walks the lifecycle {@code CREATED -> FREE -> READY <->
 * RUNNING}; {@link org.vcpu4j.api.VCpu#run()} returns a {@link org.vcpu4j.api.VCpuExit}, and exits
 * that load a value are completed through the vCPU ({@code completeMmioRead}, {@code
 * completeSysRegRead}, {@code completeIoRead}) before the next run.
 */
package org.vcpu4j.api;
