//! Bytes into text as kubectl reads them: UTF-8 (a BOM dropped) or UTF-16 with a BOM.

/// Decodes a file's bytes: UTF-8 (a BOM is dropped) or UTF-16 with a BOM. Invalid UTF-8
/// gives the text decoded lossily, the offset of the first bad byte and a message.
pub(crate) fn decode(bytes: Vec<u8>) -> Result<String, (String, usize, String)> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return decode(rest.to_vec());
    }
    let utf16 = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(u16::from_le_bytes as fn([u8; 2]) -> u16),
        Some([0xFE, 0xFF]) => Some(u16::from_be_bytes as fn([u8; 2]) -> u16),
        _ => None,
    };
    if let Some(to_unit) = utf16 {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|pair| to_unit([pair[0], *pair.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16(&units)
            .map_err(|_| (String::new(), 0, "invalid UTF-16 text".to_string()));
    }
    String::from_utf8(bytes).map_err(|error| {
        let valid = error.utf8_error().valid_up_to();
        let bytes = error.into_bytes();
        // The whole file, lossily, so the error can be shown in context.
        let text = String::from_utf8_lossy(&bytes).into_owned();
        (
            text,
            valid,
            format!("not UTF-8 text: invalid byte 0x{:02X}", bytes[valid]),
        )
    })
}
