/**
 * A gdb remote serial protocol stub over the vcpu4j contract: {@link org.vcpu4j.gdb.GdbStub}.
 */
package org.vcpu4j.gdb;
