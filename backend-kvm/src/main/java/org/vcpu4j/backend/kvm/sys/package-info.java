/**
 * FFM bindings for the KVM backend (internal, not exported): libc downcalls with errno capture
 * ({@link org.vcpu4j.backend.kvm.sys.Libc}), every ioctl number and KVM constant
 * ({@link org.vcpu4j.backend.kvm.sys.KvmIoctls}), and one jextract-shaped class per C struct.
 */
package org.vcpu4j.backend.kvm.sys;
