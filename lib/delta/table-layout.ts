// Where things live inside one Delta table directory: Hive-style partition directories, data file
// names, and the symlink-format manifests that Redshift Spectrum, Athena and Presto read. Pure.

export const MANIFEST_DIR = '_symlink_format_manifest';

/** Characters Hive/Spark escape in partition directory names, as %XX. */
const HIVE_ESCAPED = new Set<number>([
  ...Array.from({ length: 0x1f }, (_, i) => i + 1),
  0x22, // "
  0x23, // #
  0x25, // %
  0x27, // '
  0x2a, // *
  0x2f, // /
  0x3a, // :
  0x3d, // =
  0x3f, // ?
  0x5c, // \
  0x7f,
  0x7b, // {
  0x5b, // [
  0x5d, // ]
  0x5e, // ^
]);

export function escapePartitionValue(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    out += HIVE_ESCAPED.has(code) ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : ch;
  }
  return out;
}

/** `col=value/col2=value2`, or '' for an unpartitioned table. Null values use Hive's default name. */
export function partitionDirectory(
  partitionColumns: string[],
  values: Record<string, string | null>,
): string {
  return partitionColumns
    .map((c) => {
      const v = values[c];
      if (v === undefined) throw new Error(`partition value for "${c}" is missing`);
      const text = v === null || v === '' ? '__HIVE_DEFAULT_PARTITION__' : escapePartitionValue(v);
      return `${escapePartitionValue(c)}=${text}`;
    })
    .join('/');
}

/** A unique data file name in Spark's style: `part-00003-<uuid>.c000.zstd.parquet`. */
export function dataFileName(index: number, uuid: string, codec: string): string {
  return `part-${String(index).padStart(5, '0')}-${uuid}.c000.${codec}.parquet`;
}

/** Key of the manifest of one partition (or of the whole unpartitioned table), relative to the table root. */
export function manifestKey(partitionDir: string): string {
  return partitionDir === ''
    ? `${MANIFEST_DIR}/manifest`
    : `${MANIFEST_DIR}/${partitionDir}/manifest`;
}

/** Manifest text: one absolute data file URI a line. */
export function manifestText(fileUris: string[]): string {
  return fileUris.length === 0 ? '' : `${[...fileUris].sort().join('\n')}\n`;
}

/** Groups add paths (decoded, relative) by their partition directory, per the add's partition values. */
export function filesByPartition<T extends { partitionValues: Record<string, string | null> }>(
  partitionColumns: string[],
  files: Iterable<T>,
): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const f of files) {
    const dir = partitionDirectory(partitionColumns, f.partitionValues);
    const list = out.get(dir);
    if (list) list.push(f);
    else out.set(dir, [f]);
  }
  return out;
}
