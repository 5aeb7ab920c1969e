package org.vcpu4j.cli;

import com.google.inject.Guice;
import com.google.inject.Stage;
import java.io.PrintStream;
import picocli.CommandLine;

/** The {@code vcpu} command. */
@CommandLine.Command(name = "vcpu", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Runs guests on vcpu4j backends.",
        subcommands = {BackendsCommand.class, RunCommand.class, DemoCommand.class, TckCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The version every command prints for {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"vcpu4j 0.1.0"};
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: backends, run, demo or tck");
    }

    /**
     * Runs the command line and returns its exit code.
     *
     * @param console the streams
     * @param args the arguments
     * @return the exit code
     */
    public static int execute(Console console, String... args) {
        var injector = Guice.createInjector(Stage.PRODUCTION, new CliModule(console));
        CommandLine cli = new CommandLine(Main.class, new GuiceFactory(injector));
        cli.setOut(new java.io.PrintWriter(console.out(), true));
        cli.setErr(new java.io.PrintWriter(console.err(), true));
        return cli.execute(args);
    }

    /**
     * The entry point.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
        int code = execute(new Console(out, System.err), args);
        out.flush();
        System.exit(code);
    }
}
