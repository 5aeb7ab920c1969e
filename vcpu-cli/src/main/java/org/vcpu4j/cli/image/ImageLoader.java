package org.vcpu4j.cli.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.vcpu4j.api.GuestIsa;

/**
 * Reads guest images: an ELF64 little-endian executable is loaded by its PT_LOAD program headers at
 * their physical addresses (as QEMU's {@code -kernel} does for ELF files); any other file is a raw image.
 */
public final class ImageLoader {
    // ELF header fields (System V ABI, "ELF Header"; ELF-64 Object File Format 1.5).
    private static final int EM_X86_64 = 62;
    private static final int EM_AARCH64 = 183;
    private static final int PT_LOAD = 1;

    /**
     * Reads an image file.
     *
     * @param file the file
     * @return the image
     * @throws IOException if the file cannot be read
     * @throws InvalidImageException if it looks like an ELF file but is not a loadable ELF64 executable
     */
    public GuestImage load(Path file) throws IOException {
        byte[] data = Files.readAllBytes(file);
        if (data.length == 0) {
            throw new InvalidImageException(file + " is empty");
        }
        return isElf(data) ? parseElf(file.toString(), data)
                : new GuestImage(file.toString(), Optional.empty(),
                        List.of(new GuestImage.Segment(-1, data, data.length)), Optional.empty());
    }

    private static boolean isElf(byte[] d) {
        return d.length >= 4 && d[0] == 0x7F && d[1] == 'E' && d[2] == 'L' && d[3] == 'F';
    }

    /**
     * Parses an ELF64 executable.
     *
     * @param name the name for messages
     * @param data the file
     * @return the image
     */
    public GuestImage parseElf(String name, byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        require(data.length >= 64, name, "is too short for an ELF64 header");
        require(data[4] == 2, name, "is not a 64-bit ELF file (EI_CLASS " + data[4] + ")");
        require(data[5] == 1, name, "is not little-endian (EI_DATA " + data[5] + ")");
        int machine = Short.toUnsignedInt(b.getShort(18));
        GuestIsa isa = switch (machine) {
            case EM_AARCH64 -> GuestIsa.AARCH64;
            case EM_X86_64 -> GuestIsa.X86_64;
            default -> throw new InvalidImageException(name + " is for machine " + machine
                    + ", not AArch64 (183) or x86-64 (62)");
        };
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        require(phentsize >= 56, name, "has program headers of " + phentsize + " bytes, expected 56");
        require(phoff > 0 && phoff + (long) phnum * phentsize <= data.length, name,
                "has program headers outside the file");
        List<GuestImage.Segment> segments = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int ph = (int) (phoff + (long) i * phentsize);
            if (b.getInt(ph) != PT_LOAD) {
                continue;
            }
            long offset = b.getLong(ph + 8);
            long paddr = b.getLong(ph + 24);
            long filesz = b.getLong(ph + 32);
            long memsz = b.getLong(ph + 40);
            if (memsz == 0) {
                continue;
            }
            require(filesz <= memsz && offset >= 0 && offset + filesz <= data.length, name,
                    "has a PT_LOAD segment (#" + i + ") that does not fit the file");
            byte[] bytes = new byte[(int) filesz];
            System.arraycopy(data, (int) offset, bytes, 0, (int) filesz);
            segments.add(new GuestImage.Segment(paddr, bytes, memsz));
        }
        require(!segments.isEmpty(), name, "has no PT_LOAD segment");
        return new GuestImage(name, Optional.of(isa), segments, Optional.of(entry));
    }

    private static void require(boolean ok, String name, String problem) {
        if (!ok) {
            throw new InvalidImageException(name + " " + problem);
        }
    }
}
