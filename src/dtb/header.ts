/**
 * The blob header and the memory reservation map: field bounds as dtc's dt_from_blob checks
 * them, plus libfdt's fdt_check_header checks unless lenient.
 */
import type { MemoryReservation } from '../tree/model.js';
import type { BlobReader } from './blob.js';
import {
  FDT_FIRST_SUPPORTED_VERSION,
  FDT_LAST_SUPPORTED_VERSION,
  FDT_MAGIC,
  FDT_RESERVE_ENTRY_SIZE,
  HeaderField,
  headerSize,
} from './format.js';

export interface Header {
  totalsize: number;
  offDtStruct: number;
  offDtStrings: number;
  offMemRsvmap: number;
  version: number;
  lastCompVersion: number;
  bootCpuidPhys: number;
  /** Present from version 3. */
  sizeDtStrings?: number;
  /** Present from version 17. */
  sizeDtStruct?: number;
}

export function readHeader(r: BlobReader, lenient: boolean): Header {
  const length = r.bytes.length;
  if (length < 4) r.fail('dtb/truncated', `blob is ${length} bytes, too short for the magic number`, length);
  const magic = r.u32(HeaderField.magic);
  if (magic !== FDT_MAGIC) {
    r.fail('dtb/bad-magic', `bad magic number 0x${magic.toString(16).padStart(8, '0')} (expected 0xd00dfeed)`, 0);
  }
  if (length < 8) r.fail('dtb/truncated', `blob is ${length} bytes, too short for the totalsize field`, length);
  const totalsize = r.u32(HeaderField.totalsize);
  if (totalsize < 28) {
    r.fail('dtb/header', `totalsize ${totalsize} is smaller than the smallest header (28 bytes)`, HeaderField.totalsize);
  }
  if (totalsize > length) {
    r.fail('dtb/truncated', `blob is ${length} bytes but its header says totalsize ${totalsize}`, length);
  }
  const version = r.u32(HeaderField.version);
  const lastCompVersion = r.u32(HeaderField.lastCompVersion);
  if (!lenient) {
    if (version < FDT_FIRST_SUPPORTED_VERSION) {
      r.fail('dtb/version', `unsupported version ${version} (oldest readable is ${FDT_FIRST_SUPPORTED_VERSION})`, HeaderField.version);
    }
    if (lastCompVersion > FDT_LAST_SUPPORTED_VERSION) {
      r.fail(
        'dtb/version',
        `last compatible version ${lastCompVersion} is newer than ${FDT_LAST_SUPPORTED_VERSION}`,
        HeaderField.lastCompVersion,
      );
    }
    if (version < lastCompVersion) {
      r.fail('dtb/version', `version ${version} is older than its last compatible version ${lastCompVersion}`, HeaderField.version);
    }
  }
  // dtc reads boot_cpuid_phys whatever the version, size_dt_strings from v3 and size_dt_struct from
  // v17: those fields must lie inside totalsize. libfdt wants the whole header of the version.
  const needed = lenient ? (version >= 17 ? 40 : version >= 3 ? 36 : 32) : Math.max(32, headerSize(version));
  if (totalsize < needed) {
    r.fail('dtb/header', `totalsize ${totalsize} is smaller than the version ${version} header (${needed} bytes)`, HeaderField.totalsize);
  }
  const header: Header = {
    totalsize,
    offDtStruct: r.u32(HeaderField.offDtStruct),
    offDtStrings: r.u32(HeaderField.offDtStrings),
    offMemRsvmap: r.u32(HeaderField.offMemRsvmap),
    version,
    lastCompVersion,
    bootCpuidPhys: r.u32(HeaderField.bootCpuidPhys),
  };
  if (version >= 3) header.sizeDtStrings = r.u32(HeaderField.sizeDtStrings);
  if (version >= 17) header.sizeDtStruct = r.u32(HeaderField.sizeDtStruct);
  checkBlocks(r, header, lenient ? 0 : needed);
  return header;
}

/** The header's block offsets and sizes, in dtc's order (flattree.c dt_from_blob), with its words. */
function checkBlocks(r: BlobReader, h: Header, headerEnd: number): void {
  const hex = (n: number) => `0x${n.toString(16)}`;
  if (h.offMemRsvmap >= h.totalsize) {
    r.fail('dtb/bad-offset', `memory reservation map offset ${hex(h.offMemRsvmap)} is not inside totalsize ${hex(h.totalsize)}`, HeaderField.offMemRsvmap, undefined, 'Mem Reserve structure offset exceeds total size');
  }
  if (h.offDtStruct >= h.totalsize) {
    r.fail('dtb/bad-offset', `structure block offset ${hex(h.offDtStruct)} is not inside totalsize ${hex(h.totalsize)}`, HeaderField.offDtStruct, undefined, 'DT structure offset exceeds total size');
  }
  if (h.offDtStrings > h.totalsize) {
    r.fail('dtb/bad-offset', `strings block offset ${hex(h.offDtStrings)} is past totalsize ${hex(h.totalsize)}`, HeaderField.offDtStrings, undefined, 'String table offset exceeds total size');
  }
  if (h.sizeDtStrings !== undefined && h.offDtStrings + h.sizeDtStrings > h.totalsize) {
    r.fail(
      'dtb/bad-size',
      `strings block (${hex(h.offDtStrings)} + ${hex(h.sizeDtStrings)}) extends past totalsize ${hex(h.totalsize)}`,
      HeaderField.sizeDtStrings,
      undefined,
      'String table extends past total size',
    );
  }
  if (h.sizeDtStruct !== undefined && h.offDtStruct + h.sizeDtStruct > h.totalsize) {
    r.fail(
      'dtb/bad-size',
      `structure block (${hex(h.offDtStruct)} + ${hex(h.sizeDtStruct)}) extends past totalsize ${hex(h.totalsize)}`,
      HeaderField.sizeDtStruct,
      undefined,
      'Structure block extends past total size',
    );
  }
  const overlaps: [number, number, string][] = [
    [h.offMemRsvmap, HeaderField.offMemRsvmap, 'memory reservation map'],
    [h.offDtStruct, HeaderField.offDtStruct, 'structure block'],
    [h.offDtStrings, HeaderField.offDtStrings, 'strings block'],
  ];
  for (const [offset, field, what] of overlaps) {
    if (offset < headerEnd) r.fail('dtb/bad-offset', `${what} offset ${hex(offset)} overlaps the ${headerEnd}-byte header`, field);
  }
}

/**
 * The memory reservation map. Each entry is 16 bytes in the blob but ~150 in memory (an object,
 * two BigInts): 8M entries fit under the default dtb-bytes and took over 1.4 GB per 32 MB, so
 * their number is limited (`maxEntries`, `--limit memreserve-entries`).
 */
export function readReservations(r: BlobReader, h: Header, maxEntries = Infinity): MemoryReservation[] {
  const reservations: MemoryReservation[] = [];
  // Every entry is 16 bytes, so this ends within totalsize / 16 iterations.
  for (let at = h.offMemRsvmap; ; at += FDT_RESERVE_ENTRY_SIZE) {
    if (at + FDT_RESERVE_ENTRY_SIZE > h.totalsize) {
      r.fail('dtb/reservations', 'memory reservation map runs past the end of the blob without a terminating entry', at);
    }
    const address = r.u64(at);
    const size = r.u64(at + 8);
    if (size === 0n) return reservations;
    if (reservations.length >= maxEntries) {
      r.fail('dtb/too-many-reservations', `memory reservation map has more than ${maxEntries} entries (--limit memreserve-entries=N to change it)`, at);
    }
    reservations.push({ address, size, labels: [] });
  }
}
