package org.vcpu4j.cli;

import java.io.PrintStream;

/**
 * The application's two streams: standard output (guest UART bytes during a run, command results
 * otherwise) and standard error (diagnostics and statistics).
 *
 * @param out standard output
 * @param err standard error
 */
public record Console(PrintStream out, PrintStream err) {}
