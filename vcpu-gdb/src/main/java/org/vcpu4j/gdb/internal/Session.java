package org.vcpu4j.gdb.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.vcpu4j.api.BreakpointKind;
import org.vcpu4j.api.DebugCapability;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.GuestMemory;
import org.vcpu4j.api.RegisterState;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.WatchKind;
import org.vcpu4j.gdb.GdbStub.Verdict;

/**
 * The stub's state: the vCPU slots (each vCPU's thread parks in its slot while gdb has the guest stopped
 * and runs the requests queued for it), and the session thread that accepts connections and answers
 * packets (gdb manual, "Packets", "General Query Packets", "Stop Reply Packets"). All-stop mode: when one
 * vCPU stops, the others are asked to exit ({@link VCpu#requestExit()}) and park before the stop reply.
 */
public final class Session {
    private static final long CALL_TIMEOUT_SECONDS = 10;
    private static final int PAGE = 4096;

    private enum SlotState { NOT_STARTED, RUNNING, PARKED, FINISHED }

    private record Resume(boolean step) {}

    private record StopEvent(Slot slot, VCpuExit.DebugStop stop) {}

    private record Watch(WatchKind kind, long address, long length) {
        boolean covers(long a) {
            return Long.compareUnsigned(a, address) >= 0 && Long.compareUnsigned(a - address, length) < 0;
        }
    }

    private record Breakpoint(BreakpointKind kind, long address) {}

    private static final Object KILL_TOKEN = new Object();
    private static final Object ALL_FINISHED = new Object();

    private static final class Slot {
        final VCpu vcpu;
        final int threadId;
        final LinkedBlockingQueue<Object> requests = new LinkedBlockingQueue<>();
        volatile SlotState state = SlotState.NOT_STARTED;

        Slot(VCpu vcpu, int threadId) {
            this.vcpu = vcpu;
            this.threadId = threadId;
        }
    }

    private final ServerSocket server;
    private final Supplier<GuestMemory> memory;
    private final List<Slot> slots = new ArrayList<>();
    private final RegisterLayout layout;
    private final Object lock = new Object();
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final Set<Breakpoint> breakpoints = ConcurrentHashMap.newKeySet();
    private final Set<Watch> watchpoints = ConcurrentHashMap.newKeySet();
    private final Thread sessionThread;

    private volatile boolean stopping;
    private volatile boolean connected;
    private volatile boolean killed;
    private volatile boolean closed;
    private volatile Socket socket;
    private volatile java.util.concurrent.CountDownLatch exitReported = new java.util.concurrent.CountDownLatch(0);

    // session thread only
    private PacketChannel channel;
    private boolean running;
    private final List<StopEvent> pending = new ArrayList<>();
    private Slot current;
    private String lastStopReply;

    private Session(ServerSocket server, Supplier<GuestMemory> memory, List<VCpu> vcpus, boolean wait) {
        this.server = server;
        this.memory = memory;
        for (int i = 0; i < vcpus.size(); i++) {
            slots.add(new Slot(vcpus.get(i), i + 1));
        }
        this.layout = vcpus.getFirst().isa() == GuestIsa.AARCH64 ? new Aarch64Layout() : new X86_64Layout();
        this.stopping = wait;
        this.current = slots.getFirst();
        this.sessionThread = Thread.ofPlatform().daemon().name("gdb-stub").unstarted(this::acceptLoop);
    }

    /**
     * Binds and starts the session thread (see {@link org.vcpu4j.gdb.GdbStub#listen}).
     *
     * @param address where to listen
     * @param memory the VM's memory map
     * @param vcpus the vCPUs
     * @param wait whether vCPUs wait for gdb before their first run
     * @return the session
     * @throws IOException if binding fails
     */
    public static Session start(InetSocketAddress address, Supplier<GuestMemory> memory, List<VCpu> vcpus,
            boolean wait) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(memory, "memory");
        if (vcpus.isEmpty()) {
            throw new IllegalArgumentException("a gdb stub needs at least one vCPU");
        }
        for (VCpu v : vcpus) {
            if (v.isa() != vcpus.getFirst().isa()) {
                throw new IllegalArgumentException("a gdb stub debugs one ISA; these vCPUs mix "
                        + vcpus.getFirst().isa().displayName() + " and " + v.isa().displayName());
            }
        }
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(address);
        Session s = new Session(server, memory, List.copyOf(vcpus), wait);
        s.sessionThread.start();
        return s;
    }

    /** {@return the bound address} */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    // ------------------------------------------------------------------ the vCPU threads' side

    private Slot slot(VCpu vcpu) {
        for (Slot s : slots) {
            if (s.vcpu == vcpu) {
                return s;
            }
        }
        throw new IllegalArgumentException("not one of the gdb stub's vCPUs: " + vcpu);
    }

    /**
     * See {@link org.vcpu4j.gdb.GdbStub#vcpuStarting}.
     *
     * @param vcpu the vCPU
     * @return false if killed
     */
    public boolean starting(VCpu vcpu) {
        Slot s = slot(vcpu);
        applyDebugState(s); // breakpoints gdb set before this vCPU started
        synchronized (lock) {
            s.state = SlotState.RUNNING;
            lock.notifyAll();
        }
        if (killed) {
            return false;
        }
        return !stopping || park(s) != Verdict.KILL;
    }

    /**
     * See {@link org.vcpu4j.gdb.GdbStub#onExit}.
     *
     * @param vcpu the vCPU
     * @param exit its exit
     * @return the verdict
     */
    public Verdict onExit(VCpu vcpu, VCpuExit exit) {
        Slot s = slot(vcpu);
        if (killed) {
            return Verdict.KILL;
        }
        if (exit instanceof VCpuExit.DebugStop stop) {
            if (!connected) {
                return Verdict.RUN_AGAIN; // a stop left over from a session that ended
            }
            inbox.add(new StopEvent(s, stop));
            return park(s);
        }
        if (exit instanceof VCpuExit.Interrupted && stopping) {
            return park(s);
        }
        return Verdict.NOT_MINE;
    }

    /**
     * See {@link org.vcpu4j.gdb.GdbStub#vcpuFinished}.
     *
     * @param vcpu the vCPU
     */
    public void finished(VCpu vcpu) {
        Slot s = slot(vcpu);
        boolean all;
        synchronized (lock) {
            s.state = SlotState.FINISHED;
            lock.notifyAll();
            all = slots.stream().allMatch(x -> x.state == SlotState.FINISHED);
        }
        if (all) {
            java.util.concurrent.CountDownLatch reported = new java.util.concurrent.CountDownLatch(1);
            exitReported = reported;
            inbox.add(ALL_FINISHED);
            if (connected) { // let gdb hear of the exit before the VMM closes the stub
                try {
                    reported.await(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Parks the calling vCPU thread, running gdb's requests for it, until gdb resumes or kills it. */
    private Verdict park(Slot s) {
        synchronized (lock) {
            s.state = SlotState.PARKED;
            lock.notifyAll();
        }
        while (true) {
            Object request;
            try {
                request = s.requests.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Verdict.KILL;
            }
            if (request instanceof Resume resume) {
                if (s.vcpu.debugCapabilities().contains(DebugCapability.SINGLE_STEP)) {
                    s.vcpu.setSingleStep(resume.step());
                }
                return killed ? Verdict.KILL : Verdict.RUN_AGAIN;
            }
            if (request == KILL_TOKEN) {
                return Verdict.KILL;
            }
            ((Runnable) request).run();
        }
    }

    /** On the vCPU's thread: makes its breakpoints and watchpoints the session's. */
    private void applyDebugState(Slot s) {
        Set<DebugCapability> caps = s.vcpu.debugCapabilities();
        for (Breakpoint b : breakpoints) {
            if (caps.contains(capabilityOf(b.kind()))) {
                s.vcpu.insertBreakpoint(b.kind(), b.address());
            }
        }
        if (caps.contains(DebugCapability.WATCHPOINTS)) {
            for (Watch w : watchpoints) {
                s.vcpu.insertWatchpoint(w.kind(), w.address(), w.length());
            }
        }
    }

    // ------------------------------------------------------------------ the session thread

    private void acceptLoop() {
        while (!closed) {
            try (Socket s = server.accept()) {
                s.setTcpNoDelay(true);
                socket = s;
                serve(s);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                connected = false;
                socket = null;
            }
            if (killed) {
                return;
            }
        }
    }

    private void serve(Socket s) throws IOException, InterruptedException {
        channel = new PacketChannel(s.getInputStream(), s.getOutputStream());
        inbox.removeIf(o -> o instanceof PacketChannel.Signal || o instanceof String);
        PacketChannel ch = channel;
        Thread.ofPlatform().daemon().name("gdb-stub-reader").start(() -> ch.readLoop(inbox::add));
        connected = true;
        stopAll(); // attaching stops the guest, as QEMU's stub does
        running = false;
        lastStopReply = null;
        while (true) {
            Object item = inbox.take();
            switch (item) {
                case String packet -> {
                    if (!running) {
                        dispatch(packet);
                    }
                }
                case PacketChannel.Signal signal when signal == PacketChannel.Signal.INTERRUPT -> {
                    if (running) {
                        stopAll();
                        running = false;
                        reply(stopReply("T02", current));
                    }
                }
                case PacketChannel.Signal signal -> { // EOF
                    if (!killed) {
                        detach();
                    }
                    return;
                }
                case StopEvent e -> {
                    if (running) {
                        stopAll();
                        running = false;
                        current = e.slot();
                        reply(stopReply(e));
                    } else {
                        pending.add(e);
                    }
                }
                default -> { // ALL_FINISHED
                    if (running) {
                        running = false;
                        reply("W00");
                    }
                    exitReported.countDown();
                }
            }
        }
    }

    private void reply(String payload) {
        try {
            channel.send(payload);
        } catch (IOException e) {
            // the reader sees the connection gone and delivers EOF
        }
    }

    /** Asks every running vCPU to exit and waits until each is parked (or finished, or not started). */
    private void stopAll() throws InterruptedException {
        stopping = true;
        synchronized (lock) {
            while (true) {
                boolean anyRunning = false;
                for (Slot s : slots) {
                    if (s.state == SlotState.RUNNING) {
                        anyRunning = true;
                        s.vcpu.requestExit();
                    }
                }
                if (!anyRunning) {
                    return;
                }
                lock.wait(100);
            }
        }
    }

    private void resume(Slot stepping, boolean stepOthers, Set<Slot> resumed) {
        if (!pending.isEmpty()) { // a stop that happened meanwhile is reported before anything runs
            StopEvent e = pending.removeFirst();
            current = e.slot();
            reply(stopReply(e));
            return;
        }
        if (slots.stream().allMatch(s -> s.state == SlotState.FINISHED)) {
            reply("W00");
            return;
        }
        stopping = false;
        running = true;
        for (Slot s : slots) {
            if (s.state != SlotState.PARKED || !resumed.contains(s)) {
                continue;
            }
            synchronized (lock) {
                s.state = SlotState.RUNNING;
            }
            s.requests.add(new Resume(s == stepping || stepOthers));
        }
    }

    /** Removes every breakpoint and watchpoint, turns stepping off and lets every vCPU run. */
    private void detach() {
        for (Slot s : slots) {
            if (s.state == SlotState.PARKED) {
                try {
                    onSlot(s, () -> {
                        clearDebugState(s);
                        return null;
                    });
                } catch (Exception e) {
                    // best effort: the vCPU runs on
                }
            }
        }
        breakpoints.clear();
        watchpoints.clear();
        pending.clear();
        connected = false;
        stopping = false;
        for (Slot s : slots) {
            if (s.state == SlotState.PARKED) {
                synchronized (lock) {
                    s.state = SlotState.RUNNING;
                }
                s.requests.add(new Resume(false));
            }
        }
    }

    private void clearDebugState(Slot s) {
        Set<DebugCapability> caps = s.vcpu.debugCapabilities();
        for (Breakpoint b : breakpoints) {
            if (caps.contains(capabilityOf(b.kind()))) {
                s.vcpu.removeBreakpoint(b.kind(), b.address());
            }
        }
        if (caps.contains(DebugCapability.WATCHPOINTS)) {
            for (Watch w : watchpoints) {
                s.vcpu.removeWatchpoint(w.kind(), w.address(), w.length());
            }
        }
        if (caps.contains(DebugCapability.SINGLE_STEP)) {
            s.vcpu.setSingleStep(false);
        }
    }

    /** Runs {@code call} on a parked vCPU's thread and returns its result. */
    private <T> T onSlot(Slot s, Callable<T> call) throws Exception {
        if (s.state != SlotState.PARKED) {
            throw new IllegalStateException("thread " + s.threadId + " is not stopped");
        }
        FutureTask<T> task = new FutureTask<>(call);
        s.requests.add(task);
        try {
            return task.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            task.cancel(false);
            throw new IllegalStateException("thread " + s.threadId + " did not answer");
        }
    }

    // ------------------------------------------------------------------ packets

    private void dispatch(String p) {
        try {
            String r = answer(p);
            if (r != null) {
                reply(r);
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            reply("E01"); // malformed packet
        } catch (Exception e) {
            reply("E0e"); // the target could not do it (memory, a thread not stopped)
        }
    }

    /** {@return the reply to a packet, or null when the packet's handler replied (or must not)} */
    private String answer(String p) throws Exception {
        if (p.isEmpty()) {
            return "";
        }
        char c = p.charAt(0);
        String rest = p.substring(1);
        return switch (c) {
            case '?' -> lastStopReply != null ? lastStopReply : stopReply("T05", current);
            case 'q' -> query(p);
            case 'Q' -> {
                if (p.equals("QStartNoAckMode")) {
                    reply("OK");
                    channel.noAckMode();
                    yield null;
                }
                yield "";
            }
            case 'H' -> selectThread(rest);
            case 'T' -> {
                Slot s = thread(Hex.parseLong(rest));
                yield s != null && s.state != SlotState.FINISHED ? "OK" : "E01";
            }
            case 'g' -> readAllRegisters();
            case 'G' -> writeAllRegisters(rest);
            case 'p' -> readRegister(Math.toIntExact(Hex.parseLong(rest)));
            case 'P' -> writeRegister(rest);
            case 'm' -> readMemory(rest);
            case 'M' -> writeMemory(rest, true);
            case 'X' -> writeMemory(rest, false);
            case 'Z', 'z' -> breakOrWatch(c == 'Z', rest);
            case 'c', 'C' -> {
                continueAt(rest, c == 'C');
                resume(null, false, Set.copyOf(slots));
                yield null;
            }
            case 's', 'S' -> {
                continueAt(rest, c == 'S');
                if (!current.vcpu.debugCapabilities().contains(DebugCapability.SINGLE_STEP)) {
                    yield "E01";
                }
                resume(current, false, Set.of(current));
                yield null;
            }
            case 'v' -> vPacket(p);
            case 'k' -> {
                kill();
                yield null;
            }
            case 'D' -> {
                reply("OK");
                detach();
                closeConnection();
                yield null;
            }
            default -> "";
        };
    }

    private String query(String p) throws Exception {
        if (p.startsWith("qSupported")) {
            return "PacketSize=" + Integer.toHexString(PacketChannel.MAX_PACKET)
                    + ";qXfer:features:read+;QStartNoAckMode+;vContSupported+";
        }
        if (p.startsWith("qXfer:features:read:")) {
            String[] f = p.substring("qXfer:features:read:".length()).split(":", 2);
            if (!f[0].equals("target.xml")) {
                return "E00";
            }
            String[] range = f[1].split(",", 2);
            int offset = Math.toIntExact(Hex.parseLong(range[0]));
            int length = Math.toIntExact(Hex.parseLong(range[1]));
            String xml = layout.targetXml();
            if (offset >= xml.length()) {
                return "l";
            }
            int end = Math.min(xml.length(), offset + Math.min(length, PacketChannel.MAX_PACKET / 2));
            return (end == xml.length() ? "l" : "m") + xml.substring(offset, end);
        }
        if (p.equals("qAttached")) {
            return "1";
        }
        if (p.equals("qC")) {
            return "QC" + Integer.toHexString(current.threadId);
        }
        if (p.equals("qfThreadInfo")) {
            StringBuilder sb = new StringBuilder("m");
            for (Slot s : slots) {
                if (s.state != SlotState.FINISHED) {
                    sb.append(sb.length() > 1 ? "," : "").append(Integer.toHexString(s.threadId));
                }
            }
            return sb.length() > 1 ? sb.toString() : "l";
        }
        if (p.equals("qsThreadInfo")) {
            return "l";
        }
        if (p.startsWith("qThreadExtraInfo,")) {
            Slot s = thread(Hex.parseLong(p.substring("qThreadExtraInfo,".length())));
            if (s == null) {
                return "E01";
            }
            return Hex.encodeText("vCPU " + s.vcpu.id() + " (" + s.state.name().toLowerCase(Locale.ROOT) + ")");
        }
        if (p.startsWith("qRcmd,")) {
            String command = new String(Hex.decode(p.substring("qRcmd,".length())), StandardCharsets.ISO_8859_1);
            reply("O" + Hex.encodeText(monitor(command.strip())));
            return "OK";
        }
        if (p.equals("qSymbol::")) {
            return "OK";
        }
        return "";
    }

    private String monitor(String command) throws Exception {
        String[] words = command.split("\\s+");
        switch (words[0]) {
            case "regs" -> {
                return "vCPU " + current.vcpu.id() + " (thread " + current.threadId + "):\n"
                        + layout.describeSystemRegisters(onSlot(current, current.vcpu::saveState));
            }
            case "tlb", "translate" -> {
                if (words.length != 2) {
                    return "usage: monitor tlb ADDRESS (hex, guest-virtual)\n";
                }
                long va = Hex.parseLong(words[1].startsWith("0x") ? words[1].substring(2) : words[1]);
                OptionalLong pa = translate(current, va);
                return pa.isPresent() ? String.format("0x%x -> 0x%x (guest-physical)%n", va, pa.getAsLong())
                        : String.format("0x%x is not mapped%n", va);
            }
            case "help", "" -> {
                return "monitor regs: system registers of the current thread's vCPU\n"
                        + "monitor tlb ADDRESS: translate a guest-virtual address as the vCPU sees it\n";
            }
            default -> {
                return "unknown monitor command '" + words[0] + "'; try monitor help\n";
            }
        }
    }

    private String selectThread(String rest) {
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("H needs an operation and a thread");
        }
        String id = rest.substring(1);
        if (id.equals("0") || id.equals("-1")) {
            return "OK";
        }
        Slot s = thread(Hex.parseLong(id));
        if (s == null || s.state == SlotState.FINISHED) {
            return "E02";
        }
        if (rest.charAt(0) == 'g') {
            current = s;
        }
        return "OK";
    }

    private Slot thread(long id) {
        return id >= 1 && id <= slots.size() ? slots.get((int) id - 1) : null;
    }

    private String readAllRegisters() throws Exception {
        RegisterState state = onSlot(current, current.vcpu::saveState);
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < layout.count(); r++) {
            layout.append(state, r, sb);
        }
        return sb.toString();
    }

    private String writeAllRegisters(String hex) throws Exception {
        byte[] bytes = Hex.decode(hex);
        Slot s = current;
        onSlot(s, () -> {
            RegisterState state = s.vcpu.saveState();
            int offset = 0;
            for (int r = 0; r < layout.count() && offset + layout.size(r) <= bytes.length; r++) {
                byte[] v = java.util.Arrays.copyOfRange(bytes, offset, offset + layout.size(r));
                state = layout.with(state, r, v);
                offset += layout.size(r);
            }
            s.vcpu.restoreState(state);
            return null;
        });
        return "OK";
    }

    private String readRegister(int regnum) throws Exception {
        if (regnum < 0 || regnum >= layout.count()) {
            return "E01";
        }
        RegisterState state = onSlot(current, current.vcpu::saveState);
        StringBuilder sb = new StringBuilder();
        layout.append(state, regnum, sb);
        return sb.toString();
    }

    private String writeRegister(String rest) throws Exception {
        int eq = rest.indexOf('=');
        int regnum = Math.toIntExact(Hex.parseLong(rest.substring(0, eq)));
        byte[] value = Hex.decode(rest.substring(eq + 1));
        if (regnum < 0 || regnum >= layout.count() || value.length != layout.size(regnum)) {
            return "E01";
        }
        Slot s = current;
        onSlot(s, () -> {
            s.vcpu.restoreState(layout.with(s.vcpu.saveState(), regnum, value));
            return null;
        });
        return "OK";
    }

    /** {@return the guest-physical address of a guest-virtual one on a vCPU: its translation, or the identity} */
    private OptionalLong translate(Slot s, long va) throws Exception {
        if (s.state != SlotState.PARKED || !s.vcpu.debugCapabilities().contains(DebugCapability.TRANSLATE_GVA)) {
            return OptionalLong.of(va);
        }
        return onSlot(s, () -> s.vcpu.translateGva(va));
    }

    private String readMemory(String rest) throws Exception {
        String[] f = rest.split(",", 2);
        long address = Hex.parseLong(f[0]);
        int length = (int) Math.min(Hex.parseLong(f[1]), PacketChannel.MAX_PACKET / 2 - 8);
        StringBuilder out = new StringBuilder(2 * length);
        long va = address;
        int left = length;
        while (left > 0) {
            int chunk = (int) Math.min(left, PAGE - (va & (PAGE - 1)));
            byte[] bytes;
            try {
                OptionalLong pa = translate(current, va);
                if (pa.isEmpty()) {
                    break;
                }
                bytes = memory.get().read(pa.getAsLong(), chunk);
            } catch (RuntimeException e) {
                break; // no RAM there: a partial read, or an error if nothing was read
            }
            out.append(Hex.encode(bytes));
            va += chunk;
            left -= chunk;
        }
        return out.isEmpty() && length > 0 ? "E14" : out.toString();
    }

    private String writeMemory(String rest, boolean hex) throws Exception {
        int colon = rest.indexOf(':');
        String[] f = rest.substring(0, colon).split(",", 2);
        long address = Hex.parseLong(f[0]);
        int length = Math.toIntExact(Hex.parseLong(f[1]));
        String data = rest.substring(colon + 1);
        byte[] bytes = hex ? Hex.decode(data) : data.getBytes(StandardCharsets.ISO_8859_1);
        if (bytes.length != length) {
            return "E01";
        }
        long va = address;
        int done = 0;
        while (done < length) {
            int chunk = (int) Math.min(length - done, PAGE - (va & (PAGE - 1)));
            OptionalLong pa = translate(current, va);
            if (pa.isEmpty()) {
                return "E14";
            }
            try {
                memory.get().write(pa.getAsLong(), java.util.Arrays.copyOfRange(bytes, done, done + chunk));
            } catch (RuntimeException e) {
                return "E14";
            }
            va += chunk;
            done += chunk;
        }
        return "OK";
    }

    private String breakOrWatch(boolean insert, String rest) throws Exception {
        String[] f = rest.split("[,;]");
        int type = Integer.parseInt(f[0]);
        long address = Hex.parseLong(f[1]);
        long kind = Hex.parseLong(f[2]);
        if (type < 0 || type > 4) {
            return "";
        }
        if (type <= 1) {
            BreakpointKind k = type == 0 ? BreakpointKind.SOFTWARE : BreakpointKind.HARDWARE;
            if (!everyVCpuOffers(capabilityOf(k))) {
                return ""; // gdb falls back to writing a breakpoint instruction itself
            }
            Breakpoint b = new Breakpoint(k, address);
            if (insert) {
                breakpoints.add(b);
            } else {
                breakpoints.remove(b);
            }
            forEachStarted(v -> {
                if (insert) {
                    v.insertBreakpoint(k, address);
                } else {
                    v.removeBreakpoint(k, address);
                }
            });
            return "OK";
        }
        if (!everyVCpuOffers(DebugCapability.WATCHPOINTS) || kind <= 0) {
            return kind <= 0 ? "E01" : "";
        }
        WatchKind k = switch (type) {
            case 2 -> WatchKind.WRITE;
            case 3 -> WatchKind.READ;
            default -> WatchKind.ACCESS;
        };
        Watch w = new Watch(k, address, kind);
        if (insert) {
            watchpoints.add(w);
        } else {
            watchpoints.remove(w);
        }
        forEachStarted(v -> {
            if (insert) {
                v.insertWatchpoint(k, address, kind);
            } else {
                v.removeWatchpoint(k, address, kind);
            }
        });
        return "OK";
    }

    private boolean everyVCpuOffers(DebugCapability capability) {
        return slots.stream().allMatch(s -> s.vcpu.debugCapabilities().contains(capability));
    }

    private void forEachStarted(java.util.function.Consumer<VCpu> action) throws Exception {
        for (Slot s : slots) {
            if (s.state == SlotState.PARKED) {
                onSlot(s, () -> {
                    action.accept(s.vcpu);
                    return null;
                });
            }
        }
    }

    private static DebugCapability capabilityOf(BreakpointKind kind) {
        return kind == BreakpointKind.HARDWARE ? DebugCapability.HARDWARE_BREAKPOINTS
                : DebugCapability.SOFTWARE_BREAKPOINTS;
    }

    /** c/s [addr] and C/S sig[;addr]: an address sets the current thread's PC first. */
    private void continueAt(String rest, boolean withSignal) throws Exception {
        String address = rest;
        if (withSignal) {
            int semi = rest.indexOf(';');
            address = semi < 0 ? "" : rest.substring(semi + 1);
        }
        if (!address.isEmpty()) {
            long pc = Hex.parseLong(address);
            Slot s = current;
            onSlot(s, () -> {
                RegisterState state = s.vcpu.saveState();
                s.vcpu.restoreState(layout.with(state, layout.pcRegnum(), longBytes(pc)));
                return null;
            });
        }
    }

    private static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    private String vPacket(String p) throws Exception {
        if (p.equals("vCont?")) {
            return "vCont;c;C;s;S";
        }
        if (p.startsWith("vCont;")) {
            Slot stepping = null;
            boolean stepOthers = false;
            Set<Slot> resumed = new java.util.HashSet<>();
            for (String action : p.substring("vCont;".length()).split(";")) {
                String[] a = action.split(":", 2);
                char op = a[0].charAt(0);
                if ("cCsS".indexOf(op) < 0) {
                    return "E01";
                }
                boolean step = op == 's' || op == 'S';
                if (a.length == 2 && !a[1].equals("-1")) {
                    Slot s = thread(Hex.parseLong(a[1]));
                    if (s == null) {
                        return "E01";
                    }
                    if (resumed.add(s) && step) {
                        if (!s.vcpu.debugCapabilities().contains(DebugCapability.SINGLE_STEP)) {
                            return "E01";
                        }
                        stepping = s;
                    }
                } else {
                    for (Slot s : slots) {
                        if (resumed.add(s) && step) {
                            stepOthers = true;
                        }
                    }
                }
            }
            resume(stepping, stepOthers, resumed);
            return null;
        }
        if (p.startsWith("vKill")) {
            kill();
            return null;
        }
        return ""; // vMustReplyEmpty and everything else this stub does not know
    }

    private void kill() {
        killed = true;
        for (Slot s : slots) {
            s.requests.add(KILL_TOKEN);
        }
        closeConnection();
    }

    private void closeConnection() {
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // closed already
            }
        }
    }

    private String stopReply(StopEvent e) {
        VCpuExit.DebugStop d = e.stop();
        String watch = switch (d.reason()) {
            case WATCH_WRITE -> watchpointAt(d.dataAddress(), WatchKind.WRITE);
            case WATCH_READ -> watchpointAt(d.dataAddress(), WatchKind.READ);
            default -> "";
        };
        return stopReply("T05" + watch, e.slot());
    }

    private String watchpointAt(long address, WatchKind accessed) {
        String name = "awatch";
        for (Watch w : watchpoints) {
            if (w.covers(address) && w.kind() == accessed) {
                name = accessed == WatchKind.WRITE ? "watch" : "rwatch";
                break;
            }
        }
        return name + ":" + Long.toHexString(address) + ";";
    }

    private String stopReply(String prefix, Slot s) {
        String r = prefix + "thread:" + Integer.toHexString(s.threadId) + ";";
        lastStopReply = r;
        return r;
    }

    /** Closes the listener and the connection; waiting vCPUs run on. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closed already
        }
        closeConnection();
        sessionThread.interrupt();
        stopping = false;
        for (Slot s : slots) {
            if (s.state == SlotState.PARKED) {
                s.requests.add(new Resume(false));
            }
        }
    }
}
