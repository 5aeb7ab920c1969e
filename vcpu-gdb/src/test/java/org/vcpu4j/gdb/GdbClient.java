package org.vcpu4j.gdb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A minimal remote-protocol client, to talk to the stub byte by byte (checksums checked). */
final class GdbClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    boolean noAck;

    GdbClient(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    static String frame(String payload) {
        int sum = 0;
        for (byte b : payload.getBytes(StandardCharsets.ISO_8859_1)) {
            sum += b & 0xFF;
        }
        return String.format("$%s#%02x", payload, sum & 0xFF);
    }

    void raw(String bytes) throws IOException {
        out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Sends a packet and returns the ack character (or '+' assumed in no-ack mode). */
    char sendPacket(String payload) throws IOException {
        raw(frame(payload));
        return noAck ? '+' : (char) in.read();
    }

    /** Sends a packet, expects '+', and returns the reply's payload. */
    String request(String payload) throws IOException {
        char ack = sendPacket(payload);
        if (ack != '+') {
            throw new IOException("expected '+' for " + payload + ", got '" + ack + "'");
        }
        return reply();
    }

    /** Reads one reply packet (skipping acks), checks its checksum and acks it. */
    String reply() throws IOException {
        int b;
        while ((b = in.read()) != '$') {
            if (b < 0) {
                throw new IOException("connection closed");
            }
        }
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        int sum = 0;
        while ((b = in.read()) != '#') {
            if (b < 0) {
                throw new IOException("connection closed in a packet");
            }
            data.write(b);
            sum += b;
        }
        int checksum = Integer.parseInt("" + (char) in.read() + (char) in.read(), 16);
        if (checksum != (sum & 0xFF)) {
            throw new IOException("bad checksum from the stub");
        }
        if (!noAck) {
            raw("+");
        }
        return data.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads a single byte (an ack). */
    int readByte() throws IOException {
        return in.read();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
