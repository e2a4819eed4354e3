/**
 * What a file is, from its bytes (magic numbers), for the types evidence may have. Written here
 * rather than taken from a library: eight types, each a signature of a few bytes (and, for the
 * Office Open XML formats, the names in a ZIP's central directory), checked without reading the
 * file into anything else; a general detector would recognise hundreds of types we refuse anyway.
 */

export const PDF = 'application/pdf';
export const PNG = 'image/png';
export const JPEG = 'image/jpeg';
export const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
export const DOC = 'application/msword';
export const XLS = 'application/vnd.ms-excel';

/** Every type the sniffer knows, which is the default of EVIDENCE_TYPES. */
export const KNOWN_TYPES = [PDF, PNG, JPEG, DOCX, XLSX, PPTX, DOC, XLS] as const;

const startsWith = (bytes: Buffer, signature: readonly number[], at = 0) => bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];
/** `%PDF-` (ISO 32000: may follow up to 1024 bytes of junk; we take it at the start, as every producer writes it). */
const PDF_SIGNATURE = [0x25, 0x50, 0x44, 0x46, 0x2d];
/** The Compound File Binary header of legacy Office documents (.doc, .xls). */
const CFB_SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04];

/** The entry names of a ZIP's central directory; undefined when it is not a well-formed ZIP. */
export function zipEntryNames(bytes: Buffer): string[] | undefined {
  if (!startsWith(bytes, ZIP_LOCAL)) return undefined;
  // The end-of-central-directory record: within the last 22 + 65535 (comment) bytes.
  const floor = Math.max(0, bytes.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= floor; i--) {
    if (bytes.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  const count = bytes.readUInt16LE(eocd + 10);
  let at = bytes.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== 0x02014b50) return undefined;
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    if (at + 46 + nameLength > bytes.length) return undefined;
    names.push(bytes.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

/** An OOXML package is a ZIP with `[Content_Types].xml` and its main part under word/, xl/ or ppt/. */
function officeOpenXml(bytes: Buffer): string | undefined {
  const names = zipEntryNames(bytes);
  if (names === undefined || !names.includes('[Content_Types].xml')) return undefined;
  if (names.includes('word/document.xml')) return DOCX;
  if (names.includes('xl/workbook.xml')) return XLSX;
  if (names.includes('ppt/presentation.xml')) return PPTX;
  return undefined;
}

/**
 * The types these bytes may be: one, except for a legacy Compound File, which is a Word or an
 * Excel file by streams deep inside (both are answered; the declared one decides). Empty: none we know.
 */
export function sniff(bytes: Buffer): string[] {
  if (startsWith(bytes, PDF_SIGNATURE)) return [PDF];
  if (startsWith(bytes, PNG_SIGNATURE)) return [PNG];
  if (startsWith(bytes, JPEG_SIGNATURE)) return [JPEG];
  if (startsWith(bytes, CFB_SIGNATURE)) return [DOC, XLS];
  const office = officeOpenXml(bytes);
  return office === undefined ? [] : [office];
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}
