package org.vcpu4j.gdb.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The framing of the gdb remote serial protocol (gdb manual, "Overview" of Remote Protocol): packets
 * {@code $data#cc} with a two-digit modulo-256 checksum, {@code +}/{@code -} acknowledgements until
 * {@code QStartNoAckMode}, {@code }} escapes (byte XOR 0x20) in binary data, and the interrupt byte 0x03
 * outside packets.
 */
public final class PacketChannel {
    /** What the reader delivers besides packets. */
    public enum Signal {
        /** The interrupt byte 0x03 (gdb's Ctrl-C). */
        INTERRUPT,
        /** The connection closed. */
        EOF
    }

    /** The largest packet accepted; a longer one is answered with {@code -} and dropped. */
    public static final int MAX_PACKET = 0x4000;

    private final InputStream in;
    private final OutputStream out;
    private volatile boolean noAck;
    private String lastSent = "";

    /**
     * @param in the connection's input
     * @param out the connection's output
     */
    public PacketChannel(InputStream in, OutputStream out) {
        this.in = new BufferedInputStream(in);
        this.out = out;
    }

    /** Stops sending and expecting acknowledgements (after replying OK to QStartNoAckMode). */
    public void noAckMode() {
        noAck = true;
    }

    /**
     * Reads until the connection closes, handing each packet's payload (unescaped, ISO-8859-1) or {@link
     * Signal} to {@code sink}; bad checksums and oversized packets are answered with {@code -} (in ack
     * mode) and dropped.
     *
     * @param sink receives {@code String} payloads and {@link Signal}s
     */
    public void readLoop(Consumer<Object> sink) {
        try {
            while (true) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                if (b == 0x03) {
                    sink.accept(Signal.INTERRUPT);
                } else if (b == '-') {
                    resend();
                } else if (b == '$') {
                    String payload = readPacket();
                    if (payload != null) {
                        sink.accept(payload);
                    }
                }
                // '+' and anything else outside a packet is ignored
            }
        } catch (IOException e) {
            // the connection is gone: same as EOF
        }
        sink.accept(Signal.EOF);
    }

    /** Reads the rest of a packet after '$'; null for a dropped one (answered with '-'). */
    private String readPacket() throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        int sum = 0;
        boolean tooLong = false;
        while (true) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (b == '#') {
                break;
            }
            if (b == '$') { // a new packet starts: the old one was broken off
                raw.reset();
                sum = 0;
                tooLong = false;
                continue;
            }
            sum += b;
            if (raw.size() < MAX_PACKET) {
                raw.write(b);
            } else {
                tooLong = true;
            }
        }
        int hi = in.read();
        int lo = in.read();
        if (hi < 0 || lo < 0) {
            return null;
        }
        int checksum;
        try {
            checksum = Hex.digit((char) hi) << 4 | Hex.digit((char) lo);
        } catch (IllegalArgumentException e) {
            checksum = -1;
        }
        if (checksum != (sum & 0xFF) || tooLong) {
            if (!noAck) {
                writeRaw("-");
            }
            return null;
        }
        if (!noAck) {
            writeRaw("+");
        }
        return unescape(raw.toByteArray());
    }

    private static String unescape(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '}' && i + 1 < raw.length) {
                out.write(raw[++i] ^ 0x20);
            } else {
                out.write(raw[i]);
            }
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Sends a packet, escaping {@code $ # } *} in the payload.
     *
     * @param payload the payload (ISO-8859-1)
     * @throws IOException if the connection is gone
     */
    public synchronized void send(String payload) throws IOException {
        StringBuilder sb = new StringBuilder(payload.length() + 4).append('$');
        int sum = 0;
        for (int i = 0; i < payload.length(); i++) {
            char c = payload.charAt(i);
            if (c == '$' || c == '#' || c == '}' || c == '*') {
                sb.append('}');
                sum += '}';
                c ^= 0x20;
            }
            sb.append(c);
            sum += c;
        }
        sb.append('#');
        sb.append(Character.forDigit((sum >> 4) & 0xF, 16)).append(Character.forDigit(sum & 0xF, 16));
        lastSent = sb.toString();
        writeRaw(lastSent);
    }

    private synchronized void resend() throws IOException {
        if (!noAck && !lastSent.isEmpty()) {
            writeRaw(lastSent);
        }
    }

    private synchronized void writeRaw(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }
}
