package org.vcpu4j.backend.kvm;

import org.vcpu4j.api.BackendException;
import org.vcpu4j.backend.kvm.sys.Libc;

/** A KVM or libc call failed; the message names the call and the errno (name, number and text). */
final class KvmException extends BackendException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    /**
     * Creates the exception.
     *
     * @param call what was called, e.g. {@code KVM_CREATE_VCPU(3)}
     * @param errno the errno value
     */
    KvmException(String call, int errno) {
        super(call + " failed: " + Libc.describeErrno(errno));
        this.errno = errno;
    }

    /**
     * Wraps a failure that makes a later request impossible, keeping its errno.
     *
     * @param message what cannot be done and why
     * @param cause the failed call
     */
    KvmException(String message, KvmException cause) {
        super(message + " (" + cause.getMessage() + ")", cause);
        this.errno = cause.errno;
    }

    /** {@return the errno value} */
    int errno() {
        return errno;
    }
}
