/** x86-64 register state and the x86-64 create and setup configurations. */
package org.vcpu4j.api.x86_64;
