import { Transform } from 'node:stream'

/**
 * React 18's streaming renderer writes into a reused 2,048-byte buffer and, when a multi-byte
 * UTF-8 character does not fit at its end, flushes the whole buffer with up to three unwritten
 * NUL bytes in it (facebook/react#31134, fixed only in React 19). Vietnamese text is full of
 * such characters, so long pages carried stray NULs ("Nhập một s\0\0ố"). No byte of a UTF-8
 * multi-byte sequence is 0x00 and PostgreSQL text cannot hold NUL, so every 0x00 in the stream
 * is that bug's and is dropped here.
 */
export function withoutNulBytes() {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (!chunk.includes(0)) return done(null, chunk)
      const bytes = Buffer.allocUnsafe(chunk.length)
      let length = 0
      for (const byte of chunk) if (byte !== 0) bytes[length++] = byte
      done(null, bytes.subarray(0, length))
    },
  })
}
