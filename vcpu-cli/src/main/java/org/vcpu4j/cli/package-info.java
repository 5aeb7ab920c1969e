/** The {@code vcpu} command line application: its commands, its Guice wiring and its backend choice. */
package org.vcpu4j.cli;
