package org.vcpu4j.gdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.vcpu4j.gdb.internal.Hex;

/** The stub against a client that speaks the protocol byte by byte, on emulated vCPUs (issue 14). */
class GdbProtocolTest {
    private static final long R = StubbedGuest.RAM;

    private static String le64(long v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            sb.append(String.format("%02x", (v >>> (8 * i)) & 0xFF));
        }
        return sb.toString();
    }

    private static long pc(GdbClient c) throws Exception {
        return Long.reverseBytes(Long.parseUnsignedLong(c.request("p20"), 16));
    }

    @Test
    void handshakeDescribesTheTargetAndItsThreads() throws Exception {
        try (StubbedGuest g = new StubbedGuest(1, true); GdbClient c = new GdbClient(g.port())) {
            String supported = c.request("qSupported:multiprocess+;swbreak+;xmlRegisters=i386");
            assertTrue(supported.contains("PacketSize=") && supported.contains("qXfer:features:read+")
                    && supported.contains("QStartNoAckMode+"), supported);
            assertEquals("T05thread:1;", c.request("?"));
            StringBuilder xml = new StringBuilder();
            String chunk;
            do {
                chunk = c.request("qXfer:features:read:target.xml:" + Integer.toHexString(xml.length()) + ",200");
                xml.append(chunk.substring(1));
            } while (chunk.charAt(0) == 'm');
            assertTrue(xml.toString().contains("org.gnu.gdb.aarch64.core"), xml::toString);
            assertTrue(xml.toString().contains("org.gnu.gdb.aarch64.fpu"), xml::toString);
            assertTrue(xml.toString().contains("<reg name=\"fpsr\" bitsize=\"32\" regnum=\"66\"/>"), xml::toString);
            assertEquals("1", c.request("qAttached"));
            assertEquals("m1", c.request("qfThreadInfo"));
            assertEquals("l", c.request("qsThreadInfo"));
            assertEquals("QC1", c.request("qC"));
            assertEquals("vCont;c;C;s;S", c.request("vCont?"));
        }
    }

    @Test
    void registersReadAndWriteThroughTheVCpusState() throws Exception {
        try (StubbedGuest g = new StubbedGuest(1, true); GdbClient c = new GdbClient(g.port())) {
            assertEquals(R, pc(c));
            String all = c.request("g");
            int bytes = 31 * 8 + 8 + 8 + 4 + 32 * 16 + 4 + 4 + 4 * 8 + 8 * org.vcpu4j.api.aarch64.SystemRegister.values().length;
            assertEquals(2 * bytes, all.length());
            assertEquals(le64(StubbedGuest.DATA), all.substring(2 * 8 * 2, 2 * 8 * 3), "x2 in the g packet");
            assertEquals("OK", c.request("P5=" + le64(0x1122_3344_5566_7788L)));
            assertEquals(le64(0x1122_3344_5566_7788L), c.request("p5"));
            String v0 = "00112233445566778899aabbccddeeff";
            assertEquals("OK", c.request("P22=" + v0));
            assertEquals(v0, c.request("p22"), "v0 is 128 bits");
            assertEquals("OK", c.request("P42=" + "01000000"));
            assertEquals("01000000", c.request("p42"), "fpsr is 32 bits");
            String monitor = c.request("qRcmd," + Hex.encodeText("regs"));
            assertTrue(monitor.startsWith("O"), monitor);
            String text = new String(Hex.decode(monitor.substring(1)), StandardCharsets.ISO_8859_1);
            assertTrue(text.contains("SCTLR_EL1") && text.contains("0x0000000030c50830"), text);
            assertEquals("OK", c.reply());
        }
    }

    @Test
    void breakpointContinueAndStepReportTheThread() throws Exception {
        try (StubbedGuest g = new StubbedGuest(1, true); GdbClient c = new GdbClient(g.port())) {
            assertEquals("OK", c.request("Z0," + Long.toHexString(R + 8) + ",4"));
            assertEquals('+', c.sendPacket("vCont;c"));
            assertEquals("T05thread:1;", c.reply());
            assertEquals(R + 8, pc(c));
            assertEquals("OK", c.request("z0," + Long.toHexString(R + 8) + ",4"));
            assertEquals('+', c.sendPacket("vCont;s:1"));
            assertEquals("T05thread:1;", c.reply());
            assertEquals(R + 0xc, pc(c));
            assertEquals("E01", c.request("vCont;s:9"), "no thread 9");
        }
    }

    @Test
    void aWriteWatchpointReportsTheAddress() throws Exception {
        try (StubbedGuest g = new StubbedGuest(1, true); GdbClient c = new GdbClient(g.port())) {
            assertEquals("OK", c.request("Z2," + Long.toHexString(StubbedGuest.DATA) + ",8"));
            assertEquals('+', c.sendPacket("vCont;c"));
            assertEquals("T05watch:" + Long.toHexString(StubbedGuest.DATA) + ";thread:1;", c.reply());
            assertEquals(R + 0xc, pc(c), "stopped at the store, before it");
            assertEquals("0000000000000000", c.request("m" + Long.toHexString(StubbedGuest.DATA) + ",8"));
            assertEquals("OK", c.request("z2," + Long.toHexString(StubbedGuest.DATA) + ",8"));
        }
    }

    @Test
    void ctrlCStopsASpinningGuest() throws Exception {
        try (StubbedGuest g = new StubbedGuest(1, false); GdbClient c = new GdbClient(g.port())) {
            assertEquals('+', c.sendPacket("c"));
            Thread.sleep(200);
            c.raw("\u0003");
            assertEquals("T02thread:1;", c.reply());
            String count = c.request("m" + Long.toHexString(StubbedGuest.DATA) + ",8");
            assertTrue(Long.reverseBytes(Long.parseUnsignedLong(count, 16)) > 1000, "the guest ran: " + count);
        }
    }

    @Test
    void badInputGetsErrorRepliesAndTheGuestCarriesOn() throws Exception {
        try (StubbedGuest g = new StubbedGuest(1, true); GdbClient c = new GdbClient(g.port())) {
            c.raw("$g#00");
            assertEquals('-', c.readByte(), "a bad checksum is refused");
            c.raw("$g#zz");
            assertEquals('-', c.readByte(), "a checksum that is not hex is refused");
            c.raw("$" + "m".repeat(0x5000) + "#00");
            assertEquals('-', c.readByte(), "an oversized packet is refused");
            assertEquals("E01", c.request("mzz,4"), "malformed address");
            assertEquals("E01", c.request("m1000"), "no length");
            assertEquals("E14", c.request("m10,8"), "outside RAM");
            assertEquals("E14", c.request("M10,2:abcd"), "write outside RAM");
            assertEquals("E01", c.request("M" + Long.toHexString(R) + ",4:ab"), "length and data disagree");
            assertEquals("E01", c.request("p1000"), "no such register");
            assertEquals("E01", c.request("P5=00"), "wrong register size");
            assertEquals("E01", c.request("Pzz"), "malformed register write");
            assertEquals("", c.request("Z9,0,0"), "unknown breakpoint type");
            assertEquals("E01", c.request("Z2," + Long.toHexString(StubbedGuest.DATA) + ",0"), "zero-length watchpoint");
            assertEquals("E01", c.request("vCont;x"), "unknown vCont action");
            assertEquals("", c.request("vMustReplyEmpty"));
            assertEquals("", c.request("Qfoo"));
            assertEquals("", c.request("!"));
            assertEquals("E02", c.request("Hg7"));
            assertEquals("E01", c.request("T7"));
            String text = new String(Hex.decode(c.request("qRcmd," + Hex.encodeText("frobnicate")).substring(1)),
                    StandardCharsets.ISO_8859_1);
            assertTrue(text.contains("unknown monitor command"), text);
            assertEquals("OK", c.reply());
            // the guest and the stub carry on
            assertEquals(R, pc(c));
            assertEquals("OK", c.request("Z0," + Long.toHexString(R + 0x10) + ",4"));
            assertEquals('+', c.sendPacket("vCont;c"));
            assertEquals("T05thread:1;", c.reply());
            assertEquals(R + 0x10, pc(c));
            assertNull(g.failure.get());
        }
    }

    @Test
    void noAckModeDropsTheAcknowledgements() throws Exception {
        try (StubbedGuest g = new StubbedGuest(1, true); GdbClient c = new GdbClient(g.port())) {
            assertEquals("OK", c.request("QStartNoAckMode"));
            c.noAck = true;
            assertEquals("T05thread:1;", c.request("?"));
            assertEquals(le64(R), c.request("p20"));
        }
    }

    @Test
    void twoVCpusAreTwoThreads() throws Exception {
        try (StubbedGuest g = new StubbedGuest(2, true); GdbClient c = new GdbClient(g.port())) {
            assertEquals("m1,2", c.request("qfThreadInfo"));
            assertEquals("OK", c.request("Hg2"));
            assertEquals(le64(StubbedGuest.DATA + 0x100), c.request("p2"), "thread 2's x2");
            assertEquals("OK", c.request("Hg1"));
            assertEquals(le64(StubbedGuest.DATA), c.request("p2"), "thread 1's x2");
            assertEquals("OK", c.request("Z2," + Long.toHexString(StubbedGuest.DATA + 0x100) + ",8"));
            assertEquals('+', c.sendPacket("vCont;c"));
            assertEquals("T05watch:" + Long.toHexString(StubbedGuest.DATA + 0x100) + ";thread:2;", c.reply(),
                    "only vCPU 1 (thread 2) stores there");
            assertEquals("QC2", c.request("qC"));
            assertTrue(c.request("qThreadExtraInfo,2").equals(Hex.encodeText("vCPU 1 (parked)")));
        }
    }

    @Test
    void killEndsEveryVCpuLoop() throws Exception {
        try (StubbedGuest g = new StubbedGuest(2, true); GdbClient c = new GdbClient(g.port())) {
            c.sendPacket("k");
            assertTrue(g.awaitEnd(10), "the VMM loops ended");
            assertNull(g.failure.get());
        }
    }

    @Test
    void detachLetsTheGuestRunOnAndAnotherGdbAttaches() throws Exception {
        try (StubbedGuest g = new StubbedGuest(1, true)) {
            try (GdbClient c = new GdbClient(g.port())) {
                assertEquals("OK", c.request("Z0," + Long.toHexString(R + 8) + ",4"));
                assertEquals("OK", c.request("D"));
            }
            Thread.sleep(100);
            try (GdbClient c = new GdbClient(g.port())) {
                assertEquals("T05thread:1;", c.request("?"));
                String count = c.request("m" + Long.toHexString(StubbedGuest.DATA) + ",8");
                assertTrue(Long.reverseBytes(Long.parseUnsignedLong(count, 16)) > 0, "ran after the detach: " + count);
            }
        }
    }
}
