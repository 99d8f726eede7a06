/**
 * The smallest programs that exit 0, one per CPU architecture, as ELF executables made here
 * byte by byte (an ELF header, one loadable segment, three or so instructions calling exit).
 * A build for a foreign platform runs one of them to learn whether the engine's host can
 * execute that architecture (a binfmt_misc handler such as Debian's qemu-user-static), since
 * neither Docker's API nor Podman's compatible one reports emulators.
 */

interface Machine {
  machine: number;
  bits: 32 | 64;
  bigEndian: boolean;
  flags: number;
  code: number[];
}

const le32 = (...words: number[]) =>
  words.flatMap((w) => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, (w >>> 24) & 0xff]);

/** Exit(0) for each architecture a probe exists for, by Go/OCI architecture name. */
const MACHINES: Record<string, Machine> = {
  // movz x0,#0; movz x8,#93 (exit); svc #0
  arm64: { machine: 183, bits: 64, bigEndian: false, flags: 0, code: le32(0xd2800000, 0xd2800ba8, 0xd4000001) },
  // mov r0,#0; mov r7,#1 (exit); svc #0 — EABI version 5
  arm: { machine: 40, bits: 32, bigEndian: false, flags: 0x05000000, code: le32(0xe3a00000, 0xe3a07001, 0xef000000) },
  // li a0,0; li a7,93 (exit); ecall
  riscv64: { machine: 243, bits: 64, bigEndian: false, flags: 0, code: le32(0x00000513, 0x05d00893, 0x00000073) },
  // li r0,1 (exit); li r3,0; sc — ELFv2 ABI
  ppc64le: { machine: 21, bits: 64, bigEndian: false, flags: 2, code: le32(0x38000001, 0x38600000, 0x44000002) },
  // lghi %r2,0; svc 1 (exit)
  s390x: { machine: 22, bits: 64, bigEndian: true, flags: 0, code: [0xa7, 0x29, 0x00, 0x00, 0x0a, 0x01] },
};

/** The architectures a probe program exists for. */
export function probeArchitectures(): string[] {
  return Object.keys(MACHINES);
}

/** An ELF executable for `architecture` that exits 0, or undefined when there is none. */
export function exitZeroProgram(architecture: string): Buffer | undefined {
  const m = MACHINES[architecture];
  if (!m) return undefined;
  const base = 0x10000;
  const ehsize = m.bits === 64 ? 64 : 52;
  const phsize = m.bits === 64 ? 56 : 32;
  const total = ehsize + phsize + m.code.length;
  const buf = Buffer.alloc(total);
  const u16 = (off: number, v: number) => (m.bigEndian ? buf.writeUInt16BE(v, off) : buf.writeUInt16LE(v, off));
  const u32 = (off: number, v: number) => (m.bigEndian ? buf.writeUInt32BE(v, off) : buf.writeUInt32LE(v, off));
  const word = (off: number, v: number) =>
    m.bits === 64
      ? m.bigEndian
        ? buf.writeBigUInt64BE(BigInt(v), off)
        : buf.writeBigUInt64LE(BigInt(v), off)
      : u32(off, v);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, m.bits === 64 ? 2 : 1, m.bigEndian ? 2 : 1, 1]).copy(buf, 0);
  const w = m.bits === 64 ? 8 : 4;
  u16(16, 2); // ET_EXEC
  u16(18, m.machine);
  u32(20, 1);
  word(24, base + ehsize + phsize); // e_entry
  word(24 + w, ehsize); // e_phoff
  word(24 + 2 * w, 0); // e_shoff
  const after = 24 + 3 * w;
  u32(after, m.flags);
  u16(after + 4, ehsize);
  u16(after + 6, phsize);
  u16(after + 8, 1);
  u16(after + 10, 0);
  u16(after + 12, 0);
  u16(after + 14, 0);
  const ph = ehsize;
  u32(ph, 1); // PT_LOAD
  if (m.bits === 64) {
    u32(ph + 4, 5); // R+X
    word(ph + 8, 0);
    word(ph + 16, base);
    word(ph + 24, base);
    word(ph + 32, total);
    word(ph + 40, total);
    word(ph + 48, 0x1000);
  } else {
    u32(ph + 4, 0);
    u32(ph + 8, base);
    u32(ph + 12, base);
    u32(ph + 16, total);
    u32(ph + 20, total);
    u32(ph + 24, 5);
    u32(ph + 28, 0x1000);
  }
  Buffer.from(m.code).copy(buf, ehsize + phsize);
  return buf;
}
