/** UTF-8 length of a JavaScript string, without allocating; a lone surrogate counts as U+FFFD (3 bytes). */
export function utf8ByteLength(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

// C0 controls, DEL and C1 controls: invisible in logs and UIs, and a vector for log injection.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

export function hasControlChars(s: string): boolean {
  return CONTROL_CHARS.test(s);
}

/** PostgreSQL's jsonb and text reject U+0000. */
export function hasNul(s: string): boolean {
  return s.includes('\u0000');
}

/** A lone UTF-16 surrogate has no UTF-8 form; PostgreSQL rejects it and encoders silently replace it. */
export function hasLoneSurrogate(s: string): boolean {
  return !s.isWellFormed();
}
