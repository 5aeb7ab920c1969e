package org.vcpu4j.cli;

import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import org.vcpu4j.api.BackendUnavailableException;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.cli.image.GuestImage;
import org.vcpu4j.cli.image.ImageLoader;
import org.vcpu4j.cli.image.InvalidImageException;
import org.vcpu4j.cli.machine.Outcome;
import org.vcpu4j.cli.machine.RunOptions;
import picocli.CommandLine;

/** {@code vcpu run}: loads an ELF or raw image and runs it on the machine model of its ISA. */
@CommandLine.Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {
    "Runs a guest image: an ELF64 (loaded by its program headers) or a raw binary (loaded at the RAM base;",
    "give its instruction set with --arch, or name a backend, which runs one).",
    "AArch64 guests run on QEMU's virt layout (RAM 0x40000000, PL011 at 0x09000000, PSCI via HVC);",
    "x86-64 guests on a minimal PC (RAM at 0, 16550 at port 0x3F8, long mode, hlt with IF=0 ends).",
    "Exit codes: 0 guest powered off or halted, 1 guest error, 2 usage error, 3 timeout or instruction limit."})
final class RunCommand implements Callable<Integer> {
    @CommandLine.Option(names = "--backend", paramLabel = "ID",
            description = "Backend to use (default: the best available one for the image's ISA).")
    String backend;

    @CommandLine.Option(names = "--arch", paramLabel = "ISA", converter = IsaConverter.class,
            description = "The image's instruction set: aarch64 or x86_64 (needed for a raw image; an ELF says).")
    GuestIsa arch;

    @CommandLine.Option(names = "--memory", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Guest RAM, e.g. 128M, 1G (default: 128M).")
    long memory = RunOptions.DEFAULT_MEMORY;

    @CommandLine.Option(names = "--max-instructions", paramLabel = "N",
            description = "Stop after N guest instructions (backends that count them).")
    Long maxInstructions;

    @CommandLine.Option(names = "--timeout", paramLabel = "SECONDS", description = "Stop after this much wall time.")
    Double timeout;

    @CommandLine.Option(names = "--stats", description = "Print instructions, exits by kind and wall time to stderr.")
    boolean stats;

    @CommandLine.Option(names = "--gdb", paramLabel = "tcp:[HOST]:PORT", converter = GdbEndpointConverter.class,
            description = {"Listen for gdb (target remote :PORT), as QEMU's -gdb: tcp::1234 listens on loopback,",
                "tcp:0.0.0.0:1234 on every interface (the protocol has no authentication)."})
    InetSocketAddress gdb;

    @CommandLine.Option(names = "--gdb-wait", description = "With --gdb: the guest waits for gdb before its first instruction (QEMU's -S).")
    boolean gdbWait;

    @CommandLine.Parameters(paramLabel = "IMAGE", description = "The guest image.")
    Path image;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final ImageLoader loader;
    private final BackendCatalog catalog;
    private final GuestLauncher launcher;
    private final Console console;

    @Inject
    RunCommand(ImageLoader loader, BackendCatalog catalog, GuestLauncher launcher, Console console) {
        this.loader = loader;
        this.catalog = catalog;
        this.launcher = launcher;
        this.console = console;
    }

    @Override
    public Integer call() {
        if (maxInstructions != null && maxInstructions <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-instructions must be positive");
        }
        if (timeout != null && !(timeout > 0 && timeout < 1e9)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be a positive number of seconds");
        }
        if (gdbWait && gdb == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--gdb-wait needs --gdb tcp::PORT");
        }
        try {
            // an unknown backend fails before the image is read; a named backend runs one ISA, which a raw
            // image then has (--arch is only needed when the backend is left to choose)
            Optional<GuestIsa> backendIsa = backend == null ? Optional.empty()
                    : Optional.of(catalog.choose(Optional.of(backend), Optional.empty()).guestIsa());
            GuestImage guest = withArch(loader.load(image), backendIsa);
            var provider = catalog.choose(Optional.ofNullable(backend), guest.isa());
            var options = new RunOptions(memory,
                    maxInstructions == null ? OptionalLong.empty() : OptionalLong.of(maxInstructions),
                    Optional.ofNullable(timeout).map(t -> Duration.ofNanos((long) (t * 1e9))), stats,
                    Optional.ofNullable(gdb), gdbWait);
            return launcher.launch(provider, guest, options);
        } catch (BackendUnavailableException | InvalidImageException e) {
            console.err().println("vcpu: " + e.getMessage());
            return Outcome.EXIT_USAGE;
        } catch (NoSuchFileException e) {
            console.err().println("vcpu: no such image file: " + e.getFile());
            return Outcome.EXIT_USAGE;
        } catch (IOException e) {
            console.err().println("vcpu: cannot read " + image + ": " + e.getMessage());
            return Outcome.EXIT_USAGE;
        }
    }

    /**
     * Gives a raw image the ISA of {@code --arch} or else of the backend named with {@code --backend}, and
     * refuses a raw image with neither, or an ELF that disagrees with {@code --arch}.
     */
    private GuestImage withArch(GuestImage guest, Optional<GuestIsa> backendIsa) {
        if (guest.isa().isEmpty()) {
            Optional<GuestIsa> isa = Optional.ofNullable(arch).or(() -> backendIsa);
            if (isa.isEmpty()) {
                throw new InvalidImageException(guest.name() + " is a raw binary (not ELF), which does not say its"
                        + " instruction set; give it with --arch aarch64 or --arch x86_64");
            }
            return new GuestImage(guest.name(), isa, guest.segments(), guest.entry());
        }
        if (arch != null && arch != guest.isa().get()) {
            throw new InvalidImageException(guest.name() + " is an " + guest.isa().get().displayName()
                    + " ELF file, but --arch says " + arch.displayName());
        }
        return guest;
    }

    /** Parses {@code --gdb}: {@code tcp::PORT} (loopback), {@code tcp:HOST:PORT}, or a bare {@code PORT}. */
    static final class GdbEndpointConverter implements CommandLine.ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            String v = value.strip();
            String host = "";
            String port = v;
            if (v.startsWith("tcp:")) {
                String rest = v.substring(4);
                int colon = rest.lastIndexOf(':');
                if (colon < 0) {
                    throw invalid(value);
                }
                host = rest.substring(0, colon);
                port = rest.substring(colon + 1);
            }
            int p;
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw invalid(value);
            }
            if (p < 0 || p > 65535) {
                throw invalid(value);
            }
            if (host.isEmpty()) {
                return new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), p);
            }
            InetSocketAddress a = new InetSocketAddress(host, p);
            if (a.isUnresolved()) {
                throw new CommandLine.TypeConversionException("--gdb: unknown host '" + host + "'");
            }
            return a;
        }

        private static CommandLine.TypeConversionException invalid(String value) {
            return new CommandLine.TypeConversionException("'" + value
                    + "' is not a gdb endpoint; use tcp::PORT (loopback) or tcp:HOST:PORT, PORT 0-65535");
        }
    }

    /** Parses {@code --arch}: an ISA's display name, {@code aarch64} or {@code x86_64}. */
    static final class IsaConverter implements CommandLine.ITypeConverter<GuestIsa> {
        @Override
        public GuestIsa convert(String value) {
            for (GuestIsa isa : GuestIsa.values()) {
                if (isa.displayName().equalsIgnoreCase(value.strip())) {
                    return isa;
                }
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not an instruction set; use aarch64 or x86_64");
        }
    }
}
