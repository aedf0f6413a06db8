export const TRUNCATION_MARKER = '…';

/**
 * Cuts `text` to at most `maxLength` UTF-16 code units, the last one being the
 * marker. Never splits a surrogate pair, so the result stays valid Unicode.
 */
export function truncateWithMarker(text: string, maxLength: number): string {
  if (text.length <= maxLength) {
    return text;
  }
  let end = Math.max(0, maxLength - TRUNCATION_MARKER.length);
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) {
    end -= 1;
  }
  return text.slice(0, end).trimEnd() + TRUNCATION_MARKER;
}

export function utf8ByteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
