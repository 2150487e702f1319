/**
 * The flattened device-tree format (DTB) as dtc and libfdt define it: header layout, tokens and
 * the per-version feature flags (dtc's `version_table` in flattree.c).
 */

export const FDT_MAGIC = 0xd00dfeed;

export const FDT_BEGIN_NODE = 0x1;
export const FDT_END_NODE = 0x2;
export const FDT_PROP = 0x3;
export const FDT_NOP = 0x4;
export const FDT_END = 0x9;

/** Byte offsets of the header fields (all big-endian u32). */
export const HeaderField = {
  magic: 0,
  totalsize: 4,
  offDtStruct: 8,
  offDtStrings: 12,
  offMemRsvmap: 16,
  version: 20,
  lastCompVersion: 24,
  bootCpuidPhys: 28,
  sizeDtStrings: 32,
  sizeDtStruct: 36,
} as const;

/** Oldest and newest versions libfdt reads (FDT_FIRST/LAST_SUPPORTED_VERSION). */
export const FDT_FIRST_SUPPORTED_VERSION = 2;
export const FDT_LAST_SUPPORTED_VERSION = 17;

/** Size of a reservation entry: address and size, both u64. */
export const FDT_RESERVE_ENTRY_SIZE = 16;

/** Header size for a blob version, as libfdt's fdt_header_size_(). */
export function headerSize(version: number): number {
  if (version <= 1) return 28;
  if (version <= 2) return 32;
  if (version <= 16) return 36;
  return 40;
}

/**
 * Before version 16 node names are full paths, `name` properties are present and property values
 * of 8 bytes or more are aligned to 8 (dtc's FTF_FULLPATH | FTF_NAMEPROPS | FTF_VARALIGN);
 * from 16 on, FDT_NOP is allowed.
 */
export function hasFullPathNames(version: number): boolean {
  return version < 16;
}

export function tokenName(token: number): string {
  switch (token) {
    case FDT_BEGIN_NODE:
      return 'FDT_BEGIN_NODE';
    case FDT_END_NODE:
      return 'FDT_END_NODE';
    case FDT_PROP:
      return 'FDT_PROP';
    case FDT_NOP:
      return 'FDT_NOP';
    case FDT_END:
      return 'FDT_END';
    default:
      return `0x${token.toString(16).padStart(8, '0')}`;
  }
}
