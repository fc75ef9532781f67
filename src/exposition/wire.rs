//! Protobuf fields written with prost's encoding primitives: the few shapes the protobuf
//! exposition and the push messages use (strings, doubles, varints, fixed64, packed runs and
//! nested messages), so that the encoders read as the `.proto` files do.

use prost::encoding::{WireType, encode_key, encode_varint, encoded_len_varint};

pub(crate) fn push_str(out: &mut Vec<u8>, tag: u32, text: &str) {
    encode_key(tag, WireType::LengthDelimited, out);
    encode_varint(text.len() as u64, out);
    out.extend_from_slice(text.as_bytes());
}

pub(crate) fn push_bytes(out: &mut Vec<u8>, tag: u32, bytes: &[u8]) {
    encode_key(tag, WireType::LengthDelimited, out);
    encode_varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}

/// A proto3 `string`: left out when empty.
pub(crate) fn push_str_nonempty(out: &mut Vec<u8>, tag: u32, text: &str) {
    if !text.is_empty() {
        push_str(out, tag, text);
    }
}

pub(crate) fn push_double(out: &mut Vec<u8>, tag: u32, value: f64) {
    encode_key(tag, WireType::SixtyFourBit, out);
    out.extend_from_slice(&value.to_le_bytes());
}

pub(crate) fn push_fixed64(out: &mut Vec<u8>, tag: u32, value: u64) {
    encode_key(tag, WireType::SixtyFourBit, out);
    out.extend_from_slice(&value.to_le_bytes());
}

pub(crate) fn push_varint(out: &mut Vec<u8>, tag: u32, value: u64) {
    encode_key(tag, WireType::Varint, out);
    encode_varint(value, out);
}

/// A proto3 `int64` (two's complement varint): left out when zero.
pub(crate) fn push_int64_nonzero(out: &mut Vec<u8>, tag: u32, value: i64) {
    if value != 0 {
        push_varint(out, tag, value as u64);
    }
}

/// A `sint32` / `sint64` (zigzag varint).
pub(crate) fn push_sint(out: &mut Vec<u8>, tag: u32, value: i64) {
    push_varint(out, tag, zigzag(value));
}

pub(crate) fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

/// A packed run of varints (`uint32`, `uint64`); nothing for an empty run.
pub(crate) fn push_packed_varints(
    out: &mut Vec<u8>,
    tag: u32,
    values: impl Iterator<Item = u64> + Clone,
) {
    let len: usize = values.clone().map(encoded_len_varint).sum();
    if len == 0 {
        return;
    }
    encode_key(tag, WireType::LengthDelimited, out);
    encode_varint(len as u64, out);
    for value in values {
        encode_varint(value, out);
    }
}

/// A packed run of 8-byte values (`double`, `fixed64`); nothing for an empty run.
pub(crate) fn push_packed_fixed(
    out: &mut Vec<u8>,
    tag: u32,
    values: impl ExactSizeIterator<Item = [u8; 8]>,
) {
    if values.len() == 0 {
        return;
    }
    encode_key(tag, WireType::LengthDelimited, out);
    encode_varint((values.len() * 8) as u64, out);
    for value in values {
        out.extend_from_slice(&value);
    }
}

/// A nested message: key, length, body.
#[inline]
pub(crate) fn push_message(
    out: &mut Vec<u8>,
    tag: u32,
    guess: usize,
    body: impl FnOnce(&mut Vec<u8>),
) {
    delimited(out, Some(tag), guess, body);
}

/// Writes `body` behind its length (and `tag`'s key, when given). Room for the length is left
/// for `guess` bytes of body; a body of another size moves to fit its prefix (rarely, and then
/// by a byte or two).
#[inline]
pub(crate) fn delimited(
    out: &mut Vec<u8>,
    tag: Option<u32>,
    guess: usize,
    body: impl FnOnce(&mut Vec<u8>),
) {
    if let Some(tag) = tag {
        encode_key(tag, WireType::LengthDelimited, out);
    }
    let reserved = encoded_len_varint(guess as u64);
    let start = out.len();
    out.resize(start + reserved, 0);
    body(out);
    let len = out.len() - start - reserved;
    let needed = encoded_len_varint(len as u64);
    if needed != reserved {
        let end = out.len();
        if needed > reserved {
            out.resize(end + needed - reserved, 0);
        }
        out.copy_within(start + reserved..end, start + needed);
        out.truncate(start + needed + len);
    }
    let mut prefix = [0u8; 10];
    let mut cursor = &mut prefix[..];
    encode_varint(len as u64, &mut cursor);
    out[start..start + needed].copy_from_slice(&prefix[..needed]);
}
