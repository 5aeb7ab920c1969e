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
    private static final int ELF64_HEADER_SIZE = 64;
    private static final int PHDR64_SIZE = 56;
    private static final int EI_CLASS = 4;
    private static final int EI_DATA = 5;
    private static final int EI_OSABI = 7;
    private static final int ELFCLASS64 = 2;
    private static final int ELFDATA2LSB = 1;
    private static final int ELFOSABI_GNU = 3;
    private static final int ET_REL = 1;
    private static final int ET_EXEC = 2;
    private static final int ET_DYN = 3;
    private static final int ET_CORE = 4;
    private static final int PT_LOAD = 1;
    private static final int PT_INTERP = 3;
    private static final int PT_NOTE = 4;
    private static final int NT_GNU_ABI_TAG = 1;
    private static final int GNU_NOTE_NAME = 0x00554E47; // "GNU\0", little-endian

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
                        List.of(new GuestImage.Segment(GuestImage.Segment.AT_RAM_BASE, data, data.length)),
                        Optional.empty());
    }

    private static boolean isElf(byte[] d) {
        return d.length >= 4 && d[0] == 0x7F && d[1] == 'E' && d[2] == 'L' && d[3] == 'F';
    }

    /**
     * Parses an ELF64 executable. Every offset and size is checked against the file and against 2^63
     * before it is used (ELF-64 Object File Format 1.5, "Data Representation": Elf64_Off, Elf64_Addr and
     * Elf64_Xword are unsigned 64-bit; no file and no guest-physical address space reaches 2^63, AArch64
     * and x86-64 have at most 52-bit physical addresses), so a malformed header is an
     * {@link InvalidImageException} naming the field, never an index error or a truncated segment.
     *
     * @param name the name for messages
     * @param data the file
     * @return the image
     * @throws InvalidImageException if the file is not a loadable bare-metal ELF64 executable
     */
    public GuestImage parseElf(String name, byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        require(data.length >= ELF64_HEADER_SIZE, name, "is too short for an ELF64 header");
        require(data[EI_CLASS] == ELFCLASS64, name, "is not a 64-bit ELF file (EI_CLASS " + data[EI_CLASS] + ")");
        require(data[EI_DATA] == ELFDATA2LSB, name, "is not little-endian (EI_DATA " + data[EI_DATA] + ")");
        int machine = Short.toUnsignedInt(b.getShort(18));
        GuestIsa isa = switch (machine) {
            case EM_AARCH64 -> GuestIsa.AARCH64;
            case EM_X86_64 -> GuestIsa.X86_64;
            default -> throw new InvalidImageException(name + " is for machine " + machine
                    + ", not AArch64 (183) or x86-64 (62)");
        };
        long entry = b.getLong(24);
        int type = Short.toUnsignedInt(b.getShort(16));
        if (type != ET_DYN) {
            requireExecutable(name, type); // an object file has no program headers: say so first
        }
        int phnum = programHeaderCount(name, b, data.length);
        int phoff = (int) b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        refuseOperatingSystemPrograms(name, b, data, phoff, phentsize, phnum); // most PIEs are Linux programs
        requireExecutable(name, type);
        List<GuestImage.Segment> segments = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int ph = phoff + i * phentsize;
            if (b.getInt(ph) == PT_LOAD) {
                GuestImage.Segment s = loadSegment(name, i, b, data, ph);
                if (s != null) {
                    segments.add(s);
                }
            }
        }
        require(!segments.isEmpty(), name, "has no PT_LOAD segment");
        return new GuestImage(name, Optional.of(isa), segments, Optional.of(entry));
    }

    /** Refuses every e_type but ET_EXEC (System V ABI, "ELF Header"), saying what the file is instead. */
    private static void requireExecutable(String name, int type) {
        switch (type) {
            case ET_EXEC -> { }
            case ET_REL -> throw new InvalidImageException(name + " is a relocatable object file (ET_REL), not an"
                    + " executable; link it first, e.g. ld -N -Ttext=0x40000000 -o guest.elf " + name);
            case ET_DYN -> throw new InvalidImageException(name + " is position-independent (ET_DYN: a shared object"
                    + " or a PIE); vcpu run loads executables linked at fixed addresses (ET_EXEC: link with -no-pie"
                    + " -static, or ld without -pie)");
            case ET_CORE -> throw new InvalidImageException(name + " is a core dump (ET_CORE), not an executable");
            default -> throw new InvalidImageException(name + " has ELF type " + type + ", not an executable (ET_EXEC)");
        }
    }

    /** Checks e_phoff, e_phentsize and e_phnum, and returns e_phnum (the table lies in the file). */
    private static int programHeaderCount(String name, ByteBuffer b, int fileSize) {
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        require(phentsize >= PHDR64_SIZE, name, "has program headers of " + phentsize + " bytes, expected 56");
        long table = (long) phnum * phentsize;
        require(phoff > 0 && phoff <= fileSize && table <= fileSize - phoff, name, String.format(
                "has its program header table outside the file (e_phoff 0x%x, %d entries of %d bytes, file of %d bytes)",
                phoff, phnum, phentsize, fileSize));
        return phnum;
    }

    /**
     * Checks one PT_LOAD program header and copies its file bytes.
     *
     * @return the segment, or null for an empty one (p_memsz 0)
     */
    private static GuestImage.Segment loadSegment(String name, int index, ByteBuffer b, byte[] data, int ph) {
        String segment = name + " has a PT_LOAD segment (#" + index + ") whose ";
        long offset = unsigned(b.getLong(ph + 8), segment, "p_offset");
        long paddr = unsigned(b.getLong(ph + 24), segment, "p_paddr");
        long filesz = unsigned(b.getLong(ph + 32), segment, "p_filesz");
        long memsz = unsigned(b.getLong(ph + 40), segment, "p_memsz");
        if (offset > data.length) {
            throw new InvalidImageException(String.format("%sp_offset 0x%x lies past the end of the file (%d bytes)",
                    segment, offset, data.length));
        }
        if (filesz > data.length - offset) {
            throw new InvalidImageException(String.format(
                    "%sp_offset 0x%x + p_filesz 0x%x runs past the end of the file (%d bytes)",
                    segment, offset, filesz, data.length));
        }
        if (memsz < filesz) {
            throw new InvalidImageException(String.format("%sp_memsz 0x%x is smaller than its p_filesz 0x%x",
                    segment, memsz, filesz));
        }
        try {
            Math.addExact(paddr, memsz); // both below 2^63: the sum fits in a long iff it stays below 2^63
        } catch (ArithmeticException e) {
            throw new InvalidImageException(String.format(
                    "%sp_paddr 0x%x + p_memsz 0x%x wraps past 2^63, beyond any guest-physical address",
                    segment, paddr, memsz));
        }
        if (memsz == 0) {
            return null;
        }
        byte[] bytes = new byte[(int) filesz];
        System.arraycopy(data, (int) offset, bytes, 0, (int) filesz);
        return new GuestImage.Segment(paddr, bytes, memsz);
    }

    /** Refuses an ELF64 field (unsigned) with bit 63 set: no file offset, size or address reaches 2^63. */
    private static long unsigned(long value, String segment, String field) {
        if (value < 0) {
            throw new InvalidImageException(String.format("%s%s 0x%x is 2^63 or more, beyond any file or guest-physical"
                    + " address", segment, field, value));
        }
        return value;
    }

    /**
     * Refuses programs for an operating system's user space, which need a kernel (system calls, a loader)
     * that a bare machine does not have: a PT_INTERP segment (a dynamic loader), EI_OSABI GNU/Linux, or a
     * GNU ABI tag note (NT_GNU_ABI_TAG, which glibc's crt1.o carries). System V ABI, "Program Header";
     * LSB Core, "Note Section".
     */
    private static void refuseOperatingSystemPrograms(String name, ByteBuffer b, byte[] data, int phoff, int phentsize,
            int phnum) {
        String notBareMetal = "; vcpu run boots bare-metal images (firmware, a kernel, a freestanding program"
                + " linked with -nostdlib), not programs that run under an operating system";
        for (int i = 0; i < phnum; i++) {
            int ph = phoff + i * phentsize;
            int type = b.getInt(ph);
            long offset = b.getLong(ph + 8);
            long filesz = b.getLong(ph + 32);
            boolean inFile = offset >= 0 && filesz >= 0 && offset <= data.length && filesz <= data.length - offset;
            if (type == PT_INTERP) {
                String interpreter = inFile ? cString(data, (int) offset, (int) filesz) : "?";
                throw new InvalidImageException(name + " is a dynamically linked user-space program (its interpreter is "
                        + interpreter + ")" + notBareMetal);
            }
            if (type == PT_NOTE && inFile && hasGnuAbiTag(b, (int) offset, (int) filesz)) {
                throw new InvalidImageException(name + " is a Linux user-space program (it carries a GNU ABI tag note,"
                        + " NT_GNU_ABI_TAG)" + notBareMetal);
            }
        }
        if (data[EI_OSABI] == ELFOSABI_GNU) {
            throw new InvalidImageException(name + " is built for GNU/Linux user space (EI_OSABI 3)" + notBareMetal);
        }
    }

    /** Walks the notes of a PT_NOTE segment (each: namesz, descsz, type, name and desc padded to 4 bytes). */
    private static boolean hasGnuAbiTag(ByteBuffer b, int start, int size) {
        long at = start;
        long end = (long) start + size;
        while (at + 12 <= end) {
            long namesz = Integer.toUnsignedLong(b.getInt((int) at));
            long descsz = Integer.toUnsignedLong(b.getInt((int) at + 4));
            int type = b.getInt((int) at + 8);
            long name = at + 12;
            if (type == NT_GNU_ABI_TAG && namesz == 4 && name + 4 <= end
                    && b.getInt((int) name) == GNU_NOTE_NAME) {
                return true;
            }
            at = name + ((namesz + 3) & ~3L) + ((descsz + 3) & ~3L);
        }
        return false;
    }

    private static String cString(byte[] data, int offset, int max) {
        int end = offset;
        while (end < offset + Math.min(max, 256) && data[end] != 0) {
            end++;
        }
        return new String(data, offset, end - offset, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static void require(boolean ok, String name, String problem) {
        if (!ok) {
            throw new InvalidImageException(name + " " + problem);
        }
    }
}
