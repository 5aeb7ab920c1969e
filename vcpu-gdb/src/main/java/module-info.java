/**
 * A gdb remote serial protocol stub for vcpu4j guests: {@link org.vcpu4j.gdb.GdbStub}. It needs only the
 * vCPU contract ({@code org.vcpu4j.api}); its protocol internals are not exported.
 */
module org.vcpu4j.gdb {
    requires transitive org.vcpu4j.api;

    exports org.vcpu4j.gdb;
}
